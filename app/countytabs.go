package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/app/county"
	"github.com/lantian-tz/lantian/model"
)

// countyScreen is any of the county bureau's screens.
type countyScreen interface {
	Title() string
	CanvasObject() fyne.CanvasObject
}

// countyPage shows a county screen in the shell.
type countyPage struct{ s countyScreen }

func (p countyPage) title() string           { return p.s.Title() }
func (p countyPage) view() fyne.CanvasObject { return p.s.CanvasObject() }

// countyDeps is what the county screens need of the app. They run on the
// app's clock (with --demo, the demo's, see New).
func (a *App) countyDeps() *county.Deps {
	return &county.Deps{
		Store: a.st, County: a.county, CountyName: a.countyName(),
		User: a.user.Name, Role: a.role(), Lang: textLang(a.lang),
		Window: a.win, Logger: a.opts.Logger, Bridge: a.b, Now: a.opts.Now, Notify: a.notify,
		Names: func(code string) string {
			if a.gaz != nil {
				if c, ok := a.gaz.County(code); ok {
					return c.Name
				}
			}
			return code
		},
		Open:     func(_ string, id uuid.UUID) { a.shell.push(newDetail(a, id)) },
		Evidence: a.evidence,
	}
}

// countyNavEntries are the reviewers' navigation entries, the review
// queue first (none for grid staff).
func (a *App) countyNavEntries() []navEntry {
	if a.user == nil || a.role() == model.RoleGrid {
		return nil
	}
	item := func(title string, icon fyne.Resource, mk func(*county.Deps) countyScreen) navEntry {
		return navEntry{title, icon, func() page { return countyPage{mk(a.countyDeps())} }}
	}
	return []navEntry{
		item(county.ReviewTitle(), theme.ConfirmIcon(), func(d *county.Deps) countyScreen { return county.NewReviewScreen(d) }),
		item(county.DashboardTitle(), theme.GridIcon(), func(d *county.Deps) countyScreen { return county.NewDashboardScreen(d) }),
		item(county.ExportTitle(), theme.DocumentSaveIcon(), func(d *county.Deps) countyScreen { return county.NewExportScreen(d) }),
		item(county.FireImportTitle(), theme.UploadIcon(), func(d *county.Deps) countyScreen { return county.NewFireImportScreen(d) }),
	}
}

// countyPageNamed is the county screen called name (review, dashboard,
// export, fireimport) for a reviewer; nil for grid staff or another name.
func (a *App) countyPageNamed(name string) page {
	if a.user == nil || a.role() == model.RoleGrid {
		return nil
	}
	d := a.countyDeps()
	switch name {
	case "review":
		return countyPage{county.NewReviewScreen(d)}
	case "dashboard":
		return countyPage{county.NewDashboardScreen(d)}
	case "export":
		return countyPage{county.NewExportScreen(d)}
	case "fireimport":
		return countyPage{county.NewFireImportScreen(d)}
	}
	return nil
}
