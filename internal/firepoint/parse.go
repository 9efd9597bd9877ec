package firepoint

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lantian-tz/lantian/model"
)

// MaxFileSize is the largest CSV file Parse reads (a day's fire points for
// a province are a few hundred rows).
const MaxFileSize = 32 << 20

// ErrNoHeader is returned when the file has no header row naming at least
// the id, longitude, latitude and detection time columns.
var ErrNoHeader = errors.New("firepoint: no header with the columns 火点编号, 经度, 纬度 and 发现时间 / no header naming id, longitude, latitude and time")

// Point is one fire point as read from a file.
type Point struct {
	Line       int // line of the file it came from (header is line 1)
	ID         string
	Lon, Lat   float64
	Detected   time.Time
	Confidence string // as written: a percentage or a class (高/中/低, h/n/l)
	Satellite  string
	County     string // county name or code, as written; "" when absent
	Township   string // township name as written; "" when absent
	Village    string // village name as written; "" when absent
}

// Location returns the point as a model.Point.
func (p Point) Location() model.Point { return model.Point{Lat: p.Lat, Lon: p.Lon} }

// RowError is a row that could not be read; the rest of the file is
// imported.
type RowError struct {
	Line   int
	Reason model.Text
}

// Error renders the error in both languages.
func (e RowError) Error() string {
	return fmt.Sprintf("第 %d 行：%s / line %d: %s", e.Line, e.Reason.ZH, e.Line, e.Reason.EN)
}

// Parsed is the content of a fire-point file.
type Parsed struct {
	Encoding Encoding
	Points   []Point
	Bad      []RowError
}

// column identifies a column of the file.
type column int

const (
	colID column = iota
	colLon
	colLat
	colTime
	colDate
	colConfidence
	colSatellite
	colCounty
	colTownship
	colVillage
	numColumns
)

// aliases maps normalised header names to columns. Names are compared
// after normalize (lower case, no spaces, no unit in brackets).
var aliases = map[string]column{
	"id": colID, "fireid": colID, "fire_id": colID, "source_fire_id": colID, "火点编号": colID, "火点id": colID, "编号": colID, "火点号": colID,
	"longitude": colLon, "lon": colLon, "lng": colLon, "经度": colLon, "中心经度": colLon, "火点经度": colLon,
	"latitude": colLat, "lat": colLat, "纬度": colLat, "中心纬度": colLat, "火点纬度": colLat,
	"time": colTime, "datetime": colTime, "detected_at": colTime, "detection_time": colTime, "过境时间": colTime,
	"发现时间": colTime, "卫星过境时间": colTime, "监测时间": colTime, "acq_time": colTime,
	"date": colDate, "过境日期": colDate, "卫星过境日期": colDate, "日期": colDate, "发现日期": colDate, "acq_date": colDate,
	"confidence": colConfidence, "置信度": colConfidence, "可信度": colConfidence,
	"satellite": colSatellite, "sensor": colSatellite, "卫星": colSatellite, "传感器": colSatellite, "卫星/传感器": colSatellite, "卫星名称": colSatellite,
	"county": colCounty, "县": colCounty, "县区": colCounty, "区县": colCounty, "县（区）": colCounty, "所属县": colCounty, "县(区)": colCounty, "县名": colCounty,
	"township": colTownship, "乡镇": colTownship, "乡镇（街道）": colTownship, "乡镇(街道)": colTownship, "所属乡镇": colTownship,
	"village": colVillage, "行政村": colVillage, "村": colVillage, "村庄": colVillage, "所属村": colVillage, "行政村（社区）": colVillage, "行政村(社区)": colVillage,
}

// normalize prepares a header cell for lookup in aliases: trimmed, lower
// case, spaces removed, and a trailing unit in brackets dropped
// ("经度（°）" → "经度"), unless the whole name is that bracket.
func normalize(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = strings.ToLower(strings.Join(strings.Fields(h), ""))
	if _, ok := aliases[h]; ok {
		return h
	}
	for _, open := range []string{"（", "("} {
		if i := strings.Index(h, open); i > 0 {
			return h[:i]
		}
	}
	return h
}

