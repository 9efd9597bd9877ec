package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/faultproxy"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// A push whose answer is lost after the server committed it is sent again
// by the next sync; the server counts it as duplicates, and the device
// resends only that one batch.
func TestLostPushResponseNoDuplicate(t *testing.T) {
	e := newEnv(t)
	p := e.withProxy()
	d := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) {
		c.BatchSize = 2
		c.Attempts = 1
	})
	fixture.Create(t, d.st, 1)
	fixture.Edit(t, d.st, fixture.Create(t, d.st, 2), map[string]model.Value{"unit_count": model.Int(2)})
	d.sync(t) // acked 3
	for i := range 4 {
		fixture.Create(t, d.st, 10+i)
	}
	p.Arm(faultproxy.DropResponse("POST /v1/push"))
	e.requestCount("POST", protocol.PathPush)
	if _, err := d.c.Sync(context.Background(), nil); err == nil {
		t.Fatal("sync with a lost push answer succeeded; want a network error")
	}
	if got := e.serverOps(t); got != 5 {
		t.Fatalf("server holds %d ops after the lost answer; want 5 (the batch committed)", got)
	}
	if a, _ := d.st.Acked(); a != 3 {
		t.Fatalf("device acked %d after the lost answer; want 3", a)
	}
	e.requestCount("POST", protocol.PathPush)
	res := d.sync(t)
	if got := e.requestCount("POST", protocol.PathPush); got != 2 {
		t.Errorf("resync sent %d pushes; want 2 (the lost batch again, then the rest)", got)
	}
	if res.Pushed != 4 {
		t.Errorf("pushed %d; want 4", res.Pushed)
	}
	noLossNoDup(t, e, d)
}

// A photo upload whose answer is lost resumes from what the server holds
// and stores the photo once.
func TestLostBlobResponseResumes(t *testing.T) {
	e := newEnv(t)
	p := e.withProxy()
	d := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) {
		c.ChunkBytes = 8
		c.Attempts = 1
	})
	id := fixture.Create(t, d.st, 1)
	p.Arm(faultproxy.DropResponse("PUT /v1/blobs/"))
	if _, err := d.c.Sync(context.Background(), nil); err == nil {
		t.Fatal("sync with a lost upload answer succeeded; want a network error")
	}
	d.sync(t)
	other := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	res := other.sync(t)
	if res.BlobsDown != 2 || res.BlobsMissing != 0 {
		t.Errorf("other device downloaded %d photos, %d missing; want 2 and 0", res.BlobsDown, res.BlobsMissing)
	}
	s, err := other.st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	photos, _ := s.Value("survey_photos").AsList()
	for _, sha := range photos {
		if !other.st.HasBlob(sha) {
			t.Errorf("photo %s missing on the other device", sha)
		}
		if size, complete, err := e.blobs.Stat(sha); err != nil || !complete || size == 0 {
			t.Errorf("server blob %s: size %d complete %v err %v; want complete", sha, size, complete, err)
		}
	}
}

// An op the server refuses is quarantined with its reason while the
// device's other ops sync and its chain goes on. The device store itself
// refuses such changes once it knows its enrolled scope and role, so the
// ops are made before the device enrolls (a tablet used offline first).
func TestRefusedOpQuarantined(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, st *store.Store) uuid.UUID
	}{
		{"cross-county record", func(t *testing.T, st *store.Store) uuid.UUID {
			p1, p2 := fixture.Photo(t, st, "x1"), fixture.Photo(t, st, "x2")
			set := fixture.Facility(99, p1, p2)
			set[model.FieldFacilityNo] = model.Str(model.FacilityNo("130125", 99))
			s, err := st.Append(context.Background(), store.Change{
				Register: fixture.Register, County: "130125", Author: "grid", Role: model.RoleGrid,
				Set: set,
			})
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			return s.Record
		}},
		{"field of another role", func(t *testing.T, st *store.Store) uuid.UUID {
			id := fixture.Create(t, st, 98)
			// The app claims a county user on a grid device; the server
			// knows the device's enrolled role.
			_, err := st.Append(context.Background(), store.Change{
				Record: id, Author: "grid", Role: model.RoleCounty,
				Set: map[string]model.Value{"in_annual_task": model.Bool(true), "task_year": model.Int(2024)},
			})
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			return id
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			st := fixture.Store(t)
			before := fixture.Create(t, st, 1)
			bad := tt.change(t, st)
			after := fixture.Create(t, st, 2)
			d := e.enrollStore("甲", protocol.Scope{County: fixture.County}, model.RoleGrid, st, nil)
			res := d.sync(t)
			if res.Quarantined != 1 {
				t.Errorf("quarantined %d; want 1", res.Quarantined)
			}
			q, err := d.st.Quarantined()
			if err != nil || len(q) != 1 {
				t.Fatalf("quarantine = %v, %v; want one op", q, err)
			}
			if q[0].Op.Record != bad || q[0].Reason.ZH == "" || q[0].Reason.EN == "" {
				t.Errorf("quarantined %+v; want the op on %s with a reason in both languages", q[0], bad)
			}
			if s := res.Summary(); s.ZH == "" || s.EN == "" {
				t.Errorf("summary %+v; want both languages", s)
			}
			noLossNoDup(t, e, d)
			// The refused op is never served; the ops around it are
			// (the receiver bridges the hole in the chain with the
			// server's scope links).
			other := e.enroll("乙", fixture.County, model.RoleGrid, nil)
			other.sync(t)
			for _, id := range []uuid.UUID{before, after} {
				if _, err := other.st.Get(id); err != nil {
					t.Errorf("record %s not synced: %v", id, err)
				}
			}
			if s, err := other.st.Get(bad); err == nil && s.Value("in_annual_task") != model.Null {
				t.Errorf("refused value reached another device: %+v", s)
			}
			// A second sync neither quarantines again nor fails.
			if res := d.sync(t); res.Quarantined != 0 {
				t.Errorf("second sync quarantined %d; want 0", res.Quarantined)
			}
		})
	}
}

