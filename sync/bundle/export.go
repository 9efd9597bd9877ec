package bundle

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Source is what Export reads: a device's store (satisfied by
// *store.Store of internal/store; the check is in this package's tests).
type Source interface {
	Device() uuid.UUID
	PublicKey() ed25519.PublicKey
	Sign(msg []byte) []byte
	Ops(device uuid.UUID, afterSeq uint64, limit int) ([]oplog.Op, error)
	// HasBlob reports whether the device holds a photo; Export leaves
	// out the ones it lacks.
	HasBlob(sha string) bool
	OpenBlob(sha string) (io.ReadCloser, error)
}

// ExportOptions choose what Export writes.
type ExportOptions struct {
	// AfterSeq exports the device's ops with seq > AfterSeq (0: all).
	AfterSeq uint64
	// Province and County are the device's scope. Province may be empty
	// when the ops name counties: it is then derived from them.
	Province, County string
	// Label names the device to the receiver ("王家庄网格 平板2").
	Label string
	// Now is the clock of the header's creation time; time.Now when nil.
	Now func() time.Time
}

// opsPage is how many ops Export reads from the store at a time.
const opsPage = 1000

// Export writes the source device's ops after opts.AfterSeq, and the blobs
// they reference that the device holds, to w as one signed bundle. It
// returns the bundle's header. Referenced blobs the device lacks are left
// out (they travel with a later sync).
func Export(ctx context.Context, src Source, w io.Writer, opts ExportOptions) (Header, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dev := src.Device()
	var ops []oplog.Op
	for after := opts.AfterSeq; ; {
		if err := ctx.Err(); err != nil {
			return Header{}, err
		}
		page, err := src.Ops(dev, after, opsPage)
		if err != nil {
			return Header{}, fmt.Errorf("bundle: export: %w", err)
		}
		ops = append(ops, page...)
		if len(page) < opsPage {
			break
		}
		after = page[len(page)-1].Seq
	}
	h := Header{
		Format: FormatVersion, Device: dev, PublicKey: src.PublicKey(), Label: opts.Label,
		Province: opts.Province, County: opts.County,
		FromSeq: opts.AfterSeq + 1, ToSeq: opts.AfterSeq, Ops: len(ops),
		Created: opts.Now().UnixMilli(),
	}
	if len(ops) > 0 {
		h.ToSeq = ops[len(ops)-1].Seq
	}
	if h.Province == "" {
		h.Province = ProvinceOf(h.County)
	}
	var refs []string
	for i := range ops {
		if h.Province == "" {
			h.Province = ProvinceOf(ops[i].County)
		}
		if p := ProvinceOf(ops[i].County); p != h.Province {
			return Header{}, fmt.Errorf("bundle: export: op %d is in county %s, outside province %s", ops[i].Seq, ops[i].County, h.Province)
		}
		refs = append(refs, BlobRefs(&ops[i])...)
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)

	sig := newSigHash()
	out := bufio.NewWriterSize(io.MultiWriter(w, sig), 64<<10)
	out.WriteString(magic)
	out.WriteByte(FormatVersion)
	body := &countingWriter{w: out, h: sha256.New()}
	zw, err := zstd.NewWriter(body, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return Header{}, fmt.Errorf("bundle: export: %w", err)
	}
	var frame []byte
	for i := range ops {
		raw, err := ops[i].MarshalBinary()
		if err != nil {
			return Header{}, fmt.Errorf("bundle: export op %d: %w", ops[i].Seq, err)
		}
		frame = binary.AppendUvarint(append(frame[:0], frameOp), uint64(len(raw)))
		zw.Write(frame)
		zw.Write(raw)
	}
	for _, sha := range refs {
		if err := ctx.Err(); err != nil {
			return Header{}, err
		}
		if !src.HasBlob(sha) {
			continue
		}
		n, err := writeBlob(zw, src, sha)
		if err != nil {
			return Header{}, fmt.Errorf("bundle: export blob %s: %w", sha, err)
		}
		h.Blobs++
		h.BlobBytes += n
	}
	zw.Write([]byte{frameEnd})
	if err := zw.Close(); err != nil {
		return Header{}, fmt.Errorf("bundle: export: %w", err)
	}
	h.BodyBytes = body.n
	copy(h.BodySHA256[:], body.h.Sum(nil))
	hj, err := json.Marshal(h)
	if err != nil {
		return Header{}, fmt.Errorf("bundle: export: %w", err)
	}
	out.Write(hj)
	out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hj))))
	if err := out.Flush(); err != nil {
		return Header{}, fmt.Errorf("bundle: export: %w", err)
	}
	if _, err := w.Write(src.Sign(sig.Sum(nil))); err != nil {
		return Header{}, fmt.Errorf("bundle: export: %w", err)
	}
	return h, nil
}

// writeBlob writes the blob frame of sha to w and returns its size.
func writeBlob(w io.Writer, src Source, sha string) (int64, error) {
	rc, err := src.OpenBlob(sha)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, protocol.MaxBlobBytes+1))
	if err != nil {
		return 0, err
	}
	if len(data) > protocol.MaxBlobBytes {
		return 0, fmt.Errorf("blob larger than %d bytes", protocol.MaxBlobBytes)
	}
	name, _ := hex.DecodeString(sha)
	frame := binary.AppendUvarint(append([]byte{frameBlob}, name...), uint64(len(data)))
	if _, err := w.Write(frame); err != nil {
		return 0, err
	}
	if _, err := w.Write(data); err != nil {
		return 0, err
	}
	return int64(len(data)), nil
}

// countingWriter counts and hashes what passes through it.
type countingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	return n, err
}
