package app

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// testCounty is 灵寿县, the demo county.
const testCounty = DemoCounty

// newTestApp starts the app on an in-memory store with inline background
// work, county set and a grid user signed in, in the given language.
func newTestApp(t *testing.T, language string, syncer Syncer) *App {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fa := test.NewTempApp(t)
	fa.Preferences().SetString(prefLanguage, language)
	a := New(fa, Options{InMemory: true, inline: true, Syncer: syncer})
	t.Cleanup(func() { a.Close() })
	fa.Settings().SetTheme(NewTheme(false))
	a.win.Resize(fyne.NewSize(1100, 760))
	a.Start()
	if a.st == nil {
		t.Fatal("store did not open")
	}
	a.setCounty(testCounty, widget.NewLabel(""))
	u := User{Name: "张伟", Role: model.RoleGrid, Township: "演示镇1", Village: "演示村1"}
	if err := a.users.save(u, "1234"); err != nil {
		t.Fatal(err)
	}
	got, err := a.users.check("张伟", "1234")
	if err != nil {
		t.Fatalf("check PIN: %v", err)
	}
	a.signIn(got)
	return a
}

// seed adds n demo records of register (all registers when empty).
func seed(t *testing.T, a *App, register string, n int) []storeState {
	t.Helper()
	var out []storeState
	for _, sd := range demo.Records(rand.New(rand.NewPCG(7, 9)), testCounty, 60*n+100) {
		if register != "" && sd.Register != register {
			continue
		}
		st, err := a.seedOne(sd, "张伟", "审核员")
		if err != nil {
			t.Fatalf("seed %s: %v", sd.Register, err)
		}
		out = append(out, st)
		if len(out) == n {
			break
		}
	}
	if len(out) < n {
		t.Fatalf("got %d %s seeds; want %d", len(out), register, n)
	}
	return out
}

func typeInto(t *testing.T, s *formScreen, key, text string) {
	t.Helper()
	in, ok := s.byKey[key]
	if !ok {
		t.Fatalf("form has no input %s", key)
	}
	e := formEntryOf(in)
	if e == nil {
		t.Fatalf("input %s is not an entry", key)
	}
	test.Type(e, text)
}

// formEntryOf is the text box of a form input; nil when it has none.
func formEntryOf(in *fieldInput) *formEntry {
	var e *formEntry
	walk(in.obj, func(o fyne.CanvasObject) {
		if x, ok := o.(*formEntry); ok && e == nil {
			e = x
		}
	})
	return e
}

func TestFormCreatesRecordFoundInList(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	// The county sets up its grids.
	if err := a.users.save(User{Name: "李审核", Role: model.RoleCounty, Township: "演示镇1"}, "1234"); err != nil {
		t.Fatal(err)
	}
	u, err := a.users.check("李审核", "1234")
	if err != nil {
		t.Fatal(err)
	}
	a.signIn(u)
	sc, _ := model.Lookup("straw_grid")
	list := newListScreen(a, sc)
	a.shell.push(list)
	if got := len(list.rows); got != 0 {
		t.Fatalf("got %d rows before; want 0", got)
	}
	var add *widget.Button
	walk(list.root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "新建记录" {
			add = b
		}
	})
	if add == nil {
		t.Fatal("no 新建记录 button")
	}
	test.Tap(add)
	form, ok := a.shell.current().(*formScreen)
	if !ok {
		t.Fatalf("got page %T; want the form", a.shell.current())
	}
	typeInto(t, form, "grid_no", "LS-TEST-001")
	form.byKey["grid_level"].set("county")
	typeInto(t, form, "grid_leader", "王建国")
	typeInto(t, form, "grid_members", "李明\n赵强")
	typeInto(t, form, "phone", "13812345678")
	typeInto(t, form, "area_desc", "演示镇1全域")
	if got := form.byKey["township"].get(); got != "演示镇1" {
		t.Errorf("got township default %q; want 演示镇1", got)
	}
	test.Tap(form.save)
	if form.topErr.Visible() {
		t.Fatalf("save failed: %s", form.topErr.Text)
	}
	if got := a.shell.current(); got != page(list) {
		t.Fatalf("got page %T after save; want the list", got)
	}
	if got := len(list.rows); got != 1 {
		t.Fatalf("got %d rows; want 1", got)
	}
	if got := a.recordTitle(sc, &list.rows[0]); got != "LS-TEST-001" {
		t.Errorf("got title %q; want LS-TEST-001", got)
	}
	if got := list.rows[0].Fields["created_by"].Value; got != model.Str("李审核") {
		t.Errorf("got created_by %s; want 李审核", got)
	}
}

