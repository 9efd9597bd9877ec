package model

import (
	"sort"
)

// Validate checks a whole record: every present value (ValidateValue),
// required and conditionally required fields, minimum list sizes (photo
// counts), each field's Check, the schema's cross-field Checks, and the
// record's county (against the gazetteer installed with SetGazetteer, or
// its shape when none is). Computed fields are not required (Derive fills
// them), and neither are fields that do not apply to the record (see
// Field.Relevant); a value such a field still holds is checked as any
// other. It returns nil when the record is valid; errors are sorted by the
// schema's field order.
func (s *Schema) Validate(r Record) []FieldError {
	var errs []FieldError
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, *e)
		}
	}
	if r.Register != "" && r.Register != s.Name {
		add(ferr("register", msg("记录属于台账 %s，不是 %s", "record belongs to register %s, not %s", r.Register, s.Name, r.Register, s.Name)))
	}
	if !validCountyCode(r.County) {
		add(ferr("county_code", msg("县级行政区 %s 不在范围内", "county %s is not in scope", r.County, r.County)))
	}
	for key, v := range r.Fields {
		add(s.ValidateValue(key, v))
	}
	if st := r.Get(FieldStatus); st.IsNull() {
		add(ferr(FieldStatus, msg("状态必填", "status is required")))
	}
	for i := range s.Fields {
		f := &s.Fields[i]
		if f.Relevant != nil && !s.RelevantIn(f.Key, r) {
			continue
		}
		v := r.Get(f.Key)
		if isEmpty(v) {
			if !f.Computed && (f.Required || f.RequiredIf != nil && f.RequiredIf(r)) {
				add(ferr(f.Key, msg("%s必填", "%s is required", f.Label.ZH, f.Label.EN)))
			}
			continue
		}
		if f.MinLen > 0 && isListKind(f.Kind) {
			if n := listLen(v); n >= 0 && n < f.MinLen {
				add(ferr(f.Key, msg("%s至少 %d 项", "%s needs at least %d items", f.Label.ZH, f.MinLen, f.Label.EN, f.MinLen)))
			}
		}
	}
	for i := range s.Fields {
		if f := &s.Fields[i]; f.Place != 0 {
			if t := PlaceError(f, r.Get(f.Key), r.County, r.Get(FieldTownship)); t != nil {
				add(ferr(f.Key, *t))
			} else if t := unknownPlace(f, r.Get(f.Key)); t != nil {
				add(ferr(f.Key, *t))
			}
		}
	}
	for _, c := range s.Checks {
		errs = append(errs, c(r)...)
	}
	if len(errs) == 0 {
		return nil
	}
	s.sortErrors(errs)
	return dedupErrors(errs)
}

// Warnings returns non-blocking notices about a record: a GPS fix worse
// than 50 m, and each field's Warn (unusual quantities, stale updates,
// amounts outside the usual range). Rules that need the current time use
// r.Now and are skipped when it is zero.
func (s *Schema) Warnings(r Record) []FieldError {
	var out []FieldError
	for i := range s.Fields {
		f := &s.Fields[i]
		v := r.Get(f.Key)
		if isEmpty(v) || checkValue(f, v) != nil {
			continue
		}
		if f.Kind == KindGPS {
			if p, err := v.AsPoint(); err == nil && p.Acc > GPSAccuracyWarnM {
				out = append(out, FieldError{Field: f.Key, Msg: msg("%s定位精度 %v 米，超过 %v 米", "%s: GPS accuracy %v m is worse than %v m", f.Label.ZH, p.Acc, GPSAccuracyWarnM, f.Label.EN, p.Acc, GPSAccuracyWarnM)})
			}
		}
		if f.Warn != nil {
			if t := f.Warn(v, r); t != nil {
				out = append(out, FieldError{Field: f.Key, Msg: *t})
			}
		}
	}
	for _, w := range s.Warns {
		out = append(out, w(r)...)
	}
	s.sortErrors(out)
	return out
}

// GPSAccuracyWarnM is the fix accuracy (metres) above which a position is
// flagged (registers.md §0).
const GPSAccuracyWarnM = 50

func isEmpty(v Value) bool { return v.IsNull() || v == `""` || v == "[]" }

func isListKind(k Kind) bool {
	switch k {
	case KindMultiEnum, KindPhotos, KindRefList, KindTextList, KindGPSList:
		return true
	}
	return false
}

func listLen(v Value) int {
	if l, err := v.AsList(); err == nil {
		return len(l)
	}
	if ps, err := v.AsPoints(); err == nil {
		return len(ps)
	}
	return -1
}

func (s *Schema) sortErrors(errs []FieldError) {
	s.index()
	pos := func(k string) int {
		if i, ok := s.fieldIdx[k]; ok {
			return i
		}
		return -1
	}
	sort.SliceStable(errs, func(i, j int) bool { return pos(errs[i].Field) < pos(errs[j].Field) })
}

func dedupErrors(errs []FieldError) []FieldError {
	out := errs[:0]
	seen := map[FieldError]bool{}
	for _, e := range errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}
