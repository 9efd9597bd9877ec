package evidencecheck_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

func openMem(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exchange gives each store the other's ops, as a sync through the
// province does.
func exchange(t *testing.T, a, b *store.Store) {
	t.Helper()
	for _, p := range [][2]*store.Store{{a, b}, {b, a}} {
		ops, err := p[0].Ops(p[0].Device(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p[1].Apply(context.Background(), ops); err != nil {
			t.Fatal(err)
		}
	}
}

func newGrid(t testing.TB, s *store.Store) uuid.UUID {
	t.Helper()
	g, err := s.Append(context.Background(), store.Change{Register: "straw_grid", County: county, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{
			"grid_no": model.Str("WG-01"), "grid_level": model.Str("county"), "grid_leader": model.Str("张网格长"),
			"grid_members": model.List("王网格"), "phone": model.Str("13800138000"),
			model.FieldTownship: model.Str("城关镇"), model.FieldVillage: model.Str("东村"), "area_desc": model.Str("东村全域耕地"),
		}})
	if err != nil {
		t.Fatal(err)
	}
	return g.Record
}

func newPatrol(t testing.TB, s *store.Store, grid uuid.UUID, author string, photos ...string) uuid.UUID {
	t.Helper()
	p, err := s.Append(context.Background(), store.Change{Register: "straw_patrol", County: county, Author: author, Role: model.RoleGrid,
		Set: map[string]model.Value{
			"patrol_date": model.Str("2023-11-20"), "start_at": model.Str("2023-11-20T08:00+08:00"),
			"end_at": model.Str("2023-11-20T10:30+08:00"), "patrollers": model.List(author),
			"grid": model.Str(grid.String()), model.FieldTownship: model.Str("城关镇"),
			model.FieldVillage: model.Str("东村"), "area_desc": model.Str("东村北片麦田"),
			"method": model.List("on_foot"), "fire_found": model.Bool(false), "scar_found": model.Bool(false),
			"track":  model.GPSList(model.Point{Lat: 38.3, Lon: 114.38}, model.Point{Lat: 38.301, Lon: 114.381}),
			"photos": model.List(photos...), "zero_report": model.Bool(true),
		}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Record
}

// A photo attached on device A and the same bytes attached on device B
// are found reused on both devices once they have synced, and not before.
func TestReuseAcrossDevicesAfterSync(t *testing.T) {
	a, b := openMem(t), openMem(t)
	for _, p := range [][2]*store.Store{{a, b}, {b, a}} {
		if err := p[0].RegisterDevice(p[1].Device(), p[1].PublicKey(), "peer"); err != nil {
			t.Fatal(err)
		}
	}
	grid := newGrid(t, a)
	exchange(t, a, b)

	photo := exiftest.JPEG(exiftest.Photo{Taken: time.Date(2023, 11, 20, 9, 0, 0, 0, model.Beijing), Lat: 38.3, Lon: 114.38, GPS: true})
	own := exiftest.JPEG(exiftest.Photo{Taken: time.Date(2023, 11, 20, 9, 5, 0, 0, model.Beijing), Lat: 38.3, Lon: 114.38, GPS: true, Seed: 7})
	put := func(s *store.Store, b []byte) string {
		sha, err := s.PutBlob(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	shaA, shaOwn := put(a, photo), put(a, own)
	shaB := put(b, photo)
	if shaA != shaB {
		t.Fatalf("same bytes, different names %s %s", shaA, shaB)
	}
	pa := newPatrol(t, a, grid, "王网格", shaA, shaOwn)
	pb := newPatrol(t, b, grid, "刘网格", shaB)

	reusedOn := func(s *store.Store, id uuid.UUID) []evidencecheck.Flag {
		t.Helper()
		c, err := evidencecheck.NewChecker(s, nil, evidencecheck.Options{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := model.Lookup(st.Register)
		var out []evidencecheck.Flag
		for _, f := range c.Flags(sc, &st) {
			if f.Kind == evidencecheck.Reused {
				out = append(out, f)
			} else {
				t.Errorf("unexpected flag %s: %s", f.Kind, f.Text.EN)
			}
		}
		return out
	}
	if f := reusedOn(a, pa); len(f) != 0 {
		t.Fatalf("before sync, device A flags %v", f)
	}
	exchange(t, a, b)
	for _, c := range []struct {
		dev        string
		s          *store.Store
		rec, other uuid.UUID
	}{{"A", a, pa, pb}, {"B", b, pb, pa}} {
		f := reusedOn(c.s, c.rec)
		if len(f) != 1 || f[0].Photo != shaA || len(f[0].Others) != 1 || f[0].Others[0] != c.other {
			t.Errorf("after sync, device %s flags %+v; want photo %s reused in %s", c.dev, f, shaA, c.other)
		}
	}
}

// BenchmarkIndex builds the reuse index of a store of 5,000 patrols with
// two photos each, one of them shared by two patrols.
func BenchmarkIndex(b *testing.B) {
	s := openMem(b)
	grid := newGrid(b, s)
	for i := range 5000 {
		newPatrol(b, s, grid, "王网格", sha(i), sha(i/2+1_000_000))
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := evidencecheck.Index(s)
		if err != nil || len(r) != 2500 {
			b.Fatal(len(r), err)
		}
	}
}

func sha(i int) string {
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 64)
	for k := range out {
		out[k] = hexdigits[(i>>(4*(k%8)))&15]
	}
	return string(out)
}

// A Live keeps its reuse index until the store says records changed,
// then reads those records again: a photo attached to a second record is
// found reused, and no longer once it is replaced there.
func TestLiveFollowsChanges(t *testing.T) {
	s := openMem(t)
	grid := newGrid(t, s)
	put := func(p exiftest.Photo) string {
		sha, err := s.PutBlob(bytes.NewReader(exiftest.JPEG(p)))
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	at := time.Date(2023, 11, 20, 9, 0, 0, 0, model.Beijing)
	sha := put(exiftest.Photo{Taken: at, Lat: 38.3, Lon: 114.38, GPS: true})
	other := put(exiftest.Photo{Taken: at, Lat: 38.3, Lon: 114.38, GPS: true, Seed: 9})
	first := newPatrol(t, s, grid, "王网格", sha)
	live := evidencecheck.NewLive(s, evidencecheck.Options{})
	flags := func() int {
		st, err := s.Get(first)
		if err != nil {
			t.Fatal(err)
		}
		sc, _ := model.Lookup(st.Register)
		f, err := live.Flags(sc, &st)
		if err != nil {
			t.Fatal(err)
		}
		return len(f)
	}
	if n := flags(); n != 0 {
		t.Fatalf("%d flags on a photo used once", n)
	}
	second := newPatrol(t, s, grid, "刘网格", sha)
	if n := flags(); n != 0 {
		t.Fatalf("%d flags before Changed; want the index kept", n)
	}
	live.Changed([]uuid.UUID{second}, false)
	if n := flags(); n != 1 {
		t.Fatalf("%d flags after Changed; want 1 (reused)", n)
	}
	if _, err := s.Append(context.Background(), store.Change{Record: second, Author: "刘网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"photos": model.List(other)}}); err != nil {
		t.Fatal(err)
	}
	live.Changed([]uuid.UUID{second}, false)
	if n := flags(); n != 0 {
		t.Fatalf("%d flags after the second record's photo was replaced; want 0", n)
	}
	third := newPatrol(t, s, grid, "赵网格", sha)
	live.Changed(nil, true)
	if n := flags(); n != 1 {
		t.Fatalf("%d flags after a change of all records (third %s); want 1", n, third)
	}
}

// BenchmarkLiveOneChange is the cost of a check after one record of a
// store of 5,000 patrols changed: that record read again, not the index.
func BenchmarkLiveOneChange(b *testing.B) {
	s := openMem(b)
	grid := newGrid(b, s)
	var last uuid.UUID
	for i := range 5000 {
		last = newPatrol(b, s, grid, "王网格", sha(i), sha(i/2+1_000_000))
	}
	live := evidencecheck.NewLive(s, evidencecheck.Options{})
	if _, err := live.Checker(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		live.Changed([]uuid.UUID{last}, false)
		if _, err := live.Checker(); err != nil {
			b.Fatal(err)
		}
	}
}
