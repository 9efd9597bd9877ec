package review

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// A record waits from when it was submitted: the queue orders and filters
// by that, and an edit made while it waits does not make it younger.
func TestQueueWaitsFromSubmission(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2023, 12, 1, 9, 0, 0, 0, model.Beijing)
	clock := day
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	early, late := newReading(t, s, "东村"), newReading(t, s, "西村")
	if _, err := Submit(ctx, s, early, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	clock = day.Add(2 * 24 * time.Hour)
	if _, err := Submit(ctx, s, late, "王网格", model.RoleGrid); err != nil {
		t.Fatal(err)
	}
	clock = day.Add(4 * 24 * time.Hour)
	if _, err := s.Append(ctx, store.Change{Record: early, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"remarks": model.Str("补充说明")}}); err != nil {
		t.Fatalf("edit while waiting: %v", err)
	}
	statusIs(t, s, early, model.DustfallEntered)

	at := day.Add(5 * 24 * time.Hour)
	items, err := Queue(s, Filter{County: county}, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].State.Record != early || items[1].State.Record != late {
		t.Fatalf("queue: got %d items; want the early submission first", len(items))
	}
	if got := items[0].Waiting; got != 5*24*time.Hour {
		t.Errorf("early waits %v; want 120h (since submission, not since the edit)", got)
	}
	if got := items[1].Waiting; got != 3*24*time.Hour {
		t.Errorf("late waits %v; want 72h", got)
	}
	old, err := Queue(s, Filter{County: county, OlderThan: 4 * 24 * time.Hour}, at)
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 1 || old[0].State.Record != early {
		t.Errorf("waiting over 4 days: got %d items; want the early one, edited a day ago", len(old))
	}
}
