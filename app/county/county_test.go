package county

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/dashboard"
	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/firepoint"
	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

// now is the screens' clock: 2023-11-20 10:00 Beijing time.
var now = time.Date(2023, 11, 20, 10, 0, 0, 0, model.Beijing)

// cjkTheme is the default theme with the bundled CJK font, so that
// rendering Chinese in tests needs no system font.
type cjkTheme struct{ fyne.Theme }

func (cjkTheme) Font(fyne.TextStyle) fyne.Resource {
	return fyne.NewStaticResource("cjk.ttf", assets.CJKFont)
}

func setup(t *testing.T, role model.Role) (*store.Store, *Deps) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(cjkTheme{theme.DefaultTheme()})
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Records are entered two days before the screens' now.
	s, err := store.Open(store.Options{InMemory: true, Logger: logger, Now: func() time.Time { return now.Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := &Deps{Store: s, County: county, CountyName: "灵寿县", User: "李科长", Role: role, Lang: "zh",
		Now: func() time.Time { return now }, Logger: logger, Bridge: inlineBridge{}}
	return s, d
}

// inlineBridge runs work and its callbacks on the caller's goroutine, so
// tests need neither sleeps nor locks.
type inlineBridge struct{}

func (inlineBridge) Run(work func() error, done func(error)) {
	err := work()
	if done != nil {
		done(err)
	}
}

func (inlineBridge) Post(fn func()) { fn() }

var (
	_ Store  = (*store.Store)(nil)
	_ Bridge = inlineBridge{}
)

// reading creates a dustfall point in township and a reading of value
// for 2023-11, entered by grid staff (awaiting review).
func reading(t *testing.T, s *store.Store, township string, value float64) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: county, Author: "县局", Role: model.RoleCounty, // the county sets its points
		Set: map[string]model.Value{"point_no": model.Str("JC-" + township), "name": model.Str(township + "点位"),
			model.FieldTownship: model.Str(township), model.FieldLocation: model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
			"point_type": model.Str("regular")}})
	if err != nil {
		t.Fatal(err)
	}
	rd, err := s.Append(ctx, store.Change{Register: "dustfall_monthly", County: county, Author: "王网格", Role: model.RoleGrid,
		Set: map[string]model.Value{"point": model.Str(pt.Record.String()), "month": model.Str("2023-11"),
			"start_date": model.Str("2023-11-01"), "end_date": model.Str("2023-12-01"), "valid": model.Bool(true),
			"dustfall": model.Decimal(value), model.FieldStatus: model.Str(model.DustfallEntered)}})
	if err != nil {
		t.Fatal(err)
	}
	return rd.Record
}

func status(t *testing.T, s *store.Store, id uuid.UUID) string {
	t.Helper()
	st, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := st.Value(model.FieldStatus).AsText()
	return v
}

func TestReviewQueueApproveUpdatesList(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	first := reading(t, s, "城关镇", 6.4)
	second := reading(t, s, "慈峪镇", 8.1)
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	w.Resize(fyne.NewSize(900, 600))

	if got := scr.list.Length(); got != 2 {
		t.Fatalf("queue: got %d rows; want 2", got)
	}
	if !scr.approve.Disabled() {
		t.Errorf("approve enabled with nothing selected")
	}
	scr.list.Select(0)
	approved := scr.Items()[0].State.Record
	test.Tap(scr.approve)
	if got := scr.list.Length(); got != 1 {
		t.Fatalf("queue after approval: got %d rows; want 1", got)
	}
	if got := status(t, s, approved); got != model.DustfallApproved {
		t.Errorf("approved record: status %q; want %q", got, model.DustfallApproved)
	}
	if got := scr.count.Text; !strings.Contains(got, "1") {
		t.Errorf("count: got %q; want it to say 1", got)
	}

	other := first
	if approved == first {
		other = second
	}
	scr.Return(0, "请核对称量记录")
	if got := scr.list.Length(); got != 0 {
		t.Errorf("queue after return: got %d rows; want 0", got)
	}
	if got := status(t, s, other); got != model.DustfallReturned {
		t.Errorf("returned record: status %q; want %q", got, model.DustfallReturned)
	}
}

