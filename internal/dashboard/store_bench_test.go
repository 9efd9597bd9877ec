package dashboard

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// fillStore appends n demo records of county to s (each in its register's
// initial status) and returns how many the store took.
func fillStore(tb testing.TB, s *store.Store, county string, n int) int {
	tb.Helper()
	ctx := context.Background()
	ok := 0
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), county, n) {
		set := make(map[string]model.Value, len(sd.Fields))
		for k, v := range sd.Fields {
			if k != model.FieldStatus {
				set[k] = v
			}
		}
		id, _ := uuid.Parse(sd.ID)
		if _, err := s.Append(ctx, store.Change{Record: id, Register: sd.Register, County: sd.County,
			Author: "演示", Role: model.RoleCounty, Set: set}); err == nil {
			ok++
		}
	}
	return ok
}

// BenchmarkLoadFromStore recomputes the figures of a county whose store
// holds LoadBenchRecords demo records, reading them page by page.
func BenchmarkLoadFromStore(b *testing.B) {
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	stored := fillStore(b, s, countyA, loadBenchRecords)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Load(context.Background(), s, countyA, Options{Now: now}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(stored), "records")
	b.ReportMetric(vmHWM(), "MB-VmHWM")
}

// loadBenchRecords is the size of BenchmarkLoadFromStore's store (demo
// records that fail validation in their initial status are skipped).
// Filling the store dominates the run; raise it for a full-size run (200k
// took 45 s to fill, 3.3 s to load). The in-memory store's RSS is mostly
// Badger's tables, not Load's.
const loadBenchRecords = 20000

// TestLoadFromStoreMatchesCompute loads demo records through the real
// store and checks the figures against Compute over the same records.
func TestLoadFromStoreMatchesCompute(t *testing.T) {
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := fillStore(t, s, countyA, 600); n < 300 {
		t.Fatalf("store took %d of 600 demo records", n)
	}
	var all []oplog.State
	q := store.Query{Limit: 100}
	for {
		page, err := s.List(q)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Records...)
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	opts := Options{Now: now, Targets: map[string]int{countyA: 50}}
	got, err := Load(context.Background(), s, countyA, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := Compute(all, opts)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load differs from Compute:\ngot  %+v\nwant %+v", got.Total.FarmCoal, want.Total.FarmCoal)
	}
	if got.Total.FarmCoal.Listed.Records == 0 || got.Total.Straw.Villages == nil {
		t.Errorf("demo figures empty: %+v", got.Total.FarmCoal)
	}
}
