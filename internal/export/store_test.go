package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// TestCSVFromStore exports from a real store: records oldest first,
// filtered by the register's date field.
func TestCSVFromStore(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: county, Author: "县局", Role: model.RoleCounty, // the county sets its points

		Set: map[string]model.Value{"point_no": model.Str("JC-01"), "name": model.Str("东关点位"),
			model.FieldTownship: model.Str("城关镇"), model.FieldLocation: model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
			"point_type": model.Str("regular")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		month, start, end string
		value             float64
	}{
		{"2023-09", "2023-09-01", "2023-10-01", 6.1},
		{"2023-10", "2023-10-01", "2023-10-31", 7.2},
		{"2023-11", "2023-11-01", "2023-12-01", 8.3},
	} {
		if _, err := s.Append(ctx, store.Change{Register: "dustfall_monthly", County: county, Author: "王网格", Role: model.RoleGrid,
			Set: map[string]model.Value{"point": model.Str(pt.Record.String()), "month": model.Str(p.month),
				"start_date": model.Str(p.start), "end_date": model.Str(p.end), "valid": model.Bool(true),
				"dustfall": model.Decimal(p.value)}}); err != nil {
			t.Fatal(err)
		}
	}
	req := Request{Register: "dustfall_monthly", County: county, CountyName: "灵寿县", Now: exportTime,
		From: time.Date(2023, 10, 1, 0, 0, 0, 0, model.Beijing), To: time.Date(2023, 10, 31, 0, 0, 0, 0, model.Beijing)}
	var buf bytes.Buffer
	n, err := CSV(ctx, s, req, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("records: got %d; want 2", n)
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()[3:]))
	r.FieldsPerRecord = -1
	lines, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := model.Lookup("dustfall_monthly")
	cols := Columns(sc, "zh")
	month := colOf(t, cols, "month")
	if got := []string{lines[3][month], lines[4][month]}; got[0] != "2023-09" || got[1] != "2023-10" {
		t.Errorf("months in order: got %v; want [2023-09 2023-10]", got)
	}
	if got, want := lines[3][0], "1"; got != want {
		t.Errorf("row number: got %q; want %q", got, want)
	}
	if got, want := lines[4][colOf(t, cols, "dustfall")], "7.2"; got != want {
		t.Errorf("dustfall: got %q; want %q", got, want)
	}
	if got, want := lines[3][colOf(t, cols, "point")], "东关点位"; got != want {
		t.Errorf("point ref: got %q; want %q", got, want)
	}
}

// An XLSX ledger from a real store counts each record's changes after
// its approval and names the latest: the inspector sees which approved
// figures were changed since, and by whom.
func TestXLSXMarksChangesAfterApproval(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2023, 12, 30, 9, 0, 0, 0, model.Beijing) // the device's clock
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: county, Author: "县局", Role: model.RoleCounty,
		Set: map[string]model.Value{"point_no": model.Str("JC-01"), "name": model.Str("东关点位"),
			model.FieldTownship: model.Str("城关镇"), model.FieldLocation: model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
			"point_type": model.Str("regular")}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, m := range []string{"2023-10", "2023-11", "2023-12"} {
		st, err := s.Append(ctx, store.Change{Register: "dustfall_monthly", County: county, Author: "王网格", Role: model.RoleGrid,
			Set: map[string]model.Value{"point": model.Str(pt.Record.String()), "month": model.Str(m),
				"start_date": model.Str(m + "-01"), "end_date": model.Str(m + "-29"), "valid": model.Bool(true),
				"dustfall": model.Decimal(6)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.Record)
	}
	// The first two are approved; the first is then changed twice by the
	// county. The third is never approved.
	for _, id := range ids[:2] {
		if _, err := review.Submit(ctx, s, id, "王网格", model.RoleGrid); err != nil {
			t.Fatal(err)
		}
		if _, err := review.Approve(ctx, s, id, "李科长", model.RoleCounty, at); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []float64{5.2, 4.9} {
		if _, err := s.Append(ctx, store.Change{Record: ids[0], Author: "赵改", Role: model.RoleCounty, Now: at, Set: map[string]model.Value{"dustfall": model.Decimal(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := XLSX(ctx, s, Request{Register: "dustfall_monthly", County: county, CountyName: "灵寿县", Now: exportTime}, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var head []string
	var body [][]string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "序号" {
			head, body = r, rows[i+1:]
		}
	}
	col := func(name string) int {
		t.Helper()
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %v", name, head)
		return -1
	}
	count, last, month := col("审核通过后修改次数"), col("审核通过后最近修改"), col("月份")
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	want := map[string][2]string{"2023-10": {"2", "赵改 2023-12-30 09:00"}, "2023-11": {"0", ""}, "2023-12": {"", ""}}
	if len(body) != 3 {
		t.Fatalf("%d rows; want 3", len(body))
	}
	for _, r := range body {
		w := want[cell(r, month)]
		if got := [2]string{cell(r, count), cell(r, last)}; got != w {
			t.Errorf("month %s: changes after approval %q; want %q", cell(r, month), got, w)
		}
	}
}
