package badgerstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// Blobs keeps attachments as files named by their SHA-256 under Dir:
// complete blobs in Dir/<id[:2]>/<id>, uploads in progress in
// Dir/partial/<id>. A partial file only grows by appends at its current
// size, is fsynced after each part, and becomes a blob by rename once its
// hash checks out, so a cut at any byte leaves a resumable partial.
// Beside it, Dir/partial/<id>.json records who sent its last part, when,
// and the size announced (replaced by rename before each part).
type Blobs struct {
	dir     string
	maxSize int64
	locks   [64]sync.Mutex // by the id's first byte, one upload at a time per blob
}

var _ server.BlobStorage = (*Blobs)(nil)

// OpenBlobs opens (creating if needed) a blob directory whose blobs may be
// at most maxSize bytes (protocol.MaxBlobBytes when 0).
func OpenBlobs(dir string, maxSize int64) (*Blobs, error) {
	if maxSize <= 0 {
		maxSize = protocol.MaxBlobBytes
	}
	if err := os.MkdirAll(filepath.Join(dir, "partial"), 0o750); err != nil {
		return nil, fmt.Errorf("badgerstore: blobs: %w", err)
	}
	return &Blobs{dir: dir, maxSize: maxSize}, nil
}

func (b *Blobs) path(id string) string    { return filepath.Join(b.dir, id[:2], id) }
func (b *Blobs) partial(id string) string { return filepath.Join(b.dir, "partial", id) }
func (b *Blobs) meta(id string) string    { return b.partial(id) + metaExt }

// metaExt ends the name of a partial's record.
const metaExt = ".json"

// partialMeta is the record of a partial upload.
type partialMeta struct {
	Device uuid.UUID `json:"device"`
	Total  int64     `json:"total"`
	At     int64     `json:"at"` // Unix milliseconds
}

func (b *Blobs) lock(id string) *sync.Mutex {
	v, _ := hex.DecodeString(id[:2])
	return &b.locks[int(v[0])%len(b.locks)]
}

func checkID(id string) error {
	if !protocol.ValidBlobID(id) {
		return protocol.ErrNotFound.Withf("blob id %q is not a lowercase hex SHA-256", id)
	}
	return nil
}

// Stat returns a complete blob's size, or the bytes held of a partial one.
func (b *Blobs) Stat(id string) (int64, bool, error) {
	if err := checkID(id); err != nil {
		return 0, false, err
	}
	if fi, err := os.Stat(b.path(id)); err == nil {
		return fi.Size(), true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, false, err
	}
	fi, err := os.Stat(b.partial(id))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, err
	}
	return fi.Size(), false, nil
}