func TestReviewQueueBulkAndFilters(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	for _, tw := range []string{"城关镇", "慈峪镇", "陈庄镇"} {
		reading(t, s, tw, 5)
	}
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()

	// Only records waiting over 7 days: none.
	scr.age.SetSelectedIndex(3)
	if got := scr.list.Length(); got != 0 {
		t.Errorf("older than 7 days: got %d rows; want 0", got)
	}
	// Entered two days ago: all waiting over a day.
	scr.age.SetSelectedIndex(1)
	if got := scr.list.Length(); got != 3 {
		t.Errorf("older than 1 day: got %d rows; want 3", got)
	}
	scr.age.SetSelectedIndex(0)
	if got := scr.list.Length(); got != 3 {
		t.Fatalf("queue: got %d rows; want 3", got)
	}
	scr.Check(0, true)
	scr.Check(2, true)
	if scr.bulk.Disabled() {
		t.Fatalf("bulk approve disabled with two ticked")
	}
	scr.BulkApprove()
	if got := scr.list.Length(); got != 1 {
		t.Errorf("queue after bulk approval: got %d rows; want 1", got)
	}
}

func TestReviewButtonsForGridStaff(t *testing.T) {
	s, d := setup(t, model.RoleGrid)
	reading(t, s, "城关镇", 5)
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	scr.list.Select(0)
	if !scr.approve.Disabled() || !scr.ret.Disabled() {
		t.Errorf("grid staff: approve and return enabled; want disabled")
	}
}

func TestDashboardShowsFigures(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	ctx := context.Background()
	for _, r := range []struct {
		township string
		value    float64
	}{{"城关镇", 6.4}, {"慈峪镇", 8.2}} {
		id := reading(t, s, r.township, r.value)
		if _, err := review.Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := dashboard.SaveTarget(s, county, 40); err != nil {
		t.Fatal(err)
	}
	scr := NewDashboardScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	w.Resize(fyne.NewSize(1000, 800))

	text := scr.Text()
	for _, want := range []string{"7.30", "1.城关镇 6.40", "2.慈峪镇 8.20", "40"} {
		if !strings.Contains(text, want) {
			t.Errorf("figures: %q missing from\n%s", want, text)
		}
	}
	if got := len(scr.dustChart.Points); got != 2 {
		t.Errorf("township chart: got %d bars; want 2", got)
	}
	if got, want := scr.Result().Total.Dust.CountyMean, 7.3; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("county mean: got %v; want %v", got, want)
	}
}

func TestChartPNG(t *testing.T) {
	setup(t, model.RoleCounty)
	c := NewChart(Bars, "各乡镇降尘量", []Point{{Label: "城关镇", Value: 6.4, Has: true}, {Label: "慈峪镇", Value: 8.2, Has: true}})
	c.Limit, c.LimitLabel = 7, "限值 7"
	data, err := ChartPNG(c, fyne.NewSize(400, 240))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 240 {
		t.Errorf("image: got %v; want at least 400×240", b)
	}
	// Saved charts are drawn light whatever the app's variant.
	r, g, b, _ := img.At(2, img.Bounds().Dy()-2).RGBA()
	if r>>8 < 200 || g>>8 < 200 || b>>8 < 200 {
		t.Errorf("background: got rgb(%d,%d,%d); want light", r>>8, g>>8, b>>8)
	}
}

type closingBuffer struct {
	bytes.Buffer
	closed bool
}

func (c *closingBuffer) Close() error { c.closed = true; return nil }

