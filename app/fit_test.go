package app

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
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
