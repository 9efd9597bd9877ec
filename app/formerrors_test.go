package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Save shows every field's message at once: a phone number that cannot
// be read and the required fields left empty.
func TestFormShowsAllErrorsAtOnce(t *testing.T) {
	_, _, form := newGridForm(t)
	typeInto(t, form, "phone", "12")
	test.Tap(form.save)
	for _, k := range []string{"phone", "grid_no", "grid_leader"} {
		if !form.byKey[k].hasError() {
			t.Errorf("%s: no message after Save; want one", k)
		}
	}
	if !form.topErr.Visible() {
		t.Error("no banner after Save with errors")
	}
}

// A message appearing under a field keeps the fields below in place: its
// line is reserved.
func TestFormErrorLineReserved(t *testing.T) {
	_, _, form := newGridForm(t)
	in := form.byKey["cropland_mu"]
	before := in.item.MinSize().Height
	typeInto(t, form, "cropland_mu", "twelve")
	if !in.hasError() {
		t.Fatal("no message for a number that cannot be read")
	}
	if after := in.item.MinSize().Height; after != before {
		t.Errorf("field grew from %.0f to %.0f when its message appeared; want the line reserved", before, after)
	}
}

// The banner goes once the last field's message is fixed.
func TestFormBannerClearsAfterFixes(t *testing.T) {
	_, _, form := newGridForm(t)
	fillGrid(t, form, "LS-TEST-001", "李明\n赵强")
	typeInto(t, form, "phone", "12")
	test.Tap(form.save)
	if !form.topErr.Visible() {
		t.Fatal("no banner after Save with a bad phone number")
	}
	form.byKey["phone"].set("")
	typeInto(t, form, "phone", "13812345678")
	if form.topErr.Visible() {
		t.Errorf("banner %q still shown after the fix", form.topErr.Text)
	}
}

// Ctrl+S typed in a text box saves the form too: Fyne gives a focused
// box's shortcuts to the box alone.
func TestFormSavesOnCtrlSWhileTyping(t *testing.T) {
	a, sc, form := newGridForm(t)
	fillGrid(t, form, "LS-TEST-003", "李明")
	typeInto(t, form, "phone", "13812345678")
	e := formEntryOf(form.byKey["area_desc"])
	a.win.Canvas().Focus(e)
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	if n, _ := a.st.Count(store.Query{Register: sc.Name}); n != 1 {
		t.Errorf("got %d records after Ctrl+S in a text box; want 1 (banner %q)", n, form.topErr.Text)
	}
}

// A list box (one item a line) grows with its lines rather than
// scrolling inside, so the mouse wheel over it scrolls the form.
func TestLongTextGrowsWithItsText(t *testing.T) {
	_, _, form := newGridForm(t)
	e := formEntryOf(form.byKey["grid_members"])
	before := e.MinSize().Height
	form.byKey["grid_members"].set("李明\n赵强\n王芳\n刘洋\n陈静\n杨帆")
	if after := e.MinSize().Height; after <= before {
		t.Errorf("six members: box height %.0f, as with none (%.0f); want it grown to show them", after, before)
	}
}

// Ctrl+S on the window saves the form shown.
func TestFormSavesOnCtrlS(t *testing.T) {
	a, sc, form := newGridForm(t)
	fillGrid(t, form, "LS-TEST-002", "李明")
	typeInto(t, form, "phone", "13812345678")
	a.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	if n, _ := a.st.Count(store.Query{Register: sc.Name}); n != 1 {
		t.Errorf("got %d records after Ctrl+S; want 1 (banner %q)", n, form.topErr.Text)
	}
}

// The fire check marks the fields a check requires, and confirms the
// save with a notice.
func TestFireCheckMarksRequiredAndConfirms(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	var fire storeState
	for _, st := range seed(t, a, "fire_point", 30) {
		if s, _ := st.Value("status").AsText(); s == model.FirePending {
			fire = st
			break
		}
	}
	c := newFireCheck(a, fire)
	a.shell.push(c)
	test.Tap(c.verdicts[0]) // straw burning
	for _, k := range []string{"verified_location", "verify_photos", "burned_area_mu", "fire_state"} {
		if in, ok := c.form.byKey[k]; !ok || !strings.HasSuffix(in.title.Text, " *") {
			t.Errorf("%s: label not marked required", k)
		}
	}
	checkFalseAlarm(t, a, c)
	if a.notice == nil || !strings.Contains(noticeText(a), "核查结果已保存") {
		t.Errorf("got notice %q after the check; want it confirmed", noticeText(a))
	}
}

