package pgstore

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// Report records the applied ops of scope that reporter received and set
// aside, once per op and reporter, in one statement.
func (s *Store) Report(ctx context.Context, reporter uuid.UUID, scope protocol.Scope, reports []protocol.ReportedOp, at time.Time) ([]protocol.ReportedOp, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	devs := make([]pgtype.UUID, len(reports))
	seqs := make([]int64, len(reports))
	codes := make([]string, len(reports))
	for i, r := range reports {
		devs[i], seqs[i], codes[i] = pgUUID(r.Device), int64(r.Seq), r.Code
	}
	var out []protocol.ReportedOp
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `INSERT INTO op_reports (device, seq, reporter, code, reported)
			SELECT r.d, r.s, $4, r.c, $5 FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS r(d, s, c)
			JOIN ops o ON o.device = r.d AND o.seq = r.s
			WHERE o.province = $6 AND ($7 = '' OR o.county = $7)
			ON CONFLICT DO NOTHING
			RETURNING device, seq, code`, devs, seqs, codes, pgUUID(reporter), at, scope.Province, scope.County)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id  pgtype.UUID
				seq int64
				r   protocol.ReportedOp
			)
			if err := rows.Scan(&id, &seq, &r.Code); err != nil {
				return err
			}
			r.Device, r.Seq = id.Bytes, uint64(seq)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReportCounts returns, by device, how many of its ops were reported set
// aside (each op once).
func (s *Store) ReportCounts(ctx context.Context) (map[uuid.UUID]int, error) {
	out := map[uuid.UUID]int{}
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT device, count(DISTINCT seq) FROM op_reports GROUP BY device`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id pgtype.UUID
				n  int64
			)
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id.Bytes] = int(n)
		}
		return rows.Err()
	})
	return out, err
}
