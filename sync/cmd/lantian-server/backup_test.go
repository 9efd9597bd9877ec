package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// pgTool returns the path of a PostgreSQL client program (pg_dump,
// pg_restore) of the newest server installed, as with-postgres.sh finds
// it; in CI its absence fails the test.
func pgTool(t *testing.T, name string) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return len(a) - len(b) }) // "9" before "16"
	for i := len(dirs) - 1; i >= 0; i-- {
		if p := filepath.Join(dirs[i], name); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (apt-get install postgresql)", name)
	}
	t.Skipf("%s not found (apt-get install postgresql)", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// pgRun runs a PostgreSQL client program, failing the test with its output.
func pgRun(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(pgTool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// backupWay is how a server's data is backed up (while it serves when
// live, else stopped) and restored (stopped): restore returns the serving
// flags to start it with again.
type backupWay struct {
	flags   []string // the server's storage flags
	live    bool
	open    func() (*env, error)
	backup  func()
	restore func() []string
}

// A PostgreSQL database restored from a pg_dump taken earlier (while the
// server ran) loses what
// the devices pushed since: the devices push it again (ops and photos),
// nothing forks or is refused, every device pulls what the others pushed
// again, and a device enrolled after the restore gets everything.
func TestRestorePGDump(t *testing.T) {
	db := pgURL(t)
	base := os.Getenv("LANTIAN_PG_URL")
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	data := t.TempDir() // the province key
	dump := filepath.Join(t.TempDir(), "lantian.dump")
	flags := []string{"--data", data, "--pg", db}
	testRestore(t, backupWay{
		flags: flags,
		live:  true,
		open:  func() (*env, error) { return open(context.Background(), "", db, nil) },
		backup: func() {
			pgRun(t, "pg_dump", "-Fc", "-n", schema, "-f", dump, base)
		},
		restore: func() []string {
			pgRun(t, "pg_restore", "--clean", "--if-exists", "-d", base, dump)
			return flags
		},
	})
}

// The same for the Badger default: the data directory copied while the
// server was stopped, later copied into an empty directory, serves what
// it held, and the devices push again what it lacks.
func TestRestoreBadgerCopy(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	saved := filepath.Join(t.TempDir(), "backup")
	testRestore(t, backupWay{
		flags: []string{"--data", data},
		open:  func() (*env, error) { return open(context.Background(), data, "", nil) },
		backup: func() {
			if err := os.CopyFS(saved, os.DirFS(data)); err != nil {
				t.Fatal(err)
			}
		},
		restore: func() []string {
			data = filepath.Join(t.TempDir(), "restored")
			if err := os.CopyFS(data, os.DirFS(saved)); err != nil {
				t.Fatal(err)
			}
			return []string{"--data", data}
		},
	})
}

func testRestore(t *testing.T, way backupWay) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)

	// Codes for three devices now and one after the restore, issued with
	// the server stopped (a Badger directory is one process's).
	e, err := way.open()
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for range 4 {
		c, err := server.IssueCode(ctx, e.store, e.gaz, protocol.Scope{County: fixture.County}, model.RoleGrid, 24*time.Hour, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, c.Code)
	}
	e.close()

	// The server, started and stopped on one address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var stop func()
	start := func(flags []string) {
		t.Helper()
		if ln == nil {
			if ln, err = net.Listen("tcp", addr); err != nil {
				t.Fatal(err)
			}
		}
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func(ln net.Listener) {
			done <- serve(sctx, flags, ln, &bytes.Buffer{}, quiet)
		}(ln)
		ln = nil
		stop = func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			stop = nil
		}
	}
	start(way.flags)
	t.Cleanup(func() {
		if stop != nil {
			stop()
		}
	})

	type device struct {
		name string
		st   *store.Store
		c    *client.Client
	}
	enroll := func(name, code string) *device {
		t.Helper()
		st := fixture.Store(t)
		c := client.New(client.Config{BaseURL: "http://" + addr, Store: st, Logger: fixture.Logger(t),
			Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
		if _, err := c.Enroll(ctx, code, name); err != nil {
			t.Fatalf("enroll %s: %v", name, err)
		}
		return &device{name, st, c}
	}
	syncd := func(d *device) client.Result {
		t.Helper()
		res, err := d.c.Sync(ctx, nil)
		if err != nil {
			t.Fatalf("sync %s: %v", d.name, err)
		}
		if res.Quarantined+res.SetAside != 0 {
			t.Errorf("sync %s: %d ops refused, %d set aside; want none", d.name, res.Quarantined, res.SetAside)
		}
		return res
	}
	a, b, c := enroll("平板甲", codes[0]), enroll("平板乙", codes[1]), enroll("平板丁", codes[3])

	// Before the backup: a record each, with photos, and an edit.
	ra := fixture.Create(t, a.st, 1)
	rb := fixture.Create(t, b.st, 2)
	for _, d := range []*device{a, b, a, b} {
		syncd(d)
	}
	fixture.Edit(t, a.st, rb, map[string]model.Value{"unit_count": model.Int(2)})
	syncd(a)

	if way.live {
		way.backup()
	} else {
		stop()
		way.backup()
		start(way.flags)
	}

	// After the backup: more records and photos from both, and edits,
	// which every device pulls, so that their pull cursors are past what
	// the backup holds.
	fixture.Create(t, a.st, 3)
	fixture.Edit(t, b.st, ra, map[string]model.Value{"unit_count": model.Int(3)})
	fixture.Create(t, b.st, 4)
	fixture.Create(t, b.st, 5)
	for _, d := range []*device{a, b, a, b, c} {
		syncd(d)
	}
	// One more from 甲 that 丁, its cursor past the backup, has not pulled.
	fixture.Create(t, a.st, 6)
	syncd(a)

	// The server goes back to the backup; restored numbers the ops from
	// now on past the cursors the devices hold.
	stop()
	flags := way.restore()
	var out bytes.Buffer
	if err := run(append([]string{"restored"}, flags...), &out, quiet); err != nil {
		t.Fatalf("restored: %v", err)
	}
	start(flags)

	// Each device pushes again what the server lost, with its photos.
	ra2 := syncd(a)
	rb2 := syncd(b)
	if ra2.Pushed != 2 || ra2.BlobsUp != 4 {
		t.Errorf("甲 after the restore: pushed %d ops, %d photos; want 2 and 4", ra2.Pushed, ra2.BlobsUp)
	}
	if rb2.Pushed != 3 || rb2.BlobsUp != 4 {
		t.Errorf("乙 after the restore: pushed %d ops, %d photos; want 3 and 4", rb2.Pushed, rb2.BlobsUp)
	}
	for _, d := range []*device{a, b, c, a, b, c} {
		syncd(d)
	}

	// A device enrolled now gets everything, photos included.
	f := enroll("平板丙", codes[2])
	res := syncd(f)
	if res.BlobsMissing != 0 || res.BlobsDown != 12 {
		t.Errorf("new device: %d photos downloaded, %d missing; want 12 and 0", res.BlobsDown, res.BlobsMissing)
	}
	want := recordsOf(t, a.st)
	if len(want) != 6 {
		t.Errorf("甲 holds %d records; want 6", len(want))
	}
	for _, d := range []*device{b, c, f} {
		if got := recordsOf(t, d.st); !reflect.DeepEqual(got, want) {
			t.Errorf("%s holds %d records, not those of 甲 (%d)", d.name, len(got), len(want))
		}
	}
	for _, d := range []*device{a, b, c, f} {
		if q, err := d.st.Quarantined(); err != nil || len(q) != 0 {
			t.Errorf("%s quarantined %d ops (%v); want none", d.name, len(q), err)
		}
		if acked, _ := d.st.Acked(); acked != d.st.LocalSeq() {
			t.Errorf("%s acked %d of %d ops", d.name, acked, d.st.LocalSeq())
		}
	}

	// The server holds each device's ops once.
	stop()
	e, err = way.open()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	ds, err := e.store.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heads := map[string]uint64{}
	for _, d := range ds {
		heads[d.ID.String()] = d.Head.Acked
	}
	for _, d := range []*device{a, b} {
		if got := heads[d.st.Device().String()]; got != d.st.LocalSeq() {
			t.Errorf("server holds %d ops of %s; want %d", got, d.name, d.st.LocalSeq())
		}
	}
}

// recordsOf returns every record of st (deleted ones included).
func recordsOf(t *testing.T, st *store.Store) map[uuid.UUID]oplog.State {
	t.Helper()
	out := map[uuid.UUID]oplog.State{}
	q := store.Query{IncludeDeleted: true, Limit: 500}
	for {
		p, err := st.List(q)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, r := range p.Records {
			full, err := st.Get(r.Record)
			if err != nil {
				t.Fatalf("get %s: %v", r.Record, err)
			}
			out[r.Record] = full
		}
		if p.Next == "" {
			return out
		}
		q.After = p.Next
	}
}