// noticeText is the text of the notice shown, "" when none.
func noticeText(a *App) string {
	if a.notice == nil || !a.notice.Visible() {
		return ""
	}
	var out string
	walk(a.notice, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			out += l.Text
		}
	})
	return out
}

// The mouse wheel scrolls the form over short inputs too: they hold no
// scroller of their own that would take the wheel.
func TestShortInputsLeaveTheWheelToTheForm(t *testing.T) {
	_, _, form := newGridForm(t)
	for _, k := range []string{"cropland_mu", "grid_members"} {
		e := formEntryOf(form.byKey[k])
		if e == nil {
			t.Fatalf("%s: no entry", k)
		}
		if scrollerInside(e) {
			t.Errorf("%s: the entry holds a scroller that takes the mouse wheel", k)
		}
	}
}

// scrollerInside reports whether a visible fyne.Scrollable is drawn inside w.
func scrollerInside(w fyne.Widget) bool {
	var in func(o fyne.CanvasObject) bool
	in = func(o fyne.CanvasObject) bool {
		if !o.Visible() {
			return false
		}
		if _, ok := o.(fyne.Scrollable); ok {
			return true
		}
		switch x := o.(type) {
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				if in(c) {
					return true
				}
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				if in(c) {
					return true
				}
			}
		}
		return false
	}
	for _, c := range test.WidgetRenderer(w).Objects() {
		if in(c) {
			return true
		}
	}
	return false
}

// A new farm coal record is numbered after the county's last facility,
// and its 计划完成日期 is left for the user: a plan is not today.
func TestNewFarmCoalNumberedNotDatedToday(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	sc, _ := model.Lookup("farm_coal_facility")
	last := 0
	for _, st := range seed(t, a, sc.Name, 30) {
		no, _ := st.Value(model.FieldFacilityNo).AsText()
		if n, ok := model.FacilitySeq(testCounty, no); ok && n > last {
			last = n
		}
	}
	if last == 0 {
		t.Fatal("no demo facility numbers")
	}
	vals := a.defaults(sc)
	if got, want := vals[model.FieldFacilityNo], model.Str(model.FacilityNo(testCounty, last+1)); got != want {
		t.Errorf("new facility number %s; want %s", got, want)
	}
	if v, ok := vals["planned_date"]; ok {
		t.Errorf("计划完成日期 prefilled with %s; want it empty", v)
	}
	p, _ := model.Lookup("straw_patrol")
	if got := a.defaults(p)["patrol_date"]; got != model.Str(a.opts.Now().In(model.Beijing).Format(model.LayoutDate)) {
		t.Errorf("巡查日期 prefilled with %s; want today", got)
	}
}

// newGridForm signs in the county reviewer (grids are the county's) and
// opens a new straw grid form.
func newGridForm(t *testing.T) (*App, *model.Schema, *formScreen) {
	t.Helper()
	a := newTestApp(t, LangZH, nil)
	signInAs(t, a, "李审核", model.RoleCounty)
	sc, _ := model.Lookup("straw_grid")
	form := newForm(a, sc, uuid.Nil, a.defaults(sc))
	a.shell.push(form)
	return a, sc, form
}

// fillGrid fills a grid form with valid values but phone, numbered no; a
// county user has no township of their own, so one is picked.
func fillGrid(t *testing.T, form *formScreen, no, members string) {
	t.Helper()
	typeInto(t, form, "grid_no", no)
	form.byKey["township"].set("演示镇1")
	form.byKey["grid_level"].set("county")
	typeInto(t, form, "grid_leader", "王建国")
	typeInto(t, form, "grid_members", members)
	typeInto(t, form, "area_desc", "演示镇1全域")
}
