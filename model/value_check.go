package model

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Default length limits for text kinds without MaxLen.
const (
	defaultTextMax     = 200
	defaultLongTextMax = 5000
	defaultListItemMax = 100
	maxGPSAccuracy     = 100000
)

// Canonical layouts of date-like kinds. Datetimes are always in Beijing
// time (+08:00) at minute precision.
const (
	LayoutDate     = "2006-01-02"
	LayoutMonth    = "2006-01"
	LayoutDateTime = "2006-01-02T15:04-07:00"
)

// ValidateValue checks that key is a field of this register (or a reserved
// field) and that v is well-formed for its kind: type, enum key, range,
// text length, list size limit, date format, GPS box, photo hash format,
// and the field's Check. The empty value (a cleared field) is always
// well-formed here; required fields and minimum list sizes are record rules
// checked by Validate. It is what applying a remote op needs.
func (s *Schema) ValidateValue(key string, v Value) *FieldError {
	f, ok := s.FieldOrReserved(key)
	if !ok {
		return ferr(key, msgUnknownField(key))
	}
	if v.IsNull() {
		return nil
	}
	if e := checkValue(f, v); e != nil {
		return e
	}
	if f.Check != nil {
		if t := f.Check(v, Record{Register: s.Name}); t != nil {
			return ferr(key, *t)
		}
	}
	return nil
}

// checkValue checks v against f's kind and limits (not Check).
func checkValue(f *Field, v Value) *FieldError {
	k := f.Key
	label := f.Label
	switch f.Kind {
	case KindText, KindLongText:
		s, err := v.AsText()
		if err != nil {
			return ferr(k, msg("%s应为文本", "%s must be text", label.ZH, label.EN))
		}
		if f.Kind == KindText && strings.ContainsAny(s, "\r\n") {
			return ferr(k, msg("%s不能换行", "%s must be a single line", label.ZH, label.EN))
		}
		return checkLen(f, utf8.RuneCountInString(s), true)
	case KindInteger:
		n, err := v.AsInt()
		if err != nil {
			return ferr(k, msg("%s应为整数", "%s must be an integer", label.ZH, label.EN))
		}
		return checkRange(f, float64(n))
	case KindDecimal:
		x, err := v.AsDecimal()
		if err != nil {
			return ferr(k, msg("%s应为数字", "%s must be a number", label.ZH, label.EN))
		}
		return checkRange(f, x)
	case KindEnum:
		s, err := v.AsText()
		if err != nil {
			return ferr(k, msg("%s应为选项", "%s must be one of its options", label.ZH, label.EN))
		}
		if !hasOption(f, s) {
			return ferr(k, msg("%s没有选项 %s", "%s has no option %s", label.ZH, s, label.EN, s))
		}
	case KindMultiEnum:
		l, err := v.AsList()
		if err != nil {
			return ferr(k, msg("%s应为选项列表", "%s must be a list of options", label.ZH, label.EN))
		}
		seen := map[string]bool{}
		for _, s := range l {
			if !hasOption(f, s) {
				return ferr(k, msg("%s没有选项 %s", "%s has no option %s", label.ZH, s, label.EN, s))
			}
			if seen[s] {
				return ferr(k, msg("%s选项重复: %s", "%s repeats option %s", label.ZH, s, label.EN, s))
			}
			seen[s] = true
		}
		return checkLen(f, len(l), false)
	case KindDate, KindMonth, KindDateTime:
		s, err := v.AsText()
		layout := map[Kind]string{KindDate: LayoutDate, KindMonth: LayoutMonth, KindDateTime: LayoutDateTime}[f.Kind]
		if err == nil {
			var t time.Time
			t, err = time.Parse(layout, s)
			if err == nil && f.Kind == KindDateTime && !strings.HasSuffix(s, "+08:00") {
				err = errNotShanghai
			}
			if err == nil && t.Format(layout) != s {
				err = errNotShanghai
			}
		}
		if err != nil {
			switch f.Kind {
			case KindDate:
				return ferr(k, msg("%s应为日期 YYYY-MM-DD", "%s must be a date YYYY-MM-DD", label.ZH, label.EN))
			case KindMonth:
				return ferr(k, msg("%s应为月份 YYYY-MM", "%s must be a month YYYY-MM", label.ZH, label.EN))
			default:
				return ferr(k, msg("%s应为北京时间 YYYY-MM-DDTHH:MM+08:00", "%s must be a time YYYY-MM-DDTHH:MM+08:00", label.ZH, label.EN))
			}
		}
	case KindBool:
		if _, err := v.AsBool(); err != nil {
			return ferr(k, msg("%s应为是或否", "%s must be yes or no", label.ZH, label.EN))
		}
	case KindGPS:
		p, err := v.AsPoint()
		if err != nil {
			return ferr(k, msg("%s应为经纬度", "%s must be a GPS position", label.ZH, label.EN))
		}
		return checkPoint(f, p)
	case KindGPSList:
		ps, err := v.AsPoints()
		if err != nil {
			return ferr(k, msg("%s应为经纬度列表", "%s must be a list of GPS positions", label.ZH, label.EN))
		}
		for _, p := range ps {
			if e := checkPoint(f, p); e != nil {
				return e
			}
		}
		return checkLen(f, len(ps), false)
	case KindPhotos:
		l, err := v.AsList()
		if err != nil {
			return ferr(k, msg("%s应为照片列表", "%s must be a list of photos", label.ZH, label.EN))
		}
		seen := map[string]bool{}
		for _, h := range l {
			if !ValidBlobHash(h) {
				return ferr(k, msg("%s: 照片编号 %s 不是 SHA-256", "%s: photo id %s is not a SHA-256 hash", label.ZH, truncate(h), label.EN, truncate(h)))
			}
			if seen[h] {
				return ferr(k, msg("%s: 照片重复", "%s: duplicate photo", label.ZH, label.EN))
			}
			seen[h] = true
		}
		return checkLen(f, len(l), false)
	case KindRef, KindRefList:
		var ids []string
		if f.Kind == KindRef {
			s, err := v.AsText()
			if err != nil {
				return ferr(k, msg("%s应为记录编号", "%s must be a record id", label.ZH, label.EN))
			}
			ids = []string{s}
		} else {
			l, err := v.AsList()
			if err != nil {
				return ferr(k, msg("%s应为记录编号列表", "%s must be a list of record ids", label.ZH, label.EN))
			}
			ids = l
		}
		for _, id := range ids {
			if !ValidRecordID(id) {
				return ferr(k, msg("%s: 记录编号 %s 格式不对", "%s: record id %s is malformed", label.ZH, truncate(id), label.EN, truncate(id)))
			}
		}
		return checkLen(f, len(ids), false)
	case KindTextList:
		l, err := v.AsList()
		if err != nil {
			return ferr(k, msg("%s应为文本列表", "%s must be a list of texts", label.ZH, label.EN))
		}
		for _, s := range l {
			n := utf8.RuneCountInString(strings.TrimSpace(s))
			if n == 0 || n > defaultListItemMax || strings.ContainsAny(s, "\r\n") {
				return ferr(k, msg("%s: 每项应为 1–%d 字的一行", "%s: each item must be one line of 1–%d characters", label.ZH, defaultListItemMax, label.EN, defaultListItemMax))
			}
		}
		return checkLen(f, len(l), false)
	case KindCounty:
		s, err := v.AsText()
		if err != nil || !validCountyCode(s) {
			return ferr(k, msg("%s: 不在范围内的县级行政区", "%s: not a county in scope", label.ZH, label.EN))
		}
	default:
		return ferr(k, msg("%s: 未知类型 %s", "%s: unknown kind %s", label.ZH, f.Kind, label.EN, f.Kind))
	}
	return nil
}

