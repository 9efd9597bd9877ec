package model

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ParseInput turns what a user typed into a form field into a canonical
// Value, checked as ValidateValue would (kind, options, range, length,
// Check). Empty input gives Null. Accepted forms:
//   - numbers with full-width digits, optionally followed by the field's
//     unit; enums by key or by label (zh or en);
//   - lists separated by commas, 、, semicolons or new lines;
//   - booleans 是/否, 有/无, yes/no, true/false, 1/0;
//   - dates YYYY-MM-DD (also / or . separated, unpadded), months YYYY-MM,
//     datetimes "YYYY-MM-DD HH:MM" (Beijing time; an explicit offset is
//     converted);
//   - GPS "lat,lon" or "lat,lon,acc", or degrees-minutes-seconds such as
//     39°54'20"N 116°14'37.289"E (or 度分秒); GPS lists one point a line.
func ParseInput(f *Field, s string) (Value, *FieldError) {
	s = strings.TrimSpace(normalizeWidth(s))
	if s == "" {
		return Null, nil
	}
	bad := func(zh, en string) (Value, *FieldError) {
		return Null, ferr(f.Key, msg("%s: "+zh, "%s: "+en, f.Label.ZH, f.Label.EN))
	}
	var v Value
	switch f.Kind {
	case KindText, KindLongText, KindRef:
		v = Str(s)
	case KindCounty:
		v = Str(s)
		if g := DefaultGazetteer(); g != nil {
			if _, ok := g.County(s); !ok {
				for _, c := range g.counties {
					if c.Name == s {
						v = Str(c.Code)
						break
					}
				}
			}
		}
	case KindInteger:
		s = trimUnit(f, s)
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			return bad("应为整数", "must be an integer")
		}
		v = Int(n)
	case KindDecimal:
		s = trimUnit(f, s)
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return bad("应为数字", "must be a number")
		}
		v = Decimal(x)
	case KindEnum:
		k, ok := optionKey(f, s)
		if !ok {
			return bad("没有这个选项", "is not one of the options")
		}
		v = Str(k)
	case KindMultiEnum:
		picked := map[string]bool{}
		for _, item := range splitList(s) {
			k, ok := optionKey(f, item)
			if !ok {
				return Null, ferr(f.Key, msg("%s没有选项 %s", "%s has no option %s", f.Label.ZH, item, f.Label.EN, item))
			}
			picked[k] = true
		}
		var keys []string
		for _, o := range f.Options {
			if picked[o.Key] {
				keys = append(keys, o.Key)
			}
		}
		v = List(keys...)
	case KindTextList, KindRefList:
		v = List(splitList(s)...)
	case KindPhotos:
		items := splitList(s)
		for i := range items {
			items[i] = strings.ToLower(items[i])
		}
		v = List(items...)
	case KindBool:
		b, ok := parseBool(s)
		if !ok {
			return bad("应为是或否", "must be yes or no")
		}
		v = Bool(b)
	case KindDate:
		t, ok := parseDate(s)
		if !ok {
			return bad("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD")
		}
		v = Str(t.Format(LayoutDate))
	case KindMonth:
		t, err := time.Parse("2006-1", strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "").Replace(s))
		if err != nil {
			return bad("应为月份 YYYY-MM", "must be a month YYYY-MM")
		}
		v = Str(t.Format(LayoutMonth))
	case KindDateTime:
		t, ok := parseDateTime(s)
		if !ok {
			return bad("应为时间 YYYY-MM-DD HH:MM", "must be a time YYYY-MM-DD HH:MM")
		}
		v = DateTimeValue(t)
	case KindGPS:
		p, ok := ParsePoint(s)
		if !ok {
			return bad("应为“纬度,经度”或度分秒", `must be "lat,lon" or degrees-minutes-seconds`)
		}
		v = GPS(p)
	case KindGPSList:
		var ps []Point
		for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ';' || r == '；' }) {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			p, ok := ParsePoint(line)
			if !ok {
				return bad("每行应为“纬度,经度”", `each line must be "lat,lon"`)
			}
			ps = append(ps, p)
		}
		v = GPSList(ps...)
	default:
		return bad("未知类型", "unknown kind")
	}
	if e := checkValue(f, v); e != nil {
		return Null, e
	}
	if f.Check != nil {
		if t := f.Check(v, Record{}); t != nil {
			return Null, ferr(f.Key, *t)
		}
	}
	return v, nil
}

