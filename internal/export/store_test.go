package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"testing"
	"time"

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
