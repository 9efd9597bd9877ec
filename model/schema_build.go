package model

import (
	"slices"
	"time"
)

// This file holds the small vocabulary the register files use to declare
// schemas as data: field constructors with options, option tables,
// lifecycle helpers and common rules.

// fieldOpt adjusts a field under construction.
type fieldOpt func(*Field)

func fld(key string, kind Kind, zh, en string, opts ...fieldOpt) Field {
	f := Field{Key: key, Kind: kind, Label: Text{ZH: zh, EN: en}}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func ptr(x float64) *float64 { return &x }

var (
	req        fieldOpt = func(f *Field) { f.Required = true }
	searchable fieldOpt = func(f *Field) { f.Searchable = true }
	// today fills in today's date on a new record's form.
	today      fieldOpt = func(f *Field) { f.Today = true }
	computed   fieldOpt = func(f *Field) { f.Computed = true }
	countyOnly fieldOpt = func(f *Field) { f.EditRoles = []Role{RoleCounty, RoleProvince} }
	phoneCheck fieldOpt = check(func(v Value, _ Record) *Text {
		if s, _ := v.AsText(); !ValidPhone(s) {
			t := msg("电话格式不对（手机 11 位或 区号-号码）", "phone must be a mobile (11 digits) or area code-number")
			return &t
		}
		return nil
	})
	usccCheck fieldOpt = check(func(v Value, _ Record) *Text {
		if s, _ := v.AsText(); !ValidUSCC(s) {
			t := msg("统一社会信用代码无效（18 位，校验位不符）", "unified social credit code is invalid (18 characters, check digit)")
			return &t
		}
		return nil
	})
	idCheck fieldOpt = check(func(v Value, _ Record) *Text {
		if s, _ := v.AsText(); !ValidIDCard(s) {
			t := msg("身份证号无效（18 位，校验位不符）", "identity card number is invalid (18 characters, check digit)")
			return &t
		}
		return nil
	})
)

func reqIf(fn func(r Record) bool) fieldOpt { return func(f *Field) { f.RequiredIf = fn } }

// when makes the field relevant only to the records fn returns true for
// (Field.Relevant).
func when(fn func(r Record) bool) fieldOpt { return func(f *Field) { f.Relevant = fn } }
func rng(min, max float64) fieldOpt {
	return func(f *Field) { f.Min, f.Max = ptr(min), ptr(max) }
}
func minVal(min float64) fieldOpt { return func(f *Field) { f.Min = ptr(min) } }
func length(min, max int) fieldOpt {
	return func(f *Field) { f.MinLen, f.MaxLen = min, max }
}
func minItems(n int) fieldOpt                         { return func(f *Field) { f.MinLen = n } }
func unit(zh, en string) fieldOpt                     { return func(f *Field) { f.Unit = Text{ZH: zh, EN: en} } }
func help(zh, en string) fieldOpt                     { return func(f *Field) { f.Help = Text{ZH: zh, EN: en} } }
func options(o []Option) fieldOpt                     { return func(f *Field) { f.Options = o } }
func ref(register string) fieldOpt                    { return func(f *Field) { f.Ref = register } }
func check(fn func(v Value, r Record) *Text) fieldOpt { return func(f *Field) { f.Check = fn } }
func warn(fn func(v Value, r Record) *Text) fieldOpt  { return func(f *Field) { f.Warn = fn } }

// opts builds options from key, Chinese, English triples.
func opts(triples ...string) []Option {
	if len(triples)%3 != 0 {
		panic("model: opts needs key, zh, en triples")
	}
	out := make([]Option, 0, len(triples)/3)
	for i := 0; i < len(triples); i += 3 {
		out = append(out, Option{Key: triples[i], Label: Text{ZH: triples[i+1], EN: triples[i+2]}})
	}
	return out
}

// Shared fields of registers.md §0.
// Township and village values are place codes (9 and 12 digits) chosen
// from the county's places, or free text kept from before they were coded.
func townshipField() Field {
	return fld(FieldTownship, KindText, "乡镇（街道）", "Township", req, length(2, 30), placeOf(PlaceTownship))
}
func villageField(required bool) Field {
	f := fld(FieldVillage, KindText, "行政村（社区）", "Village", length(1, 30), placeOf(PlaceVillage))
	f.Required = required
	return f
}

// placeOf makes a field a township or village field (Field.Place).
func placeOf(level int) fieldOpt {
	return func(f *Field) {
		f.Place = level
		key, label := f.Key, f.Label
		f.Check = func(v Value, _ Record) *Text {
			s, _ := v.AsText()
			return checkPlaceValue(&Field{Key: key, Label: label, Place: level}, s)
		}
		f.Warn = func(v Value, r Record) *Text {
			return placeWarning(&Field{Key: key, Label: label, Place: level}, v, r)
		}
	}
}

// optionalField is f without its requirement.
func optionalField(f Field) Field {
	f.Required = false
	return f
}
func locationField(zh, en string) Field { return fld(FieldLocation, KindGPS, zh, en, req) }
func remarksField() Field {
	return fld(FieldRemarks, KindLongText, "备注", "Remarks", length(0, 500))
}
func photosField(key, zh, en string, min int, opts ...fieldOpt) Field {
	return fld(key, KindPhotos, zh, en, append([]fieldOpt{minItems(min), length(min, 50)}, opts...)...)
}

// Record predicates for conditional rules.

func text(r Record, key string) string { s, _ := r.Get(key).AsText(); return s }
func flag(r Record, key string) bool   { b, _ := r.Get(key).AsBool(); return b }
func num(r Record, key string) (float64, bool) {
	x, err := r.Get(key).AsDecimal()
	return x, err == nil
}
func is(key string, values ...string) func(Record) bool {
	return func(r Record) bool { return slices.Contains(values, text(r, key)) }
}
func isTrue(key string) func(Record) bool       { return func(r Record) bool { return flag(r, key) } }
func statusIn(keys ...string) func(Record) bool { return is(FieldStatus, keys...) }
func either(fns ...func(Record) bool) func(Record) bool {
	return func(r Record) bool {
		for _, fn := range fns {
			if fn(r) {
				return true
			}
		}
		return false
	}
}

// Lifecycle helpers.

var (
	enterRoles  = []Role{RoleGrid, RoleCounty, RoleProvince}
	reviewRoles = []Role{RoleCounty, RoleProvince}
)

func st(key, zh, en string) Status { return Status{Key: key, Label: Text{ZH: zh, EN: en}} }
func final(key, zh, en string) Status {
	return Status{Key: key, Label: Text{ZH: zh, EN: en}, Final: true}
}

// tr is a transition any data-entering role may make.
func tr(from, to, zh, en string) Transition {
	return Transition{From: from, To: to, Roles: enterRoles, Label: Text{ZH: zh, EN: en}}
}

// rv is a review transition (county and province).
func rv(from, to, zh, en string) Transition {
	return Transition{From: from, To: to, Roles: reviewRoles, Label: Text{ZH: zh, EN: en}}
}

// ret is a review transition that needs a comment (退回).
func ret(from, to, zh, en string) Transition {
	t := rv(from, to, zh, en)
	t.Comment = true
	return t
}

// reopen lets grid staff send a record in the approved status (not a
// final one) back to the submitted status after editing it, so that the
// edit is reviewed again; review.Edit makes this move in the same op as a
// grid edit of an approved record. Reviewers edit approved records without
// reopening them, so the move is grid staff's only.
func reopen(approved, submitted string) Transition {
	return Transition{From: approved, To: submitted, Roles: []Role{RoleGrid},
		Label: Text{ZH: "修改后重新提交", EN: "Resubmit after edit"}}
}

// voidFrom lets reviewers void records in any of the given statuses.
func voidFrom(to string, from ...string) []Transition {
	out := make([]Transition, 0, len(from))
	for _, f := range from {
		t := rv(f, to, "作废", "Void")
		t.Comment = true
		out = append(out, t)
	}
	return out
}

// Cross-field rule helpers.

// orderCheck requires a ≤ b (or a < b when strict) for two date-like text
// fields of the same kind when both are present.
func orderCheck(a, b string, strict bool, zh, en string) func(Record) []FieldError {
	return func(r Record) []FieldError {
		x, y := text(r, a), text(r, b)
		if x == "" || y == "" {
			return nil
		}
		tx, ex := parseAny(x)
		ty, ey := parseAny(y)
		if ex != nil || ey != nil {
			return nil
		}
		if ty.Before(tx) || strict && ty.Equal(tx) {
			return []FieldError{{Field: b, Msg: Text{ZH: zh, EN: en}}}
		}
		return nil
	}
}

// parseAny parses a date, month or datetime value's text.
func parseAny(s string) (time.Time, error) {
	for _, l := range []string{LayoutDateTime, LayoutDate, LayoutMonth} {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, valueError("not a date")
}

// notFuture rejects a date or datetime after r.Now (skipped when Now is
// zero). A date is in the future when it starts after Now's day in Beijing.
func notFuture(key, zh, en string) func(Record) []FieldError {
	return func(r Record) []FieldError {
		s := text(r, key)
		if s == "" || r.Now.IsZero() {
			return nil
		}
		t, err := parseAny(s)
		if err != nil {
			return nil
		}
		now := r.Now.In(Beijing)
		limit := now.Add(5 * time.Minute) // tolerate small clock skew
		if len(s) == len(LayoutDate) {
			limit = time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, time.UTC)
		}
		if t.After(limit) {
			return []FieldError{{Field: key, Msg: msg("%s不能晚于当前时间", "%s cannot be in the future", zh, en)}}
		}
		return nil
	}
}

func checks(fns ...func(Record) []FieldError) []func(Record) []FieldError { return fns }
