package model

import (
	"strings"
	"testing"
)

func TestParseInput(t *testing.T) {
	s := kindSchema()
	for _, c := range []struct {
		key, in string
		want    Value
		bad     bool
	}{
		{"text", "  你好 ", Str("你好"), false},
		{"text", "", Null, false},
		{"text", "a", Null, true},
		{"int", "12", Int(12), false},
		{"int", "１２", Int(12), false},
		{"int", "1,2", Int(12), false},
		{"int", "1.5", Null, true},
		{"int", "abc", Null, true},
		{"int", "0", Null, true},
		{"dec", "12.50", Decimal(12.5), false},
		{"dec", "12.5 吨", Decimal(12.5), false},
		{"int", "3台", Int(3), false},
		{"dec", "NaN", Null, true},
		{"dec", "x", Null, true},
		{"enum", "a", Str("a"), false},
		{"enum", "乙", Str("b"), false},
		{"enum", "beta", Str("b"), false},
		{"enum", "丙", Null, true},
		{"multi", "乙，甲", List("a", "b"), false},
		{"multi", "a\nb\na", List("a", "b"), false},
		{"multi", "a、丙", Null, true},
		{"date", "2023-12-31", Str("2023-12-31"), false},
		{"date", "2023/1/5", Str("2023-01-05"), false},
		{"date", "2023年1月5日", Str("2023-01-05"), false},
		{"date", "2023-02-30", Null, true},
		{"date", "yesterday", Null, true},
		{"month", "2023-1", Str("2023-01"), false},
		{"month", "2023-13", Null, true},
		{"dt", "2023-10-01 08:30", Str("2023-10-01T08:30+08:00"), false},
		{"dt", "2023-10-01T00:30Z", Str("2023-10-01T08:30+08:00"), false},
		{"dt", "2023-10-01 8:30", Str("2023-10-01T08:30+08:00"), false},
		{"dt", "2023-10-01 25:00", Null, true},
		{"dt", "2023-10-01 08:30:59", Str("2023-10-01T08:30+08:00"), false},
		{"dt", "2023-10-01", Null, true},
		{"bool", "是", Bool(true), false},
		{"bool", "No", Bool(false), false},
		{"bool", "maybe", Null, true},
		{"gps", "38.042, 114.514", GPS(Point{Lat: 38.042, Lon: 114.514}), false},
		{"gps", "38.042,114.514,12", GPS(Point{Lat: 38.042, Lon: 114.514, Acc: 12}), false},
		{"gps", "38.042 114.514", GPS(Point{Lat: 38.042, Lon: 114.514}), false},
		{"gps", `116°14'37.289"E, 39°54'20"N`, GPS(Point{Lat: 39.905556, Lon: 116.243691}), false},
		{"gps", `北纬39度54分20秒，东经116度14分37.289秒`, GPS(Point{Lat: 39.905556, Lon: 116.243691}), false},
		{"gps", "114.514, 38.042", Null, true}, // swapped: outside the box
		{"gps", "38.042", Null, true},
		{"gps", "38.042,114.514,-3", Null, true},
		{"gpsl", "38,114\n38.1,114.1", GPSList(Point{Lat: 38, Lon: 114}, Point{Lat: 38.1, Lon: 114.1}), false},
		{"gpsl", "38,114\nx", Null, true},
		{"photos", strings.ToUpper(hashA) + "," + hashB, List(hashA, hashB), false},
		{"photos", "abc", Null, true},
		{"texts", "张三、李四", List("张三", "李四"), false},
		{"texts", "a,b,c,d", Null, true},
		{"refs", idA, List(idA), false},
		{"ref", "x", Null, true},
		{"county", "130126", Str("130126"), false},
		{"phone", "13812345678", Str("13812345678"), false},
		{"phone", "1381234", Null, true},
	} {
		t.Run(c.key+" "+c.in, func(t *testing.T) {
			f, _ := s.Field(c.key)
			got, e := ParseInput(f, c.in)
			if c.bad {
				if e == nil {
					t.Fatalf("got %s; want an error", got)
				}
				if e.Msg.ZH == "" || e.Msg.EN == "" || e.Field != c.key {
					t.Errorf("got %+v; want a bilingual error naming %s", e, c.key)
				}
				return
			}
			if e != nil || got != c.want {
				t.Errorf("got %s %v; want %s", got, e, c.want)
			}
		})
	}
}

func TestParseInputCountyName(t *testing.T) {
	SetGazetteer(loadTestGazetteer(t))
	defer SetGazetteer(nil)
	f, _ := kindSchema().Field("county")
	got, e := ParseInput(f, "东城区")
	if e != nil || got != Str("110101") {
		t.Errorf("got %s %v; want \"110101\"", got, e)
	}
	if d := Display(f, got, "zh"); d != "东城区" {
		t.Errorf("Display got %q; want 东城区", d)
	}
}

func TestDisplay(t *testing.T) {
	s := kindSchema()
	for _, c := range []struct {
		key  string
		v    Value
		lang string
		want string
	}{
		{"int", Int(3), "zh", "3 台"},
		{"dec", Decimal(12.5), "en", "12.5 t"},
		{"enum", Str("b"), "zh", "乙"},
		{"enum", Str("b"), "en", "Beta"},
		{"multi", List("a", "b"), "zh", "甲、乙"},
		{"multi", List("a", "b"), "en-GB", "Alpha, Beta"},
		{"bool", Bool(true), "zh-CN", "是"},
		{"bool", Bool(false), "en", "No"},
		{"dt", Str("2023-10-01T08:30+08:00"), "zh", "2023-10-01 08:30"},
		{"gps", GPS(Point{Lat: 38.042, Lon: 114.514, Acc: 5}), "zh", "38.042000, 114.514000 (±5 m)"},
		{"photos", List(hashA, hashB), "zh", "2 张照片"},
		{"photos", List(hashA, hashB), "en", "2 photos"},
		{"texts", List("张三", "李四"), "zh", "张三、李四"},
		{"text", Null, "zh", ""},
	} {
		t.Run(c.key+" "+c.lang, func(t *testing.T) {
			f, _ := s.Field(c.key)
			if got := Display(f, c.v, c.lang); got != c.want {
				t.Errorf("got %q; want %q", got, c.want)
			}
		})
	}
}