// Write appends a part of an upload (see server.BlobStorage).
func (b *Blobs) Write(id string, offset, total int64, r io.Reader, by server.Upload) (int64, bool, error) {
	if err := checkID(id); err != nil {
		return 0, false, err
	}
	if total > b.maxSize {
		return 0, false, protocol.ErrBlobTooLarge.Withf("%d bytes; at most %d", total, b.maxSize)
	}
	mu := b.lock(id)
	mu.Lock()
	defer mu.Unlock()
	held, complete, err := b.Stat(id)
	if err != nil {
		return 0, false, err
	}
	if complete { // deduplicated: someone uploaded it already
		return held, true, nil
	}
	if offset != held {
		e := protocol.ErrBadOffset.Withf("part starts at %d; server holds %d bytes", offset, held)
		e.Expected = uint64(held)
		return held, false, e
	}
	if err := b.writeMeta(id, partialMeta{Device: by.Device, Total: total, At: by.At.UnixMilli()}); err != nil {
		return held, false, err
	}
	f, err := os.OpenFile(b.partial(id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return held, false, err
	}
	n, err := io.Copy(f, io.LimitReader(r, total-held+1))
	if err == nil && held+n > total {
		err = protocol.ErrBlobTooLarge.Withf("more bytes than the announced %d", total)
	}
	if err != nil {
		// A cut part keeps what arrived, so the upload resumes from there;
		// a part that overran (its blob or its own range), or that would
		// leave a full-size partial never verified, is dropped whole.
		keep := held
		if !errors.Is(err, model.ErrTooLarge) && held+n < total {
			keep = held + n
		}
		_ = f.Truncate(keep)
		_ = f.Sync()
		_ = f.Close()
		return keep, false, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return held, false, err
	}
	if err := f.Close(); err != nil {
		return held, false, err
	}
	held += n
	if held < total {
		return held, false, nil
	}
	return b.finish(id, held)
}

// finish verifies a fully uploaded partial and moves it into place.
func (b *Blobs) finish(id string, size int64) (int64, bool, error) {
	f, err := os.Open(b.partial(id))
	if err != nil {
		return size, false, err
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	_ = f.Close()
	if err != nil {
		return size, false, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != id {
		_ = os.Remove(b.partial(id))
		_ = os.Remove(b.meta(id))
		return 0, false, protocol.ErrHashMismatch.Withf("content hashes to %s", got)
	}
	if err := os.MkdirAll(filepath.Dir(b.path(id)), 0o750); err != nil {
		return size, false, err
	}
	if err := os.Rename(b.partial(id), b.path(id)); err != nil {
		return size, false, err
	}
	_ = os.Remove(b.meta(id))
	if d, err := os.Open(filepath.Dir(b.path(id))); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return size, true, nil
}

// Open opens a complete blob.
func (b *Blobs) Open(id string) (io.ReadSeekCloser, int64, error) {
	if err := checkID(id); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(b.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, protocol.ErrNotFound.Withf("no blob %s", id)
	} else if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

// writeMeta replaces the record of partial id.
func (b *Blobs) writeMeta(id string, m partialMeta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := b.meta(id) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, b.meta(id))
}

// Partials lists the unfinished uploads (see server.BlobStorage). A
// partial without a record (left by an earlier version) has no device
// and its file's time; a record without a partial (a cut between the
// two) is listed with no bytes held, so that it expires too.
func (b *Blobs) Partials() ([]server.Partial, error) {
	dir := filepath.Join(b.dir, "partial")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("badgerstore: blobs: %w", err)
	}
	byID := map[string]*server.Partial{}
	get := func(id string) *server.Partial {
		p, ok := byID[id]
		if !ok {
			p = &server.Partial{ID: id}
			byID[id] = p
		}
		return p
	}
	for _, e := range ents {
		name := e.Name()
		if id, ok := strings.CutSuffix(name, metaExt); ok && protocol.ValidBlobID(id) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue // finished meanwhile
			} else if err != nil {
				return nil, err
			}
			var m partialMeta
			if err := json.Unmarshal(data, &m); err != nil {
				continue // unreadable: the partial counts as one without a record
			}
			p := get(id)
			p.Device, p.Total, p.At = m.Device, m.Total, time.UnixMilli(m.At)
			continue
		}
		if !protocol.ValidBlobID(name) {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		p := get(name)
		p.Held = fi.Size()
		if p.At.IsZero() {
			p.At = fi.ModTime()
		}
	}
	out := make([]server.Partial, 0, len(byID))
	for _, p := range byID {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b server.Partial) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Discard removes an unfinished upload and its record.
func (b *Blobs) Discard(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	mu := b.lock(id)
	mu.Lock()
	defer mu.Unlock()
	for _, p := range []string{b.partial(id), b.meta(id)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Complete lists the ids of the complete blobs, in order.
func (b *Blobs) Complete() ([]string, error) {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return nil, fmt.Errorf("badgerstore: blobs: %w", err)
	}
	var out []string
	for _, d := range ents {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(b.dir, d.Name()))
		if err != nil {
			return nil, fmt.Errorf("badgerstore: blobs: %w", err)
		}
		for _, f := range files {
			if id := f.Name(); f.Type().IsRegular() && protocol.ValidBlobID(id) && id[:2] == d.Name() {
				out = append(out, id)
			}
		}
	}
	return out, nil
}