func TestValidationMessages(t *testing.T) {
	tests := []struct {
		lang, typed, wantTyped, wantRequired string
	}{
		{LangZH, "十二", "应为数字", "必填"},
		{LangEN, "twelve", "must be a number", "is required"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			a := newTestApp(t, tt.lang, nil)
			signInAs(t, a, "李审核", model.RoleCounty)
			sc, _ := model.Lookup("straw_grid")
			form := newForm(a, sc, uuid.Nil, a.defaults(sc))
			a.shell.push(form)
			typeInto(t, form, "cropland_mu", tt.typed)
			lbl := form.byKey["cropland_mu"].errLabel
			if !lbl.Visible() || !strings.Contains(lbl.Text, tt.wantTyped) {
				t.Errorf("got cropland error %q (visible %v); want it to contain %q", lbl.Text, lbl.Visible(), tt.wantTyped)
			}
			form.byKey["cropland_mu"].set("")
			test.Tap(form.save)
			lbl = form.byKey["grid_no"].errLabel
			if !lbl.Visible() || !strings.Contains(lbl.Text, tt.wantRequired) {
				t.Errorf("got grid_no error %q; want it to contain %q", lbl.Text, tt.wantRequired)
			}
			if n, _ := a.st.Count(store.Query{Register: sc.Name}); n != 0 {
				t.Errorf("got %d records saved; want 0", n)
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	recs := seed(t, a, "straw_patrol", 40)
	sc, _ := model.Lookup("straw_patrol")
	list := newListScreen(a, sc)
	a.shell.push(list)
	if got := len(list.rows); got != len(recs) {
		t.Fatalf("got %d rows unfiltered; want %d", got, len(recs))
	}
	village, _ := recs[0].Value("village").AsText()
	status, _ := recs[0].Value("status").AsText()
	wantVillage, wantBoth := 0, 0
	for _, r := range recs {
		v, _ := r.Value("village").AsText()
		s, _ := r.Value("status").AsText()
		if v == village {
			wantVillage++
			if s == status {
				wantBoth++
			}
		}
	}
	test.Type(list.village, village)
	if got := len(list.rows); got != wantVillage {
		t.Errorf("got %d rows for village %s; want %d", got, village, wantVillage)
	}
	for _, r := range list.rows {
		if v, _ := r.Value("village").AsText(); v != village {
			t.Errorf("got a row of village %s; want %s", v, village)
		}
	}
	for i, st := range sc.Statuses {
		if st.Key == status {
			list.status.SetSelectedIndex(i + 1)
		}
	}
	if got := len(list.rows); got != wantBoth {
		t.Errorf("got %d rows for village %s and status %s; want %d", got, village, status, wantBoth)
	}
	if want := "共 "; !strings.Contains(list.count.Text, want) && !strings.Contains(list.count.Text, "条") {
		t.Errorf("got count %q; want a Chinese count", list.count.Text)
	}
	test.Type(list.from, "2001-13-01")
	if !list.filtErr.Visible() {
		t.Error("got no error for a bad date; want one")
	}
}

// testPNG is a tiny valid picture for photo fields.
func testPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPatrolQuickLogInThreeTaps(t *testing.T) {
	for _, tt := range []struct {
		name      string
		photo     bool
		wantTaps  int
		wantPhoto int
	}{
		{"without photo", false, 2, 0},
		{"with photo", true, 3, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t, LangZH, nil)
			grid := seed(t, a, "straw_grid", 1)[0]
			a.user.Grid = grid.Record.String()
			pic := testPNG(t)
			a.photoPicker = func(use func(io.ReadCloser)) { use(io.NopCloser(bytes.NewReader(pic))) }
			a.shell.goHome()
			taps := 0
			tap := func(b *widget.Button) {
				taps++
				test.Tap(b)
			}
			home := a.shell.current().(*homeScreen)
			tap(home.patrolBtn)
			log, ok := a.shell.current().(*patrolLog)
			if !ok {
				t.Fatalf("got page %T; want the patrol log", a.shell.current())
			}
			if tt.photo {
				var addPhoto *widget.Button
				walk(log.form.byKey["photos"].obj, func(o fyne.CanvasObject) {
					if b, ok := o.(*widget.Button); ok && b.Text == "添加照片" {
						addPhoto = b
					}
				})
				if addPhoto == nil {
					t.Fatal("no 添加照片 button")
				}
				tap(addPhoto)
			}
			tap(log.save)
			if log.form.topErr.Visible() {
				t.Fatalf("quick log not saved: %s", log.form.topErr.Text)
			}
			if taps != tt.wantTaps || taps > 3 {
				t.Errorf("got %d taps; want %d (at most 3)", taps, tt.wantTaps)
			}
			if _, ok := a.shell.current().(*detailScreen); !ok {
				t.Errorf("got page %T after saving; want the saved patrol", a.shell.current())
			}
			page, err := a.st.List(store.Query{Register: "straw_patrol", County: testCounty})
			if err != nil || len(page.Records) != 1 {
				t.Fatalf("got %d patrols (%v); want 1", len(page.Records), err)
			}
			p := page.Records[0]
			for k, want := range map[string]model.Value{
				"zero_report": model.Bool(true),
				"grid":        model.Str(grid.Record.String()),
				"patrollers":  model.List("张伟"),
			} {
				if got := p.Value(k); got != want {
					t.Errorf("got %s = %s; want %s", k, got, want)
				}
			}
			for _, k := range []string{"start_at", "end_at", "village"} {
				if p.Value(k).IsNull() {
					t.Errorf("got no %s; want time and place filled in", k)
				}
			}
			if ph, _ := p.Value("photos").AsList(); len(ph) != tt.wantPhoto {
				t.Errorf("got %d photos; want %d", len(ph), tt.wantPhoto)
			}
			if p.Fields["status"].Author != "张伟" {
				t.Errorf("got author %q; want 张伟", p.Fields["status"].Author)
			}
		})
	}
}

func TestSettleConflict(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	rec := seed(t, a, "straw_grid", 1)[0]
	other, err := store.Open(store.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	exchange := func(from, to *store.Store) {
		t.Helper()
		ops, err := from.Ops(from.Device(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.Apply(ctx, ops); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.RegisterDevice(a.own.Device(), a.own.PublicKey(), "tablet"); err != nil {
		t.Fatal(err)
	}
	if err := a.own.RegisterDevice(other.Device(), other.PublicKey(), "other"); err != nil {
		t.Fatal(err)
	}
	exchange(a.own, other)
	if _, err := other.Append(ctx, store.Change{Record: rec.Record, Author: "李娜", Role: model.RoleGrid,
		Set: map[string]model.Value{"grid_leader": model.Str("李娜")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.Append(ctx, store.Change{Record: rec.Record, Author: "张伟", Role: model.RoleGrid,
		Set: map[string]model.Value{"grid_leader": model.Str("张伟")}}); err != nil {
		t.Fatal(err)
	}
	exchange(other, a.own)
	d := newDetail(a, rec.Record)
	a.shell.push(d)
	if got := len(d.st.Conflicts); got != 1 {
		t.Fatalf("got %d conflicts; want 1", got)
	}
	if got := len(d.settleButtons); got != 2 {
		t.Fatalf("got %d settle buttons; want 2", got)
	}
	want := d.st.Conflicts[0].Value
	test.Tap(d.settleButtons[1]) // keep the concurrent value
	st, err := a.st.Get(rec.Record)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Conflicts); got != 0 {
		t.Errorf("got %d conflicts after settling; want 0", got)
	}
	if got := st.Value("grid_leader"); got != want {
		t.Errorf("got grid_leader %s; want %s", got, want)
	}
	if got := len(d.st.Conflicts); got != 0 {
		t.Errorf("screen shows %d conflicts; want 0", got)
	}
}

// fakeSyncer is a Syncer whose calls are test functions.
type fakeSyncer struct {
	SyncFunc func(ctx context.Context, progress func(Progress)) (Result, error)
}

func (f *fakeSyncer) Sync(ctx context.Context, p func(Progress)) (Result, error) {
	return f.SyncFunc(ctx, p)
}
func (f *fakeSyncer) ExportBundle(context.Context, io.Writer) error { return nil }
func (f *fakeSyncer) ImportBundle(context.Context, io.Reader) (Result, error) {
	return Result{}, nil
}
func (f *fakeSyncer) Enroll(context.Context, string, string) error { return nil }

var _ Syncer = (*fakeSyncer)(nil)

func TestSyncScreenProgressAndErrors(t *testing.T) {
	fake := &fakeSyncer{}
	a := newTestApp(t, LangZH, fake)
	s := newSyncScreen(a)
	a.shell.show(s)

	var seen []float64
	fake.SyncFunc = func(_ context.Context, progress func(Progress)) (Result, error) {
		for _, n := range []int64{0, 5, 10} {
			progress(Progress{Phase: "push", Ops: n, Total: 10})
			seen = append(seen, s.bar.Value)
		}
		if !strings.Contains(s.phase.Text, "正在发送") {
			t.Errorf("got phase %q; want it to say 正在发送", s.phase.Text)
		}
		return Result{Pushed: 10, Pulled: 3, ClockOffset: 3 * 24 * 3600e9}, nil
	}
	test.Tap(s.syncBtn)
	if want := []float64{0, 0.5, 1}; !equalFloats(seen, want) {
		t.Errorf("got bar values %v; want %v", seen, want)
	}
	if !strings.Contains(s.phase.Text, "10") || !strings.Contains(s.phase.Text, "3") {
		t.Errorf("got result %q; want the counts", s.phase.Text)
	}
	if !s.clock.Visible() || !strings.Contains(s.clock.Text, "3 天") {
		t.Errorf("got clock warning %q (visible %v); want 3 天", s.clock.Text, s.clock.Visible())
	}
	if !strings.Contains(s.last.Text, "上次成功同步") || strings.Contains(s.last.Text, "从未") {
		t.Errorf("got last sync %q; want a time", s.last.Text)
	}

	fake.SyncFunc = func(context.Context, func(Progress)) (Result, error) {
		return Result{}, ErrUnreachable
	}
	test.Tap(s.syncBtn)
	if !s.errLabel.Visible() || !strings.Contains(s.errLabel.Text, "无法连接") {
		t.Errorf("got error %q (visible %v); want the plain-words 无法连接", s.errLabel.Text, s.errLabel.Visible())
	}
	if got := s.state.Text; got != "离线" {
		t.Errorf("got state %q; want 离线", got)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-9 || d < -1e-9 {
			return false
		}
	}
	return true
}

func TestLanguageSwitch(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	a.shell.show(newSettings(a))
	if got := a.shell.heading.Text; got != "设置" {
		t.Fatalf("got heading %q; want 设置", got)
	}
	set := a.shell.current().(*settingsScreen)
	set.language.SetSelected("English")
	if got := a.shell.heading.Text; got != "Settings" {
		t.Errorf("got heading %q after switching; want Settings", got)
	}
	if got := a.fa.Preferences().String(prefLanguage); got != LangEN {
		t.Errorf("got preference %q; want %q", got, LangEN)
	}
	a.shell.goHome()
	if got := a.shell.heading.Text; !strings.HasPrefix(got, "Today") {
		t.Errorf("got home heading %q; want Today…", got)
	}
	set = newSettings(a)
	a.shell.show(set)
	set.language.SetSelected("中文")
	if got := a.shell.heading.Text; got != "设置" {
		t.Errorf("got heading %q after switching back; want 设置", got)
	}
}

func TestDraftSurvivesClosedForm(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	sc, _ := model.Lookup("straw_grid")
	form := newForm(a, sc, uuid.Nil, a.defaults(sc))
	a.shell.push(form)
	typeInto(t, form, "grid_no", "LS-DRAFT-7")
	typeInto(t, form, "grid_leader", "王建国")
	a.shell.pop() // the window closes, or the app is killed, before Save
	if _, err := a.st.GetMeta(form.draftKey); err != nil {
		t.Fatalf("got no draft: %v", err)
	}
	again := newForm(a, sc, uuid.Nil, a.defaults(sc))
	a.shell.push(again)
	if got := again.byKey["grid_no"].get(); got != "" {
		t.Fatalf("got %q before restoring; want empty", got)
	}
	restore := overlayButton(a, "是")
	if restore == nil {
		t.Fatal("no restore question shown")
	}
	test.Tap(restore)
	for key, want := range map[string]string{"grid_no": "LS-DRAFT-7", "grid_leader": "王建国"} {
		if got := again.byKey[key].get(); got != want {
			t.Errorf("got %s %q after restoring; want %q", key, got, want)
		}
	}
}

func TestSwitchUserKeepsUnsyncedWork(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "straw_grid", 2)
	before, _ := a.st.Pending()
	if err := a.users.save(User{Name: "李娜", Role: model.RoleGrid}, "5678"); err != nil {
		t.Fatal(err)
	}
	a.showLogin()
	var who *widget.Select
	var pin *widget.Entry
	var signIn *widget.Button
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Select:
			who = x
		case *widget.Entry:
			pin = x
		case *widget.Button:
			if x.Text == "登录" {
				signIn = x
			}
		}
	})
	if who == nil || pin == nil || signIn == nil {
		t.Fatal("login screen incomplete")
	}
	who.SetSelected("李娜")
	test.Type(pin, "0000")
	test.Tap(signIn)
	if a.user.Name != "张伟" {
		t.Fatalf("got user %q after a wrong PIN; want 张伟 still", a.user.Name)
	}
	test.Type(pin, "5678")
	test.Tap(signIn)
	if a.user.Name != "李娜" {
		t.Fatalf("got user %q; want 李娜", a.user.Name)
	}
	if after, _ := a.st.Pending(); after != before {
		t.Errorf("got %d pending after switching; want %d", after, before)
	}
	if got := a.shell.syncBtn.Text; !strings.Contains(got, "未同步") {
		t.Errorf("got header %q; want the unsynced count", got)
	}
}

func TestWrongPassphrase(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir, Passphrase: "正确的口令"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	fa := test.NewTempApp(t)
	a := New(fa, Options{DataDir: dir, inline: true})
	t.Cleanup(func() { a.Close() })
	a.Start()
	var pass *widget.Entry
	var open *widget.Button
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			pass = x
		case *widget.Button:
			open = x
		}
	})
	if pass == nil || open == nil {
		t.Fatal("no passphrase prompt")
	}
	test.Type(pass, "错误")
	test.Tap(open)
	found := false
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == "口令错误。" {
			found = true
		}
	})
	if !found || a.st != nil {
		t.Fatalf("got no 口令错误 message (store open: %v)", a.st != nil)
	}
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			pass = x
		case *widget.Button:
			open = x
		}
	})
	test.Type(pass, "正确的口令")
	test.Tap(open)
	if a.st == nil {
		t.Fatal("store not opened with the right passphrase")
	}
}

