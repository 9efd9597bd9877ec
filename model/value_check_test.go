package model

import (
	"strings"
	"testing"
)

const hashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
const hashB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
const idA = "01890a5d-ac96-774b-bcce-b302099a8057"

// kindSchema has one field of every kind.
func kindSchema() *Schema {
	return &Schema{
		Name: "kinds",
		Fields: []Field{
			fld("text", KindText, "文本", "Text", length(2, 5)),
			fld("long", KindLongText, "长文本", "Long text", length(0, 10)),
			fld("int", KindInteger, "整数", "Integer", rng(1, 500), unit("台", "units")),
			fld("dec", KindDecimal, "小数", "Decimal", rng(0, 5000), unit("吨", "t")),
			fld("enum", KindEnum, "选项", "Option", options(opts("a", "甲", "Alpha", "b", "乙", "Beta"))),
			fld("multi", KindMultiEnum, "多选", "Multi", options(opts("a", "甲", "Alpha", "b", "乙", "Beta"))),
			fld("date", KindDate, "日期", "Date"),
			fld("month", KindMonth, "月份", "Month"),
			fld("dt", KindDateTime, "时间", "Time"),
			fld("bool", KindBool, "是否", "Flag"),
			fld("gps", KindGPS, "位置", "Position"),
			fld("gpsl", KindGPSList, "路线", "Track"),
			photosField("photos", "照片", "Photos", 2),
			fld("ref", KindRef, "引用", "Ref", ref("straw_grid")),
			fld("refs", KindRefList, "引用列表", "Refs", ref("fire_point")),
			fld("texts", KindTextList, "文本列表", "Texts", length(0, 3)),
			fld("county", KindCounty, "县", "County"),
			fld("phone", KindText, "电话", "Phone", phoneCheck),
		},
		Statuses: []Status{st("s1", "一", "One")},
		Initial:  "s1",
	}
}

