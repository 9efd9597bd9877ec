package store

import (
	"context"
	"sync"
	"testing"
)

// TestEventAll: a change of more than MaxEventRecords records (a large
// pull page, a rebuild) says All instead of listing them.
func TestEventAll(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	for i := range MaxEventRecords + 1 {
		if _, err := a.Append(ctx, fx.create(i)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var got []Event
	cancel := b.Subscribe(func(ev Event) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	})
	defer cancel()
	ops, err := a.Ops(a.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(ctx, ops); err != nil {
		t.Fatal(err)
	}
	if err := b.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("got %d events; want 2", len(got))
	}
	for i, kind := range []EventKind{Applied, Rebuilt} {
		ev := got[i]
		if ev.Kind != kind || !ev.All || ev.Records != nil {
			t.Errorf("event %d: got kind %v, All %v, %d records; want kind %v, All, no records", i, ev.Kind, ev.All, len(ev.Records), kind)
		}
	}
}
