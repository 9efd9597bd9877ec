package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// memSource serves states as the store does, newest first, in pages.
type memSource struct {
	states []oplog.State
	byID   map[uuid.UUID]int
	match  []oplog.State // the last query's matches
	matchQ string
}

func (m *memSource) List(q store.Query) (store.Page, error) {
	if m.match == nil || m.matchQ != q.Register+"/"+q.County {
		m.match, m.matchQ = nil, q.Register+"/"+q.County
		for i := len(m.states) - 1; i >= 0; i-- { // newest first
			if st := m.states[i]; st.Register == q.Register && st.County == q.County {
				m.match = append(m.match, st)
			}
		}
	}
	match := m.match
	start := 0
	if q.After != "" {
		start, _ = strconv.Atoi(q.After)
	}
	end := min(start+q.Limit, len(match))
	page := store.Page{Records: match[start:end]}
	if end < len(match) {
		page.Next = strconv.Itoa(end)
	}
	return page, nil
}

func (m *memSource) Get(id uuid.UUID) (oplog.State, error) {
	if m.byID == nil {
		m.byID = make(map[uuid.UUID]int, len(m.states))
		for i, st := range m.states {
			m.byID[st.Record] = i
		}
	}
	i, ok := m.byID[id]
	if !ok {
		return oplog.State{}, store.ErrNotFound
	}
	return m.states[i], nil
}

const county = "130126"

var exportTime = time.Date(2023, 12, 2, 9, 30, 0, 0, model.Beijing)

func facility(n int, status string, planned string, fields map[string]model.Value) oplog.State {
	st := oplog.State{Record: uuid.UUID{15: byte(n), 14: byte(n >> 8), 13: byte(n >> 16)}, Register: "farm_coal_facility", County: county,
		Fields: map[string]oplog.FieldState{}, Created: hlc.Make(int64(n), 0), Updated: hlc.Make(int64(n), 0)}
	base := map[string]model.Value{
		"facility_no":       model.Str("130126-NYSM-" + strconv.Itoa(1000+n)),
		"operator_name":     model.Str("张三烤烟房"),
		"operator_type":     model.Str("household"),
		"unit_count":        model.Int(int64(1 + n%3)),
		"annual_coal_t":     model.Decimal(12.5),
		"in_annual_task":    model.Bool(true),
		"use_months":        model.List("7", "8", "9"),
		"planned_date":      model.Str(planned),
		"id_number":         model.Str("130126198001011234"),
		model.FieldLocation: model.GPS(model.Point{Lat: 38.3, Lon: 114.38}),
		model.FieldStatus:   model.Str(status),
	}
	for k, v := range fields {
		base[k] = v
	}
	for k, v := range base {
		st.Fields[k] = oplog.FieldState{Value: v}
	}
	return st
}

func fixtureSource() *memSource {
	return &memSource{states: []oplog.State{
		facility(1, model.FarmCoalAccepted, "2023-10-05", nil),
		facility(2, model.FarmCoalInProgress, "2023-11-20", map[string]model.Value{model.FieldReviewComment: model.Str("补充照片")}),
		facility(3, model.FarmCoalPlanned, "2023-12-25", nil), // outside the range
		facility(4, model.FarmCoalReplaced, "2023-11-30", nil),
	}}
}

func request() Request {
	return Request{Register: "farm_coal_facility", County: county, CountyName: "灵寿县",
		From: time.Date(2023, 10, 1, 0, 0, 0, 0, model.Beijing), To: time.Date(2023, 11, 30, 0, 0, 0, 0, model.Beijing), Now: exportTime}
}

// expected returns the rows the fixture should export, oldest first.
func expected(t *testing.T) ([]Column, [][]Cell) {
	sc, _ := model.Lookup("farm_coal_facility")
	cols := Columns(sc, "zh")
	src := fixtureSource()
	var rows [][]Cell
	for i, n := range []int{0, 1, 3} {
		rows = append(rows, Row(cols, &src.states[n], i+1, "zh", nil))
	}
	return cols, rows
}

func colOf(t *testing.T, cols []Column, key string) int {
	t.Helper()
	for i, c := range cols {
		if c.Key == key {
			return i
		}
	}
	t.Fatalf("no column %s", key)
	return -1
}

