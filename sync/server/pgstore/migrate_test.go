package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// preVersionSchema is the schema as lantian-server created it before
// versioned migrations (pgstore/store.go's schema list, verbatim): run
// on every Open, idempotently, with no record of a version.
var preVersionSchema = []string{
	`CREATE TABLE IF NOT EXISTS lantian_counter (
		id boolean PRIMARY KEY DEFAULT true CHECK (id),
		n  bigint NOT NULL)`,
	`INSERT INTO lantian_counter (id, n) VALUES (true, 0) ON CONFLICT (id) DO NOTHING`,
	`CREATE TABLE IF NOT EXISTS devices (
		id         uuid PRIMARY KEY,
		public_key bytea NOT NULL,
		label      text NOT NULL,
		province   text NOT NULL,
		county     text NOT NULL,
		role       text NOT NULL,
		token_hash bytea NOT NULL UNIQUE,
		enrolled   timestamptz NOT NULL,
		revoked    boolean NOT NULL DEFAULT false)`,
	`CREATE TABLE IF NOT EXISTS codes (
		hash     bytea PRIMARY KEY,
		province text NOT NULL,
		county   text NOT NULL,
		role     text NOT NULL,
		expires  timestamptz NOT NULL,
		used     boolean NOT NULL DEFAULT false,
		device   uuid)`,
	`CREATE TABLE IF NOT EXISTS heads (
		device uuid PRIMARY KEY,
		acked  bigint NOT NULL,
		hash   bytea)`,
	`CREATE TABLE IF NOT EXISTS device_log (
		device       uuid NOT NULL,
		seq          bigint NOT NULL,
		hash         bytea NOT NULL,
		eff          bigint NOT NULL,
		county       text NOT NULL,
		province     text NOT NULL,
		server_seq   bigint,
		refused_code text,
		refusal      jsonb,
		raw          bytea,
		PRIMARY KEY (device, seq))`,
	`CREATE TABLE IF NOT EXISTS ops (
		server_seq bigint PRIMARY KEY,
		device     uuid NOT NULL,
		seq        bigint NOT NULL,
		county     text NOT NULL,
		province   text NOT NULL,
		eff        bigint NOT NULL,
		raw        bytea NOT NULL,
		prev_province bigint NOT NULL,
		prev_county   bigint NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS scope_heads (
		device uuid NOT NULL,
		county text NOT NULL,
		seq    bigint NOT NULL,
		PRIMARY KEY (device, county))`,
	`CREATE TABLE IF NOT EXISTS blob_refs (
		blob   text NOT NULL,
		county text NOT NULL,
		PRIMARY KEY (blob, county))`,
	`CREATE INDEX IF NOT EXISTS ops_county ON ops (county, server_seq)`,
	`CREATE INDEX IF NOT EXISTS ops_province ON ops (province, server_seq)`,
	`CREATE INDEX IF NOT EXISTS ops_device ON ops (device, seq)`,
}