func TestExportScreenWritesCSV(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	reading(t, s, "城关镇", 6.4)
	scr := NewExportScreen(d)
	req, err := scr.Request()
	if err != nil {
		t.Fatal(err)
	}
	req.Register, req.From, req.To = "dustfall_monthly", time.Time{}, time.Time{}
	var out closingBuffer
	scr.Run(req, FormatCSV, &out)
	if !out.closed {
		t.Errorf("output not closed")
	}
	if !bytes.HasPrefix(out.Bytes(), []byte{0xEF, 0xBB, 0xBF}) {
		t.Errorf("CSV without byte order mark")
	}
	if !strings.Contains(out.String(), "6.4") || !strings.Contains(out.String(), "已称量录入") {
		t.Errorf("CSV lacks the reading:\n%s", out.String())
	}
	if got := scr.progress.Value; got != 1 {
		t.Errorf("progress: got %v; want 1", got)
	}
	if !strings.Contains(scr.Status(), "1") {
		t.Errorf("status: got %q; want the count", scr.Status())
	}
}

func TestFireImportScreenReport(t *testing.T) {
	_, d := setup(t, model.RoleCounty)
	scr := NewFireImportScreen(d)
	csv := "火点编号,经度,纬度,发现时间,乡镇\nF1,114.38,38.30,2023-11-20 08:00,慈峪镇\nF2,abc,38.3,2023-11-20 08:00,慈峪镇\n"
	scr.Import(io.NopCloser(strings.NewReader(csv)))
	lines := scr.Lines()
	if len(lines) != 2 {
		t.Fatalf("report: got %v; want 2 lines", lines)
	}
	if !strings.Contains(lines[0], "3") || !strings.Contains(lines[1], "F1") {
		t.Errorf("report: got %v; want the bad line 3 first, then F1", lines)
	}
	if !strings.Contains(scr.Summary(), "UTF-8") {
		t.Errorf("summary: got %q; want the encoding", scr.Summary())
	}
	// By hand to another village.
	scr.Assign(1, firepoint.Village{Township: "陈庄镇", Name: "南庄"})
	if got := scr.Lines()[1]; !strings.Contains(got, "南庄") {
		t.Errorf("after assigning by hand: got %q; want 南庄", got)
	}
	page, err := d.Store.List(store.Query{Register: "fire_point", County: county})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("fire points: got %d, %v; want 1", len(page.Records), err)
	}
	if got := firepoint.AssignedVillage(&page.Records[0]); got != "南庄" {
		t.Errorf("stored village: got %q; want 南庄", got)
	}
	// A second import of the same file creates nothing.
	scr.Import(io.NopCloser(strings.NewReader(csv)))
	if got := scr.Lines(); len(got) != 2 || !strings.Contains(got[1], "F1") {
		t.Errorf("re-import report: got %v; want the bad line and F1 already imported", got)
	}
}