func TestXLSXReadBack(t *testing.T) {
	var progress []int
	req := request()
	req.Progress = func(done, total int) { progress = append(progress, done) }
	var buf bytes.Buffer
	n, err := XLSX(context.Background(), fixtureSource(), req, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("records: got %d; want 3", n)
	}
	path := filepath.Join(t.TempDir(), "ledger.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "农业生产散煤设施清单" {
		t.Errorf("sheet: got %q; want 农业生产散煤设施清单", sheet)
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col+1, row)
		v, err := f.GetCellValue(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got, want := cell(0, 1), "灵寿县农业生产散煤设施清单台账"; got != want {
		t.Errorf("title: got %q; want %q", got, want)
	}
	if got, want := cell(0, 2), "县（区）：灵寿县    日期范围：2023-10-01 至 2023-11-30    导出时间：2023-12-02 09:30"; got != want {
		t.Errorf("header block: got %q; want %q", got, want)
	}
	cols, rows := expected(t)
	for i, c := range cols {
		if got := cell(i, headerRow); got != c.Header {
			t.Errorf("header %d: got %q; want %q", i, got, c.Header)
		}
	}
	for r, row := range rows {
		for i, c := range row {
			got := cell(i, headerRow+1+r)
			if got != c.String() {
				t.Errorf("row %d col %s: got %q; want %q", r+1, cols[i].Header, got, c.String())
			}
		}
	}
	if got := cell(0, headerRow+4); got != "" {
		t.Errorf("row after the last record: got %q; want empty", got)
	}
	// Words, units and masking, spelled out.
	spot := []struct {
		key, want string
		row       int
	}{
		{model.FieldStatus, "已验收（销号）", 0},
		{model.FieldStatus, "已替代（待验收）", 2},
		{"operator_type", "农户", 0},
		{"in_annual_task", "是", 0},
		{"use_months", "7月、8月、9月", 0},
		{"annual_coal_t", "12.5", 0},
		{"id_number", "1301**********1234", 0},
		{model.FieldReviewComment, "补充照片", 1},
		{"facility_no", "130126-NYSM-1004", 2},
	}
	for _, sp := range spot {
		if got := cell(colOf(t, cols, sp.key), headerRow+1+sp.row); got != sp.want {
			t.Errorf("%s row %d: got %q; want %q", sp.key, sp.row+1, got, sp.want)
		}
	}
	if got, want := cols[colOf(t, cols, "annual_coal_t")].Header, "年用煤量（吨）"; got != want {
		t.Errorf("header with unit: got %q; want %q", got, want)
	}
	if len(progress) == 0 || progress[len(progress)-1] != 3 {
		t.Errorf("progress: got %v; want to end at 3", progress)
	}
}

func TestCSVReadBack(t *testing.T) {
	var buf bytes.Buffer
	n, err := CSV(context.Background(), fixtureSource(), request(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no byte order mark")
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.FieldsPerRecord = -1
	lines, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols, rows := expected(t)
	// encoding/csv skips the blank line after the header block.
	const headerRow = 3
	if got, want := len(lines), headerRow+n; got != want {
		t.Fatalf("lines: got %d; want %d", got, want)
	}
	if got, want := lines[0][0], "灵寿县农业生产散煤设施清单台账"; got != want {
		t.Errorf("title: got %q; want %q", got, want)
	}
	for i, c := range cols {
		if lines[headerRow-1][i] != c.Header {
			t.Errorf("header %d: got %q; want %q", i, lines[headerRow-1][i], c.Header)
		}
	}
	for r, row := range rows {
		got := lines[headerRow+r]
		if len(got) != len(row) {
			t.Fatalf("row %d: %d cells; want %d", r+1, len(got), len(row))
		}
		for i, c := range row {
			if got[i] != c.String() {
				t.Errorf("row %d col %s: got %q; want %q", r+1, cols[i].Header, got[i], c.String())
			}
		}
	}
	if got := lines[headerRow][colOf(t, cols, model.FieldStatus)]; got != "已验收（销号）" {
		t.Errorf("status in words: got %q", got)
	}
}

func TestExportCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if _, err := XLSX(ctx, fixtureSource(), request(), &buf); !errors.Is(err, context.Canceled) {
		t.Errorf("XLSX: got %v; want %v", err, context.Canceled)
	}
	if _, err := CSV(ctx, fixtureSource(), request(), &buf); !errors.Is(err, context.Canceled) {
		t.Errorf("CSV: got %v; want %v", err, context.Canceled)
	}
}