func TestValidateValue(t *testing.T) {
	s := kindSchema()
	for _, c := range []struct {
		name, key string
		v         Value
		ok        bool
		want      string // part of the English message when !ok
	}{
		{"unknown field", "xyz", Str("x"), false, "unknown field xyz"},
		{"null is fine", "int", Null, true, ""},
		{"reserved status", FieldStatus, Str("s1"), true, ""},
		{"reserved status bad", FieldStatus, Str("s9"), false, "has no option s9"},
		{"reserved deleted", FieldDeleted, Bool(true), true, ""},
		{"reserved reviewed_at", FieldReviewedAt, Str("2023-10-01T08:30+08:00"), true, ""},
		{"text ok", "text", Str("你好"), true, ""},
		{"text short", "text", Str("a"), false, "2–5 characters"},
		{"text long", "text", Str("一二三四五六"), false, "2–5 characters"},
		{"text newline", "text", Str("ab\ncd"), false, "single line"},
		{"text not string", "text", Int(3), false, "must be text"},
		{"long text newline ok", "long", Str("a\nb"), true, ""},
		{"int ok", "int", Int(3), true, ""},
		{"int decimal", "int", Decimal(1.5), false, "must be an integer"},
		{"int string", "int", Str("3"), false, "must be an integer"},
		{"int range", "int", Int(501), false, "between 1 and 500"},
		{"dec ok", "dec", Decimal(12.5), true, ""},
		{"dec int ok", "dec", Int(12), true, ""},
		{"dec string", "dec", Str("12"), false, "must be a number"},
		{"dec range", "dec", Decimal(-1), false, "between 0 and 5000"},
		{"enum ok", "enum", Str("a"), true, ""},
		{"enum label not key", "enum", Str("甲"), false, "has no option 甲"},
		{"multi ok", "multi", List("a", "b"), true, ""},
		{"multi bad", "multi", List("a", "c"), false, "has no option c"},
		{"multi dup", "multi", List("a", "a"), false, "repeats option a"},
		{"date ok", "date", Str("2023-12-31"), true, ""},
		{"date bad day", "date", Str("2023-02-30"), false, "YYYY-MM-DD"},
		{"date unpadded", "date", Str("2023-1-5"), false, "YYYY-MM-DD"},
		{"month ok", "month", Str("2023-11"), true, ""},
		{"month bad", "month", Str("2023-13"), false, "YYYY-MM"},
		{"datetime ok", "dt", Str("2023-10-01T08:30+08:00"), true, ""},
		{"datetime utc", "dt", Str("2023-10-01T08:30+00:00"), false, "+08:00"},
		{"datetime seconds", "dt", Str("2023-10-01T08:30:00+08:00"), false, "+08:00"},
		{"bool ok", "bool", Bool(false), true, ""},
		{"bool string", "bool", Str("true"), false, "yes or no"},
		{"gps ok", "gps", GPS(Point{Lat: 38.04, Lon: 114.5, Acc: 5}), true, ""},
		{"gps swapped", "gps", GPS(Point{Lat: 114.5, Lon: 38.04}), false, "scope box"},
		{"gps shanghai", "gps", GPS(Point{Lat: 31.2, Lon: 121.5}), false, "scope box"},
		{"gps not object", "gps", List("1", "2"), false, "GPS position"},
		{"gps list ok", "gpsl", GPSList(Point{Lat: 38, Lon: 114}, Point{Lat: 38.1, Lon: 114.1}), true, ""},
		{"gps list out", "gpsl", GPSList(Point{Lat: 38, Lon: 114}, Point{Lat: 10, Lon: 114.1}), false, "scope box"},
		{"photos ok", "photos", List(hashA, hashB), true, ""},
		{"photos one is well-formed", "photos", List(hashA), true, ""},
		{"photos bad hash", "photos", List("abc"), false, "SHA-256"},
		{"photos upper hash", "photos", List(strings.ToUpper(hashA)), false, "SHA-256"},
		{"photos dup", "photos", List(hashA, hashA), false, "duplicate"},
		{"ref ok", "ref", Str(idA), true, ""},
		{"ref bad", "ref", Str("x"), false, "malformed"},
		{"refs ok", "refs", List(idA), true, ""},
		{"texts ok", "texts", List("张三", "李四"), true, ""},
		{"texts empty item", "texts", List("张三", " "), false, "each item"},
		{"texts too many", "texts", List("a", "b", "c", "d"), false, "at most 3 items"},
		{"county ok", "county", Str("130126"), true, ""},
		{"county bad", "county", Str("13012"), false, "not a county"},
		{"phone ok", "phone", Str("13812345678"), true, ""},
		{"phone bad", "phone", Str("12345"), false, "phone must be"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := s.ValidateValue(c.key, c.v)
			if c.ok {
				if e != nil {
					t.Errorf("got %v; want nil", e)
				}
				return
			}
			if e == nil {
				t.Fatalf("got nil; want an error containing %q", c.want)
			}
			if e.Field != c.key || e.Msg.ZH == "" || e.Msg.EN == "" || !strings.Contains(e.Msg.EN, c.want) {
				t.Errorf("got %+v; want field %s, both languages, English containing %q", e, c.key, c.want)
			}
		})
	}
}

func TestValidateValueWithGazetteer(t *testing.T) {
	SetGazetteer(loadTestGazetteer(t))
	defer SetGazetteer(nil)
	s := kindSchema()
	for _, c := range []struct {
		code string
		ok   bool
	}{{"130126", true}, {"110101", true}, {"999999", false}, {"130000-XIONGAN", false}} {
		t.Run(c.code, func(t *testing.T) {
			if got := s.ValidateValue("county", Str(c.code)) == nil; got != c.ok {
				t.Errorf("got %v; want %v", got, c.ok)
			}
		})
	}
}

// TestKindCoverage makes sure the kind tests above exercise every kind and
// that every kind used by a register is known.
func TestKindCoverage(t *testing.T) {
	covered := map[Kind]bool{}
	for _, f := range kindSchema().Fields {
		covered[f.Kind] = true
	}
	known := map[Kind]bool{}
	for _, k := range Kinds() {
		known[k] = true
		t.Run(string(k), func(t *testing.T) {
			if !covered[k] {
				t.Errorf("kind %s got no test field; want one", k)
			}
		})
	}
	for _, s := range Registers() {
		for _, f := range s.Fields {
			if !known[f.Kind] {
				t.Errorf("%s.%s got kind %s; want a known kind", s.Name, f.Key, f.Kind)
			}
		}
	}
}
