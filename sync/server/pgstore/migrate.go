package pgstore

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/model"
)

// The schema is made by numbered migrations, migrations/NNN_name.sql,
// embedded in the binary and applied in order. The version of a database
// (the number of the last migration applied) is the one row of
// lantian_schema_version. A migration, once released, is never edited:
// a change of the schema is a new file with the next number.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// goSteps are the migrations' steps that SQL cannot do, by version: run
// in the same transaction right after the migration's SQL. Like the
// files, a released step is never changed.
var goSteps = map[int]func(ctx context.Context, tx pgx.Tx, log *slog.Logger) error{
	4: backfillRecords,
}

// versionTable records the schema version. It is created, like every
// table of the schema, in the connection's search_path.
const versionTable = `CREATE TABLE lantian_schema_version (
	id      boolean PRIMARY KEY DEFAULT true CHECK (id),
	version integer NOT NULL)`

// ErrSchemaTooNew is the kind of error Open returns for a database whose
// schema a newer lantian-server has migrated past the versions this one
// knows; test for it with errors.Is.
var ErrSchemaTooNew = &model.Error{Kind: model.ErrStorage, Code: "schema_too_new"}

// migration is one numbered schema change.
type migration struct {
	version int
	name    string // the file name
	sql     string
}

// migrations returns the embedded migrations in order; their numbers
// must run 1, 2, 3, ... without a gap or a repeat.
func migrations() ([]migration, error) {
	ents, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range ents { // ReadDir sorts by name
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("pgstore: migration %s: want number %03d", e.Name(), len(out)+1)
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	return out, nil
}

// SchemaVersion is the latest schema version this binary knows: the
// version Open brings a database to.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrate brings the schema to the latest version in tx, under a
// transaction-scoped advisory lock so that instances starting together
// (and older binaries, which created their schema under the same lock)
// take turns: the second finds the work done. It returns the version the
// database had and the version it has now. A database made before
// versions were recorded is recognised by its tables and columns and
// given the version that matches its shape, then migrated from there.
// A database at a version newer than this binary knows is left as it is
// and refused with ErrSchemaTooNew.
func migrate(ctx context.Context, tx pgx.Tx, log *slog.Logger) (from, to int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLockKey)); err != nil {
		return 0, 0, err
	}
	var versioned bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('lantian_schema_version') IS NOT NULL`).Scan(&versioned); err != nil {
		return 0, 0, err
	}
	if versioned {
		if err := tx.QueryRow(ctx, `SELECT version FROM lantian_schema_version`).Scan(&from); err != nil {
			return 0, 0, fmt.Errorf("schema version: %w", err)
		}
	} else {
		if from, err = unversioned(ctx, tx); err != nil {
			return 0, 0, err
		}
		if _, err := tx.Exec(ctx, versionTable); err != nil {
			return 0, 0, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO lantian_schema_version (version) VALUES ($1)`, from); err != nil {
			return 0, 0, err
		}
	}
	if from > len(ms) {
		return from, from, model.E("pgstore: schema", model.ErrStorage, model.CodeName(ErrSchemaTooNew.Code), model.Text{
			ZH: fmt.Sprintf("数据库结构版本为 %d，比本程序所知的最新版本 %d 更新：请先升级 lantian-server，再连接此数据库", from, len(ms)),
			EN: fmt.Sprintf("the database schema is at version %d, newer than the latest this binary knows (%d): upgrade lantian-server before using this database", from, len(ms)),
		})
	}
	for _, m := range ms[from:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return from, m.version - 1, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if step := goSteps[m.version]; step != nil {
			if err := step(ctx, tx, log); err != nil {
				return from, m.version - 1, fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE lantian_schema_version SET version = $1`, m.version); err != nil {
			return from, m.version - 1, err
		}
	}
	return from, len(ms), nil
}

// unversioned returns the version of a schema made before versions were
// recorded (by lantian-server's earlier CREATE TABLE IF NOT EXISTS
// schema), from its shape; each shape is a prefix of the migrations:
//
//	0  no ops table: an empty database
//	1  ops without scope links (prev_province, prev_county)
//	2  scope links, no blob_refs table
//	3  blob_refs
func unversioned(ctx context.Context, tx pgx.Tx) (int, error) {
	var ops, links, blobRefs bool
	err := tx.QueryRow(ctx, `SELECT
		to_regclass('ops') IS NOT NULL,
		EXISTS (SELECT 1 FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'ops' AND column_name = 'prev_province'),
		to_regclass('blob_refs') IS NOT NULL`).Scan(&ops, &links, &blobRefs)
	switch {
	case err != nil:
		return 0, err
	case !ops:
		return 0, nil
	case !links:
		return 1, nil
	case !blobRefs:
		return 2, nil
	}
	return 3, nil
}