// execAll runs statements on a connection to u.
func execAll(t *testing.T, u string, qs ...string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range qs {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// queryInt runs a query for one integer on a connection to u.
func queryInt(t *testing.T, u, q string) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// shape describes the schema at u: every table's columns in order with
// their types, nullability and defaults, and every index, without the
// schema's (random) name.
func shape(t *testing.T, u string) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema()
			ORDER BY table_name, ordinal_position`,
		`SELECT replace(indexdef, schemaname || '.', '') FROM pg_indexes
			WHERE schemaname = current_schema() ORDER BY tablename, indexname`,
		`SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace = current_schema()::regnamespace ORDER BY 1`,
	} {
		rows, err := c.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}

// TestMigrationsFresh checks that an empty database is brought to the
// latest version, the number of the last embedded migration.
func TestMigrationsFresh(t *testing.T) {
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if got := pgstore.SchemaVersion(); got != len(files) || got == 0 {
		t.Fatalf("SchemaVersion: got %d; want %d (one per file in migrations/)", got, len(files))
	}
	u := freshURL(t)
	openURL(t, u)
	if v := queryInt(t, u, `SELECT version FROM lantian_schema_version`); v != pgstore.SchemaVersion() {
		t.Errorf("version: got %d; want %d", v, pgstore.SchemaVersion())
	}
	if n := queryInt(t, u, `SELECT count(*) FROM lantian_schema_version`); n != 1 {
		t.Errorf("version rows: got %d; want 1", n)
	}
}

// TestOpenMigratesPreVersionSchema makes databases as lantian-server made
// them before versioned migrations, from the old DDL verbatim, fills
// every table, and opens them with several instances at once: the data
// is all there, the version is the latest, the schema is the one a fresh
// database gets, and pushes go on from the stored counter and heads.
func TestOpenMigratesPreVersionSchema(t *testing.T) {
	want := func() string { u := freshURL(t); openURL(t, u); return shape(t, u) }()
	tests := []struct {
		name     string
		schema   []string
		blobRefs bool
	}{
		{"last schema without versions", preVersionSchema, true},
		{"before blob_refs", slices.DeleteFunc(slices.Clone(preVersionSchema), func(q string) bool {
			return strings.Contains(q, "blob_refs")
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := freshURL(t)
			execAll(t, u, tt.schema...)
			dev := uuid.New()
			es := entries(server.Head{}, 3, county1)
			for i := range es {
				es[i].Raw = fmt.Appendf(nil, "%s/%d", dev, es[i].Seq)
			}
			ctx := context.Background()
			c, err := pgx.Connect(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			enrolled := time.UnixMilli(1764392000000).UTC()
			token, code := [32]byte{9}, [32]byte{1}
			batch := &pgx.Batch{}
			batch.Queue(`UPDATE lantian_counter SET n = 3`)
			batch.Queue(`INSERT INTO devices (id, public_key, label, province, county, role, token_hash, enrolled)
				VALUES ($1, $2, '王家庄网格 平板2', $3, $4, 'grid', $5, $6)`, dev, make([]byte, 32), hebei, county1, token[:], enrolled)
			batch.Queue(`INSERT INTO codes (hash, province, county, role, expires, used, device)
				VALUES ($1, $2, $3, 'grid', $4, true, $5)`, code[:], hebei, county1, enrolled.Add(time.Hour), dev)
			batch.Queue(`INSERT INTO heads (device, acked, hash) VALUES ($1, 3, $2)`, dev, es[2].Hash[:])
			for i, e := range es {
				batch.Queue(`INSERT INTO device_log (device, seq, hash, eff, county, province, server_seq)
					VALUES ($1, $2, $3, $4, $5, $6, $7)`, dev, e.Seq, e.Hash[:], int64(e.Eff), e.County, e.Province, i+1)
				batch.Queue(`INSERT INTO ops (server_seq, device, seq, county, province, eff, raw, prev_province, prev_county)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, i+1, dev, e.Seq, e.County, e.Province, int64(e.Eff), e.Raw, i)
			}
			batch.Queue(`INSERT INTO scope_heads (device, county, seq) VALUES ($1, $2, 3)`, dev, county1)
			blob := strings.Repeat("ab", 32)
			if tt.blobRefs {
				batch.Queue(`INSERT INTO blob_refs (blob, county) VALUES ($1, $2)`, blob, county1)
			}
			if err := c.SendBatch(ctx, batch).Close(); err != nil {
				t.Fatal(err)
			}
			_ = c.Close(ctx)
			wantBlobs := 0
			if tt.blobRefs {
				wantBlobs = 1
			}

			var wg sync.WaitGroup
			stores := make([]*pgstore.Store, 3)
			errs := make([]error, len(stores))
			for i := range stores {
				wg.Go(func() { stores[i], errs[i] = pgstore.Open(ctx, u, nil) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("Open %d: %v", i, err)
				}
				t.Cleanup(func() { _ = stores[i].Close() })
			}
			s := stores[0]

			if v := queryInt(t, u, `SELECT version FROM lantian_schema_version`); v != pgstore.SchemaVersion() {
				t.Errorf("version: got %d; want %d", v, pgstore.SchemaVersion())
			}
			if got := shape(t, u); got != want {
				t.Errorf("schema after migrating differs from a fresh one:\n got:\n%s\nwant:\n%s", got, want)
			}
			for table, n := range map[string]int{"lantian_counter": 1, "devices": 1, "codes": 1, "heads": 1,
				"device_log": 3, "ops": 3, "scope_heads": 1, "blob_refs": wantBlobs} {
				if got := queryInt(t, u, `SELECT count(*) FROM `+table); got != n {
					t.Errorf("%s rows: got %d; want %d", table, got, n)
				}
			}
			d, err := s.Device(ctx, dev)
			if err != nil || d.Label != "王家庄网格 平板2" || d.Scope != (protocol.Scope{Province: hebei, County: county1}) || !d.Enrolled.Equal(enrolled) {
				t.Errorf("device: got %+v, %v", d, err)
			}
			if d, err := s.DeviceByToken(ctx, token); err != nil || d.ID != dev {
				t.Errorf("device by token: got %v, %v; want %v", d.ID, err, dev)
			}
			if _, err := s.Enroll(ctx, code, server.Device{ID: uuid.New(), TokenHash: [32]byte{8}}, enrolled); !errors.Is(err, protocol.ErrEnrollUsed) {
				t.Errorf("enroll with the used code: got %v; want ErrEnrollUsed", err)
			}
			if h, err := s.Head(ctx, dev); err != nil || h != (server.Head{Acked: 3, Hash: es[2].Hash}) {
				t.Errorf("head: got %+v, %v; want 3 and the stored hash", h, err)
			}
			if got := links(t, s, protocol.Scope{Province: hebei, County: county1}, 0, 1<<20, dev); got != "1<-0 2<-1 3<-2 " {
				t.Errorf("ops: got %s; want 1<-0 2<-1 3<-2 ", got)
			}
			if cs, err := s.BlobCounties(ctx, blob); err != nil || len(cs) != wantBlobs {
				t.Errorf("blob counties: got %v, %v", cs, err)
			}
			next := entries(server.Head{Acked: 3}, 1, county1)
			next[0].Raw = fmt.Appendf(nil, "%s/%d", dev, next[0].Seq)
			sss, err := s.Append(ctx, dev, server.Head{Acked: 3, Hash: es[2].Hash}, next)
			if err != nil || fmt.Sprint(sss) != "[4]" {
				t.Fatalf("append after migrating: got %v, %v; want server seq [4]", sss, err)
			}
			if got := links(t, stores[1], protocol.Scope{Province: hebei, County: county1}, 3, 1<<20, dev); got != "4<-3 " {
				t.Errorf("op after migrating: got %s; want 4<-3 ", got)
			}
		})
	}
}

