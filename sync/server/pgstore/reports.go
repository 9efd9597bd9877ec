package pgstore

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// Report records the ops that reporter received and set aside, once per
// op and reporter, in one statement.
func (s *Store) Report(ctx context.Context, reporter uuid.UUID, reports []protocol.ReportedOp, at time.Time) (int, error) {
	if len(reports) == 0 {
		return 0, nil
	}
	devs := make([]pgtype.UUID, len(reports))
	seqs := make([]int64, len(reports))
	codes := make([]string, len(reports))
	for i, r := range reports {
		devs[i], seqs[i], codes[i] = pgUUID(r.Device), int64(r.Seq), r.Code
	}
	var n int64
	err := s.with(ctx, func(conn *pgx.Conn) error {
		tag, err := conn.Exec(ctx, `INSERT INTO op_reports (device, seq, reporter, code, reported)
			SELECT d, s, $4, c, $5 FROM unnest($1::uuid[], $2::bigint[], $3::text[]) AS r(d, s, c)
			ON CONFLICT DO NOTHING`, devs, seqs, codes, pgUUID(reporter), at)
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
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
