package review

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

// now is the review time the tests record.
var now = time.Date(2023, 12, 2, 9, 30, 0, 0, beijing)

func openMem(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newReading creates a dustfall point and a monthly reading of it (in
// status sampling) by grid staff, returning the reading.
func newReading(t *testing.T, s *store.Store, village string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: county, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{
			"point_no": model.Str("JC-01"), "name": model.Str("东关点位"), model.FieldTownship: model.Str("城关镇"),
			model.FieldLocation: model.GPS(model.Point{Lat: 38.1, Lon: 114.5}), "point_type": model.Str("regular"),
		}})
	if err != nil {
		t.Fatalf("create point: %v", err)
	}
	rd, err := s.Append(ctx, store.Change{Register: "dustfall_monthly", County: county, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{
			"point": model.Str(pt.Record.String()), "month": model.Str("2023-11"),
			"start_date": model.Str("2023-11-01"), "end_date": model.Str("2023-12-01"),
			"valid": model.Bool(true), "dustfall": model.Decimal(6.4),
		}})
	if err != nil {
		t.Fatalf("create reading: %v", err)
	}
	return rd.Record
}

func statusIs(t *testing.T, s Store, id uuid.UUID, want string) {
	t.Helper()
	st, err := s.Get(id)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got := statusOf(&st); got != want {
		t.Fatalf("status: got %q; want %q", got, want)
	}
}