func TestDashboardProvinceRanksCounties(t *testing.T) {
	s, d := setup(t, model.RoleProvince)
	ctx := context.Background()
	// A reading in a second county, entered on this (province) device.
	pt, err := s.Append(ctx, store.Change{Register: "dustfall_point", County: "130127", Author: "省厅", Role: model.RoleProvince,
		Set: map[string]model.Value{"point_no": model.Str("JC-9"), "name": model.Str("深泽点位"),
			model.FieldTownship: model.Str("深泽镇"), model.FieldLocation: model.GPS(model.Point{Lat: 38.2, Lon: 115.2}),
			"point_type": model.Str("regular")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, store.Change{Register: "dustfall_monthly", County: "130127", Author: "省厅", Role: model.RoleProvince,
		Set: map[string]model.Value{"point": model.Str(pt.Record.String()), "month": model.Str("2023-11"),
			"start_date": model.Str("2023-11-01"), "end_date": model.Str("2023-12-01"), "valid": model.Bool(true),
			"dustfall": model.Decimal(9.5), model.FieldStatus: model.Str(model.DustfallEntered)}}); err != nil {
		t.Fatal(err)
	}
	reading(t, s, "城关镇", 6.4)
	d.County = ""
	d.Names = func(code string) string { return map[string]string{"130126": "灵寿县", "130127": "深泽县"}[code] }
	scr := NewDashboardScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	if got := len(scr.Result().Counties); got != 2 {
		t.Fatalf("counties: got %d; want 2", got)
	}
	text := scr.Text()
	for _, want := range []string{"1.灵寿县 6.40", "2.深泽县 9.50", "7.95"} {
		if !strings.Contains(text, want) {
			t.Errorf("province figures: %q missing from\n%s", want, text)
		}
	}
	scr.county.SetSelectedIndex(2) // 深泽县
	if text := scr.Text(); !strings.Contains(text, "1.深泽镇 9.50") {
		t.Errorf("county figures: township ranking missing from\n%s", text)
	}
}

// An export holds every record unless the user narrows the dates, says
// which date the range is on, and tells how many of how many records it
// wrote.
func TestExportScreenCountsOfAll(t *testing.T) {
	t.Setenv("LC_ALL", "zh_CN.UTF-8")
	t.Setenv("LANGUAGE", "")
	s, d := setup(t, model.RoleCounty)
	reading(t, s, "城关镇", 6.4)
	reading(t, s, "慈峪镇", 5.1)
	scr := NewExportScreen(d)
	for i, sc := range scr.schemas {
		if sc.Name == "dustfall_monthly" {
			scr.register.SetSelectedIndex(i)
		}
	}
	sc, _ := model.Lookup("dustfall_monthly")
	f, _ := sc.FieldOrReserved(sc.DateField)
	if !strings.Contains(scr.RangeHint(), f.Label.ZH) {
		t.Errorf("range hint %q does not name %s", scr.RangeHint(), f.Label.ZH)
	}
	req, err := scr.Request()
	if err != nil {
		t.Fatal(err)
	}
	if !req.From.IsZero() || !req.To.IsZero() {
		t.Errorf("default range %v to %v; want none", req.From, req.To)
	}
	var out closingBuffer
	scr.Run(req, FormatCSV, &out)
	if got, want := scr.Status(), "已导出 2 条（共 2 条）"; got != want {
		t.Errorf("status: got %q; want %q", got, want)
	}
	scr.from.SetText("2024-01-01")
	req, err = scr.Request()
	if err != nil {
		t.Fatal(err)
	}
	scr.Run(req, FormatCSV, &closingBuffer{})
	if got, want := scr.Status(), "已导出 0 条（共 2 条）"; got != want {
		t.Errorf("status with a range after the readings: got %q; want %q", got, want)
	}
}

// Approving and returning from the queue are confirmed with a notice.
func TestReviewQueueConfirms(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	reading(t, s, "城关镇", 6.4)
	reading(t, s, "慈峪镇", 8.1)
	var notices []string
	d.Notify = func(msg string) { notices = append(notices, msg) }
	scr := NewReviewScreen(d)
	scr.Approve(0)
	scr.Return(0, "请核对称量记录")
	if len(notices) != 2 || notices[0] == "" || notices[1] == "" {
		t.Errorf("got notices %q; want one for the approval and one for the return", notices)
	}
}

// The return dialog's comment box is wide enough to write in.
func TestReturnDialogWide(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	reading(t, s, "城关镇", 6.4)
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	w.Resize(fyne.NewSize(1000, 700))
	d.Window = w
	scr.list.Select(0)
	scr.returnSelected()
	var e *widget.Entry
	var find func(o fyne.CanvasObject)
	find = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			e = x
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				find(c)
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				find(c)
			}
		}
	}
	find(w.Canvas().Overlays().Top())
	if e == nil {
		t.Fatal("no comment box in the return dialog")
	}
	if got := e.Size().Width; got < 400 {
		t.Errorf("comment box %.0f wide; want ≥ 400", got)
	}
}

