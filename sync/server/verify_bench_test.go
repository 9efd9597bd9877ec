package server_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// BenchmarkVerifyServerDisk verifies a server store on disk (Badger, laid
// out as lantian-server's data directory: db/, province.key) holding the
// ops of 100 devices in 10 counties of Hebei, each device vouched for by
// the province: every fifth op of a device creates a record (20 fields),
// the others edit it (one field). The store is built before the clock
// starts, through Server.Ingest in batches of 1000; each iteration runs
// verify over server.VerifySource, signatures one per chained run
// (each=false) or every op's own (each=true). It reports ops/s and the
// process's peak RSS (MB-VmHWM, reset after the store is built).
//
// LANTIAN_VERIFY_OPS sets the number of ops (default 100000, a multiple of
// 100 000 for whole batches); LANTIAN_VERIFY_DIR keeps the data directory
// there (it must be empty or absent) so that "lantian-server verify --data
// DIR" can be timed on it; see "make verify-bench". With
// LANTIAN_VERIFY_PG_URL the ops go into that PostgreSQL database instead
// (it must hold no ops yet; the province key still goes into the
// directory), for "lantian-server verify --pg URL --province-key
// DIR/province.key".
func BenchmarkVerifyServerDisk(b *testing.B) {
	total := 100_000
	if s := os.Getenv("LANTIAN_VERIFY_OPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n%100_000 != 0 {
			b.Fatalf("LANTIAN_VERIFY_OPS=%q: want a positive multiple of 100000", s)
		}
		total = n
	}
	dir := os.Getenv("LANTIAN_VERIFY_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		b.Fatalf("LANTIAN_VERIFY_DIR=%s is not empty", dir)
	}
	st, gz, pub := buildVerifyStore(b, dir, os.Getenv("LANTIAN_VERIFY_PG_URL"), total)
	for _, each := range []bool{false, true} {
		b.Run(fmt.Sprintf("ops=%d/each=%v", total, each), func(b *testing.B) {
			resetPeakRSS()
			for b.Loop() {
				rep, err := verify.Run(context.Background(), server.VerifySource(st, gz),
					verify.Options{EachSignature: each, Trusted: []ed25519.PublicKey{pub}})
				if err != nil || !rep.OK() || rep.Ops != total || !rep.Vouched {
					b.Fatalf("verify: %v: %d ops (want %d), vouched %v, problems %+v", err, rep.Ops, total, rep.Vouched,
						rep.Problems[:min(3, len(rep.Problems))])
				}
			}
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "ops/s")
			if mb := peakRSSMB(); mb > 0 {
				b.ReportMetric(mb, "MB-VmHWM")
			}
		})
	}
}

// buildVerifyStore fills dir (db/ and province.key; the ops in the
// PostgreSQL database at pgURL instead when it is set) with total ops of
// 100 vouched devices, ingested round by round, one batch of 1000 per
// device each round. It returns the open store (closed at the end of b),
// the gazetteer and the province public key.
func buildVerifyStore(b *testing.B, dir, pgURL string, total int) (server.Storage, *model.Gazetteer, ed25519.PublicKey) {
	b.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	province, _, err := vouch.LoadOrCreate(filepath.Join(dir, "province.key"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var st server.Storage
	var blobs server.BlobStorage
	if pgURL != "" {
		pg, err := pgstore.Open(ctx, pgURL, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = pg.Close() })
		st, blobs = pg, pg.Blobs(0)
	} else {
		bs, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(dir, "db")})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = bs.Close() })
		bl, err := badgerstore.OpenBlobs(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		st, blobs = bs, bl
	}
	c := &clock{t: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)}
	srv, err := server.New(server.Config{Store: st, Blobs: blobs, Gazetteer: gazetteer(b), Now: c.Now, ProvinceKey: province})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Shutdown(ctx) })
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	e := &env{t: b, srv: srv, ts: ts, clock: c}
	counties := gazetteer(b).CountiesOf(hebei)[:10]
	const devices, batch = 100, 1000
	perDevice := total / devices
	devs := make([]*device, devices)
	for i := range devs {
		d := newDevice()
		code, err := server.IssueCode(ctx, st, gazetteer(b), protocol.Scope{Province: hebei, County: counties[i%len(counties)].Code},
			model.RoleGrid, time.Hour, 0, c.Now())
		if err != nil {
			b.Fatal(err)
		}
		r := e.doJSON("POST", protocol.PathEnroll, "", protocol.EnrollRequest{Code: code.Code, Device: d.id, PublicKey: d.pub, Label: "bench"})
		if r.status != 200 {
			b.Fatalf("enroll: got %d %s; want 200", r.status, r.body)
		}
		devs[i] = d
	}
	fields := register(b).fields
	edit := map[string]model.Value{textField(b): model.Str("已核查")}
	t0 := time.Now()
	for done := 0; done < perDevice; done += batch {
		for i, d := range devs {
			county := counties[i%len(counties)].Code
			ops := make([]oplog.Op, batch)
			for j := range ops {
				set := edit
				if (done+j)%5 == 0 {
					d.records[county] = uuid.Must(uuid.NewV7())
					set = fields
				}
				ops[j] = d.op(b, county, set)
			}
			resp, err := srv.Ingest(ctx, d.id, ops)
			if err != nil || resp.Acked != ops[batch-1].Seq {
				b.Fatalf("Ingest: acked %d, %v", resp.Acked, err)
			}
		}
	}
	b.Logf("built %d ops of %d devices in %.1f s", total, devices, time.Since(t0).Seconds())
	return st, gazetteer(b), province.Public().(ed25519.PublicKey)
}
