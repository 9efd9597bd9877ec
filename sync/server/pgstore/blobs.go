package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// DefaultChunkBytes is the size of the chunks a blob is stored in: small
// enough that a part streams through the server holding one chunk at a
// time, large enough that a photo is a few rows.
const DefaultChunkBytes = 256 << 10

// Blobs is the PostgreSQL backend of server.BlobStorage: photos in the
// blobs and blob_chunks tables of the Store's database, so that every
// instance on it serves every photo and resumes every upload. A part is
// read from its reader one chunk at a time, each chunk stored by a short
// transaction of its own that locks the blob's row and checks that the
// upload still stands where the part left it; no connection is held while
// the part's bytes are on their way. Two writers of one blob (on one
// instance or several) therefore never interleave their bytes: the one
// that finds the blob moved under it stops with ErrBadOffset.
type Blobs struct {
	s       *Store
	maxSize int64
	chunk   int
}

var _ server.BlobStorage = (*Blobs)(nil)

// Blobs returns the store's blob storage, whose blobs may be at most
// maxSize bytes (protocol.MaxBlobBytes when 0).
func (s *Store) Blobs(maxSize int64) *Blobs {
	if maxSize <= 0 {
		maxSize = protocol.MaxBlobBytes
	}
	return &Blobs{s: s, maxSize: maxSize, chunk: DefaultChunkBytes}
}

// blobTimeout bounds each of the blob storage's queries and
// transactions (the BlobStorage interface takes no context), so that a
// lost database connection fails a request instead of holding it.
const blobTimeout = time.Minute