func TestFirePointCheck(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	var fire storeState
	for _, st := range seed(t, a, "fire_point", 30) {
		if s, _ := st.Value("status").AsText(); s == model.FirePending {
			fire = st
			break
		}
	}
	if fire.Ops == 0 {
		t.Fatal("no pending fire point among the seeds")
	}
	c := newFireCheck(a, fire)
	a.shell.push(c)
	checkFalseAlarm(t, a, c)
	st, err := a.st.Get(fire.Record)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]model.Value{
		"status":    model.Str(model.FireVerified),
		"verdict":   model.Str("no_trace"),
		"verifiers": model.List("张伟"),
	} {
		if got := st.Value(k); got != want {
			t.Errorf("got %s %s; want %s", k, got, want)
		}
	}
}

func TestListPagesLazily(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "straw_patrol", 230)
	sc, _ := model.Lookup("straw_patrol")
	list := newListScreen(a, sc)
	a.shell.push(list)
	if got := len(list.rows); got != listPage {
		t.Fatalf("got %d rows loaded; want one page of %d", got, listPage)
	}
	if got := list.total; got != 230 {
		t.Errorf("got count %d; want 230", got)
	}
	for i := 0; i < 5 && len(list.rows) < 230; i++ {
		list.list.ScrollToBottom()
	}
	if got := len(list.rows); got != 230 {
		t.Errorf("got %d rows after scrolling to the end; want 230", got)
	}
}

