package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Meta keys of the blob phase's bookkeeping in the store.
const (
	// metaUpTo is the own seq up to which every referenced photo is on
	// the server.
	metaUpTo = "sync.blobs.uploaded_upto"
	// metaWant is the set (store meta set) of the photos referenced by
	// pulled ops that the device still has to download. Earlier versions
	// kept it as one JSON list under the same name; wantList moves such
	// a list into the set.
	metaWant = "sync.blobs.want"
)

// ownRefs is what push read of the device's own ops: the photos referenced
// by those with seq in (after, upTo], so that the photo phase need not
// read and decode them again.
type ownRefs struct {
	after, upTo uint64
	refs        []seqRef
}

type seqRef struct {
	seq uint64
	sha string
}

// add notes refs, the photos referenced by the device's ops first..last;
// ops that do not follow the ones noted start the record again.
func (r *ownRefs) add(first, last uint64, refs []seqRef) {
	if first != r.upTo+1 {
		*r = ownRefs{after: first - 1}
	}
	r.refs = append(r.refs, refs...)
	r.upTo = last
}

// blobs uploads the photos of the device's ops the server lacks, then
// downloads the wanted ones. The ops push read (seen) are not read again.
func (c *Client) blobs(ctx context.Context, res *Result, seen *ownRefs, progress func(Progress)) error {
	st := c.cfg.Store
	upTo, err := c.metaSeq(metaUpTo)
	if err != nil {
		return storeErr("blobs", err)
	}
	local := st.LocalSeq()
	var up []string
	from := upTo
	if seen != nil && seen.after <= upTo && seen.upTo > upTo {
		for _, r := range seen.refs {
			if r.seq > upTo && st.HasBlob(r.sha) {
				up = append(up, r.sha)
			}
		}
		from = seen.upTo
	}
	for after := from; after < local; {
		ops, err := st.Ops(st.Device(), after, 1000)
		if err != nil {
			return storeErr("blobs", err)
		}
		if len(ops) == 0 {
			break
		}
		for i := range ops {
			for _, sha := range bundle.BlobRefs(&ops[i]) {
				if st.HasBlob(sha) {
					up = append(up, sha)
				}
			}
		}
		after = ops[len(ops)-1].Seq
	}
	slices.Sort(up)
	up = slices.Compact(up)
	want, err := c.wantList()
	if err != nil {
		return storeErr("blobs", err)
	}
	p := Progress{Phase: PhaseBlobs, Total: len(up) + len(want)}
	count := func(n int64) { p.Bytes += n }
	failed := 0
	for _, sha := range up {
		sent, err := c.upload(ctx, sha, count)
		switch {
		case err != nil && !blobOnly(err):
			return err
		case err != nil:
			// This photo alone cannot go (damaged on this device, or
			// refused by the server): the others still do, and the
			// next sync tries it again.
			c.log.Warn("sync: photo not uploaded", "blob", sha, "err", err)
			failed++
		case sent:
			res.BlobsUp++
		}
		p.Ops++
		if progress != nil {
			progress(p)
		}
	}
	res.BlobsFailed = failed
	if local > upTo && failed == 0 {
		if err := st.SetMeta(metaUpTo, binary.BigEndian.AppendUint64(nil, local)); err != nil {
			return storeErr("blobs", err)
		}
	}
	var got []string // held now: off the set (in batches, and when stopping)
	defer func() {
		if len(got) > 0 {
			if err := st.RemoveFromMetaSet(metaWant, got); err != nil {
				c.log.Warn("sync: downloaded photos stay listed as wanted", "err", err)
			}
		}
	}()
	missing := 0
	for _, sha := range want {
		if !st.HasBlob(sha) {
			ok, err := c.download(ctx, sha, count)
			if err != nil {
				return err
			}
			if ok {
				res.BlobsDown++
			} else {
				missing++
			}
		}
		if st.HasBlob(sha) {
			got = append(got, sha)
			if len(got) >= 1000 {
				if err := st.RemoveFromMetaSet(metaWant, got); err != nil {
					return storeErr("blobs", err)
				}
				got = got[:0]
			}
		}
		p.Ops++
		if progress != nil {
			progress(p)
		}
	}
	res.Bytes += p.Bytes
	res.BlobsMissing = missing
	return nil
}

