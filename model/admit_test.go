package model_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/model"
)

var (
	roles    = []model.Role{model.RoleGrid, model.RoleCounty, model.RoleProvince}
	admitNow = time.Date(2023, 12, 16, 9, 0, 0, 0, model.Beijing)
)

const demoCounty = "130126"

// seeds returns demo records of every register, by register and status.
func seeds(t testing.TB) map[string]map[string][]demo.Seed {
	t.Helper()
	out := map[string]map[string][]demo.Seed{}
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), demoCounty, 1200) {
		if out[sd.Register] == nil {
			out[sd.Register] = map[string][]demo.Seed{}
		}
		st, _ := sd.Fields[model.FieldStatus].AsText()
		out[sd.Register][st] = append(out[sd.Register][st], sd)
	}
	for _, sc := range model.Registers() {
		if len(out[sc.Name]) == 0 {
			t.Fatalf("no demo record of %s", sc.Name)
		}
	}
	return out
}

// anySeed is a seed of register in status (or of any status).
func anySeed(bySt map[string][]demo.Seed, status string) demo.Seed {
	if s := bySt[status]; len(s) > 0 {
		return s[0]
	}
	keys := make([]string, 0, len(bySt))
	for k := range bySt {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return bySt[keys[0]][0]
}

// typed is what a person types for a record like sd: its own fields, not
// the status, stamps, review fields or computed values.
func typed(sc *model.Schema, sd demo.Seed) map[string]model.Value {
	set := map[string]model.Value{}
	for k, v := range sd.Fields {
		if f, ok := sc.Field(k); ok && !f.Computed {
			set[k] = v
		}
	}
	return set
}

// only keeps the fields of set that role may edit (what a form sends).
func only(sc *model.Schema, set map[string]model.Value, role model.Role) map[string]model.Value {
	out := map[string]model.Value{}
	for k, v := range set {
		if f, ok := sc.Field(k); ok && f.EditableBy(role) {
			out[k] = v
		}
	}
	return out
}

func author(role model.Role) model.Author {
	return model.Author{Name: "用户-" + string(role), Role: role, County: demoCounty, Province: "130000"}
}

// kinds returns the kinds of err's field errors by field.
func fieldKinds(err error) map[string]model.ErrorKind {
	out := map[string]model.ErrorKind{}
	var walk func(error)
	walk = func(err error) {
		var e *model.Error
		if x, ok := err.(interface{ Unwrap() []error }); ok {
			for _, c := range x.Unwrap() {
				walk(c)
			}
			return
		}
		if errors.As(err, &e) {
			out[e.Field] = e.Kind
		}
	}
	walk(err)
	return out
}

// TestAdmitCreate: every role may create every register with the fields
// it may edit, unless the register needs a field only other roles fill in
// (then those fields, and only those, are named); a new record starts in
// the initial status with created_by/at stamped.
func TestAdmitCreate(t *testing.T) {
	all := seeds(t)
	for _, sc := range model.Registers() {
		for _, role := range roles {
			t.Run(sc.Name+"/"+string(role), func(t *testing.T) {
				sd := anySeed(all[sc.Name], sc.Initial)
				set := only(sc, typed(sc, sd), role)
				ad, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: set, Author: author(role), Now: admitNow})
				if !sc.MayCreate(role) {
					if !errors.Is(err, model.ErrCreateForbidden) {
						t.Errorf("create as %s: %v; want forbidden (code create): %s may not create %s", role, err, role, sc.Name)
					}
					return
				}
				if err != nil {
					for k, kind := range fieldKinds(err) {
						f, ok := sc.Field(k)
						if kind != model.ErrInvalid || !ok || f.EditableBy(role) {
							t.Errorf("create: %s: %v; want only fields %s may not fill in refused", k, err, role)
						}
					}
					if role != model.RoleGrid {
						t.Errorf("create as %s: %v; want admitted (reviewers edit every field)", role, err)
					}
					return
				}
				if got := ad.Set[model.FieldCreatedBy]; got != model.Str(author(role).Name) {
					t.Errorf("created_by: got %s; want %s", got, author(role).Name)
				}
				if got := ad.Set[model.FieldCreatedAt]; got != model.DateTimeValue(admitNow) {
					t.Errorf("created_at: got %s; want %s", got, model.DateTimeValue(admitNow))
				}
				if sc.Initial != "" && ad.Set[model.FieldStatus] != model.Str(sc.Initial) {
					t.Errorf("status: got %s; want %s", ad.Set[model.FieldStatus], sc.Initial)
				}
			})
		}
	}
}