// trimUnit drops the field's unit typed after a number ("12.5 吨").
func trimUnit(f *Field, s string) string {
	for _, u := range []string{f.Unit.ZH, f.Unit.EN} {
		if u != "" && strings.HasSuffix(s, u) {
			return strings.TrimSpace(strings.TrimSuffix(s, u))
		}
	}
	return s
}

// normalizeWidth turns full-width digits, letters and punctuation into
// their ASCII forms.
func normalizeWidth(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～' && r != '，' && r != '；':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// splitList splits on commas, 、, semicolons and new lines, dropping empty
// items.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r'
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func optionKey(f *Field, s string) (string, bool) {
	for _, o := range f.Options {
		if o.Key == s || o.Label.ZH == s || strings.EqualFold(o.Label.EN, s) {
			return o.Key, true
		}
	}
	return "", false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "是", "有", "对", "yes", "y", "true", "t", "1", "√":
		return true, true
	case "否", "无", "不", "no", "n", "false", "f", "0", "×":
		return false, true
	}
	return false, false
}

func parseDate(s string) (time.Time, bool) {
	s = strings.NewReplacer("/", "-", ".", "-", "年", "-", "月", "-", "日", "").Replace(s)
	t, err := time.Parse("2006-1-2", s)
	return t, err == nil
}

func parseDateTime(s string) (time.Time, bool) {
	s = strings.Replace(s, "T", " ", 1)
	for _, layout := range []string{"2006-01-02 15:04Z07:00", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.In(Beijing), true
		}
	}
	date, clock, ok := strings.Cut(s, " ")
	if !ok {
		return time.Time{}, false
	}
	d, ok := parseDate(date)
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range []string{"15:04", "15:04:05"} {
		if c, err := time.Parse(layout, strings.TrimSpace(clock)); err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, Beijing), true
		}
	}
	return time.Time{}, false
}

// ParsePoint reads "lat,lon", "lat,lon,acc" (comma or space separated) or
// two degrees-minutes-seconds coordinates with hemisphere letters (N/S,
// E/W), in either order.
func ParsePoint(s string) (Point, bool) {
	s = strings.TrimSpace(normalizeWidth(s))
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' })
	if len(parts) == 1 {
		parts = strings.Fields(s)
	}
	if len(parts) < 2 || len(parts) > 3 {
		return Point{}, false
	}
	var p Point
	var latSet, lonSet bool
	for i, raw := range parts[:2] {
		x, hemi, ok := parseCoord(strings.TrimSpace(raw))
		if !ok {
			return Point{}, false
		}
		switch {
		case hemi == 'N' || hemi == 'S':
			if latSet {
				return Point{}, false
			}
			p.Lat, latSet = x, true
		case hemi == 'E' || hemi == 'W':
			if lonSet {
				return Point{}, false
			}
			p.Lon, lonSet = x, true
		case i == 0 && !latSet:
			p.Lat, latSet = x, true
		default:
			if lonSet {
				p.Lat, latSet = x, true
			} else {
				p.Lon, lonSet = x, true
			}
		}
	}
	if !latSet || !lonSet || math.Abs(p.Lat) > 90 || math.Abs(p.Lon) > 180 {
		return Point{}, false
	}
	if len(parts) == 3 {
		acc, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(parts[2]), "m"), 64)
		if err != nil || acc < 0 {
			return Point{}, false
		}
		p.Acc = acc
	}
	return p, true
}

