package review

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// A patrol whose grid staff found two fires is submitted by them (they
// may not create fire points), and the county's approval registers one
// fire point per finding, linked both ways, waiting for a check.
func TestPatrolWithFiresSubmittedAndApproved(t *testing.T) {
	s := openMem(t)
	ctx := context.Background()
	id := newPatrol(t, s)
	locs := model.GPSList(model.Point{Lat: 38.31, Lon: 114.41}, model.Point{Lat: 38.32, Lon: 114.42})
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: map[string]model.Value{
		"fire_found": model.Bool(true), "zero_report": model.Bool(false), "findings_count": model.Int(2),
		"finding_locations": locs, "burned_area_mu": model.Decimal(1.5), "onsite_action": model.Str("extinguished"),
		"photos": model.List(strings.Repeat("a1", 32), strings.Repeat("b2", 32), strings.Repeat("c3", 32), strings.Repeat("d4", 32)),
	}}); err != nil {
		t.Fatalf("grid staff record the fires: %v", err)
	}
	if _, err := Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
		t.Fatalf("grid staff submit a patrol that found fires: %v", err)
	}
	statusIs(t, s, id, model.PatrolSubmitted)
	st, err := Approve(ctx, s, id, "李科长", model.RoleCounty, now)
	if err != nil {
		t.Fatalf("county approves: %v", err)
	}
	statusIs(t, s, id, model.PatrolReviewed)
	ids, _ := st.Value(PatrolFirePoints).AsList()
	if len(ids) != 2 {
		t.Fatalf("the approval linked %d fire points; want 2 (one per finding)", len(ids))
	}
	want, _ := locs.AsPoints()
	for i, x := range ids {
		fp, err := s.Get(uuid.MustParse(x))
		if err != nil {
			t.Fatalf("fire point %d: %v", i, err)
		}
		if fp.Register != "fire_point" || fp.County != county {
			t.Errorf("fire point %d: %s/%s", i, fp.Register, fp.County)
		}
		if got := fp.Value("source"); got != model.Str("patrol") {
			t.Errorf("fire point %d: source %s; want patrol (巡查发现)", i, got)
		}
		if got := fp.Value("patrol"); got != model.Str(id.String()) {
			t.Errorf("fire point %d: patrol %s; want the patrol", i, got)
		}
		if got := fp.Value("pushed_location"); got != model.GPS(want[i]) {
			t.Errorf("fire point %d: at %s; want %v", i, got, want[i])
		}
		if got := fp.Value(model.FieldStatus); got != model.Str(model.FirePending) {
			t.Errorf("fire point %d: status %s; want waiting for a check", i, got)
		}
	}
	// Reopened and approved again, the patrol keeps its fire points.
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: map[string]model.Value{"outreach": model.Str("张贴禁烧通告 3 份")}}); err != nil {
		t.Fatal(err)
	}
	st, err = Approve(ctx, s, id, "李科长", model.RoleCounty, now)
	if err != nil {
		t.Fatalf("approve again: %v", err)
	}
	if again, _ := st.Value(PatrolFirePoints).AsList(); len(again) != 2 || again[0] != ids[0] {
		t.Errorf("after a second approval: fire points %v; want the first two", again)
	}
	if n, _ := s.Count(store.Query{Register: "fire_point"}); n != 2 {
		t.Errorf("%d fire points after two approvals; want 2", n)
	}
}
