package pgstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// Withdraw moves the device's served ops accepted after w.Since from ops
// to withdrawn_ops and records the withdrawal (see server.Storage). The
// withdrawals table is locked for the transaction, so withdrawal seqs
// are committed in order.
func (s *Store) Withdraw(ctx context.Context, w server.Withdrawal) (server.Withdrawal, error) {
	out := w
	err := s.tx(ctx, func(tx pgx.Tx) error {
		out.Seq, out.Ops = 0, nil
		id := pgUUID(w.Device)
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM devices WHERE id = $1`, id).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return protocol.ErrNotFound
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE withdrawals IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var next int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM withdrawals`).Scan(&next); err != nil {
			return err
		}
		since := pgtype.Timestamptz{Time: w.Since, Valid: !w.Since.IsZero()}
		rows, err := tx.Query(ctx, `WITH moved AS (
				DELETE FROM ops o USING device_log l
				WHERE o.device = $1 AND l.device = o.device AND l.seq = o.seq
					AND ($2::timestamptz IS NULL OR l.accepted > $2)
				RETURNING o.*)
			INSERT INTO withdrawn_ops (withdrawal, server_seq, device, seq, county, province, eff, raw, prev_province, prev_county)
			SELECT $3, server_seq, device, seq, county, province, eff, raw, prev_province, prev_county FROM moved
			RETURNING seq, server_seq, county, province`, id, since, next)
		if err != nil {
			return err
		}
		var (
			seq, ss          int64
			county, province string
		)
		if _, err := pgx.ForEachRow(rows, []any{&seq, &ss, &county, &province}, func() error {
			out.Ops = append(out.Ops, server.WithdrawnOp{Seq: uint64(seq), ServerSeq: uint64(ss), County: county, Province: province})
			return nil
		}); err != nil {
			return err
		}
		if len(out.Ops) == 0 {
			return nil
		}
		slices.SortFunc(out.Ops, func(a, b server.WithdrawnOp) int { return cmp.Compare(a.Seq, b.Seq) })
		reason, err := json.Marshal(w.Reason)
		if err != nil {
			return err
		}
		out.Seq = uint64(next)
		_, err = tx.Exec(ctx, `INSERT INTO withdrawals (seq, device, since, at, reason) VALUES ($1, $2, $3, $4, $5)`,
			next, id, since, w.At, string(reason))
		return err
	})
	if err != nil {
		return server.Withdrawal{}, err
	}
	return out, nil
}

// Withdrawals returns the withdrawals after seq after and the last
// withdrawal seq. The last seq is read first: withdrawals commit in seq
// order, so every one up to it is committed and is read after.
func (s *Store) Withdrawals(ctx context.Context, after uint64) ([]server.Withdrawal, uint64, error) {
	var out []server.Withdrawal
	var last int64
	err := s.with(ctx, func(conn *pgx.Conn) error {
		out = nil
		if err := conn.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM withdrawals`).Scan(&last); err != nil {
			return err
		}
		if uint64(last) <= after {
			return nil
		}
		rows, err := conn.Query(ctx, `SELECT seq, device, since, at, reason FROM withdrawals
			WHERE seq > $1 AND seq <= $2 ORDER BY seq`, clampSeq(after), last)
		if err != nil {
			return err
		}
		var (
			seq    int64
			dev    pgtype.UUID
			since  pgtype.Timestamptz
			at     pgtype.Timestamptz
			reason []byte
		)
		at0 := map[int64]int{}
		if _, err := pgx.ForEachRow(rows, []any{&seq, &dev, &since, &at, &reason}, func() error {
			w := server.Withdrawal{Seq: uint64(seq), Device: dev.Bytes, At: at.Time}
			if since.Valid {
				w.Since = since.Time
			}
			if err := json.Unmarshal(reason, &w.Reason); err != nil {
				return err
			}
			at0[seq] = len(out)
			out = append(out, w)
			return nil
		}); err != nil {
			return err
		}
		rows, err = conn.Query(ctx, `SELECT withdrawal, seq, server_seq, county, province FROM withdrawn_ops
			WHERE withdrawal > $1 AND withdrawal <= $2 ORDER BY withdrawal, seq`, clampSeq(after), last)
		if err != nil {
			return err
		}
		var (
			wd, opSeq, ss    int64
			county, province string
		)
		_, err = pgx.ForEachRow(rows, []any{&wd, &opSeq, &ss, &county, &province}, func() error {
			if i, ok := at0[wd]; ok {
				out[i].Ops = append(out[i].Ops, server.WithdrawnOp{Seq: uint64(opSeq), ServerSeq: uint64(ss), County: county, Province: province})
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, uint64(last), nil
}
