package dashboard

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// pagedLister serves states as the store does: by register and county, in
// pages of at most limit records.
type pagedLister struct {
	states []oplog.State
	calls  int
	max    int // largest page served
}

func (p *pagedLister) List(q store.Query) (store.Page, error) {
	p.calls++
	var match []oplog.State
	for _, st := range p.states {
		if (q.Register == "" || st.Register == q.Register) && (q.County == "" || st.County == q.County) {
			match = append(match, st)
		}
	}
	start := 0
	if q.After != "" {
		for i := range match {
			if match[i].Record.String() == q.After {
				start = i + 1
			}
		}
	}
	end := min(start+q.Limit, len(match))
	page := store.Page{Records: match[start:end]}
	if end < len(match) {
		page.Next = match[end-1].Record.String()
	}
	p.max = max(p.max, len(page.Records))
	return page, nil
}

func TestLoadMatchesCompute(t *testing.T) {
	states := buildFixture()
	// Enough fire points to need several pages.
	f := &fixture{n: 5000}
	for i := 0; i < 2*LoadPageSize+10; i++ {
		f.add("fire_point", countyA, kv{"status": s(model.FirePending), "pushed_township": s("甲镇"),
			"detected_at": dt(2, 8), "pushed_at": dt(2, 9), "due_at": dt(3, 9)})
	}
	states = append(states, f.states...)
	opts := Options{Now: now, Targets: map[string]int{countyA: 34}}
	l := &pagedLister{states: states}
	got, err := Load(context.Background(), l, countyA, opts)
	if err != nil {
		t.Fatal(err)
	}
	var onlyA []oplog.State
	for _, st := range states {
		if st.County == countyA {
			onlyA = append(onlyA, st)
		}
	}
	want := Compute(onlyA, opts)
	if got.Total.Fire.Points != want.Total.Fire.Points || got.Total.Fire.Points != 5+2*LoadPageSize+10 {
		t.Errorf("fire points: got %d; want %d", got.Total.Fire.Points, want.Total.Fire.Points)
	}
	if got.Total.FarmCoal != want.Total.FarmCoal || got.Total.Livestock != want.Total.Livestock {
		t.Errorf("figures differ from Compute: got %+v; want %+v", got.Total.FarmCoal, want.Total.FarmCoal)
	}
	if l.max > LoadPageSize {
		t.Errorf("largest page: got %d; want ≤ %d", l.max, LoadPageSize)
	}
	all, err := Load(context.Background(), l, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	if want := Compute(states, opts); len(all.Counties) != 2 || all.Total.FarmCoal != want.Total.FarmCoal || all.Total.Fire.Points != want.Total.Fire.Points {
		t.Errorf("province load: got %d counties, %+v; want 2, %+v", len(all.Counties), all.Total.FarmCoal, want.Total.FarmCoal)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, l, countyA, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled load: got %v; want %v", err, context.Canceled)
	}
}

func TestTargetsInMeta(t *testing.T) {
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := LoadTarget(s, countyA); err != nil || n != 0 {
		t.Fatalf("unset target: got %d, %v; want 0, nil", n, err)
	}
	if err := SaveTarget(s, countyA, 120); err != nil {
		t.Fatal(err)
	}
	if n, err := LoadTarget(s, countyA); err != nil || n != 120 {
		t.Errorf("target: got %d, %v; want 120, nil", n, err)
	}
	if n, _ := LoadTarget(s, countyB); n != 0 {
		t.Errorf("other county's target: got %d; want 0", n)
	}
	if err := SaveTarget(s, countyA, -1); err == nil {
		t.Errorf("negative target: got nil error")
	}
}