// TestAdmitForbiddenFields: a field the role may not edit is refused by
// name, on a new or an existing record, made here or already made (an op
// from a device), and so are the review fields for grid staff.
func TestAdmitForbiddenFields(t *testing.T) {
	all := seeds(t)
	for _, sc := range model.Registers() {
		for _, role := range roles {
			sd := anySeed(all[sc.Name], sc.Initial)
			base := typed(sc, sd)
			keys := []string{}
			for _, f := range sc.Fields {
				if !f.Computed && !f.EditableBy(role) {
					keys = append(keys, f.Key)
				}
			}
			if role == model.RoleGrid {
				keys = append(keys, model.FieldReviewedBy, model.FieldReviewedAt, model.FieldReviewComment)
			}
			for _, k := range keys {
				v, ok := base[k]
				if !ok || v.IsNull() {
					v = validValue(t, sc, k, all[sc.Name])
				}
				for _, made := range []bool{false, true} {
					set := only(sc, base, role)
					set[k] = v
					_, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: set, Author: author(role), Now: admitNow, Made: made})
					if !made && !sc.MayCreate(role) {
						// The role may not create the record at all.
						if model.KindOf(err) != model.ErrForbidden {
							t.Errorf("%s as %s sets %s: got %v; want forbidden", sc.Name, role, k, err)
						}
						continue
					}
					if !errors.Is(err, &model.Error{Kind: model.ErrForbidden, Field: k}) {
						t.Errorf("%s as %s sets %s (made %v): got %v; want forbidden naming %s", sc.Name, role, k, made, err, k)
					}
				}
			}
		}
	}
}

// validValue finds a valid value of field k among the demo records.
func validValue(t *testing.T, sc *model.Schema, k string, bySt map[string][]demo.Seed) model.Value {
	t.Helper()
	for _, sds := range bySt {
		for _, sd := range sds {
			if v, ok := sd.Fields[k]; ok && !v.IsNull() {
				return v
			}
		}
	}
	switch k {
	case model.FieldReviewedBy, model.FieldReviewComment:
		return model.Str("李审核")
	case model.FieldReviewedAt:
		return model.DateTimeValue(admitNow)
	}
	f, _ := sc.FieldOrReserved(k)
	switch f.Kind {
	case model.KindBool:
		return model.Bool(true)
	case model.KindText, model.KindLongText:
		return model.Str("某")
	case model.KindEnum:
		return model.Str(f.Options[0].Key)
	}
	t.Fatalf("%s.%s: no valid value found", sc.Name, k)
	return model.Null
}