func TestShrink(t *testing.T) {
	tests := []struct {
		w, h, n, wantW, wantH int
	}{
		{4000, 3000, 144, 144, 108},
		{3000, 4000, 144, 108, 144},
		{100, 50, 144, 100, 50},
	}
	for _, tt := range tests {
		got := shrink(image.NewRGBA(image.Rect(0, 0, tt.w, tt.h)), tt.n).Bounds()
		if got.Dx() != tt.wantW || got.Dy() != tt.wantH {
			t.Errorf("shrink %dx%d to %d: got %dx%d; want %dx%d", tt.w, tt.h, tt.n, got.Dx(), got.Dy(), tt.wantW, tt.wantH)
		}
	}
}

// find returns the first object below the window's content that matches.
func find[T fyne.CanvasObject](a *App, ok func(T) bool) T {
	var out T
	found := false
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		if x, is := o.(T); is && !found && ok(x) {
			out, found = x, true
		}
	})
	return out
}

func button(a *App, text string) *widget.Button {
	return find(a, func(b *widget.Button) bool { return b.Text == text })
}

// overlayButton returns the button labelled text in a pop-up over the
// window, or nil.
func overlayButton(a *App, text string) *widget.Button {
	var out *widget.Button
	for _, o := range a.win.Canvas().Overlays().List() {
		walk(o, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && out == nil {
				out = b
			}
		})
	}
	return out
}

