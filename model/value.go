package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Value is one field's value in canonical form: compact JSON as produced by
// the constructors below (a JSON string, number, boolean, array or object).
// Canonical values compare equal exactly when they hold the same value, so a
// Value can be hashed, signed and compared with ==. The empty Value means
// "no value" (the field was cleared or never set).
type Value string

// Null is the empty value: the field holds nothing.
const Null Value = ""

// IsNull reports whether v holds no value.
func (v Value) IsNull() bool { return v == Null || v == "null" }

// Str returns a Value holding the string s.
func Str(s string) Value { return mustJSON(s) }

// Int returns a Value holding the integer n.
func Int(n int64) Value { return Value(strconv.FormatInt(n, 10)) }

// Decimal returns a Value holding f with the shortest exact representation.
func Decimal(f float64) Value { return Value(strconv.FormatFloat(f, 'f', -1, 64)) }

// Bool returns a Value holding b.
func Bool(b bool) Value {
	if b {
		return "true"
	}
	return "false"
}

// List returns a Value holding the strings in order (text lists, multi-enum
// keys, photo hashes, record references).
func List(items ...string) Value {
	if items == nil {
		items = []string{}
	}
	return mustJSON(items)
}

// Point is a WGS-84 position in decimal degrees with an optional fix
// accuracy in metres (0 when unknown).
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	Acc float64 `json:"acc,omitempty"`
}

// GPS returns a Value holding p, rounded to 6 decimals (about 0.1 m).
func GPS(p Point) Value {
	p.Lat = round6(p.Lat)
	p.Lon = round6(p.Lon)
	p.Acc = float64(int64(p.Acc*10+0.5)) / 10
	return mustJSON(p)
}

// GPSList returns a Value holding a list of points (a track, or finding
// locations).
func GPSList(ps ...Point) Value {
	out := make([]Point, len(ps))
	for i, p := range ps {
		out[i] = Point{Lat: round6(p.Lat), Lon: round6(p.Lon), Acc: float64(int64(p.Acc*10+0.5)) / 10}
	}
	return mustJSON(out)
}

func round6(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 6, 64), 64)
	return v
}

func mustJSON(x any) Value {
	b, err := json.Marshal(x)
	if err != nil {
		panic(fmt.Sprintf("model: cannot encode %T: %v", x, err))
	}
	return Value(b)
}

// AsText decodes a text, enum, date or datetime value.
func (v Value) AsText() (string, error) {
	if v.IsNull() {
		return "", nil
	}
	if s, ok := plainJSONString(string(v)); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return "", fmt.Errorf("value %s is not text", truncate(string(v)))
	}
	return s, nil
}

// plainJSONString returns the text of v, a JSON string with no escapes
// and valid UTF-8 (most values), without the JSON decoder: what
// json.Unmarshal gives for it. ok is false for anything else.
func plainJSONString(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	s := v[1 : len(v)-1]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.ValidString(s) {
		return "", false
	}
	return s, true
}

// AsInt decodes an integer value.
func (v Value) AsInt() (int64, error) {
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("value %s is not an integer", truncate(string(v)))
	}
	return n, nil
}

// AsDecimal decodes a decimal or integer value.
func (v Value) AsDecimal() (float64, error) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || strings.ContainsAny(string(v), "\"[{") {
		return 0, fmt.Errorf("value %s is not a number", truncate(string(v)))
	}
	return f, nil
}

// AsBool decodes a boolean value.
func (v Value) AsBool() (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("value %s is not true or false", truncate(string(v)))
}

// AsList decodes a list value.
func (v Value) AsList() ([]string, error) {
	if v.IsNull() {
		return nil, nil
	}
	if l, ok := plainJSONList(string(v)); ok {
		return l, nil
	}
	var l []string
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return nil, fmt.Errorf("value %s is not a list", truncate(string(v)))
	}
	return l, nil
}

// plainJSONList returns the items of v, a JSON array of plain strings
// (plainJSONString) with no spaces, without the JSON decoder: what
// json.Unmarshal gives for it. ok is false for anything else.
func plainJSONList(v string) ([]string, bool) {
	if len(v) < 2 || v[0] != '[' || v[len(v)-1] != ']' {
		return nil, false
	}
	rest := v[1 : len(v)-1]
	l := []string{}
	for rest != "" {
		if rest[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return nil, false
		}
		item, ok := plainJSONString(rest[:end+2])
		if !ok {
			return nil, false
		}
		l = append(l, item)
		rest = rest[end+2:]
		if rest == "" {
			break
		}
		if rest[0] != ',' || len(rest) == 1 {
			return nil, false
		}
		rest = rest[1:]
	}
	return l, true
}

// AsPoint decodes a GPS value.
func (v Value) AsPoint() (Point, error) {
	var p Point
	if err := json.Unmarshal([]byte(v), &p); err != nil || !strings.HasPrefix(string(v), "{") {
		return Point{}, fmt.Errorf("value %s is not a GPS point", truncate(string(v)))
	}
	return p, nil
}

// AsPoints decodes a GPS list value.
func (v Value) AsPoints() ([]Point, error) {
	var ps []Point
	if err := json.Unmarshal([]byte(v), &ps); err != nil {
		return nil, fmt.Errorf("value %s is not a list of GPS points", truncate(string(v)))
	}
	return ps, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