// TestAdmitLifecycle: every transition of every register, as every role:
// the roles it names may make it (reviewers' moves are stamped with who
// and when, a move that needs a comment is refused without one), the
// others are refused by the status field.
func TestAdmitLifecycle(t *testing.T) {
	all := seeds(t)
	for _, sc := range model.Registers() {
		for _, tr := range sc.Transitions {
			for _, role := range roles {
				name := sc.Name + "/" + tr.From + "→" + tr.To + "/" + string(role)
				sd := anySeed(all[sc.Name], tr.To)
				fields := map[string]model.Value{}
				for k, v := range sd.Fields {
					fields[k] = v
				}
				fields[model.FieldStatus] = model.Str(tr.From)
				delete(fields, model.FieldReviewComment)
				cur := &model.Record{Register: sc.Name, County: demoCounty, Fields: fields}
				set := map[string]model.Value{model.FieldStatus: model.Str(tr.To)}
				ad, err := model.Admit(sc, cur, model.Change{Set: set, Author: author(role), Now: admitNow})
				allowed := slices.Contains(tr.Roles, role)
				switch {
				case !allowed:
					if !errors.Is(err, &model.Error{Kind: model.ErrForbidden, Field: model.FieldStatus}) {
						t.Errorf("%s: got %v; want forbidden", name, err)
					}
					continue
				case tr.Comment:
					if !errors.Is(err, &model.Error{Kind: model.ErrInvalid, Field: model.FieldReviewComment}) {
						t.Errorf("%s without a comment: got %v; want a comment asked for", name, err)
					}
					set[model.FieldReviewComment] = model.Str("请补充照片")
					ad, err = model.Admit(sc, cur, model.Change{Set: set, Author: author(role), Now: admitNow})
				}
				if fk := fieldKinds(err); fk[model.FieldStatus] != 0 || errors.Is(err, model.ErrForbidden) {
					t.Errorf("%s: got %v; want the move admitted", name, err)
					continue
				}
				if err != nil {
					continue // the record lacks what the new status needs: a value error, not a refusal of the move
				}
				reviewer := role != model.RoleGrid
				if got := ad.Set[model.FieldReviewedBy] == model.Str(author(role).Name); got != reviewer {
					t.Errorf("%s: reviewed_by stamped %v; want %v", name, got, reviewer)
				}
			}
		}
	}
}

// TestAdmitReopen: a grid edit of an approved record goes back to review
// in the same change, or is refused where approved records are locked; a
// reviewer's edit leaves the status alone.
func TestAdmitReopen(t *testing.T) {
	all := seeds(t)
	n := 0
	for _, sc := range model.Registers() {
		f := model.NewFlow(sc)
		for _, g := range f.Gates {
			sd := anySeed(all[sc.Name], g.Approve.To)
			fields := map[string]model.Value{}
			for k, v := range sd.Fields {
				fields[k] = v
			}
			fields[model.FieldStatus] = model.Str(g.Approve.To)
			cur := &model.Record{Register: sc.Name, County: demoCounty, Fields: fields}
			set := map[string]model.Value{model.FieldRemarks: model.Str("补充说明")}
			if _, ok := sc.Field(model.FieldRemarks); !ok {
				continue
			}
			n++
			ad, err := model.Admit(sc, cur, model.Change{Set: set, Author: author(model.RoleGrid), Now: admitNow})
			to, reopens := f.Reopen(g.Approve.To)
			switch {
			case reopens && err != nil:
				t.Errorf("%s: grid edit in %s: %v; want reopened to %s", sc.Name, g.Approve.To, err, to)
			case reopens && ad.Set[model.FieldStatus] != model.Str(to):
				t.Errorf("%s: grid edit in %s: status %s; want %s", sc.Name, g.Approve.To, ad.Set[model.FieldStatus], to)
			case !reopens && !errors.Is(err, &model.Error{Kind: model.ErrForbidden, Code: "locked"}):
				t.Errorf("%s: grid edit in %s: %v; want locked", sc.Name, g.Approve.To, err)
			}
			ad, err = model.Admit(sc, cur, model.Change{Set: set, Author: author(model.RoleCounty), Now: admitNow})
			if err != nil {
				t.Errorf("%s: county edit in %s: %v", sc.Name, g.Approve.To, err)
			} else if _, moved := ad.Set[model.FieldStatus]; moved {
				t.Errorf("%s: county edit moved the status to %s", sc.Name, ad.Set[model.FieldStatus])
			}
		}
	}
	if n == 0 {
		t.Fatal("no register with a review gate and remarks")
	}
}