// gridFarmCoal enters a farm coal facility as grid staff, from a demo
// record, with what grid staff may fill in: it awaits review without
// 是否纳入年度任务, which only the county sets.
func gridFarmCoal(t *testing.T, s *store.Store) uuid.UUID {
	t.Helper()
	sc, _ := model.Lookup("farm_coal_facility")
	for _, sd := range demo.Records(rand.New(rand.NewPCG(1, 2)), county, 200) {
		if sd.Register != sc.Name {
			continue
		}
		set := map[string]model.Value{}
		for k, v := range sd.Fields {
			if f, ok := sc.Field(k); ok && f.EditableBy(model.RoleGrid) && k != model.FieldStatus && !v.IsNull() {
				set[k] = v
			}
		}
		st, err := s.Append(context.Background(), store.Change{Register: sc.Name, County: county, Author: "王网格", Role: model.RoleGrid, Set: set})
		if err != nil {
			continue // a demo record in a later status holds fields grid staff enter later
		}
		if !st.Value("in_annual_task").IsNull() {
			t.Fatal("grid staff set 是否纳入年度任务")
		}
		return st.Record
	}
	t.Fatal("no demo farm coal record that grid staff can enter")
	return uuid.Nil
}

// Approving a grid staff entry that lacks what only the reviewer fills in
// asks for it in the queue (是否纳入年度任务, then 任务年度 once it is 是)
// and approves with it in one step.
func TestReviewQueueAsksForReviewerFields(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	id := gridFarmCoal(t, s)
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	w.Resize(fyne.NewSize(900, 700))
	d.Window = w
	before := status(t, s, id)
	scr.list.Select(0)
	test.Tap(scr.approve)
	if got := status(t, s, id); got != before {
		t.Fatalf("approved without 是否纳入年度任务: status %s", got)
	}
	radio := findIn[*widget.RadioGroup](w)
	if radio == nil {
		t.Fatal("approving asks for nothing; want 是否纳入年度任务")
	}
	radio.SetSelected(lang.L("Yes"))
	test.Tap(buttonIn(w, lang.L("Approve")))
	// 任务年度 is asked next, with the answer kept.
	entry := findIn[*widget.Entry](w)
	if entry == nil {
		t.Fatal("任务年度 not asked after 是")
	}
	if r := findIn[*widget.RadioGroup](w); r == nil || r.Selected != lang.L("Yes") {
		t.Error("the 是 answer was not kept when 任务年度 was asked")
	}
	test.Type(entry, "2023")
	test.Tap(buttonIn(w, lang.L("Approve")))
	st, err := s.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if got := status(t, s, id); got == before {
		t.Fatalf("still %s after filling in; want approved", got)
	}
	if st.Value("in_annual_task") != model.Bool(true) || st.Value("task_year") != model.Int(2023) {
		t.Errorf("approved with in_annual_task %s, task_year %s; want true, 2023", st.Value("in_annual_task"), st.Value("task_year"))
	}
	if got := st.Value(model.FieldReviewedBy); got != model.Str("李科长") {
		t.Errorf("reviewed_by %s; want 李科长", got)
	}
}

// findIn returns the first T in the window's top overlay (a dialog).
func findIn[T fyne.CanvasObject](w fyne.Window) T {
	var out T
	var found bool
	o := w.Canvas().Overlays().Top()
	if o == nil {
		return out
	}
	var walk func(fyne.CanvasObject)
	walk = func(c fyne.CanvasObject) {
		if x, ok := c.(T); ok && !found {
			out, found = x, true
			return
		}
		switch v := c.(type) {
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(v)
			for _, ch := range r.Objects() {
				walk(ch)
			}
		}
	}
	walk(o)
	return out
}

// buttonIn returns the top overlay's button labelled text.
func buttonIn(w fyne.Window, text string) *widget.Button {
	var out *widget.Button
	var walk func(fyne.CanvasObject)
	walk = func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && out == nil {
			out = b
		}
		switch v := c.(type) {
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch)
			}
		}
	}
	if o := w.Canvas().Overlays().Top(); o != nil {
		walk(o)
	}
	return out
}

