package firepoint

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

var pushTime = time.Date(2023, 10, 15, 17, 0, 0, 0, model.Beijing)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openMem(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{InMemory: true, Logger: quiet()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var villages = []Village{
	{Township: "慈峪镇", Name: "东村", At: model.Point{Lat: 38.30, Lon: 114.38}},
	{Township: "慈峪镇", Name: "西村", At: model.Point{Lat: 38.30, Lon: 114.30}},
	{Township: "陈庄镇", Name: "南庄", At: model.Point{Lat: 38.20, Lon: 114.35}},
}

const dayFile = `火点编号,经度,纬度,发现时间,置信度,卫星,县
F001,114.381,38.301,2023-10-15 13:40,85,NPP-VIIRS,灵寿县
F002,114.302,38.298,2023-10-15 13:42,70,Terra,灵寿县
F003,114.349,38.205,2023-10-15 13:44,60,FY-3D,灵寿县
F004,114.6,38.2,2023-10-15 13:46,60,FY-3D,正定县
F005,114.4,38.3,2023-10-15 18:00,60,FY-3D,灵寿县
F001,114.381,38.301,2023-10-15 13:40,85,NPP-VIIRS,灵寿县
`

func importFile(t *testing.T, s *store.Store, data string, o Options) Result {
	t.Helper()
	p, err := Parse(strings.NewReader(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := Import(context.Background(), s, p.Points, o)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return res
}

func options() Options {
	return Options{County: county, CountyName: "灵寿县", Author: "李科长", Role: model.RoleCounty,
		Now: pushTime, Villages: villages, Logger: quiet()}
}

func TestImportAssignsNearestVillage(t *testing.T) {
	s := openMem(t)
	var progress int
	o := options()
	o.Progress = func(done, total int) { progress = done }
	res := importFile(t, s, dayFile, o)

	wantVillage := map[string]string{"F001": "东村", "F002": "西村", "F003": "南庄"}
	if len(res.Created) != len(wantVillage) {
		t.Fatalf("created: got %d; want %d (%+v, bad %+v)", len(res.Created), len(wantVillage), res.Created, res.Bad)
	}
	for _, c := range res.Created {
		if got, want := c.Village.Name, wantVillage[c.FireID]; got != want {
			t.Errorf("%s: village %q; want %q", c.FireID, got, want)
		}
		st, err := s.Get(c.Record)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]model.Value{
			"source_fire_id":    model.Str(c.FireID),
			"source":            model.Str("satellite_province"),
			"pushed_at":         model.Str("2023-10-15T17:00+08:00"),
			"due_at":            model.Str("2023-10-16T17:00+08:00"),
			"pushed_county":     model.Str(county),
			"pushed_township":   model.Str(map[string]string{"东村": "慈峪镇", "西村": "慈峪镇", "南庄": "陈庄镇"}[c.Village.Name]),
			model.FieldTownship: model.Str(map[string]string{"东村": "慈峪镇", "西村": "慈峪镇", "南庄": "陈庄镇"}[c.Village.Name]),
			model.FieldVillage:  model.Str(wantVillage[c.FireID]),
			model.FieldStatus:   model.Str(model.FirePending),
		} {
			if got := st.Value(k); got != want {
				t.Errorf("%s %s: got %s; want %s", c.FireID, k, got, want)
			}
		}
		// The village is a field of its own; remarks keep the distance.
		remarks, _ := st.Value(model.FieldRemarks).AsText()
		if strings.Contains(remarks, c.Village.Name) || !strings.HasPrefix(remarks, distanceNote) {
			t.Errorf("%s remarks: got %q; want the distance and no village", c.FireID, remarks)
		}
	}
	// Lists filter fire points by the assigned village.
	page, err := s.List(store.Query{Register: Register, County: county, Village: "西村"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) != 1 || page.Records[0].Record != res.Created[1].Record {
		t.Errorf("fire points of 西村: got %d; want F002", len(page.Records))
	}
	st, _ := s.Get(res.Created[1].Record)
	if got, want := st.Value("sensor"), model.Str("terra_modis"); got != want {
		t.Errorf("sensor: got %s; want %s", got, want)
	}
	if got, want := res.OtherCounty, 1; got != want {
		t.Errorf("other county: got %d; want %d", got, want)
	}
	if len(res.Duplicates) != 1 || res.Duplicates[0] != "F001" {
		t.Errorf("duplicates in file: got %v; want [F001]", res.Duplicates)
	}
	// F005 was detected after the push: the store refuses it, by line.
	if len(res.Bad) != 1 || res.Bad[0].Line != 6 || res.Bad[0].Reason.ZH == "" || res.Bad[0].Reason.EN == "" {
		t.Errorf("bad: got %+v; want line 6 with a bilingual reason", res.Bad)
	} else if r := res.Bad[0].Reason; strings.Contains(r.ZH+r.EN, "pushed_at") ||
		!strings.Contains(r.ZH, "推送时间") || !strings.Contains(r.EN, "Pushed at") {
		t.Errorf("bad reason %+v: want the field's label, not its key", r)
	}
	if progress != 6 {
		t.Errorf("progress: got %d; want 6", progress)
	}
}

func TestReimportIsIdempotent(t *testing.T) {
	s := openMem(t)
	first := importFile(t, s, dayFile, options())
	second := importFile(t, s, dayFile, options())
	if len(second.Created) != 0 {
		t.Errorf("re-import created %d records; want 0", len(second.Created))
	}
	if got, want := len(second.Duplicates), len(first.Created)+1; got != want {
		t.Errorf("re-import duplicates: got %d; want %d", got, want)
	}
	n, err := s.Count(store.Query{Register: Register, County: county})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(first.Created) {
		t.Errorf("fire points in store: got %d; want %d", n, len(first.Created))
	}
}

func TestAssignByHandAndNoTownship(t *testing.T) {
	s := openMem(t)
	o := options()
	o.Villages = nil
	o.Assign = map[string]Village{"F002": {Township: "北洼乡", Name: "北村"}}
	res := importFile(t, s, dayFile, o)
	if len(res.Created) != 1 || res.Created[0].FireID != "F002" || res.Created[0].Village.Name != "北村" {
		t.Fatalf("created: got %+v; want F002 assigned by hand to 北村", res.Created)
	}
	st, _ := s.Get(res.Created[0].Record)
	for k, want := range map[string]model.Value{
		"pushed_township":   model.Str("北洼乡"),
		model.FieldTownship: model.Str("北洼乡"),
		model.FieldVillage:  model.Str("北村"),
		// Assigned by hand: no distance note, only the confidence.
		model.FieldRemarks: model.Str("置信度 70"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("%s: got %s; want %s", k, got, want)
		}
	}
	// F001 (twice) and F003 have no township and no village, F005 was
	// detected after the push: reported by line.
	var lines []int
	for _, b := range res.Bad {
		lines = append(lines, b.Line)
	}
	if want := []int{2, 4, 6, 7}; !reflect.DeepEqual(lines, want) {
		t.Errorf("bad lines: got %v; want %v", lines, want)
	}
}

func TestTracking(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	res := importFile(t, s, dayFile, options())
	id := res.Created[0].Record

	// A grid member checks F001 19 hours after the push.
	arrived := pushTime.Add(19 * time.Hour)
	for _, step := range []map[string]model.Value{
		{model.FieldStatus: model.Str(model.FireVerifying)},
		{model.FieldStatus: model.Str(model.FireVerified), "verifiers": model.List("王网格", "赵村干"),
			"arrived_at": model.DateTimeValue(arrived), "verified_location": model.GPS(model.Point{Lat: 38.301, Lon: 114.381}),
			"verdict": model.Str("no_trace"), "verify_note": model.Str("现场无焚烧痕迹，为光伏板反光所致"),
			"verify_photos": model.List(strings.Repeat("a", 64), strings.Repeat("b", 64), strings.Repeat("c", 64))},
	} {
		if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: step}); err != nil {
			t.Fatalf("verify: %v", err)
		}
	}
	open, err := Open(s, county)
	if err != nil {
		t.Fatal(err)
	}
	at := pushTime.Add(25 * time.Hour)
	tests := map[string]struct {
		overdue bool
		ttv     time.Duration
		checked bool
	}{
		"F001": {false, 19 * time.Hour, true},
		"F002": {true, 0, false},
		"F003": {true, 0, false},
	}
	if len(open) != 3 {
		t.Fatalf("open: got %d; want 3", len(open))
	}
	for _, tr := range open {
		want := tests[tr.FireID]
		if got := tr.Overdue(at); got != want.overdue {
			t.Errorf("%s overdue at +25h: got %v; want %v", tr.FireID, got, want.overdue)
		}
		if tr.Overdue(pushTime.Add(23 * time.Hour)) {
			t.Errorf("%s overdue at +23h; want not yet", tr.FireID)
		}
		d, ok := tr.TimeToVerify()
		if ok != want.checked || d != want.ttv {
			t.Errorf("%s time to verify: got %v, %v; want %v, %v", tr.FireID, d, ok, want.ttv, want.checked)
		}
	}

	if _, err := Close(ctx, s, id, "李科长", model.RoleCounty); err == nil {
		t.Fatalf("Close before review: got nil error; want %v", ErrNotReviewed)
	}
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{model.FieldStatus: model.Str(model.FireReviewed)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Close(ctx, s, id, "李科长", model.RoleCounty); err != nil {
		t.Fatalf("Close: %v", err)
	}
	open, _ = Open(s, county)
	if len(open) != 2 {
		t.Errorf("open after close: got %d; want 2", len(open))
	}
}

func TestNearest(t *testing.T) {
	tests := []struct {
		p    model.Point
		want string
	}{
		{model.Point{Lat: 38.31, Lon: 114.39}, "东村"},
		{model.Point{Lat: 38.29, Lon: 114.29}, "西村"},
		{model.Point{Lat: 38.0, Lon: 114.35}, "南庄"},
	}
	for _, tt := range tests {
		v, d, ok := Nearest(villages, tt.p)
		if !ok || v.Name != tt.want {
			t.Errorf("Nearest(%v): got %q; want %q", tt.p, v.Name, tt.want)
		}
		if d <= 0 {
			t.Errorf("Nearest(%v): distance %v; want > 0", tt.p, d)
		}
	}
	if _, _, ok := Nearest(nil, model.Point{}); ok {
		t.Errorf("Nearest of no villages: ok; want not ok")
	}
	// One degree of latitude is about 111.2 km.
	if d := Distance(model.Point{Lat: 38, Lon: 114}, model.Point{Lat: 39, Lon: 114}); d < 111000 || d > 111400 {
		t.Errorf("one degree of latitude: got %.0f m; want about 111195", d)
	}
}

func TestAssignByHandAfterImport(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	res := importFile(t, s, dayFile, options())
	id := res.Created[0].Record
	st, _ := s.Get(id)
	if got := AssignedVillage(&st); got != "东村" {
		t.Fatalf("assigned on import: got %q; want 东村", got)
	}
	st, err := Assign(ctx, s, id, Village{Township: "陈庄镇", Name: "南庄"}, "李科长", model.RoleCounty)
	if err != nil {
		t.Fatal(err)
	}
	if got := AssignedVillage(&st); got != "南庄" {
		t.Errorf("assigned by hand: got %q; want 南庄", got)
	}
	for k, want := range map[string]model.Value{
		"pushed_township":   model.Str("陈庄镇"),
		model.FieldTownship: model.Str("陈庄镇"),
		model.FieldVillage:  model.Str("南庄"),
		// The distance to the village assigned on import is dropped.
		model.FieldRemarks: model.Str("置信度 85"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("%s: got %s; want %s", k, got, want)
		}
	}
}

func TestAssignLegacyRemarks(t *testing.T) {
	// A fire point imported when the village was noted in remarks.
	ctx := context.Background()
	s := openMem(t)
	st, err := s.Append(ctx, store.Change{Register: Register, County: county, Author: "李科长", Role: model.RoleCounty,
		Set: map[string]model.Value{
			"source_fire_id": model.Str("F900"), "source": model.Str("satellite_province"), "sensor": model.Str("fy3d"),
			"detected_at": model.Str("2023-10-15T13:40+08:00"), "pushed_at": model.Str("2023-10-15T17:00+08:00"),
			"pushed_location": model.GPS(model.Point{Lat: 38.301, Lon: 114.381}), "pushed_county": model.Str(county),
			"pushed_township": model.Str("慈峪镇"), "due_at": model.Str("2023-10-16T17:00+08:00"),
			model.FieldRemarks: model.Str("派至东村（距 120 米）；置信度 85"),
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := AssignedVillage(&st); got != "东村" {
		t.Errorf("village from remarks: got %q; want 东村", got)
	}
	st, err = Assign(ctx, s, st.Record, Village{Name: "西村"}, "李科长", model.RoleCounty)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]model.Value{
		model.FieldVillage: model.Str("西村"),
		// A village without a township keeps the pushed one.
		model.FieldTownship: model.Str("慈峪镇"),
		"pushed_township":   model.Str("慈峪镇"),
		model.FieldRemarks:  model.Str("置信度 85"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("%s: got %s; want %s", k, got, want)
		}
	}
	if got := AssignedVillage(&st); got != "西村" {
		t.Errorf("assigned: got %q; want 西村", got)
	}
}
