package app

import (
	"fmt"
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/model"
)

// fitScreens are the screens --screen opens, for each role.
var fitScreens = map[model.Role][]string{
	model.RoleGrid: {"home", "registers", "list:straw_patrol", "record:straw_patrol", "form:straw_grid",
		"form:fire_point", "patrol", "fire", "sync", "held", "settings"},
	model.RoleCounty: {"home", "registers", "list:straw_patrol", "record:straw_patrol", "fire", "settings",
		"review", "dashboard", "export", "fireimport"},
}

// Every screen fits a portrait tablet (800×1280) and a small landscape
// screen (1280×800) without widening the window, in both languages and
// both layouts (navigation at the side, and at the bottom for touch).
func TestScreensFitSmallWindows(t *testing.T) {
	sizes := []fyne.Size{fyne.NewSize(800, 1280), fyne.NewSize(1280, 800)}
	for _, language := range []string{LangZH, LangEN} {
		for _, touch := range []bool{false, true} {
			a := newTestApp(t, language, nil)
			if touch {
				a.touch = true
				a.fa.Settings().SetTheme(NewTheme(true))
			}
			seed(t, a, "", 60)
			for _, role := range []model.Role{model.RoleGrid, model.RoleCounty} {
				signInAs(t, a, "用户"+string(role), role)
				for _, name := range fitScreens[role] {
					for _, size := range sizes {
						a.win.Resize(size)
						if name == "home" {
							a.shell.goHome()
						} else {
							a.openScreen(name)
						}
						if touch {
							assertBarLabelsWhole(t, a)
						}
						got := a.win.Content().MinSize()
						if got.Width > size.Width {
							t.Errorf("%s touch=%v %s %s at %v: content is %.0f wide; want ≤ %.0f",
								language, touch, role, name, fmt.Sprint(size), got.Width, size.Width)
						}
					}
				}
			}
		}
	}
}

// assertBarLabelsWhole fails when a bottom bar label is shortened.
func assertBarLabelsWhole(t *testing.T, a *App) {
	t.Helper()
	bar := a.shell.root.Objects[len(a.shell.root.Objects)-1]
	walk(bar, func(o fyne.CanvasObject) {
		l, ok := o.(*widget.Label)
		if !ok {
			return
		}
		whole := widget.NewLabel(l.Text)
		whole.SizeName = l.SizeName
		if l.Size().Width < whole.MinSize().Width {
			t.Errorf("bar label %q is %.0f wide; want ≥ %.0f", l.Text, l.Size().Width, whole.MinSize().Width)
		}
	})
}

// On touch devices the items that do not fit the bottom bar are in its
// More menu, and open their screens from there.
func TestBottomBarMoreMenu(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	a.touch = true
	a.fa.Settings().SetTheme(NewTheme(true))
	signInAs(t, a, "李审核", model.RoleCounty)
	a.win.Resize(fyne.NewSize(800, 1280))
	bar := a.shell.root.Objects[len(a.shell.root.Objects)-1].(*fyne.Container)
	if n := len(bar.Objects); n != barItems+1 {
		t.Fatalf("bar has %d items; want %d and More", n, barItems)
	}
	var more *widget.Button
	walk(bar.Objects[barItems], func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok {
			more = b
		}
	})
	test.Tap(more)
	top := a.win.Canvas().Overlays().Top()
	var menu *widget.Menu
	if c := reflect.ValueOf(top).Elem().FieldByName("Content"); c.IsValid() {
		switch m := c.Interface().(type) {
		case *widget.Menu:
			menu = m
		case *widget.PopUpMenu:
			menu = m.Menu
		default:
			t.Logf("overlay content %T", m)
		}
	}
	if menu == nil {
		t.Fatalf("got overlay %T after More; want a menu", top)
	}
	var labels []string
	var settings *fyne.MenuItem
	for _, o := range menu.Items {
		// The menu's rows hold their fyne.MenuItem in an exported field
		// of an unexported type.
		f := reflect.ValueOf(o).Elem().FieldByName("Item")
		if !f.IsValid() {
			continue // a separator
		}
		it := f.Interface().(*fyne.MenuItem)
		labels = append(labels, it.Label)
		if it.Label == lang.L("Settings") {
			settings = it
		}
	}
	entries := a.navEntries()
	if len(labels) != len(entries)-barItems || settings == nil {
		t.Fatalf("More menu %v; want the %d items after the bar's, settings among them", labels, len(entries)-barItems)
	}
	settings.Action()
	if _, ok := a.shell.current().(*settingsScreen); !ok {
		t.Errorf("got page %T from the menu; want settings", a.shell.current())
	}
}