// TestOpenSchemaTooNew checks that a database migrated by a newer binary
// is refused, in both languages, and left as it was.
func TestOpenSchemaTooNew(t *testing.T) {
	u := freshURL(t)
	openURL(t, u)
	newer := pgstore.SchemaVersion() + 1
	execAll(t, u, fmt.Sprintf(`UPDATE lantian_schema_version SET version = %d`, newer))
	s, err := pgstore.Open(context.Background(), u, nil)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema: got nil error")
	}
	if !errors.Is(err, pgstore.ErrSchemaTooNew) {
		t.Errorf("error: got %v; want ErrSchemaTooNew", err)
	}
	for _, w := range []string{"数据库结构版本", "升级 lantian-server", "newer than the latest this binary knows", "upgrade lantian-server", fmt.Sprint(newer)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if v := queryInt(t, u, `SELECT version FROM lantian_schema_version`); v != newer {
		t.Errorf("version after the refusal: got %d; want %d", v, newer)
	}
}

// rawOp is the binary form of an op of dev on record rec.
func rawOp(t *testing.T, dev uuid.UUID, seq uint64, rec uuid.UUID, county string) []byte {
	t.Helper()
	o := oplog.Op{Device: dev, Seq: seq, HLC: hlc.Make(1764392000000, uint16(seq)), Record: rec, Register: "farm_coal_facility",
		County: county, Author: "张三", Set: map[string]model.Value{model.FieldRemarks: model.Str("已核查")}}
	b, err := o.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenFillsRecordHomes opens a database at schema version 3, before
// records had homes, holding ops of two records, one op that moved a
// record (stored before the rule existed) and one whose bytes do not
// decode: Open gives each record the home of its first op, says how many
// stored ops move their record, and from then on Append refuses an op
// that moves one.
func TestOpenFillsRecordHomes(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	s := openURL(t, u)
	dev := uuid.New()
	r1, r2 := uuid.New(), uuid.New()
	es := entries(server.Head{}, 3, county1)
	for i, rc := range []struct {
		rec    uuid.UUID
		county string
	}{{r1, county1}, {r2, county2}, {r1, county1}} {
		es[i].Record, es[i].Register, es[i].County = rc.rec, "farm_coal_facility", rc.county
		es[i].Raw = rawOp(t, dev, es[i].Seq, rc.rec, rc.county)
	}
	if _, err := s.Append(ctx, dev, server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	execAll(t, u, `DROP TABLE op_reports`, `DROP TABLE records`, dropFrom006, `UPDATE lantian_schema_version SET version = 3`, `UPDATE lantian_counter SET n = 5`)
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	other := uuid.New()
	for _, op := range []struct {
		ss  int
		raw []byte
	}{{4, rawOp(t, other, 1, r1, county2)}, {5, []byte("not an op")}} {
		if _, err := c.Exec(ctx, `INSERT INTO ops (server_seq, device, seq, county, province, eff, raw, prev_province, prev_county)
			VALUES ($1, $2, $3, $4, $5, 1, $6, 0, 0)`, op.ss, other, op.ss-3, county2, hebei, op.raw); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Close(ctx)

	var logged bytes.Buffer
	again, err := pgstore.Open(ctx, u, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = again.Close() })
	if v := queryInt(t, u, `SELECT version FROM lantian_schema_version`); v != pgstore.SchemaVersion() {
		t.Errorf("version: got %d; want %d", v, pgstore.SchemaVersion())
	}
	for _, tt := range []struct {
		rec    uuid.UUID
		county string
	}{{r1, county1}, {r2, county2}} {
		q := fmt.Sprintf(`SELECT count(*) FROM records WHERE id = '%s' AND register = 'farm_coal_facility' AND county = '%s'`, tt.rec, tt.county)
		if n := queryInt(t, u, q); n != 1 {
			t.Errorf("home of %s: not %s", tt.rec, tt.county)
		}
	}
	if n := queryInt(t, u, `SELECT count(*) FROM records`); n != 2 {
		t.Errorf("records: got %d; want 2", n)
	}
	for _, w := range []string{"ops=4 records=2 undecodable=1", "level=WARN", "move their record", "ops=1"} {
		if !strings.Contains(logged.String(), w) {
			t.Errorf("log %q does not say %q", logged.String(), w)
		}
	}

	next := entries(server.Head{Acked: 3}, 2, county1)
	next[0].Record, next[0].Register = r2, "farm_coal_facility" // r2 is in county2
	next[1].Record, next[1].Register = r1, "farm_coal_facility"
	sss, err := again.Append(ctx, dev, server.Head{Acked: 3, Hash: es[2].Hash}, next)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sss) != "[0 6]" || !next[0].Refused || next[0].Refusal.Code != protocol.RefusedScope {
		t.Errorf("append after the migration: got server seqs %v, first entry refused %v; want [0 6], refused/scope", sss, next[0].Refused)
	}
}
