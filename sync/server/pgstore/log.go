package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// Pull reads ops in chunks of firstChunk rows, doubling up to maxChunk,
// so a small page reads few rows and a large one few round trips.
const (
	firstChunk = 64
	maxChunk   = 1024
)

// clampSeq converts a uint64 seq to bigint, saturating.
func clampSeq(x uint64) int64 { return int64(min(x, math.MaxInt64)) }

// scanHead reads a head row's acked and hash (NULL: the zero hash).
func scanHead(row pgx.Row) (server.Head, error) {
	var (
		h     server.Head
		acked int64
		hash  []byte
	)
	err := row.Scan(&acked, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, err
	}
	h.Acked = uint64(acked)
	copy(h.Hash[:], hash)
	return h, nil
}

// Head returns the device's acknowledged seq and chain head (zero for a
// device that never pushed).
func (s *Store) Head(ctx context.Context, id uuid.UUID) (server.Head, error) {
	var h server.Head
	err := s.with(ctx, func(conn *pgx.Conn) error {
		var err error
		h, err = scanHead(conn.QueryRow(ctx, `SELECT acked, hash FROM heads WHERE device = $1`, pgUUID(id)))
		return err
	})
	return h, err
}

// Log returns the device's entries for seqs from..to that exist. Raw is
// filled for refused entries only (an applied op's bytes are served by
// Pull).
func (s *Store) Log(ctx context.Context, id uuid.UUID, from, to uint64) ([]server.LogEntry, error) {
	var out []server.LogEntry
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT seq, hash, eff, county, province, server_seq, refusal, raw, accepted
			FROM device_log WHERE device = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
			pgUUID(id), clampSeq(from), clampSeq(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e        server.LogEntry
				seq, eff int64
				hash     []byte
				ss       pgtype.Int8
				refusal  []byte
				accepted pgtype.Timestamptz
			)
			if err := rows.Scan(&seq, &hash, &eff, &e.County, &e.Province, &ss, &refusal, &e.Raw, &accepted); err != nil {
				return err
			}
			if accepted.Valid {
				e.Accepted = accepted.Time
			}
			e.Seq, e.Eff = uint64(seq), hlc.Timestamp(eff)
			copy(e.Hash[:], hash)
			e.Refused = !ss.Valid
			e.ServerSeq = uint64(ss.Int64)
			if refusal != nil {
				e.Refusal = new(protocol.Receipt)
				if err := json.Unmarshal(refusal, e.Refusal); err != nil {
					return fmt.Errorf("pgstore: log entry %s/%d: %w", id, seq, err)
				}
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Append stores entries (consecutive seqs after from.Acked) in one
// transaction: it locks the device's head row and checks it is still from
// (else server.ErrStaleHead), gives the batch's new records their homes
// and refuses the entries that would move a record (recordHomes,
// server.CheckRecords), takes server seqs for the entries that are not
// refused from the counter row (whose lock it holds until commit: see
// the package documentation), writes the log entries and ops, and
// advances the head. It returns the server seq of each entry (0 for
// refused ones), and marks the entries it refused in entries.
func (s *Store) Append(ctx context.Context, dev uuid.UUID, from server.Head, entries []server.LogEntry) ([]uint64, error) {
	for i, e := range entries {
		if want := from.Acked + 1 + uint64(i); e.Seq != want {
			return nil, fmt.Errorf("pgstore: append %s: entry seq %d; want %d", dev, e.Seq, want)
		}
	}
	sss := make([]uint64, len(entries))
	logRows := make([][]any, len(entries))
	var moved []*protocol.Receipt
	id := pgUUID(dev)
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO heads (device, acked) VALUES ($1, 0) ON CONFLICT (device) DO NOTHING`, id); err != nil {
			return err
		}
		h, err := scanHead(tx.QueryRow(ctx, `SELECT acked, hash FROM heads WHERE device = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if h != from {
			return server.ErrStaleHead
		}
		if len(entries) == 0 {
			return nil
		}
		homes, err := recordHomes(ctx, tx, entries)
		if err != nil {
			return err
		}
		moved, _ = server.CheckRecords(entries, homes)
		if err := server.CheckEnds(entries, moved); err != nil {
			return err
		}
		entries := slices.Clone(entries) // marked in the caller's once committed
		applied := 0
		for i := range entries {
			if moved[i] != nil {
				entries[i].Refuse(moved[i])
			}
			if !entries[i].Refused {
				applied++
			}
		}
		opRows := make([][]any, 0, applied)
		// The device's last applied op per county, and overall (its
		// applied ops are all in one province), before the batch: each
		// new op keeps the seq of its predecessor in both scopes, the
		// links of pull pages. The head row lock keeps them stable.
		prevCounty := map[string]int64{}
		var prevAll int64
		if applied > 0 {
			rows, err := tx.Query(ctx, `SELECT county, seq FROM scope_heads WHERE device = $1`, id)
			if err != nil {
				return err
			}
			var (
				county string
				seq    int64
			)
			_, err = pgx.ForEachRow(rows, []any{&county, &seq}, func() error {
				prevCounty[county] = seq
				prevAll = max(prevAll, seq)
				return nil
			})
			if err != nil {
				return err
			}
		}
		touched := map[string]bool{}
		var next int64
		if applied > 0 {
			// From here to commit this transaction holds the counter
			// row's lock: server seqs are assigned in commit order.
			var last int64
			if err := tx.QueryRow(ctx, `UPDATE lantian_counter SET n = n + $1 RETURNING n`, applied).Scan(&last); err != nil {
				return err
			}
			next = last - int64(applied) + 1
		}
		var refBlobs, refCounties []string
		for i, e := range entries {
			row := []any{id, int64(e.Seq), e.Hash[:], int64(e.Eff), e.County, e.Province, nil, nil, nil, nil,
				pgtype.Timestamptz{Time: e.Accepted, Valid: !e.Accepted.IsZero()}}
			sss[i] = 0
			if e.Refused {
				if e.Refusal != nil {
					j, err := json.Marshal(e.Refusal)
					if err != nil {
						return err
					}
					row[7], row[8] = e.Refusal.Code, string(j)
				}
				row[9] = e.Raw
			} else {
				sss[i] = uint64(next)
				row[6] = next
				opRows = append(opRows, []any{next, id, int64(e.Seq), e.County, e.Province, int64(e.Eff), e.Raw, prevAll, prevCounty[e.County]})
				for _, b := range e.Blobs {
					refBlobs, refCounties = append(refBlobs, b), append(refCounties, e.County)
				}
				prevAll, prevCounty[e.County] = int64(e.Seq), int64(e.Seq)
				touched[e.County] = true
				next++
			}
			logRows[i] = row
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"device_log"},
			[]string{"device", "seq", "hash", "eff", "county", "province", "server_seq", "refused_code", "refusal", "raw", "accepted"},
			pgx.CopyFromRows(logRows)); err != nil {
			return err
		}
		if len(opRows) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ops"},
				[]string{"server_seq", "device", "seq", "county", "province", "eff", "raw", "prev_province", "prev_county"},
				pgx.CopyFromRows(opRows)); err != nil {
				return err
			}
			counties := make([]string, 0, len(touched))
			seqs := make([]int64, 0, len(touched))
			for c := range touched {
				counties, seqs = append(counties, c), append(seqs, prevCounty[c])
			}
			if len(refBlobs) > 0 {
				if _, err := tx.Exec(ctx, `INSERT INTO blob_refs (blob, county)
					SELECT b, c FROM unnest($1::text[], $2::text[]) AS u(b, c)
					ON CONFLICT DO NOTHING`, refBlobs, refCounties); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO scope_heads (device, county, seq)
				SELECT $1, c, s FROM unnest($2::text[], $3::bigint[]) AS u(c, s)
				ON CONFLICT (device, county) DO UPDATE SET seq = excluded.seq`, id, counties, seqs); err != nil {
				return err
			}
		}
		last := entries[len(entries)-1]
		_, err = tx.Exec(ctx, `UPDATE heads SET acked = $2, hash = $3 WHERE device = $1`, id, int64(last.Seq), last.Hash[:])
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, r := range moved {
		if r != nil {
			entries[i].Refuse(r)
		}
	}
	return sss, nil
}

// Pull returns the applied ops in scope with server seq after cursor, in
// server seq order, up to about maxBytes (at least one op when one is
// waiting), each with its scope link, and the last server seq.
func (s *Store) Pull(ctx context.Context, scope protocol.Scope, after uint64, maxBytes int) (server.Page, error) {
	q := `SELECT server_seq, device, eff, raw, prev_province FROM ops WHERE province = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3`
	code := scope.Province
	if scope.County != "" {
		q = `SELECT server_seq, device, eff, raw, prev_county FROM ops WHERE county = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3`
		code = scope.County
	}
	page := server.Page{Cursor: after, Links: true, LastKnown: true}
	size := 0
	err := s.with(ctx, func(conn *pgx.Conn) error {
		// A cursor the server handed out is the seq of a committed op,
		// so it is never past the committed counter.
		var last int64
		if err := conn.QueryRow(ctx, `SELECT n FROM lantian_counter`).Scan(&last); err != nil {
			return err
		}
		page.Last = uint64(last)
		for chunk := firstChunk; ; chunk = min(2*chunk, maxChunk) {
			n, full, err := s.pullChunk(ctx, conn, q, code, chunk, &page, &size, maxBytes)
			if err != nil || full || n < chunk {
				return err
			}
		}
	})
	if err != nil {
		return server.Page{}, err
	}
	return page, nil
}

// pullChunk appends to page up to chunk ops after page.Cursor. It returns
// the rows read and whether the page is full.
func (s *Store) pullChunk(ctx context.Context, conn *pgx.Conn, q, code string, chunk int, page *server.Page, size *int, maxBytes int) (int, bool, error) {
	rows, err := conn.Query(ctx, q, code, clampSeq(page.Cursor), chunk)
	if err != nil {
		return 0, false, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var (
			ss, eff, prev int64
			dev           pgtype.UUID
			raw           []byte
		)
		if err := rows.Scan(&ss, &dev, &eff, &raw, &prev); err != nil {
			return n, false, err
		}
		op := protocol.PageOp{ServerSeq: uint64(ss), Eff: hlc.Timestamp(eff), Raw: raw, ScopePrev: uint64(prev)}
		*size += protocol.PageOpSize(op)
		if *size > maxBytes && len(page.Ops) > 0 {
			page.More = true
			return n, true, nil
		}
		page.Ops = append(page.Ops, op)
		page.Devices = append(page.Devices, dev.Bytes)
		page.Cursor = op.ServerSeq
	}
	return n, false, rows.Err()
}

// BlobCounties returns the counties of the applied ops that reference
// blob id.
func (s *Store) BlobCounties(ctx context.Context, id string) ([]string, error) {
	var out []string
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT county FROM blob_refs WHERE blob = $1`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, err
}

// SkipSeqs moves the server seq counter n past its value and returns the
// new last seq. After a restore from a backup, devices may hold pull
// cursors up to what the server had handed out before; numbering the ops
// stored from now on above those keeps every device from passing over
// them.
func (s *Store) SkipSeqs(ctx context.Context, n uint64) (uint64, error) {
	var last int64
	err := s.pool.QueryRow(ctx, `UPDATE lantian_counter SET n = n + $1 RETURNING n`, int64(n)).Scan(&last)
	return uint64(last), err
}
