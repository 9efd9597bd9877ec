package review

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

// now is the review time the tests record.
var now = time.Date(2023, 12, 2, 9, 30, 0, 0, model.Beijing)

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
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: county, Author: "县局", Role: model.RoleCounty, // the county sets its points

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

// newPatrol creates a straw grid and a zero-report patrol of it (in
// status draft) by grid staff, returning the patrol.
func newPatrol(t *testing.T, s *store.Store) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	grid, err := s.Append(ctx, store.Change{Register: "straw_grid", County: county, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{
			"grid_no": model.Str("WG-01"), "grid_level": model.Str("county"), "grid_leader": model.Str("张网格长"),
			"grid_members": model.List("王网格"), "phone": model.Str("13800138000"),
			model.FieldTownship: model.Str("城关镇"), model.FieldVillage: model.Str("东村"),
			"area_desc": model.Str("东村全域耕地"),
		}})
	if err != nil {
		t.Fatalf("create grid: %v", err)
	}
	p, err := s.Append(ctx, store.Change{Register: "straw_patrol", County: county, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{
			"patrol_date": model.Str("2023-11-20"), "start_at": model.Str("2023-11-20T08:00+08:00"),
			"end_at": model.Str("2023-11-20T10:30+08:00"), "patrollers": model.List("王网格"),
			"grid": model.Str(grid.Record.String()), model.FieldTownship: model.Str("城关镇"),
			model.FieldVillage: model.Str("东村"), "area_desc": model.Str("东村北片麦田"),
			"method": model.List("on_foot"), "fire_found": model.Bool(false), "scar_found": model.Bool(false),
			"photos": model.List(strings.Repeat("ab", 32)), "zero_report": model.Bool(true),
		}})
	if err != nil {
		t.Fatalf("create patrol: %v", err)
	}
	return p.Record
}

// newInspection creates a compliant site inspection (in status
// submitted) by grid staff.
func newInspection(t *testing.T, s *store.Store) uuid.UUID {
	t.Helper()
	set := map[string]model.Value{
		"site": model.Str(uuid.New().String()), "inspected_at": model.Str("2023-11-28T10:00+08:00"),
		"inspectors": model.List("王网格", "刘网格"), "org": model.Str("县生态环境分局"),
		"monitor_state": model.Str("normal"),
	}
	for _, it := range model.Six100Items {
		set["check_"+it.Key] = model.Str("pass")
	}
	st, err := s.Append(context.Background(), store.Change{Register: "site_inspection", County: county,
		Author: "王网格", Role: model.RoleGrid, Set: set})
	if err != nil {
		t.Fatalf("create inspection: %v", err)
	}
	return st.Record
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