// TestAdmitKeepsRegisterAndCounty: a record never changes register or
// county, whoever asks and however the change arrives.
func TestAdmitKeepsRegisterAndCounty(t *testing.T) {
	all := seeds(t)
	for _, sc := range model.Registers() {
		sd := anySeed(all[sc.Name], sc.Initial)
		cur := &model.Record{Register: sc.Name, County: demoCounty, Fields: sd.Fields}
		other := "farm_coal_facility"
		if sc.Name == other {
			other = "straw_patrol"
		}
		for _, role := range roles {
			for _, ch := range []model.Change{
				{County: "130123", Set: map[string]model.Value{}},
				{Register: other, Set: map[string]model.Value{}},
				{County: "130123", Set: map[string]model.Value{}, Made: true},
			} {
				ch.Author = model.Author{Name: "x", Role: role}
				ch.Now = admitNow
				if _, err := model.Admit(sc, cur, ch); !errors.Is(err, model.ErrScope) {
					t.Errorf("%s as %s moving to %s/%s: got %v; want scope", sc.Name, role, ch.Register, ch.County, err)
				}
			}
		}
		if err := model.KeepsRecord(sc.Name, demoCounty, sc.Name, "130123"); !errors.Is(err, model.ErrScope) {
			t.Errorf("KeepsRecord: got %v; want scope", err)
		}
	}
}

// TestAdmitScope: an author writes only their county (a province author
// their province), whatever the register.
func TestAdmitScope(t *testing.T) {
	g, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := model.Lookup("straw_patrol")
	tests := []struct {
		author model.Author
		county string
		ok     bool
	}{
		{model.Author{Role: model.RoleGrid, County: "130126", Province: "130000"}, "130126", true},
		{model.Author{Role: model.RoleGrid, County: "130126", Province: "130000"}, "130123", false},
		{model.Author{Role: model.RoleProvince, Province: "130000"}, "130123", true},
		{model.Author{Role: model.RoleProvince, Province: "140000"}, "130123", false},
		{model.Author{Role: model.RoleCounty}, "999999", false},
	}
	for _, tt := range tests {
		_, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: tt.county, Set: map[string]model.Value{},
			Author: tt.author, Gazetteer: g, Made: true})
		if got := err == nil; got != tt.ok {
			t.Errorf("%+v writing %s: got %v; want ok %v", tt.author, tt.county, err, tt.ok)
		}
		if err != nil && !errors.Is(err, model.ErrScope) {
			t.Errorf("%+v writing %s: got %v; want a scope error", tt.author, tt.county, err)
		}
	}
}

// TestAdmitCreateRoles: a register a county defines for its grid staff
// (straw_grid) is created by county and province only, on the device and
// as a made op (which carries created_by); grid staff may still edit an
// existing record, on the device and as an op.
func TestAdmitCreateRoles(t *testing.T) {
	sc, _ := model.Lookup("straw_grid")
	all := seeds(t)
	set := typed(sc, anySeed(all[sc.Name], sc.Initial))
	for _, role := range roles {
		_, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: set, Author: author(role), Now: admitNow})
		if got, want := err == nil, role != model.RoleGrid; got != want {
			t.Errorf("%s creates a grid: admitted %v (%v); want %v", role, got, err, want)
		}
		if role == model.RoleGrid && !errors.Is(err, model.ErrCreateForbidden) {
			t.Errorf("grid creates a grid: got %v; want ErrCreateForbidden", err)
		}
	}
	ad, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: set, Author: author(model.RoleCounty), Now: admitNow})
	if err != nil {
		t.Fatal(err)
	}
	// The op a grid device would sign to create one is refused wherever it
	// arrives.
	_, err = model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: ad.Set, Author: author(model.RoleGrid), Made: true})
	if !errors.Is(err, model.ErrCreateForbidden) {
		t.Errorf("grid op creating a grid: got %v; want ErrCreateForbidden", err)
	}
	edit := map[string]model.Value{"grid_leader": model.Str("王建国")}
	if _, err := model.Admit(sc, &ad.Record, model.Change{Set: edit, Author: author(model.RoleGrid), Now: admitNow}); err != nil {
		t.Errorf("grid edits a grid: %v", err)
	}
	if _, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty, Set: edit, Author: author(model.RoleGrid), Made: true}); err != nil {
		t.Errorf("grid op editing a grid: %v", err)
	}
}
