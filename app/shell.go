package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// storeState is a record as the store returns it.
type storeState = oplog.State

// page is one screen in the shell's navigation stack.
type page interface {
	title() string
	view() fyne.CanvasObject
}

// refresher is a page that reloads when the store changes.
type refresher interface{ refresh() }

// shell is the main frame: a header with back, title, user and sync
// state; a navigation bar (left on desktops, bottom on touch devices);
// and the current page.
type shell struct {
	a       *App
	root    *fyne.Container
	body    *fyne.Container
	heading *widget.Label
	back    *widget.Button
	userBtn *widget.Button
	syncBtn *widget.Button
	stack   []page
}

func newShell(a *App) *shell { return &shell{a: a} }

// rebuild makes the frame's widgets (again, after a language switch).
func (s *shell) rebuild() {
	a := s.a
	s.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.back = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), s.pop)
	s.userBtn = widget.NewButtonWithIcon("", theme.AccountIcon(), func() { a.showLogin() })
	s.syncBtn = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { s.show(newSyncScreen(a)) })
	s.syncBtn.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, s.back,
		container.NewHBox(s.syncBtn, s.userBtn), s.heading)

	navItem := func(e navEntry) *widget.Button {
		b := widget.NewButtonWithIcon(e.label, e.icon, func() { s.show(e.open()) })
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	entries := a.navEntries()
	s.body = container.NewStack()
	if a.touch {
		s.root = container.NewBorder(header, s.bottomBar(entries), nil, nil, s.body)
	} else {
		items := make([]fyne.CanvasObject, len(entries))
		for i, e := range entries {
			items[i] = navItem(e)
		}
		county := widget.NewLabelWithStyle(a.countyName(), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		nav := container.NewVBox(append([]fyne.CanvasObject{county, widget.NewSeparator()}, items...)...)
		s.root = container.NewBorder(header, nil, container.NewHBox(nav, widget.NewSeparator()), nil, s.body)
	}
	s.updateHeader()
}

// navEntry is one navigation item.
type navEntry struct {
	label string
	icon  fyne.Resource
	open  func() page
}

// navEntries are the user's navigation items, the most used first.
func (a *App) navEntries() []navEntry {
	county := a.countyNavEntries()
	out := []navEntry{{lang.L("Today"), theme.HomeIcon(), func() page { return newHome(a) }}}
	if len(county) > 0 {
		out = append(out, county[0]) // the review queue
	}
	out = append(out,
		navEntry{lang.L("Registers"), theme.ListIcon(), func() page { return newRegisters(a) }},
		navEntry{lang.L("Fire points"), theme.WarningIcon(), func() page { return newFirePoints(a) }})
	if len(county) > 0 {
		out = append(out, county[1:]...)
	}
	return append(out,
		navEntry{lang.L("Sync"), theme.ViewRefreshIcon(), func() page { return newSyncScreen(a) }},
		navEntry{lang.L("Held changes"), theme.ErrorIcon(), func() page { return newQuarantine(a) }},
		navEntry{lang.L("Settings"), theme.SettingsIcon(), func() page { return newSettings(a) }})
}

// barItems is how many navigation items the bottom bar shows; the rest
// go in its "More" menu, so each label keeps its full width on a
// portrait tablet.
const barItems = 4

// bottomBar is the touch layout's navigation: the first items as
// buttons, the others in a menu.
func (s *shell) bottomBar(entries []navEntry) fyne.CanvasObject {
	var items []fyne.CanvasObject
	for i, e := range entries {
		if i == barItems && len(entries) > barItems+1 {
			break
		}
		items = append(items, barButton(e.label, e.icon, func() { s.show(e.open()) }))
	}
	if len(entries) > len(items) {
		var menu []*fyne.MenuItem
		for _, e := range entries[len(items):] {
			it := fyne.NewMenuItem(e.label, func() { s.show(e.open()) })
			it.Icon = e.icon
			menu = append(menu, it)
		}
		var more fyne.CanvasObject
		more = barButton(lang.L("More"), theme.MoreHorizontalIcon(), func() {
			c := fyne.CurrentApp().Driver().CanvasForObject(more)
			if c == nil {
				return
			}
			pop := widget.NewPopUpMenu(fyne.NewMenu("", menu...), c)
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(more)
			size := pop.MinSize()
			pop.ShowAtPosition(fyne.NewPos(pos.X+more.Size().Width-size.Width, pos.Y-size.Height))
		})
		items = append(items, more)
	}
	return container.NewGridWithColumns(len(items), items...)
}

// barButton is a bottom bar item: its icon above a caption-sized label
// that shortens rather than widening the bar.
func barButton(label string, icon fyne.Resource, tapped func()) fyne.CanvasObject {
	l := widget.NewLabel(label)
	l.Alignment = fyne.TextAlignCenter
	l.Truncation = fyne.TextTruncateEllipsis
	l.SizeName = theme.SizeNameCaptionText
	return container.NewStack(widget.NewButton("", tapped),
		container.NewVBox(container.NewCenter(widget.NewIcon(icon)), l))
}

// goHome shows the home screen as the only page.
func (s *shell) goHome() { s.show(newHome(s.a)) }

// show replaces the navigation stack with p.
func (s *shell) show(p page) {
	s.stack = []page{p}
	s.render()
}

// push opens p on top of the current page.
func (s *shell) push(p page) {
	s.stack = append(s.stack, p)
	s.render()
}

// pop returns to the previous page.
func (s *shell) pop() {
	if len(s.stack) <= 1 {
		return
	}
	s.stack = s.stack[:len(s.stack)-1]
	if r, ok := s.current().(refresher); ok {
		r.refresh()
	}
	s.render()
}

// current is the page on top.
func (s *shell) current() page {
	if len(s.stack) == 0 {
		return nil
	}
	return s.stack[len(s.stack)-1]
}

func (s *shell) render() {
	p := s.current()
	s.heading.SetText(p.title())
	if len(s.stack) > 1 {
		s.back.Show()
	} else {
		s.back.Hide()
	}
	s.body.Objects = []fyne.CanvasObject{p.view()}
	s.body.Refresh()
	s.updateHeader()
}

// refresh reloads the current page and the header after store changes.
func (s *shell) refresh() {
	if r, ok := s.current().(refresher); ok {
		r.refresh()
	}
	s.updateHeader()
}

// refreshChanged redraws the current page after store events changed
// the records ch: only their rows on a page that can, else the page.
func (s *shell) refreshChanged(ch changes) {
	switch p := s.current().(type) {
	case rowRefresher:
		p.refreshChanged(ch)
	case refresher:
		p.refresh()
	}
	s.updateHeader()
}

// updateHeader shows the user and the number of unsynced changes.
func (s *shell) updateHeader() {
	a := s.a
	if a.user != nil {
		s.userBtn.SetText(a.user.Name)
	}
	var n int
	a.b.run(func() error {
		var err error
		n, err = a.st.Pending()
		return err
	}, func(err error) {
		if err != nil {
			return
		}
		if n == 0 {
			s.syncBtn.SetText(lang.L("All synced"))
		} else {
			s.syncBtn.SetText(lang.L("{{.N}} not synced", map[string]any{"N": n}))
		}
	})
}