// wantList returns the photos to download, first moving a list kept the
// earlier way (one JSON value) into the set.
func (c *Client) wantList() ([]string, error) {
	st := c.cfg.Store
	old, err := c.blobList(metaWant)
	if err != nil {
		return nil, err
	}
	if len(old) > 0 {
		if err := st.AddToMetaSet(metaWant, old); err != nil {
			return nil, err
		}
		if err := st.SetMeta(metaWant, nil); err != nil {
			return nil, err
		}
	}
	return st.MetaSet(metaWant)
}

// blobOnly reports whether err concerns one photo only: the local file is
// damaged, or the server refuses this upload (4xx).
func blobOnly(err error) bool {
	if errors.Is(err, store.ErrBadBlob) || errors.Is(err, store.ErrNotFound) {
		return true
	}
	var pe *protocol.Error
	return errors.As(err, &pe) && pe.Status >= 400 && pe.Status < 500 &&
		!errors.Is(err, protocol.ErrUnauthorized) && !errors.Is(err, protocol.ErrRevoked)
}

// upload sends blob sha unless the server has it, resuming from the
// bytes the server already holds. It reports whether bytes were sent.
func (c *Client) upload(ctx context.Context, sha string, count func(int64)) (bool, error) {
	rp, err := c.do(ctx, call{op: "blobs", method: http.MethodHead, path: protocol.PathBlobs + sha, accept: []int{http.StatusNotFound}}, count)
	if err != nil {
		return false, err
	}
	if rp.status == http.StatusOK && rp.header.Get(protocol.HeaderUploadOffset) == "" {
		return false, nil
	}
	offset, _ := strconv.ParseInt(rp.header.Get(protocol.HeaderUploadOffset), 10, 64)
	data, err := c.readBlob(sha)
	if err != nil {
		return false, storeErr("blobs", err)
	}
	total := int64(len(data))
	if rp.status == http.StatusOK && offset >= total {
		return false, nil
	}
	for offset < total {
		end := min(offset+int64(c.cfg.ChunkBytes), total)
		rp, err := c.do(ctx, call{
			op: "blobs", method: http.MethodPut, path: protocol.PathBlobs + sha,
			body: data[offset:end], contentType: protocol.ContentTypeBlob,
			headers: map[string]string{"Content-Range": protocol.ContentRange{Start: offset, End: end - 1, Total: total}.String()},
		}, count)
		var perr *protocol.Error
		if errors.As(err, &perr) && perr.Code == protocol.CodeBadOffset && int64(perr.Expected) <= total {
			offset = int64(perr.Expected) // resume where the server is
			continue
		}
		if err != nil {
			return false, err
		}
		next := end
		if h := rp.header.Get(protocol.HeaderUploadOffset); h != "" {
			if n, err := strconv.ParseInt(h, 10, 64); err == nil && n <= total {
				next = n
			}
		}
		if next <= offset {
			return false, serverErr("blobs", "upload of %s stuck at %d", sha, offset)
		}
		offset = next
	}
	return true, nil
}

// readBlob reads a local blob whole (photos are at most
// protocol.MaxBlobBytes).
func (c *Client) readBlob(sha string) ([]byte, error) {
	rc, err := c.cfg.Store.OpenBlob(sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, protocol.MaxBlobBytes+1))
}

// download fetches blob sha and stores it after checking its hash. It
// reports false when the server does not have it (yet).
func (c *Client) download(ctx context.Context, sha string, count func(int64)) (bool, error) {
	rp, err := c.do(ctx, call{op: "blobs", method: http.MethodGet, path: protocol.PathBlobs + sha, accept: []int{http.StatusNotFound}}, count)
	if err != nil {
		return false, err
	}
	if rp.status == http.StatusNotFound {
		return false, nil
	}
	sum := sha256.Sum256(rp.body)
	if hex.EncodeToString(sum[:]) != sha {
		return false, serverErr("blobs", "blob %s arrived with SHA-256 %x", sha, sum)
	}
	if _, err := c.cfg.Store.PutBlob(bytes.NewReader(rp.body)); err != nil {
		return false, storeErr("blobs", err)
	}
	return true, nil
}

// metaSeq reads a sequence number kept in the store's meta (0 if unset).
func (c *Client) metaSeq(key string) (uint64, error) {
	v, err := c.cfg.Store.GetMeta(key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, errors.New("client: bad meta " + key)
	}
	return binary.BigEndian.Uint64(v), nil
}

// blobList reads a list of blob names kept in the store's meta.
func (c *Client) blobList(key string) ([]string, error) {
	v, err := c.cfg.Store.GetMeta(key)
	if errors.Is(err, store.ErrNotFound) || len(v) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l []string
	if err := json.Unmarshal(v, &l); err != nil {
		return nil, err
	}
	return l, nil
}