type valueError string

func (e valueError) Error() string { return string(e) }

const errNotShanghai = valueError("not canonical")

func hasOption(f *Field, key string) bool {
	for _, o := range f.Options {
		if o.Key == key {
			return true
		}
	}
	return false
}

// checkLen checks a text length (text=true: MinLen and MaxLen, with the
// kind's default maximum) or a list size (MaxLen only; MinLen is a record
// rule).
func checkLen(f *Field, n int, text bool) *FieldError {
	max := f.MaxLen
	if text {
		if max == 0 {
			max = defaultTextMax
			if f.Kind == KindLongText {
				max = defaultLongTextMax
			}
		}
		if n < f.MinLen || n > max {
			if f.MinLen > 0 {
				return ferr(f.Key, msg("%s应为 %d–%d 个字", "%s must have %d–%d characters", f.Label.ZH, f.MinLen, max, f.Label.EN, f.MinLen, max))
			}
			return ferr(f.Key, msg("%s最多 %d 个字", "%s must have at most %d characters", f.Label.ZH, max, f.Label.EN, max))
		}
		return nil
	}
	if max > 0 && n > max {
		return ferr(f.Key, msg("%s最多 %d 项", "%s must have at most %d items", f.Label.ZH, max, f.Label.EN, max))
	}
	return nil
}

func checkRange(f *Field, x float64) *FieldError {
	if x != x || x > 1e15 || x < -1e15 {
		return ferr(f.Key, msg("%s数值无效", "%s is not a valid number", f.Label.ZH, f.Label.EN))
	}
	if f.Min != nil && x < *f.Min || f.Max != nil && x > *f.Max {
		switch {
		case f.Min != nil && f.Max != nil:
			return ferr(f.Key, msg("%s应在 %v–%v 之间", "%s must be between %v and %v", f.Label.ZH, *f.Min, *f.Max, f.Label.EN, *f.Min, *f.Max))
		case f.Min != nil:
			return ferr(f.Key, msg("%s应不小于 %v", "%s must be at least %v", f.Label.ZH, *f.Min, f.Label.EN, *f.Min))
		default:
			return ferr(f.Key, msg("%s应不大于 %v", "%s must be at most %v", f.Label.ZH, *f.Max, f.Label.EN, *f.Max))
		}
	}
	return nil
}

func checkPoint(f *Field, p Point) *FieldError {
	if !InScopeBox(p) {
		return ferr(f.Key, msg("%s超出范围（北纬32.5–41.5°，东经105.5–120.5°），是否填反或为火星坐标？",
			"%s is outside the scope box (32.5–41.5°N, 105.5–120.5°E); swapped, or not WGS-84?", f.Label.ZH, f.Label.EN))
	}
	if p.Acc < 0 || p.Acc > maxGPSAccuracy {
		return ferr(f.Key, msg("%s精度无效", "%s has an invalid accuracy", f.Label.ZH, f.Label.EN))
	}
	return nil
}

// ValidBlobHash reports whether s is a photo blob id: 64 lower-case hex
// digits (SHA-256).
func ValidBlobHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ValidRecordID reports whether s has the shape of a record id: a UUID in
// canonical lower-case 8-4-4-4-12 form.
func ValidRecordID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validCountyCode checks a county code against the installed gazetteer, or
// its shape when none is installed.
func validCountyCode(s string) bool {
	if g := DefaultGazetteer(); g != nil {
		_, ok := g.County(s)
		return ok
	}
	if len(s) != 6 {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