// parseCoord reads a decimal or DMS coordinate; hemi is N, S, E, W or 0.
func parseCoord(s string) (float64, byte, bool) {
	var hemi byte
	if s == "" {
		return 0, 0, false
	}
	switch c := s[len(s)-1]; c {
	case 'N', 'S', 'E', 'W', 'n', 's', 'e', 'w':
		hemi = c &^ 0x20
		s = strings.TrimSpace(s[:len(s)-1])
	}
	if hemi == 0 {
		for _, pre := range []string{"北纬", "南纬", "东经", "西经"} {
			if strings.HasPrefix(s, pre) {
				hemi = map[string]byte{"北纬": 'N', "南纬": 'S', "东经": 'E', "西经": 'W'}[pre]
				s = strings.TrimSpace(strings.TrimPrefix(s, pre))
			}
		}
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		if hemi == 'S' || hemi == 'W' {
			x = -x
		}
		return x, hemi, !math.IsNaN(x) && !math.IsInf(x, 0)
	}
	// Degrees, minutes, seconds: split on any non-numeric rune.
	nums := strings.FieldsFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
	if len(nums) == 0 || len(nums) > 3 {
		return 0, 0, false
	}
	var x float64
	div := 1.0
	for i, n := range nums {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || i > 0 && f >= 60 {
			return 0, 0, false
		}
		x += f / div
		div *= 60
	}
	if hemi == 'S' || hemi == 'W' {
		x = -x
	}
	return x, hemi, true
}

// Display renders v as the user reads it in lang: option labels, numbers
// with units, 是/否 (Yes/No), "lat, lon (±acc m)", counts of photos and
// points, county names (when a gazetteer is installed).
func Display(f *Field, v Value, lang string) string {
	if v.IsNull() {
		return ""
	}
	en := len(lang) >= 2 && lang[:2] == "en"
	sep := "、"
	if en {
		sep = ", "
	}
	withUnit := func(s string) string {
		if u := f.Unit.In(lang); u != "" {
			return s + " " + u
		}
		return s
	}
	if f.Place != 0 {
		s, _ := v.AsText()
		return PlaceName(s)
	}
	switch f.Kind {
	case KindText, KindLongText, KindRef, KindDate, KindMonth:
		s, _ := v.AsText()
		return s
	case KindDateTime:
		s, _ := v.AsText()
		if t, err := time.Parse(LayoutDateTime, s); err == nil {
			return t.In(Beijing).Format("2006-01-02 15:04")
		}
		return s
	case KindInteger, KindDecimal:
		return withUnit(string(v))
	case KindEnum:
		s, _ := v.AsText()
		return optionLabel(f, s, lang)
	case KindMultiEnum:
		l, _ := v.AsList()
		labels := make([]string, len(l))
		for i, k := range l {
			labels[i] = optionLabel(f, k, lang)
		}
		return strings.Join(labels, sep)
	case KindTextList, KindRefList:
		l, _ := v.AsList()
		return strings.Join(l, sep)
	case KindBool:
		b, err := v.AsBool()
		switch {
		case err != nil:
			return string(v)
		case b && en:
			return "Yes"
		case b:
			return "是"
		case en:
			return "No"
		}
		return "否"
	case KindGPS:
		p, err := v.AsPoint()
		if err != nil {
			return string(v)
		}
		s := strconv.FormatFloat(p.Lat, 'f', 6, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', 6, 64)
		if p.Acc > 0 {
			s += " (±" + strconv.FormatFloat(p.Acc, 'f', -1, 64) + " m)"
		}
		return s
	case KindGPSList:
		ps, _ := v.AsPoints()
		return msg("%d 个点", "%d points", len(ps), len(ps)).In(lang)
	case KindPhotos:
		l, _ := v.AsList()
		return msg("%d 张照片", "%d photos", len(l), len(l)).In(lang)
	case KindCounty:
		s, _ := v.AsText()
		if g := DefaultGazetteer(); g != nil {
			if c, ok := g.County(s); ok {
				return c.Name
			}
		}
		return s
	}
	return string(v)
}

func optionLabel(f *Field, key, lang string) string {
	i := slices.IndexFunc(f.Options, func(o Option) bool { return o.Key == key })
	if i < 0 {
		return key
	}
	return f.Options[i].Label.In(lang)
}
