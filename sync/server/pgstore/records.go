package pgstore

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
)

// insertHomes inserts records' homes in record order, leaving those a
// record has already.
const insertHomes = `INSERT INTO records (id, register, county)
	SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, register, county) ORDER BY id
	ON CONFLICT (id) DO NOTHING`

// recordHomes gives the new records of the batch's applied entries their
// homes and returns the stored home of each of its records, in two
// statements sent in one round trip: an INSERT of the homes the batch
// would give them (server.CheckRecords over no stored home), ON CONFLICT
// DO NOTHING, then a SELECT of them all.
//
// The INSERT waits for a concurrent transaction that inserted one of the
// same records to end, and the SELECT, a statement of its own under READ
// COMMITTED, sees what that one committed: of two batches giving one
// record different homes the first to insert it wins, and the other's
// entries are refused. The rows are inserted in record order, so two
// batches wait for each other in one order only (no deadlock between
// them), and before the counter row is locked, so a transaction holding
// that lock never waits for a record.
func recordHomes(ctx context.Context, tx pgx.Tx, entries []server.LogEntry) (map[uuid.UUID]server.RecordHome, error) {
	recs := server.AppliedRecords(entries)
	if len(recs) == 0 {
		return nil, nil
	}
	_, first := server.CheckRecords(entries, nil)
	ids := make([]pgtype.UUID, len(recs))
	regs, counties := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		ids[i], regs[i], counties[i] = pgUUID(r), first[r].Register, first[r].County
	}
	b := &pgx.Batch{}
	b.Queue(insertHomes, ids, regs, counties)
	b.Queue(`SELECT id, register, county FROM records WHERE id = ANY($1)`, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	homes := make(map[uuid.UUID]server.RecordHome, len(recs))
	var (
		id pgtype.UUID
		h  server.RecordHome
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &h.Register, &h.County}, func() error {
		homes[id.Bytes] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	return homes, br.Close()
}

// backfillChunk is how many stored ops backfillRecords reads at a time.
const backfillChunk = 5000

// backfillRecords is migration 004's Go step: it gives each record of
// the stored applied ops the home of its first op by server seq, as
// Append would have. The record and register of an op are only in its
// binary form, which SQL does not read. Ops stored before the migration
// that move their record stay stored and served (they are counted in
// the log); an op whose bytes do not decode names no record and is
// skipped.
func backfillRecords(ctx context.Context, tx pgx.Tx, log *slog.Logger) error {
	var (
		after                            int64
		ops, records, moved, undecodable int
	)
	type opHome struct {
		id   uuid.UUID
		home server.RecordHome
	}
	for {
		rows, err := tx.Query(ctx, `SELECT server_seq, raw FROM ops WHERE server_seq > $1 ORDER BY server_seq LIMIT $2`, after, backfillChunk)
		if err != nil {
			return err
		}
		var (
			chunk []opHome
			read  int
			raw   []byte
		)
		_, err = pgx.ForEachRow(rows, []any{&after, &raw}, func() error {
			read++
			var op oplog.Op
			if op.UnmarshalBinary(raw) != nil {
				undecodable++
				return nil
			}
			chunk = append(chunk, opHome{op.Record, server.RecordHome{Register: op.Register, County: op.County}})
			return nil
		})
		if err != nil {
			return err
		}
		if read == 0 {
			break
		}
		ops += len(chunk)
		// The first op of each record in the chunk; earlier chunks'
		// homes stay (ON CONFLICT DO NOTHING).
		first := map[uuid.UUID]bool{}
		var ids []pgtype.UUID
		var regs, counties []string
		for _, c := range chunk {
			if !first[c.id] {
				first[c.id] = true
				ids, regs, counties = append(ids, pgUUID(c.id)), append(regs, c.home.Register), append(counties, c.home.County)
			}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO records (id, register, county)
			SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT (id) DO NOTHING`, ids, regs, counties)
		if err != nil {
			return err
		}
		records += int(tag.RowsAffected())
		rows, err = tx.Query(ctx, `SELECT id, register, county FROM records WHERE id = ANY($1)`, ids)
		if err != nil {
			return err
		}
		homes := make(map[uuid.UUID]server.RecordHome, len(ids))
		var (
			id pgtype.UUID
			h  server.RecordHome
		)
		if _, err := pgx.ForEachRow(rows, []any{&id, &h.Register, &h.County}, func() error {
			homes[id.Bytes] = h
			return nil
		}); err != nil {
			return err
		}
		for _, c := range chunk {
			h := homes[c.id]
			if model.KeepsRecord(h.Register, h.County, c.home.Register, c.home.County) != nil {
				moved++
			}
		}
	}
	if ops > 0 || undecodable > 0 {
		log.Info("pgstore: record homes filled in from the stored ops", "ops", ops, "records", records, "undecodable", undecodable)
	}
	if moved > 0 {
		log.Warn("pgstore: stored ops move their record to another register or county; they stay served and devices refuse them",
			"ops", moved)
	}
	return nil
}