// Parse reads a fire-point CSV file: it detects the encoding, finds the
// header row (the first row naming the required columns; title rows above
// it are skipped) and reads every row after it. A row that cannot be read
// is reported in Bad with its line number and the rest are returned. The
// error is non-nil only for a file that cannot be read at all, and then
// nothing is returned.
func Parse(r io.Reader) (Parsed, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return Parsed{}, fmt.Errorf("firepoint: read: %w", err)
	}
	if len(data) > MaxFileSize {
		return Parsed{}, fmt.Errorf("firepoint: file larger than %d MB", MaxFileSize>>20)
	}
	text, enc, err := Decode(data)
	if err != nil {
		return Parsed{}, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	out := Parsed{Encoding: enc}
	var cols [numColumns]int
	header := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && header {
				out.Bad = append(out.Bad, RowError{Line: pe.Line, Reason: model.Text{ZH: "CSV 格式错误", EN: "malformed CSV: " + pe.Err.Error()}})
				continue
			}
			return Parsed{}, fmt.Errorf("firepoint: line %d: %w", line, err)
		}
		if !header {
			if c, ok := findColumns(rec); ok {
				cols, header = c, true
			}
			continue
		}
		if blank(rec) {
			continue
		}
		p, reason := readRow(rec, &cols)
		if reason != nil {
			out.Bad = append(out.Bad, RowError{Line: line, Reason: *reason})
			continue
		}
		p.Line = line
		out.Points = append(out.Points, p)
	}
	if !header {
		return Parsed{}, ErrNoHeader
	}
	return out, nil
}

// findColumns maps a candidate header row; ok when it names the required
// columns.
func findColumns(rec []string) (cols [numColumns]int, ok bool) {
	for i := range cols {
		cols[i] = -1
	}
	for i, h := range rec {
		if c, found := aliases[normalize(h)]; found && cols[c] < 0 {
			cols[c] = i
		}
	}
	ok = cols[colID] >= 0 && cols[colLon] >= 0 && cols[colLat] >= 0 && (cols[colTime] >= 0 || cols[colDate] >= 0)
	return cols, ok
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// readRow reads one data row; a non-nil reason says why it is bad.
func readRow(rec []string, cols *[numColumns]int) (Point, *model.Text) {
	p := Point{
		ID:         cell(rec, cols[colID]),
		Confidence: cell(rec, cols[colConfidence]),
		Satellite:  cell(rec, cols[colSatellite]),
		County:     cell(rec, cols[colCounty]),
		Township:   cell(rec, cols[colTownship]),
		Village:    cell(rec, cols[colVillage]),
	}
	if p.ID == "" {
		return p, &model.Text{ZH: "缺少火点编号", EN: "missing fire point id"}
	}
	var err error
	if p.Lon, err = ParseCoord(cell(rec, cols[colLon])); err != nil {
		return p, &model.Text{ZH: "经度无法识别：" + cell(rec, cols[colLon]), EN: "unreadable longitude: " + cell(rec, cols[colLon])}
	}
	if p.Lat, err = ParseCoord(cell(rec, cols[colLat])); err != nil {
		return p, &model.Text{ZH: "纬度无法识别：" + cell(rec, cols[colLat]), EN: "unreadable latitude: " + cell(rec, cols[colLat])}
	}
	if p.Lon < 73 || p.Lon > 136 || p.Lat < 3 || p.Lat > 54 {
		return p, &model.Text{ZH: fmt.Sprintf("坐标 %.6f, %.6f 不在中国境内", p.Lon, p.Lat),
			EN: fmt.Sprintf("coordinates %.6f, %.6f are outside China", p.Lon, p.Lat)}
	}
	raw := cell(rec, cols[colTime])
	if d := cell(rec, cols[colDate]); d != "" && !strings.Contains(raw, d) {
		raw = strings.TrimSpace(d + " " + raw)
	}
	if p.Detected, err = ParseTime(raw); err != nil {
		return p, &model.Text{ZH: "时间无法识别：" + raw, EN: "unreadable time: " + raw}
	}
	if p.Confidence != "" {
		if f, err := strconv.ParseFloat(strings.TrimSuffix(p.Confidence, "%"), 64); err == nil && (f < 0 || f > 100) {
			return p, &model.Text{ZH: "置信度超出 0–100：" + p.Confidence, EN: "confidence outside 0–100: " + p.Confidence}
		}
	}
	return p, nil
}

// timeLayouts are the forms of detection times seen in platform exports,
// tried in order. Times without a zone are Beijing time.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006年1月2日 15:04:05",
	"2006年1月2日 15:04",
	"2006年1月2日15时04分",
	"2006年1月2日 15时04分",
	"2006年1月2日15时",
	"20060102 1504",
	"20060102150405",
	"200601021504",
	"2006-01-02",
	"2006/1/2",
	"2006年1月2日",
}

// ParseTime parses a detection time in the forms of timeLayouts. A time
// without a zone is Beijing time, which the platforms write.
func ParseTime(s string) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, model.Beijing); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("firepoint: unreadable time %q", s)
}