func TestFirstRunOffline(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fa := test.NewTempApp(t)
	a := New(fa, Options{DataDir: t.TempDir(), inline: true})
	t.Cleanup(func() { a.Close() })
	a.Start()
	cont := button(a, "继续")
	if cont == nil {
		t.Fatal("no first-run screen")
	}
	test.Tap(cont)
	if a.st == nil {
		t.Fatal("store not created")
	}
	county := find(a, func(*widget.SelectEntry) bool { return true })
	test.Type(county, "灵寿县")
	test.Tap(button(a, "离线使用"))
	if a.county != testCounty {
		t.Fatalf("got county %q; want %s", a.county, testCounty)
	}
	entries := []*widget.Entry{}
	walk(a.win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok {
			entries = append(entries, e)
		}
	})
	if len(entries) != 5 {
		t.Fatalf("got %d entries on the new-user form; want 5", len(entries))
	}
	for i, s := range []string{"刘洋", "南寨乡", "南寨村", "2468", "2468"} {
		test.Type(entries[i], s)
	}
	// The PIN typed twice signs the new user in: no login prompt after.
	test.Tap(button(a, "保存用户"))
	if a.user == nil || a.user.Village != "南寨村" {
		t.Fatalf("got user %+v; want 刘洋 of 南寨村", a.user)
	}
	if _, ok := a.shell.current().(*homeScreen); !ok {
		t.Errorf("got page %T; want home", a.shell.current())
	}
}

func TestDeleteOwnNewRecord(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	rec := seed(t, a, "straw_grid", 1)[0]
	signInAs(t, a, "审核员", model.RoleCounty) // who created it
	d := newDetail(a, rec.Record)
	a.shell.push(d)
	del := find(a, func(b *widget.Button) bool { return b.Text == "删除" })
	if del == nil {
		t.Fatal("no 删除 button")
	}
	test.Tap(del)
	yes := overlayButton(a, "是")
	if yes == nil {
		t.Fatal("no confirmation")
	}
	test.Tap(yes)
	if n, _ := a.st.Count(store.Query{Register: "straw_grid"}); n != 0 {
		t.Errorf("got %d records listed after deleting; want 0", n)
	}
	if h, _ := a.st.History(rec.Record); len(h) != 2 {
		t.Errorf("got %d history entries; want 2 (kept)", len(h))
	}
}
