package firepoint

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lantian-tz/lantian/model"
)

const chineseCSV = `河北省秸秆焚烧遥感监测火点
火点编号,经度,纬度,发现时间,置信度,卫星,县
HB20231015-001,114.512345,38.043210,2023-10-15 13:40,85,NPP-VIIRS,正定县
HB20231015-002,"114°30'00.000""E","38°01'30.000""N",2023/10/15 13:42,高,Terra-MODIS,正定县
HB20231015-003,abc,38.1,2023-10-15 13:44,70,NPP-VIIRS,正定县
HB20231015-004,114.6,38.2,昨天下午,70,NPP-VIIRS,正定县
,114.6,38.2,2023-10-15 13:46,70,NPP-VIIRS,正定县
HB20231015-006,114.7,38.3,2023年10月15日 13时50分,120,FY-3D,正定县
HB20231015-007,114度42分0秒,38度18分0秒,2023-10-15T05:50:00Z,60,FY-3D,正定县
`

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseEncodings(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		enc  Encoding
	}{
		{"utf8", []byte(chineseCSV), UTF8},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, chineseCSV...), UTF8BOM},
		{"gbk", gbk(t, chineseCSV), GBK},
	}
	wantIDs := []string{"HB20231015-001", "HB20231015-002", "HB20231015-007"}
	wantBad := []int{5, 6, 7, 8}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got.Encoding != tt.enc {
				t.Errorf("encoding: got %v; want %v", got.Encoding, tt.enc)
			}
			var ids []string
			for _, p := range got.Points {
				ids = append(ids, p.ID)
			}
			if strings.Join(ids, ",") != strings.Join(wantIDs, ",") {
				t.Errorf("ids: got %v; want %v", ids, wantIDs)
			}
			var lines []int
			for _, b := range got.Bad {
				lines = append(lines, b.Line)
				if b.Reason.ZH == "" || b.Reason.EN == "" {
					t.Errorf("line %d: reason not bilingual: %+v", b.Line, b.Reason)
				}
			}
			if len(lines) != len(wantBad) {
				t.Fatalf("bad lines: got %v; want %v", lines, wantBad)
			}
			for i := range lines {
				if lines[i] != wantBad[i] {
					t.Errorf("bad lines: got %v; want %v", lines, wantBad)
				}
			}
			if len(got.Points) != 3 {
				return
			}
			p := got.Points[1]
			if p.Line != 4 || p.Satellite != "Terra-MODIS" || p.County != "正定县" || p.Confidence != "高" {
				t.Errorf("point 2: got %+v", p)
			}
			if math.Abs(p.Lon-114.5) > 1e-9 || math.Abs(p.Lat-38.025) > 1e-9 {
				t.Errorf("point 2 DMS: got %v,%v; want 114.5,38.025", p.Lon, p.Lat)
			}
			wantT := time.Date(2023, 10, 15, 13, 42, 0, 0, model.Beijing)
			if !p.Detected.Equal(wantT) {
				t.Errorf("point 2 time: got %v; want %v", p.Detected, wantT)
			}
			// 05:50Z is 13:50 Beijing time.
			if got, want := got.Points[2].Detected, time.Date(2023, 10, 15, 13, 50, 0, 0, model.Beijing); !got.Equal(want) {
				t.Errorf("point 7 time: got %v; want %v", got, want)
			}
		})
	}
}

func TestParseEnglishHeaderAndDateColumn(t *testing.T) {
	in := "ID,Longitude (°),Latitude (°),acq_date,acq_time,Confidence,Satellite\r\n" +
		"A1,116.1,39.9,2023-10-16,02:15,n,VIIRS\r\n"
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Points) != 1 || len(got.Bad) != 0 {
		t.Fatalf("got %+v; want one point", got)
	}
	if want := time.Date(2023, 10, 16, 2, 15, 0, 0, model.Beijing); !got.Points[0].Detected.Equal(want) {
		t.Errorf("time: got %v; want %v", got.Points[0].Detected, want)
	}
}

func TestParseFatal(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"no header", "a,b,c\n1,2,3\n"},
		{"missing time column", "火点编号,经度,纬度\n1,116,39\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if !errors.Is(err, ErrNoHeader) {
				t.Errorf("err: got %v; want %v", err, ErrNoHeader)
			}
			if len(got.Points) != 0 {
				t.Errorf("points: got %d; want 0", len(got.Points))
			}
		})
	}
}

func TestParseCoord(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"116.243691", 116.243691, true},
		{`116°14'37.289"E`, 116 + 14.0/60 + 37.289/3600, true},
		{"116°14′37.289″", 116 + 14.0/60 + 37.289/3600, true},
		{"116度14分37.289秒", 116 + 14.0/60 + 37.289/3600, true},
		{"E116°14'37\"", 116 + 14.0/60 + 37.0/3600, true},
		{"116 14 37.289", 116 + 14.0/60 + 37.289/3600, true},
		{"39°30'S", -39.5, true},
		{"东经116度30分", 116.5, true},
		{"116°61'", 0, false},
		{"", 0, false},
		{"abc", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseCoord(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("err: got %v; want ok=%v", err, tt.ok)
			}
			if tt.ok && math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}