// The dashboard counts the records changed after their approval.
func TestDashboardCountsChangesAfterApproval(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	ctx := context.Background()
	a, b := reading(t, s, "城关镇", 6.4), reading(t, s, "慈峪镇", 8.1)
	reading(t, s, "陈庄镇", 5.0) // awaiting review
	for _, id := range []uuid.UUID{a, b} {
		if _, err := review.Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []float64{6.0, 5.5} {
		if _, err := s.Append(ctx, store.Change{Record: a, Author: "李科长", Role: model.RoleCounty, Set: map[string]model.Value{"dustfall": model.Decimal(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	scr := NewDashboardScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	if got := scr.lateLabel.Text; !strings.HasPrefix(got, "Records changed after approval: 1 (2 changes in all)") {
		t.Errorf("dashboard says %q; want 1 record, 2 changes", got)
	}
}

// A record back in the queue after a change to its approved values says
// so in its row.
func TestReviewQueueMarksReopenedRecords(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	ctx := context.Background()
	id := reading(t, s, "城关镇", 6.4)
	if _, err := review.Approve(ctx, s, id, "李科长", model.RoleCounty, now); err != nil {
		t.Fatal(err)
	}
	// Grid staff change the approved reading: it goes back to review.
	if _, err := s.Append(ctx, store.Change{Record: id, Author: "王网格", Role: model.RoleGrid, Set: map[string]model.Value{"dustfall": model.Decimal(5.9)}}); err != nil {
		t.Fatal(err)
	}
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	if len(scr.Items()) != 1 {
		t.Fatalf("queue holds %d; want the reopened reading", len(scr.Items()))
	}
	row := scr.list.CreateItem()
	scr.fillRow(0, row)
	sub := row.(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*widget.Label)
	if !strings.Contains(sub.Text, "审核通过后修改 1 次（最近 王网格 ") || sub.Importance != widget.WarningImportance {
		t.Errorf("row %q (importance %v); want it marked as changed after approval", sub.Text, sub.Importance)
	}
}

// A record whose photo is also attached to another record is marked in
// the review queue, counted from the queue's load.
func TestReviewQueueMarksDoubtfulPhotos(t *testing.T) {
	s, d := setup(t, model.RoleCounty)
	ctx := context.Background()
	sha, err := s.PutBlob(bytes.NewReader(exiftest.JPEG(exiftest.Photo{Taken: now.Add(-48 * time.Hour), Lat: 38.3, Lon: 114.4, GPS: true})))
	if err != nil {
		t.Fatal(err)
	}
	set := func(photos ...string) map[string]model.Value {
		set := map[string]model.Value{
			"site": model.Str(uuid.New().String()), "inspected_at": model.Str(now.Add(-48 * time.Hour).Format(model.LayoutDateTime)),
			"inspectors": model.List("王网格"), "org": model.Str("县生态环境分局"), "monitor_state": model.Str("normal"),
		}
		for _, it := range model.Six100Items {
			set["check_"+it.Key] = model.Str("pass")
		}
		if len(photos) > 0 {
			set["issue_photos"] = model.List(photos...)
		}
		return set
	}
	var ids []uuid.UUID
	for range 2 {
		st, err := s.Append(ctx, store.Change{Register: "site_inspection", County: county, Author: "王网格", Role: model.RoleGrid, Set: set(sha)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.Record)
	}
	d.Evidence = evidencecheck.NewLive(s, evidencecheck.Options{})
	scr := NewReviewScreen(d)
	w := test.NewWindow(scr.CanvasObject())
	defer w.Close()
	if len(scr.Items()) != 2 {
		t.Fatalf("queue holds %d; want the 2 inspections", len(scr.Items()))
	}
	row := scr.list.CreateItem()
	for i := range scr.Items() {
		scr.fillRow(i, row)
		sub := row.(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*widget.Label)
		if !strings.HasPrefix(sub.Text, "⚠ 照片存疑 1 · ") || sub.Importance != widget.WarningImportance {
			t.Errorf("row %d %q (importance %v); want it marked 照片存疑 1", i, sub.Text, sub.Importance)
		}
	}
}