// An edit made offline on a record another device deleted neither blocks
// sync nor brings the record back, whichever reaches the server first.
func TestEditRacingDelete(t *testing.T) {
	for _, deleteFirst := range []bool{true, false} {
		name := "edit first"
		if deleteFirst {
			name = "delete first"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
			b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
			id := fixture.Create(t, a.st, 1)
			a.sync(t)
			b.sync(t)
			fixture.Edit(t, a.st, id, map[string]model.Value{model.FieldDeleted: model.Bool(true)})
			fixture.Edit(t, b.st, id, map[string]model.Value{"unit_count": model.Int(7), "remarks": model.Str("复查")})
			first, second := a, b
			if !deleteFirst {
				first, second = b, a
			}
			first.sync(t)
			second.sync(t)
			settle(t, a, b)
			for _, d := range []*device{a, b} {
				s, err := d.st.Get(id)
				if err != nil {
					t.Fatalf("%s: %v", d.name, err)
				}
				if !s.Deleted {
					t.Errorf("%s: record resurrected by the racing edit: %+v", d.name, s)
				}
			}
			sameRecords(t, records(t, a.st), b)
			noLossNoDup(t, e, a, b)
		})
	}
}

// A device that believes the server has more of its ops than it does (a
// server restored from a backup) is told the expected seq and resends
// from there.
func TestGapResendsFromExpected(t *testing.T) {
	e := newEnv(t)
	d := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	for i := range 3 {
		fixture.Create(t, d.st, i+1)
	}
	d.sync(t)
	for i := range 3 {
		fixture.Create(t, d.st, 10+i)
	}
	if err := d.st.SetAcked(5); err != nil {
		t.Fatal(err)
	}
	res := d.sync(t)
	if res.Pushed != 3 {
		t.Errorf("pushed %d; want 3 (seqs 4 to 6 after the gap answer)", res.Pushed)
	}
	noLossNoDup(t, e, d)
}

// A device whose pull cursor is past the server's last seq (a server
// restored from a backup) pulls again from the start and misses nothing.
func TestCursorAheadPullsAgain(t *testing.T) {
	e := newEnv(t)
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	fixture.Create(t, a.st, 1)
	a.sync(t)
	b.sync(t)
	if _, err := b.st.ApplyPageScoped(context.Background(), nil, nil, 10_000); err != nil {
		t.Fatal(err)
	}
	id := fixture.Create(t, a.st, 2)
	a.sync(t)
	b.sync(t)
	if _, err := b.st.Get(id); err != nil {
		t.Errorf("record made after the restore not pulled: %v", err)
	}
	if c, _ := b.st.Cursor(); c >= 10_000 {
		t.Errorf("cursor still %d; want the server's", c)
	}
	sameRecords(t, records(t, a.st), b)
}