// tx runs fn in a transaction of at most blobTimeout.
func (b *Blobs) tx(fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	return pgx.BeginFunc(ctx, b.s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// row runs a query of one row of at most blobTimeout and scans it into
// dst.
func (b *Blobs) row(dst []any, q string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	return b.s.pool.QueryRow(ctx, q, args...).Scan(dst...)
}

func checkBlobID(id string) error {
	if !protocol.ValidBlobID(id) {
		return protocol.ErrNotFound.Withf("blob id %q is not a lowercase hex SHA-256", id)
	}
	return nil
}

// Stat returns a complete blob's size, or the bytes held of a partial one.
func (b *Blobs) Stat(id string) (int64, bool, error) {
	if err := checkBlobID(id); err != nil {
		return 0, false, err
	}
	var held int64
	var complete bool
	err := b.row([]any{&held, &complete}, `SELECT held, complete FROM blobs WHERE id = $1`, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("pgstore: blob %s: %w", id, err)
	}
	return held, complete, nil
}

// blobState is an unfinished upload as a part finds it.
type blobState struct {
	held     int64
	complete bool
	chunk    int
	hash     []byte // the SHA-256 state over the held bytes
}

// badOffset is the refusal of a part that does not start at held.
func badOffset(offset, held int64) error {
	e := protocol.ErrBadOffset.Withf("part starts at %d; server holds %d bytes", offset, held)
	e.Expected = uint64(held)
	return e
}

// Write appends a part of an upload (see server.BlobStorage).
func (b *Blobs) Write(id string, offset, total int64, r io.Reader, by server.Upload) (int64, bool, error) {
	if err := checkBlobID(id); err != nil {
		return 0, false, err
	}
	if total > b.maxSize {
		return 0, false, protocol.ErrBlobTooLarge.Withf("%d bytes; at most %d", total, b.maxSize)
	}
	var st blobState
	var prefix []byte // the bytes of the last, unfilled chunk held
	err := b.tx(func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO blobs (id, total, chunk, device, at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, id, total, b.chunk, pgUUID(by.Device), by.At); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT held, complete, chunk, hash FROM blobs WHERE id = $1 FOR UPDATE`, id).
			Scan(&st.held, &st.complete, &st.chunk, &st.hash); err != nil {
			return err
		}
		if st.complete {
			return nil
		}
		if offset != st.held {
			return badOffset(offset, st.held) // rolls back a row made just now
		}
		if _, err := tx.Exec(ctx, `UPDATE blobs SET total = $2, device = $3, at = $4 WHERE id = $1`,
			id, total, pgUUID(by.Device), by.At); err != nil {
			return err
		}
		if st.held%int64(st.chunk) == 0 {
			return nil
		}
		return tx.QueryRow(ctx, `SELECT data FROM blob_chunks WHERE blob = $1 AND n = $2`, id, st.held/int64(st.chunk)).Scan(&prefix)
	})
	switch {
	case err != nil && errors.Is(err, protocol.ErrBadOffset):
		return st.held, false, err
	case err != nil:
		return 0, false, fmt.Errorf("pgstore: blob %s: %w", id, err)
	case st.complete: // deduplicated: someone uploaded it already
		return st.held, true, nil
	}
	h := sha256.New()
	if st.hash != nil {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.hash); err != nil {
			return st.held, false, fmt.Errorf("pgstore: blob %s: hash state: %w", id, err)
		}
	}
	p := &part{b: b, id: id, total: total, chunk: int64(st.chunk), start: st.held, startHash: st.hash,
		startPrefix: prefix, pos: st.held, h: h}
	return p.run(io.LimitReader(r, total-st.held+1), prefix)
}

// part is one Write on its way: the bytes up to pos are stored, with
// the hash state over them in h.
type part struct {
	b           *Blobs
	id          string
	total       int64
	chunk       int64
	start       int64  // where the part began
	startHash   []byte // the hash state there
	startPrefix []byte // the bytes of start's chunk before start
	pos         int64
	h           hash.Hash
}

// run reads the part into chunks of buf (which starts with the bytes
// of pos's chunk already held) and stores each.
func (p *part) run(r io.Reader, prefix []byte) (int64, bool, error) {
	if p.pos > p.total {
		return p.pos, false, protocol.ErrBlobTooLarge.Withf("%d bytes held; %d announced", p.pos, p.total)
	}
	buf := make([]byte, len(prefix), p.chunk)
	copy(buf, prefix)
	for {
		n := p.pos / p.chunk
		want := min(p.chunk, p.total-n*p.chunk) // the chunk's length when full
		have := len(buf)
		k, rerr := fill(r, buf[have:want])
		buf = buf[:have+k]
		p.h.Write(buf[have:])
		last := n*p.chunk+int64(len(buf)) == p.total
		if last && rerr == nil {
			rerr = probe(r)
		}
		overrun := errors.Is(rerr, model.ErrTooLarge)
		switch {
		case overrun:
			// A part that overran (its blob or its own range) is
			// dropped whole.
			return p.drop(rerr)
		case last && rerr == io.EOF:
			return p.finish(n, buf)
		case last:
			// A cut that would leave a full-size partial never verified
			// drops the part too.
			return p.drop(rerr)
		case rerr == nil: // the chunk is full: store it and go on
			if held, complete, err := p.store(n, buf); err != nil || complete {
				return held, complete, err
			}
			buf = buf[:0]
		default:
			// The part ended (io.EOF) or was cut: keep what arrived.
			if len(buf) > have {
				if held, complete, err := p.store(n, buf); err != nil || complete {
					return held, complete, err
				}
			}
			if rerr == io.EOF {
				rerr = nil
			}
			return p.pos, false, rerr
		}
	}
}

// fill reads into b until it is full or r fails (io.EOF included).
func fill(r io.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// probe reads past the announced end: io.EOF when the part ends there,
// an error of kind model.ErrTooLarge when bytes follow.
func probe(r io.Reader) error {
	var one [1]byte
	for {
		k, err := r.Read(one[:])
		if k > 0 {
			return protocol.ErrBlobTooLarge.Withf("more bytes than announced")
		}
		if err != nil {
			return err
		}
	}
}

// locked locks the blob's row in tx and checks that the upload is still
// the one the part continues: unfinished, with pos bytes held. Otherwise
// it returns what the blob holds and why the part stops: complete (nil
// error: someone else finished it), or ErrBadOffset.
func (p *part) locked(ctx context.Context, tx pgx.Tx) (held int64, complete, ok bool, err error) {
	err = tx.QueryRow(ctx, `SELECT held, complete FROM blobs WHERE id = $1 FOR UPDATE`, p.id).Scan(&held, &complete)
	if errors.Is(err, pgx.ErrNoRows) { // discarded meanwhile
		return 0, false, false, badOffset(p.pos, 0)
	}
	if err != nil {
		return 0, false, false, err
	}
	if complete {
		return held, true, false, nil
	}
	if held != p.pos {
		return held, false, false, badOffset(p.pos, held)
	}
	return held, false, true, nil
}

// store writes chunk n as data (the chunk's bytes from its start), and
// the upload's new size and hash state.
func (p *part) store(n int64, data []byte) (int64, bool, error) {
	state, err := p.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return p.pos, false, err
	}
	end := n*p.chunk + int64(len(data))
	var held int64
	var complete, ok bool
	err = p.b.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		if held, complete, ok, err = p.locked(ctx, tx); !ok || err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (blob, n, data) VALUES ($1, $2, $3)
			ON CONFLICT (blob, n) DO UPDATE SET data = EXCLUDED.data`, p.id, n, data); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE blobs SET held = $2, hash = $3 WHERE id = $1`, p.id, end, state)
		return err
	})
	switch {
	case err != nil && errors.Is(err, protocol.ErrBadOffset):
		return held, false, err
	case err != nil:
		return p.pos, false, fmt.Errorf("pgstore: blob %s: %w", p.id, err)
	case !ok:
		return held, complete, nil
	}
	p.pos = end
	return p.pos, false, nil
}

// finish verifies the whole content, whose last chunk n is data, and
// makes the blob complete, or drops the upload when the content does not
// hash to its id.
func (p *part) finish(n int64, data []byte) (int64, bool, error) {
	got := hex.EncodeToString(p.h.Sum(nil))
	var held int64
	var complete, ok bool
	err := p.b.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		if held, complete, ok, err = p.locked(ctx, tx); !ok || err != nil {
			return err
		}
		if got != p.id {
			_, err = tx.Exec(ctx, `DELETE FROM blobs WHERE id = $1`, p.id)
			return err
		}
		if len(data) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (blob, n, data) VALUES ($1, $2, $3)
				ON CONFLICT (blob, n) DO UPDATE SET data = EXCLUDED.data`, p.id, n, data); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE blobs SET held = $2, complete = true, hash = NULL WHERE id = $1`, p.id, p.total)
		return err
	})
	switch {
	case err != nil && errors.Is(err, protocol.ErrBadOffset):
		return held, false, err
	case err != nil:
		return p.pos, false, fmt.Errorf("pgstore: blob %s: %w", p.id, err)
	case !ok:
		return held, complete, nil
	case got != p.id:
		return 0, false, protocol.ErrHashMismatch.Withf("content hashes to %s", got)
	}
	return p.total, true, nil
}

// drop undoes what the part stored, back to where it began, and
// returns cause.
func (p *part) drop(cause error) (int64, bool, error) {
	if p.pos == p.start { // nothing stored yet
		return p.start, false, cause
	}
	var held int64
	var complete, ok bool
	err := p.b.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		if held, complete, ok, err = p.locked(ctx, tx); !ok || err != nil {
			return err
		}
		n := p.start / p.chunk
		if len(p.startPrefix) == 0 {
			_, err = tx.Exec(ctx, `DELETE FROM blob_chunks WHERE blob = $1 AND n >= $2`, p.id, n)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM blob_chunks WHERE blob = $1 AND n > $2`, p.id, n)
			if err == nil {
				_, err = tx.Exec(ctx, `UPDATE blob_chunks SET data = $3 WHERE blob = $1 AND n = $2`, p.id, n, p.startPrefix)
			}
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE blobs SET held = $2, hash = $3 WHERE id = $1`, p.id, p.start, p.startHash)
		return err
	})
	switch {
	case err != nil && errors.Is(err, protocol.ErrBadOffset):
		return held, false, errors.Join(cause, err)
	case err != nil:
		return p.pos, false, errors.Join(cause, fmt.Errorf("pgstore: blob %s: %w", p.id, err))
	case !ok:
		return held, complete, cause
	}
	return p.start, false, cause
}

// Open opens a complete blob. Its chunks are read as the reader reaches
// them, each by a query of its own.
func (b *Blobs) Open(id string) (io.ReadSeekCloser, int64, error) {
	if err := checkBlobID(id); err != nil {
		return nil, 0, err
	}
	var size int64
	var chunk int
	err := b.row([]any{&size, &chunk}, `SELECT held, chunk FROM blobs WHERE id = $1 AND complete`, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, protocol.ErrNotFound.Withf("no blob %s", id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("pgstore: blob %s: %w", id, err)
	}
	return &blobReader{b: b, id: id, size: size, chunk: int64(chunk), n: -1}, size, nil
}

// blobReader reads a complete blob chunk by chunk.
type blobReader struct {
	b     *Blobs
	id    string
	size  int64
	chunk int64
	off   int64
	n     int64  // the chunk in data; -1 when none
	data  []byte // chunk n
}

func (r *blobReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := r.off / r.chunk
	if n != r.n {
		r.data, r.n = nil, -1
		if err := r.b.row([]any{&r.data}, `SELECT data FROM blob_chunks WHERE blob = $1 AND n = $2`, r.id, n); err != nil {
			return 0, fmt.Errorf("pgstore: blob %s chunk %d: %w", r.id, n, err)
		}
		if want := min(r.chunk, r.size-n*r.chunk); int64(len(r.data)) != want {
			return 0, fmt.Errorf("pgstore: blob %s chunk %d: %d bytes; want %d", r.id, n, len(r.data), want)
		}
		r.n = n
	}
	k := copy(p, r.data[r.off-n*r.chunk:])
	r.off += int64(k)
	return k, nil
}

func (r *blobReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return r.off, errors.New("pgstore: blob: bad whence")
	}
	if offset < 0 {
		return r.off, errors.New("pgstore: blob: seek before the start")
	}
	r.off = offset
	return offset, nil
}

func (r *blobReader) Close() error {
	r.data = nil
	return nil
}

// Partials lists the unfinished uploads (see server.BlobStorage).
func (b *Blobs) Partials() ([]server.Partial, error) {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	rows, err := b.s.pool.Query(ctx, `SELECT id, held, total, device, at FROM blobs WHERE NOT complete ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("pgstore: blobs: %w", err)
	}
	var out []server.Partial
	for rows.Next() {
		var p server.Partial
		var dev pgtype.UUID
		if err := rows.Scan(&p.ID, &p.Held, &p.Total, &dev, &p.At); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pgstore: blobs: %w", err)
		}
		if dev.Valid {
			p.Device = dev.Bytes
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: blobs: %w", err)
	}
	return out, nil
}

// Discard removes an unfinished upload.
func (b *Blobs) Discard(id string) error {
	if err := checkBlobID(id); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	if _, err := b.s.pool.Exec(ctx, `DELETE FROM blobs WHERE id = $1 AND NOT complete`, id); err != nil {
		return fmt.Errorf("pgstore: blob %s: %w", id, err)
	}
	return nil
}
