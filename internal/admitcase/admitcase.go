// Package admitcase is the table of changes put to every path that admits
// a change: the form, the device store's Append, remote apply on devices
// and the server's ingest. Each path's test runs the same table, so the
// paths are checked to agree with model.Admit, and so with each other.
//
// A case is a change to a record of one register by an author of one
// role, in the author's own county or another, with what model.Admit
// says of it made on the device (Want) and as an op already made (the
// rules that hold in every order: WantMade). The cases that name a rule
// (another county, a field or status the role may not set, a bad value,
// an unknown register, a record moved, a township of another county) pin
// the kind they must get, and
// Cases fails if model.Admit ever disagrees with the pin.
package admitcase

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/model"
)

// Roles are the roles every register is tried as.
var Roles = []model.Role{model.RoleGrid, model.RoleCounty, model.RoleProvince}

// Now is the time the cases' changes are made.
var Now = time.Date(2023, 12, 16, 9, 0, 0, 0, model.Beijing)

// Admitted is the outcome of a change that is admitted (Outcome).
const Admitted model.ErrorKind = 255

// unpinned marks a case whose outcome is what model.Admit says.
const unpinned model.ErrorKind = 254

// Outcome is Admitted for a nil err, else err's kind (model.KindOf).
func Outcome(err error) model.ErrorKind {
	if err == nil {
		return Admitted
	}
	return model.KindOf(err)
}

// Name is an outcome in words: "admitted", or the error kind.
func Name(k model.ErrorKind) string {
	if k == Admitted {
		return "admitted"
	}
	return k.String()
}

// BadText is a value no number, date, choice or reference field accepts.
const BadText = "×不是有效值×"

// Case is one change and what every path must decide of it.
type Case struct {
	Name     string
	Register string
	Role     model.Role
	// County is the county the change names for the record.
	County string
	// Existing, when not nil, is a record the same author creates first
	// (in its own county); the change then edits it.
	Existing map[string]model.Value
	// ExistingMade is the op that created Existing: its fields as
	// model.Admit wrote them (status, stamps).
	ExistingMade map[string]model.Value
	// Set is the change's fields as the author sends them.
	Set map[string]model.Value
	// Made is the op a device that admitted the change would sign: Set
	// with the stamps and status Admit writes (for a refused new record,
	// Set with created_by/at and the initial status; for a refused edit,
	// Set).
	Made map[string]model.Value
	// Want is the outcome (Outcome) of the change made on the device;
	// WantMade, of the same change received as an op.
	Want, WantMade model.ErrorKind
	// Form reports that a form can put the change: a record of the
	// author's own county, not an edit that moves it. Field, when set, is
	// the field the case is about (a forbidden or a bad value).
	Form  bool
	Field string
}

// Scope is where authors of each role write: Own is the county of the
// grid and county authors (Province is theirs, and the province
// author's), Other another county of the same province.
type Scope struct {
	Province, Own, Other string
}

// Author is the model author of role within sc.
func (sc Scope) Author(role model.Role) model.Author {
	a := model.Author{Name: "用户-" + string(role), Role: role, Province: sc.Province}
	if role != model.RoleProvince {
		a.County = sc.Own
	}
	return a
}