// A photo damaged on the device does not stop the others or the sync.
func TestDamagedPhotoSkipped(t *testing.T) {
	e := newEnv(t)
	d := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	id := fixture.Create(t, d.st, 1)
	s, err := d.st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	photos, _ := s.Value("survey_photos").AsList()
	path := filepath.Join(d.st.BlobDir(), photos[0][:2], photos[0])
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("bit rot"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := d.sync(t)
	if res.BlobsUp != 1 || res.BlobsFailed != 1 {
		t.Errorf("uploaded %d, failed %d; want 1 and 1", res.BlobsUp, res.BlobsFailed)
	}
	if _, complete, _ := e.blobs.Stat(photos[1]); !complete {
		t.Errorf("intact photo not on the server")
	}
	if _, complete, _ := e.blobs.Stat(photos[0]); complete {
		t.Errorf("damaged photo on the server")
	}
	noLossNoDup(t, e, d)

	// Once the photo is whole again (restored from a backup), the next
	// sync, with no op left to push, still finds and uploads it.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	res = d.sync(t)
	if res.BlobsUp != 1 || res.BlobsFailed != 0 {
		t.Errorf("second sync uploaded %d, failed %d; want 1 and 0", res.BlobsUp, res.BlobsFailed)
	}
	if _, complete, _ := e.blobs.Stat(photos[0]); !complete {
		t.Errorf("restored photo not on the server")
	}
}

// The photos of every pushed batch reach the server, those of ops made
// after an earlier sync too.
func TestPhotosOfEveryBatchUploaded(t *testing.T) {
	e := newEnv(t)
	d := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) { c.BatchSize = 2 })
	var ids []uuid.UUID
	for round := range 2 {
		for i := range 5 {
			ids = append(ids, fixture.Create(t, d.st, 10*round+i+1))
		}
		res := d.sync(t)
		if res.BlobsUp != 10 || res.BlobsFailed != 0 {
			t.Errorf("round %d: uploaded %d photos, failed %d; want 10 and 0", round, res.BlobsUp, res.BlobsFailed)
		}
	}
	for _, id := range ids {
		s, err := d.st.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		photos, _ := s.Value("survey_photos").AsList()
		for _, sha := range photos {
			if _, complete, _ := e.blobs.Stat(sha); !complete {
				t.Errorf("photo %s of record %s not on the server", sha, id)
			}
		}
	}
}

// A device whose store is restored from an old backup (same id and key,
// an older log) gets its newer ops back from the server, which sends a
// device its own ops only above the local seq it says it holds, and goes
// on after them instead of forking its log.
func TestRestoredDeviceResumes(t *testing.T) {
	e := newEnv(t)
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	dir := filepath.Join(t.TempDir(), "store")
	open := func() *store.Store {
		t.Helper()
		st, err := store.Open(store.Options{Dir: dir, Logger: fixture.Logger(t), GCInterval: -1})
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		return st
	}
	a := e.enrollStore("甲", protocol.Scope{County: fixture.County}, model.RoleGrid, open(), nil)
	fixture.Create(t, a.st, 1)
	a.sync(t)
	if err := a.st.Close(); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup")
	if err := os.CopyFS(backup, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	a = e.device("甲", open(), a.c.Token(), nil)
	fixture.Create(t, a.st, 2)
	fixture.Create(t, a.st, 3)
	a.sync(t)
	newer := records(t, a.st)
	if err := a.st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, os.DirFS(backup)); err != nil {
		t.Fatal(err)
	}
	a = e.device("甲", open(), a.c.Token(), nil)
	t.Cleanup(func() { a.st.Close() })
	if got := a.st.LocalSeq(); got != 1 {
		t.Fatalf("local seq after the restore: got %d; want 1", got)
	}
	a.sync(t)
	if got := a.st.LocalSeq(); got != 3 {
		t.Errorf("local seq after syncing: got %d; want 3", got)
	}
	sameRecords(t, newer, a)
	fixture.Create(t, a.st, 4)
	settle(t, a, b)
	sameRecords(t, records(t, a.st), b)
	noLossNoDup(t, e, a, b)
}

// Photos to download are kept as a set in the store until they are here;
// a list kept the earlier way (one JSON value) is taken over.
func TestWantedPhotosUntilDownloaded(t *testing.T) {
	e := newEnv(t)
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	id := fixture.Create(t, a.st, 1)
	a.sync(t)
	s, err := a.st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	photos, _ := s.Value("survey_photos").AsList()
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	if err := b.st.SetMeta("sync.blobs.want", []byte(`["`+photos[0]+`"]`)); err != nil {
		t.Fatal(err)
	}
	res := b.sync(t)
	if res.BlobsDown != 2 || res.BlobsMissing != 0 {
		t.Errorf("downloaded %d, missing %d; want 2 and 0", res.BlobsDown, res.BlobsMissing)
	}
	for _, sha := range photos {
		if !b.st.HasBlob(sha) {
			t.Errorf("photo %s not on b", sha)
		}
	}
	if left, err := b.st.MetaSet("sync.blobs.want"); err != nil || len(left) != 0 {
		t.Errorf("still wanted after the downloads: %v, %v", left, err)
	}
	if _, err := b.st.GetMeta("sync.blobs.want"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the earlier list is still kept: %v", err)
	}
}
