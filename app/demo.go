package app

import (
	"context"
	"math/rand/v2"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// metaDemo marks a store whose demo records were generated.
const metaDemo = "app.demo"

// Demo users: names are data (they sign every demo op), so they are not
// translated.
const (
	demoGridUser     = "演示网格员"
	demoReviewerUser = "演示审核员"
)

// demoUserName is the demo user signed in by --demo: the grid worker, or
// the county reviewer with --role county or --demo-user 演示审核员.
func demoUserName(a *App) string {
	switch a.opts.DemoUser {
	case "", string(model.RoleGrid):
		return demoGridUser
	case string(model.RoleCounty), "reviewer":
		return demoReviewerUser
	}
	return a.opts.DemoUser
}

// demoPIN is the demo user's PIN (shown on the login screen in demo mode).
const demoPIN = "0000"

// seedDemo creates the demo records once (when the store has none), off
// the UI goroutine with a progress bar, then calls done.
func (a *App) seedDemo(done func()) {
	if _, err := a.st.GetMeta(metaDemo); err == nil {
		done()
		return
	}
	bar := widget.NewProgressBar()
	label := widget.NewLabel(lang.L("Creating demo records for {{.County}}…", map[string]any{"County": a.countyName()}))
	a.setContent(container.NewCenter(container.NewVBox(label, container.NewGridWrap(fyne.NewSize(360, bar.MinSize().Height), bar))))
	var seedErr error
	a.b.run(func() error {
		seeds := demo.Records(rand.New(rand.NewPCG(1, 2)), a.county, a.opts.DemoRecords)
		author := demoGridUser
		var grid model.Value
		var village, township string
		reviewer := demoReviewerUser
		for i, sd := range seeds {
			st, err := a.seedOne(sd, author, reviewer)
			if err != nil {
				seedErr = err // keep going: one bad seed must not stop the demo
				continue
			}
			if sd.Register == "straw_grid" && grid == "" {
				grid = model.Str(st.Record.String())
				village, _ = st.Value(model.FieldVillage).AsText()
				township, _ = st.Value(model.FieldTownship).AsText()
			}
			if i%20 == 0 {
				f := float64(i+1) / float64(len(seeds))
				a.b.post(func() { bar.SetValue(f) })
			}
		}
		u := User{Name: author, Role: model.RoleGrid, Village: village, Township: township}
		if grid != "" {
			u.Grid, _ = grid.AsText()
		}
		if err := a.users.save(u, demoPIN); err != nil {
			return err
		}
		if err := a.users.save(User{Name: reviewer, Role: model.RoleCounty}, demoPIN); err != nil {
			return err
		}
		return a.st.SetMeta(metaDemo, []byte("1"))
	}, func(err error) {
		if err != nil {
			a.setContent(messageView(lang.L("Demo records could not be created"), plainError(err)))
			return
		}
		if seedErr != nil {
			a.opts.Logger.Warn("some demo records were refused", "err", seedErr)
		}
		done()
	})
}

// seedOne creates a demo record the way people would have: created in the
// register's initial status, then moved along the lifecycle to the seed's
// status by the grid user or the county reviewer.
func (a *App) seedOne(sd demo.Seed, author, reviewer string) (storeState, error) {
	ctx := context.Background()
	sc, ok := model.Lookup(sd.Register)
	if !ok {
		return storeState{}, model.E("demo", model.ErrSchema, model.Text{ZH: "未知的台账 " + sd.Register, EN: "unknown register " + sd.Register})
	}
	id, err := uuid.Parse(sd.ID)
	if err != nil {
		id = uuid.Nil
	}
	set := make(map[string]model.Value, len(sd.Fields))
	creator, creatorRole := author, model.RoleGrid
	if !sc.MayCreate(model.RoleGrid) {
		// Grids, dust-fall points, pushed fire points: the county
		// creates them.
		creator, creatorRole = reviewer, model.RoleCounty
	}
	for k, v := range sd.Fields {
		if f, ok := sc.Field(k); ok {
			if f.Computed {
				continue // the store derives it
			}
			if len(f.EditRoles) > 0 && !slices.Contains(f.EditRoles, model.RoleGrid) {
				// Pushed fire points, annual tasks: the county enters them.
				creator, creatorRole = reviewer, model.RoleCounty
			}
		}
		set[k] = v
	}
	target, _ := set[model.FieldStatus].AsText()
	delete(set, model.FieldStatus)
	comment := set[model.FieldReviewComment]
	// The review fields are the reviewer's, written with the moves below.
	delete(set, model.FieldReviewComment)
	delete(set, model.FieldReviewedBy)
	delete(set, model.FieldReviewedAt)
	st, err := a.st.Append(ctx, store.Change{Record: id, Register: sd.Register, County: sd.County,
		Author: creator, Role: creatorRole, Set: set})
	if err != nil || target == "" || target == sc.Initial {
		return st, err
	}
	for _, t := range sc.Path(sc.Initial, target, nil) {
		who, role := author, model.RoleGrid
		if !slices.Contains(t.Roles, model.RoleGrid) {
			who, role = reviewer, model.RoleCounty
		}
		step := map[string]model.Value{model.FieldStatus: model.Str(t.To)}
		// Fields that apply only from this status on (a plan, a
		// replacement, an acceptance) are typed with the move; model.Admit
		// did not write them earlier.
		at := model.Record{Register: sd.Register, County: sd.County, Fields: map[string]model.Value{model.FieldStatus: model.Str(t.To)}}
		for k, f := range st.Fields {
			if k != model.FieldStatus {
				at.Fields[k] = f.Value
			}
		}
		// A field typed can make others apply (a verdict, its details).
		for added := true; added; {
			added = false
			for k, v := range set {
				if _, done := step[k]; done || st.Value(k) == v {
					continue
				}
				if f, ok := sc.Field(k); ok && f.EditableBy(role) && sc.RelevantIn(k, at) {
					step[k], at.Fields[k], added = v, v, true
				}
			}
		}
		if t.Comment {
			if comment.IsNull() {
				comment = model.Str("请补充现场照片")
			}
			step[model.FieldReviewComment] = comment
		}
		if st, err = a.st.Append(ctx, store.Change{Record: st.Record, Author: who, Role: role, Set: step}); err != nil {
			return st, err
		}
	}
	return st, nil
}
