package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// VerifyOptions are the receiver's expectations of a bundle.
type VerifyOptions struct {
	// Province is the receiver's province; a bundle from another one is
	// refused with ErrForeignProvince. Empty accepts any province (tools).
	Province string
	// KnownKey returns the public key the receiver has on record for a
	// device, if any; a bundle signed with another key is refused with
	// ErrKeyMismatch. Nil knows no keys.
	KnownKey func(device uuid.UUID) (ed25519.PublicKey, bool)
}

// Bundle is a verified bundle: its header and ops in memory, its blobs
// read again from the file on demand.
type Bundle struct {
	Header Header
	// Ops are the device's ops, in seq order, without server stamps.
	Ops []oplog.Op
	// BlobNames are the carried blobs' names, in order.
	BlobNames []string

	r    io.ReaderAt
	size int64
}

// Open reads and verifies the bundle in r (size bytes): layout, signature,
// province, every op (device, consecutive seqs, hash chain, signature,
// county) and every blob's hash. It writes nothing. Every failure is an
// *model.Error matching one of the sentinels.
func Open(r io.ReaderAt, size int64, opts VerifyOptions) (*Bundle, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	if len(h.PublicKey) != ed25519.PublicKeySize {
		return nil, withf(ErrCorrupt, "public key of %d bytes", len(h.PublicKey))
	}
	if opts.KnownKey != nil {
		if k, ok := opts.KnownKey(h.Device); ok && !k.Equal(h.PublicKey) {
			return nil, withf(ErrKeyMismatch, "device %s", h.Device)
		}
	}
	sig := make([]byte, ed25519.SignatureSize)
	if _, err := r.ReadAt(sig, size-ed25519.SignatureSize); err != nil {
		return nil, wrap(ErrTruncated, err)
	}
	hs := newSigHash()
	if _, err := io.Copy(hs, io.NewSectionReader(r, 0, size-ed25519.SignatureSize)); err != nil {
		return nil, wrap(ErrTruncated, err)
	}
	if !ed25519.Verify(h.PublicKey, hs.Sum(nil), sig) {
		return nil, withf(ErrSignature, "device %s", h.Device)
	}
	if opts.Province != "" && h.Province != opts.Province {
		return nil, withf(ErrForeignProvince, "bundle of province %s; this is %s", h.Province, opts.Province)
	}
	b := &Bundle{Header: h, r: r, size: size}
	if err := b.readBody(true, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// ReadHeader checks the layout of the bundle in r (size bytes) and returns
// its header WITHOUT verifying the signature: enough to find the device
// whose key Open should then verify it with.
func ReadHeader(r io.ReaderAt, size int64) (Header, error) { return readHeader(r, size) }

// readHeader checks the layout and decodes the header.
func readHeader(r io.ReaderAt, size int64) (Header, error) {
	head := make([]byte, prefixLen)
	n, _ := r.ReadAt(head, 0)
	if !bytes.HasPrefix([]byte(magic), head[:min(n, len(magic))]) || n == 0 {
		return Header{}, ErrNotBundle
	}
	if n < prefixLen || size < int64(prefixLen+trailerLen) {
		return Header{}, withf(ErrTruncated, "%d bytes", size)
	}
	if head[len(magic)] != FormatVersion {
		return Header{}, withf(ErrVersion, "format %d", head[len(magic)])
	}
	var lb [4]byte
	if _, err := r.ReadAt(lb[:], size-trailerLen); err != nil {
		return Header{}, wrap(ErrTruncated, err)
	}
	hlen := int64(binary.BigEndian.Uint32(lb[:]))
	if hlen > maxHeaderBytes || int64(prefixLen)+hlen+trailerLen > size {
		return Header{}, withf(ErrTruncated, "header of %d bytes in a file of %d", hlen, size)
	}
	hj := make([]byte, hlen)
	if _, err := r.ReadAt(hj, size-trailerLen-hlen); err != nil {
		return Header{}, wrap(ErrTruncated, err)
	}
	var h Header
	if err := json.Unmarshal(hj, &h); err != nil {
		return Header{}, withf(ErrTruncated, "header: %v", err)
	}
	if h.Format != FormatVersion {
		return Header{}, withf(ErrVersion, "format %d", h.Format)
	}
	if int64(prefixLen)+h.BodyBytes+hlen+trailerLen != size {
		return Header{}, withf(ErrTruncated, "body of %d bytes, header of %d, file of %d", h.BodyBytes, hlen, size)
	}
	return h, nil
}

// readBody decodes the body. With check it verifies every op and blob
// and fills b.Ops and b.BlobNames; otherwise it only hands each blob to
// blob.
func (b *Bundle) readBody(check bool, blob func(sha string, r io.Reader) error) error {
	h := &b.Header
	sec := io.NewSectionReader(b.r, int64(prefixLen), h.BodyBytes)
	bodyHash := sha256.New()
	zr, err := zstd.NewReader(io.TeeReader(sec, bodyHash), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
	if err != nil {
		return wrap(ErrCorrupt, err)
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 64<<10)
	var (
		prev     *oplog.Op
		lastBlob string
		blobs    int
		bytesSum int64
		nops     int
	)
	for {
		kind, err := br.ReadByte()
		if err != nil {
			return withf(ErrCorrupt, "no end frame: %v", err)
		}
		switch kind {
		case frameOp:
			n, err := binary.ReadUvarint(br)
			if err != nil || n == 0 || n > protocol.MaxOpBytes {
				return withf(ErrCorrupt, "op frame of %d bytes: %v", n, err)
			}
			raw := make([]byte, n)
			if _, err := io.ReadFull(br, raw); err != nil {
				return withf(ErrCorrupt, "op frame: %v", err)
			}
			nops++
			if !check {
				continue
			}
			var op oplog.Op
			if err := op.UnmarshalBinary(raw); err != nil {
				return wrapf(ErrCorrupt, err, "op %d", nops)
			}
			if err := b.checkOp(&op, prev); err != nil {
				return err
			}
			b.Ops = append(b.Ops, op)
			prev = &b.Ops[len(b.Ops)-1]
		case frameBlob:
			var name [32]byte
			if _, err := io.ReadFull(br, name[:]); err != nil {
				return withf(ErrCorrupt, "blob frame: %v", err)
			}
			sha := hex.EncodeToString(name[:])
			n, err := binary.ReadUvarint(br)
			if err != nil || n > protocol.MaxBlobBytes {
				return withf(ErrCorrupt, "blob %s of %d bytes: %v", sha, n, err)
			}
			if sha <= lastBlob {
				return withf(ErrCorrupt, "blob %s out of order", sha)
			}
			lastBlob = sha
			if err := copyBlob(sha, io.LimitReader(br, int64(n)), int64(n), blob); err != nil {
				return err
			}
			blobs++
			bytesSum += int64(n)
			if check {
				b.BlobNames = append(b.BlobNames, sha)
			}
		case frameEnd:
			if _, err := br.ReadByte(); err != io.EOF {
				return withf(ErrCorrupt, "data after the end frame")
			}
			if check {
				return b.checkCounts(nops, blobs, bytesSum, bodyHash.Sum(nil))
			}
			return nil
		default:
			return withf(ErrCorrupt, "unknown frame %#x", kind)
		}
	}
}

// copyBlob reads a blob's n bytes from r, checks them against sha and
// hands them to fn (when not nil) as they are read.
func copyBlob(sha string, r io.Reader, n int64, fn func(string, io.Reader) error) error {
	hr := &hashingReader{r: r, h: sha256.New()}
	if fn != nil {
		if err := fn(sha, hr); err != nil {
			return err
		}
	}
	if _, err := io.Copy(io.Discard, hr); err != nil {
		return wrapf(ErrCorrupt, err, "blob %s", sha)
	}
	if hr.n != n {
		return withf(ErrCorrupt, "blob %s: %d of %d bytes", sha, hr.n, n)
	}
	if got := hex.EncodeToString(hr.h.Sum(nil)); got != sha {
		return withf(ErrCorrupt, "blob %s has SHA-256 %s", sha, got)
	}
	return nil
}

type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

// checkOp verifies one op against the header and its predecessor.
func (b *Bundle) checkOp(op *oplog.Op, prev *oplog.Op) error {
	h := &b.Header
	// The first op's predecessor is not in the bundle.
	link := oplog.Link{Device: h.Device, Seq: h.FromSeq - 1, NoHash: true}
	if prev != nil {
		link = oplog.LinkAfter(prev, prev.Hash())
	}
	if err := oplog.CheckLink(link, op); err != nil {
		return wrapf(ErrCorrupt, err, "op %d of a bundle of device %s", op.Seq, h.Device)
	}
	if ProvinceOf(op.County) != h.Province {
		return withf(ErrCorrupt, "op %d in county %s, outside province %s", op.Seq, op.County, h.Province)
	}
	if err := op.CheckShape(); err != nil {
		return wrapf(ErrCorrupt, err, "op %d", op.Seq)
	}
	if op.VerifySig(h.PublicKey) != nil {
		return withf(ErrSignature, "op %d", op.Seq)
	}
	return nil
}

// checkCounts compares what the body held with what the header says.
func (b *Bundle) checkCounts(ops, blobs int, blobBytes int64, bodySum []byte) error {
	h := &b.Header
	switch {
	case !bytes.Equal(bodySum, h.BodySHA256[:]):
		return withf(ErrCorrupt, "body SHA-256 differs from the header's")
	case ops != h.Ops:
		return withf(ErrCorrupt, "%d ops; header says %d", ops, h.Ops)
	case ops > 0 && b.Ops[ops-1].Seq != h.ToSeq, ops == 0 && h.ToSeq+1 != h.FromSeq:
		return withf(ErrCorrupt, "seq range %d..%d does not match the ops", h.FromSeq, h.ToSeq)
	case blobs != h.Blobs || blobBytes != h.BlobBytes:
		return withf(ErrCorrupt, "%d blobs of %d bytes; header says %d of %d", blobs, blobBytes, h.Blobs, h.BlobBytes)
	}
	return nil
}

// EachBlob reads the bundle's blobs again from the file and hands each to
// fn with a reader of its content. The content is checked against its
// name as it is read; a mismatch (the file changed since Open) stops with
// ErrCorrupt after fn returns.
func (b *Bundle) EachBlob(fn func(sha string, r io.Reader) error) error {
	if b.Header.Blobs == 0 {
		return nil
	}
	err := b.readBody(false, fn)
	var be *model.Error
	if err != nil && !(errors.As(err, &be) && be.Op == "bundle") {
		return fmt.Errorf("bundle: blob: %w", err)
	}
	return err
}
