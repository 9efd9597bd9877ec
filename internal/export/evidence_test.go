package export

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// The ledger of a register with photos carries the photo checks' flags
// and their count; a register without photos has no such columns.
func TestXLSXPhotoChecks(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	grid, err := s.Append(ctx, store.Change{Register: "straw_grid", County: county, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{
			"grid_no": model.Str("WG-01"), "grid_level": model.Str("county"), "grid_leader": model.Str("张网格长"),
			"grid_members": model.List("王网格"), "phone": model.Str("13800138000"),
			model.FieldTownship: model.Str("城关镇"), model.FieldVillage: model.Str("东村"), "area_desc": model.Str("东村全域耕地"),
		}})
	if err != nil {
		t.Fatal(err)
	}
	put := func(p exiftest.Photo) string {
		sha, err := s.PutBlob(bytes.NewReader(exiftest.JPEG(p)))
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	at := time.Date(2023, 11, 20, 9, 0, 0, 0, model.Beijing)
	here := model.Point{Lat: 38.3, Lon: 114.38}
	good := put(exiftest.Photo{Taken: at, Lat: here.Lat, Lon: here.Lon, GPS: true, Seed: 1})
	shared := put(exiftest.Photo{Taken: at, Lat: here.Lat, Lon: here.Lon, GPS: true, Seed: 2})
	old := put(exiftest.Photo{Taken: at.Add(-72 * time.Hour), Seed: 3}) // 3 days before, no GPS
	patrol := func(area string, photos ...string) {
		t.Helper()
		_, err := s.Append(ctx, store.Change{Register: "straw_patrol", County: county, Author: "王网格", Role: model.RoleGrid,
			Set: map[string]model.Value{
				"patrol_date": model.Str("2023-11-20"), "start_at": model.Str("2023-11-20T08:00+08:00"),
				"end_at": model.Str("2023-11-20T10:30+08:00"), "patrollers": model.List("王网格"),
				"grid": model.Str(grid.Record.String()), model.FieldTownship: model.Str("城关镇"),
				model.FieldVillage: model.Str("东村"), "area_desc": model.Str(area),
				"method": model.List("on_foot"), "fire_found": model.Bool(false), "scar_found": model.Bool(false),
				"track":  model.GPSList(here, model.Point{Lat: 38.301, Lon: 114.381}),
				"photos": model.List(photos...), "zero_report": model.Bool(true),
			}})
		if err != nil {
			t.Fatal(err)
		}
	}
	patrol("东村北片", good)
	patrol("东村南片", shared, old)
	patrol("东村西片", shared)

	read := func(register string) (head []string, body [][]string) {
		var buf bytes.Buffer
		if _, err := XLSX(ctx, s, Request{Register: register, County: county, Now: exportTime}, &buf); err != nil {
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
		for i, r := range rows {
			if len(r) > 0 && r[0] == "序号" {
				return r, rows[i+1:]
			}
		}
		t.Fatal("no header row")
		return nil, nil
	}
	head, body := read("straw_patrol")
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %v", name, head)
		return -1
	}
	flags, count, area := col("照片核验提示"), col("照片核验提示数"), col("巡查区域")
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	want := map[string][2]string{
		"东村北片": {"", "0"},
		"东村南片": {"照片重复使用；拍摄时间相差71小时；无拍摄位置", "3"},
		"东村西片": {"照片重复使用", "1"},
	}
	if len(body) != len(want) {
		t.Fatalf("%d rows; want %d", len(body), len(want))
	}
	for _, r := range body {
		w := want[cell(r, area)]
		if got := [2]string{cell(r, flags), cell(r, count)}; got != w {
			t.Errorf("%s: photo checks %q; want %q", cell(r, area), got, w)
		}
	}
	if head, _ := read("straw_grid"); len(head) > 0 {
		for _, h := range head {
			if h == "照片核验提示" {
				t.Errorf("a register without photos has the column %q", h)
			}
		}
	}
}
