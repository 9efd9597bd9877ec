package store

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// fixture is a register the tests write to, found among model.Registers():
// one with a lifecycle, a title and a village field, for which generic
// values of each kind make a valid record.
type fixture struct {
	sc       *model.Schema
	county   string
	base     map[string]model.Value // a valid record's fields, without title and village
	textKeys []string               // optional plain text fields any role may set
	forbid   string                 // a status grid staff may not move to from Initial
	next     string                 // a status some role may move to from Initial
	nextRole model.Role             // the role that may
	nextSet  map[string]model.Value // the fields the move sets, status included
}

const testCounty = "130102"

var villages = []string{"东村", "西村", "南庄", "北营"}

// sampleValue returns a well-formed value of field f.
func sampleValue(f *model.Field) model.Value {
	num := func(def float64) float64 {
		if f.Min != nil && *f.Min > def {
			def = *f.Min
		}
		if f.Max != nil && *f.Max < def {
			def = *f.Max
		}
		return def
	}
	n := max(f.MinLen, 1)
	switch f.Kind {
	case model.KindText, model.KindLongText:
		return model.Str(fmt.Sprintf("%-*s", n, "样本"))
	case model.KindInteger:
		return model.Int(int64(num(1)))
	case model.KindDecimal:
		return model.Decimal(num(1.5))
	case model.KindEnum:
		if len(f.Options) > 0 {
			return model.Str(f.Options[0].Key)
		}
	case model.KindMultiEnum:
		var keys []string
		for i := 0; i < n && i < len(f.Options); i++ {
			keys = append(keys, f.Options[i].Key)
		}
		return model.List(keys...)
	case model.KindDate:
		return model.Str("2024-01-15")
	case model.KindMonth:
		return model.Str("2024-01")
	case model.KindDateTime:
		return model.Str("2024-01-15T10:00+08:00")
	case model.KindBool:
		return model.Bool(false)
	case model.KindGPS:
		return model.GPS(model.Point{Lat: 38.04, Lon: 114.51, Acc: 5})
	case model.KindGPSList:
		ps := make([]model.Point, max(n, 2))
		for i := range ps {
			ps[i] = model.Point{Lat: 38.04 + float64(i)/1000, Lon: 114.51}
		}
		return model.GPSList(ps...)
	case model.KindPhotos:
		hs := make([]string, n)
		for i := range hs {
			hs[i] = fmt.Sprintf("%064x", i+1)
		}
		return model.List(hs...)
	case model.KindRef:
		return model.Str("01890000-0000-7000-8000-000000000001")
	case model.KindRefList:
		return model.List("01890000-0000-7000-8000-000000000001")
	case model.KindTextList:
		items := make([]string, n)
		for i := range items {
			items[i] = "项"
		}
		return model.List(items...)
	case model.KindCounty:
		return model.Str(testCounty)
	}
	return model.Null
}

// sampleFor returns a value of f that ValidateValue accepts.
func sampleFor(sc *model.Schema, f *model.Field) model.Value {
	if f.Key == model.FieldFacilityNo {
		return model.Str(model.FacilityNo(testCounty, 1)) // a pattern spanning the record's county
	}
	cands := []model.Value{sampleValue(f)}
	if f.Kind == model.KindText {
		cands = append(cands, model.Str("13800138000"), model.Str("130102199003074514"), model.Str("91130100MA0ABCDE1X"))
	}
	for _, v := range cands {
		if sc.ValidateValue(f.Key, v) == nil {
			return v
		}
	}
	return cands[0]
}

// repair fills the fields Validate asks for with sample values, without
// touching keep; it reports whether the record became valid.
func repair(sc *model.Schema, rec model.Record, keep ...string) bool {
	for range 8 {
		errs := sc.Validate(rec)
		if len(errs) == 0 {
			return true
		}
		for _, e := range errs {
			f, ok := sc.Field(e.Field)
			if !ok || slices.Contains(keep, e.Field) {
				return false
			}
			rec.Fields[e.Field] = sampleFor(sc, f)
		}
	}
	return false
}

// newFixture finds a register the tests can use.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	for _, sc := range model.Registers() {
		if sc.Initial == "" || sc.TitleField == "" || sc.VillageField == "" || !sc.MayCreate(model.RoleGrid) {
			continue // the fixture's records are made by grid staff
		}
		fx := &fixture{sc: sc, county: testCounty, base: map[string]model.Value{}}
		for i := range sc.Fields {
			f := &sc.Fields[i]
			if (f.Kind == model.KindText || f.Kind == model.KindLongText) && f.Check == nil && len(f.EditRoles) == 0 && !f.Required && f.RequiredIf == nil &&
				!f.Computed && f.Key != sc.TitleField && f.Key != sc.VillageField && f.MinLen <= 1 {
				fx.textKeys = append(fx.textKeys, f.Key)
			}
		}
		rec := model.Record{Register: sc.Name, County: fx.county, Fields: fx.fields(0)}
		rec.Fields[model.FieldStatus] = model.Str(sc.Initial)
		if len(fx.textKeys) < 2 || !repair(sc, rec, sc.TitleField, sc.VillageField) {
			continue
		}
		for k, v := range rec.Fields {
			if k != sc.TitleField && k != sc.VillageField && k != model.FieldStatus {
				fx.base[k] = v
			}
		}
		for _, st := range sc.Statuses {
			if _, err := sc.Transition(sc.Initial, st.Key, model.RoleGrid); err != nil && st.Key != sc.Initial {
				fx.forbid = st.Key
				break
			}
		}
		for _, tr := range sc.Transitions {
			if tr.From != sc.Initial || tr.Comment || fx.next != "" {
				continue
			}
			moved := model.Record{Register: sc.Name, County: fx.county, Fields: fx.fields(0)}
			moved.Fields[model.FieldStatus] = model.Str(tr.To)
			if !repair(sc, moved, sc.TitleField, sc.VillageField, model.FieldStatus) {
				continue
			}
			fx.next, fx.nextRole, fx.nextSet = tr.To, tr.Roles[0], map[string]model.Value{}
			for k, v := range moved.Fields {
				if fx.base[k] != v && k != sc.TitleField && k != sc.VillageField {
					fx.nextSet[k] = v
				}
			}
		}
		if fx.forbid != "" && fx.next != "" {
			return fx
		}
	}
	t.Fatalf("no register in model.Registers() suits the store tests")
	return nil
}

// advance returns the change moving record rec to fx.next.
func (fx *fixture) advance(rec uuid.UUID) Change {
	set := map[string]model.Value{}
	for k, v := range fx.nextSet {
		set[k] = v
	}
	return Change{Record: rec, Author: "县局", Role: fx.nextRole, Set: set}
}

// fields returns the fields of the i-th sample record.
func (fx *fixture) fields(i int) map[string]model.Value {
	m := make(map[string]model.Value, len(fx.base)+2)
	for k, v := range fx.base {
		m[k] = v
	}
	m[fx.sc.TitleField] = model.Str(fmt.Sprintf("记录 %05d", i))
	m[fx.sc.VillageField] = model.Str(villages[i%len(villages)])
	return m
}

// create returns a change creating the i-th sample record.
func (fx *fixture) create(i int) Change {
	return Change{Register: fx.sc.Name, County: fx.county, Author: "网格员", Role: model.RoleGrid, Set: fx.fields(i)}
}
