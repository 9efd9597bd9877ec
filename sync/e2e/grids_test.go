package e2e

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lantian-tz/lantian/internal/admitcase"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

// TestCountyGridsReachGridDevices: a county's grids come from the county
// bureau. A grid staff device may not create one; the grid a county
// device creates reaches the county's grid staff devices through the
// server, and a patrol logged on it there reaches the county.
func TestCountyGridsReachGridDevices(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bureau := e.enroll("县局", fixture.County, model.RoleCounty, nil)
	staff := e.enroll("网格员", fixture.County, model.RoleGrid, nil)
	seeds := map[string]demo.Seed{}
	for _, sd := range demo.Records(rand.New(rand.NewPCG(3, 4)), fixture.County, 400) {
		if _, ok := seeds[sd.Register]; !ok {
			seeds[sd.Register] = sd
		}
	}
	gridSc, _ := model.Lookup("straw_grid")
	patrolSc, _ := model.Lookup("straw_patrol")
	if _, ok := seeds[gridSc.Name]; !ok {
		t.Fatal("no demo grid")
	}
	if _, ok := seeds[patrolSc.Name]; !ok {
		t.Fatal("no demo patrol")
	}

	_, err := staff.st.Append(ctx, store.Change{Register: gridSc.Name, County: fixture.County, Author: "网格员", Role: model.RoleGrid,
		Set: admitcase.Typed(gridSc, seeds[gridSc.Name].Fields, model.RoleGrid)})
	if !errors.Is(err, model.ErrCreateForbidden) {
		t.Fatalf("grid staff device creates a grid: got %v; want ErrCreateForbidden", err)
	}

	grid, err := bureau.st.Append(ctx, store.Change{Register: gridSc.Name, County: fixture.County, Author: "县局", Role: model.RoleCounty,
		Set: admitcase.Typed(gridSc, seeds[gridSc.Name].Fields, model.RoleCounty)})
	if err != nil {
		t.Fatalf("county device creates a grid: %v", err)
	}
	bureau.sync(t)
	staff.sync(t)
	got, err := staff.st.Get(grid.Record)
	if err != nil {
		t.Fatalf("the county's grid on the grid staff device: %v", err)
	}
	if got.Value("grid_no") != grid.Value("grid_no") || got.Value(model.FieldCreatedBy) != model.Str("县局") {
		t.Errorf("grid on the grid staff device: grid_no %s by %s; want %s by 县局", got.Value("grid_no"), got.Value(model.FieldCreatedBy), grid.Value("grid_no"))
	}
	page, err := staff.st.List(store.Query{Register: gridSc.Name, County: fixture.County})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("grids listed on the grid staff device: %d, %v; want 1", len(page.Records), err)
	}

	set := admitcase.Typed(patrolSc, seeds[patrolSc.Name].Fields, model.RoleGrid)
	set["grid"] = model.Str(grid.Record.String())
	for k := range set {
		if f, ok := patrolSc.Field(k); ok && f.Kind == model.KindRefList {
			delete(set, k) // no such records here
		}
	}
	patrol, err := staff.st.Append(ctx, store.Change{Register: patrolSc.Name, County: fixture.County, Author: "网格员", Role: model.RoleGrid, Set: set})
	if err != nil {
		t.Fatalf("patrol on the county's grid: %v", err)
	}
	staff.sync(t)
	bureau.sync(t)
	back, err := bureau.st.Get(patrol.Record)
	if err != nil {
		t.Fatalf("the patrol on the county device: %v", err)
	}
	if back.Value("grid") != model.Str(grid.Record.String()) {
		t.Errorf("patrol's grid on the county device: %s; want %s", back.Value("grid"), grid.Record)
	}
}