// Cases builds the table for scope sc. It returns an error when
// model.Admit disagrees with a case's pinned kind, or when the demo data
// lacks what a case needs.
func Cases(g *model.Gazetteer, sc Scope) ([]Case, error) {
	seeds := map[string]demo.Seed{}
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), sc.Own, 1200) {
		s, _ := model.Lookup(sd.Register)
		st, _ := sd.Fields[model.FieldStatus].AsText()
		if _, ok := seeds[sd.Register]; !ok || (s.Initial != "" && st == s.Initial) {
			seeds[sd.Register] = sd
		}
	}
	var out []Case
	add := func(c Case, pin, pinMade model.ErrorKind) error {
		sch, _ := model.Lookup(c.Register)
		a := sc.Author(c.Role)
		var cur *model.Record
		if c.Existing != nil {
			ex, err := model.Admit(sch, nil, model.Change{Register: c.Register, County: sc.Own, Set: c.Existing, Author: a, Now: Now, Gazetteer: g})
			if err != nil {
				return fmt.Errorf("admitcase: %s: the record to edit is refused: %w", c.Name, err)
			}
			cur, c.ExistingMade = &ex.Record, ex.Set
		}
		ad, err := model.Admit(sch, cur, model.Change{Register: c.Register, County: c.County, Set: c.Set, Author: a, Now: Now, Gazetteer: g})
		c.Want, c.Made = Outcome(err), c.Set
		if err == nil {
			c.Made = ad.Set
		} else if cur == nil && sch != nil {
			// The op a device that broke the rule would sign for a new
			// record carries the stamps Admit writes into every one.
			c.Made = clone(c.Set)
			c.Made[model.FieldCreatedBy] = model.Str(a.Name)
			c.Made[model.FieldCreatedAt] = model.DateTimeValue(Now)
			if _, ok := c.Made[model.FieldStatus]; !ok && sch.Initial != "" {
				c.Made[model.FieldStatus] = model.Str(sch.Initial)
			}
		}
		_, err = model.Admit(sch, cur, model.Change{Register: c.Register, County: c.County, Set: c.Made, Author: a, Now: Now, Gazetteer: g, Made: true})
		c.WantMade = Outcome(err)
		if pin != unpinned && c.Want != pin || pinMade != unpinned && c.WantMade != pinMade {
			return fmt.Errorf("admitcase: %s: model.Admit gives %v (made %v); the case pins %v (made %v)", c.Name, c.Want, c.WantMade, pin, pinMade)
		}
		out = append(out, c)
		return nil
	}
	for _, sch := range model.Registers() {
		sd, ok := seeds[sch.Name]
		if !ok {
			return nil, fmt.Errorf("admitcase: no demo record of %s", sch.Name)
		}
		for _, role := range Roles {
			name := sch.Name + "/" + string(role)
			set := Typed(sch, sd.Fields, role)
			// Reviewers fill in every field, so their new records are
			// admitted; grid staff may lack a field only reviewers fill.
			pin, pinMade := unpinned, Admitted
			if role != model.RoleGrid {
				pin = Admitted
			}
			if !sch.MayCreate(role) {
				// A register the county defines (grids): refused as a
				// change made here and as the op a device would sign.
				pin, pinMade = model.ErrForbidden, model.ErrForbidden
			}
			if err := add(Case{Name: name + "/create", Register: sch.Name, Role: role, County: sc.Own, Set: set, Form: true}, pin, pinMade); err != nil {
				return nil, err
			}
			created := out[len(out)-1]
			if role != model.RoleProvince {
				if err := add(Case{Name: name + "/other-county", Register: sch.Name, Role: role, County: sc.Other, Set: set}, model.ErrScope, model.ErrScope); err != nil {
					return nil, err
				}
			}
			if !sch.MayCreate(role) {
				// The role may not create the record at all: the cases
				// below, all new records, would only repeat that.
				continue
			}
			if k := badField(sch, set, role); k != "" {
				bad := clone(set)
				bad[k] = model.Str(BadText)
				if err := add(Case{Name: name + "/bad-" + k, Register: sch.Name, Role: role, County: sc.Own, Set: bad, Form: true, Field: k}, model.ErrInvalid, model.ErrInvalid); err != nil {
					return nil, err
				}
			}
			if f, ok := sch.Field(model.FieldTownship); ok && f.Place == model.PlaceTownship && role == model.RoleGrid {
				// A township code of another county: refused by every
				// path, with or without places data (codes nest). No form
				// offers it: its picker lists the county's townships.
				f := clone(set)
				f[model.FieldTownship] = model.Str(sc.Other + "100")
				if err := add(Case{Name: name + "/township-other-county", Register: sch.Name, Role: role, County: sc.Own, Set: f, Field: model.FieldTownship}, model.ErrInvalid, model.ErrInvalid); err != nil {
					return nil, err
				}
			}
			if role != model.RoleGrid {
				continue
			}
			// Grid staff: review fields, a field only reviewers edit, a
			// status only reviewers bring a record into, and an edit
			// that moves a record to another county.
			forbidden := []string{model.FieldReviewedBy}
			for _, f := range sch.Fields {
				if !f.Computed && !f.EditableBy(role) && !slices.Contains(forbidden, f.Key) {
					if v, ok := sd.Fields[f.Key]; ok && !v.IsNull() {
						forbidden = append(forbidden, f.Key)
						break
					}
				}
			}
			for _, k := range forbidden {
				v := sd.Fields[k]
				if k == model.FieldReviewedBy {
					v = model.Str("审核员")
				}
				f := clone(set)
				f[k] = v
				if err := add(Case{Name: name + "/forbidden-" + k, Register: sch.Name, Role: role, County: sc.Own, Set: f, Form: true, Field: k}, model.ErrForbidden, model.ErrForbidden); err != nil {
					return nil, err
				}
			}
			if st := reviewerStatus(g, sch, sc, set); st != "" {
				f := clone(set)
				f[model.FieldStatus] = model.Str(st)
				if err := add(Case{Name: name + "/status-" + st, Register: sch.Name, Role: role, County: sc.Own, Set: f, Field: model.FieldStatus}, unpinned, model.ErrForbidden); err != nil {
					return nil, err
				}
			}
			if created.Want == Admitted {
				edit := map[string]model.Value{}
				for _, f := range sch.Fields {
					if v, ok := set[f.Key]; ok {
						edit[f.Key] = v
						break
					}
				}
				if err := add(Case{Name: name + "/moved", Register: sch.Name, Role: role, County: sc.Other, Existing: set, Set: edit}, model.ErrScope, model.ErrScope); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := add(Case{Name: "unknown-register", Register: "no_such_register", Role: model.RoleGrid, County: sc.Own,
		Set: map[string]model.Value{"name": model.Str("x")}}, model.ErrSchema, model.ErrSchema); err != nil {
		return nil, err
	}
	return out, nil
}

// Typed is what an author of role types for a record with fields like
// these: the fields the role may edit, not status, stamps or computed
// values (what the form shows editable and sends).
func Typed(sch *model.Schema, fields map[string]model.Value, role model.Role) map[string]model.Value {
	set := map[string]model.Value{}
	for k, v := range fields {
		f, ok := sch.Field(k)
		if !ok || f.Computed || !f.EditableBy(role) || v.IsNull() {
			continue
		}
		switch k {
		case model.FieldStatus, model.FieldCreatedBy, model.FieldCreatedAt, model.FieldReviewedBy, model.FieldReviewedAt, model.FieldReviewComment:
			continue
		}
		set[k] = v
	}
	return set
}

// badField is the first number field (in schema order) among those set
// that the role may edit and that applies to the record (the form shows
// no other), "" when there is none: BadText typed into it is refused, by
// the form as by every other path.
func badField(sch *model.Schema, set map[string]model.Value, role model.Role) string {
	rec := model.Record{Register: sch.Name, Fields: set}
	for _, f := range sch.Fields {
		if f.Kind != model.KindInteger && f.Kind != model.KindDecimal {
			continue
		}
		if _, ok := set[f.Key]; ok && f.EditableBy(role) && sch.RelevantIn(f.Key, rec) && sch.ValidateValue(f.Key, model.Str(BadText)) != nil {
			return f.Key
		}
	}
	return ""
}

// reviewerStatus is a status of the register that a grid op may not bring
// a record into, "" when there is none.
func reviewerStatus(g *model.Gazetteer, sch *model.Schema, sc Scope, set map[string]model.Value) string {
	for _, st := range sch.Statuses {
		f := clone(set)
		f[model.FieldStatus] = model.Str(st.Key)
		_, err := model.Admit(sch, nil, model.Change{Register: sch.Name, County: sc.Own, Set: f, Author: sc.Author(model.RoleGrid), Now: Now, Gazetteer: g, Made: true})
		if model.KindOf(err) == model.ErrForbidden {
			return st.Key
		}
	}
	return ""
}

func clone(m map[string]model.Value) map[string]model.Value {
	out := make(map[string]model.Value, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
