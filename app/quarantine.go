package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// quarantineScreen lists changes the store or the server held back, with
// the reason in plain words, a way to fix the record and a release: this
// device's changes the server refused, and changes received from other
// devices that failed this device's checks (a release drops those).
type quarantineScreen struct {
	a     *App
	items []store.QuarantinedOp
	list  *widget.List
	note  *widget.Label
	root  fyne.CanvasObject
}

func newQuarantine(a *App) *quarantineScreen {
	s := &quarantineScreen{a: a}
	tl := a.textLang()
	s.list = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject {
			t := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			r := widget.NewLabel("reason")
			r.Truncation = fyne.TextTruncateEllipsis
			fix := widget.NewButton(lang.L("Open the record"), nil)
			rel := widget.NewButton(lang.L("Release"), nil)
			return container.NewBorder(nil, nil, nil, container.NewHBox(fix, rel), container.NewVBox(t, r))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			q := s.items[i]
			c := o.(*fyne.Container)
			texts := c.Objects[0].(*fyne.Container)
			btns := c.Objects[1].(*fyne.Container)
			name := q.Op.Register
			if sc, ok := model.Lookup(q.Op.Register); ok {
				name = sc.Label.In(tl)
			}
			title := name + " · " + q.Op.Author + " · " + q.At.In(model.Beijing).Format("2006-01-02 15:04")
			rel := btns.Objects[1].(*widget.Button)
			rel.SetText(lang.L("Release"))
			if q.Received {
				label := lang.L("Received")
				if q.Code == store.Withdrawn {
					// The server withdrew it: its device was revoked.
					label = lang.L("Withdrawn")
				}
				title = label + " · " + title
				rel.SetText(lang.L("Dismiss"))
			}
			texts.Objects[0].(*widget.Label).SetText(title)
			texts.Objects[1].(*widget.Label).SetText(q.Reason.In(tl))
			btns.Objects[0].(*widget.Button).OnTapped = func() { a.shell.push(newDetail(a, q.Op.Record)) }
			rel.OnTapped = func() { s.release(q) }
		})
	s.note = widget.NewLabel("")
	s.note.Wrapping = fyne.TextWrapWord
	s.root = container.NewBorder(s.note, nil, nil, nil, s.list)
	s.refresh()
	return s
}

func (s *quarantineScreen) title() string           { return lang.L("Held changes") }
func (s *quarantineScreen) view() fyne.CanvasObject { return s.root }

func (s *quarantineScreen) refresh() {
	var items []store.QuarantinedOp
	s.a.b.run(func() error {
		var err error
		items, err = s.a.st.Quarantined()
		return err
	}, func(err error) {
		if err != nil {
			s.note.SetText(plainError(err))
			return
		}
		s.items = items
		if len(items) == 0 {
			s.note.SetText(lang.L("No changes are held back."))
		} else {
			s.note.SetText(lang.L("These changes were held back and are not in the registers yet. Open the record to correct it, then release the change."))
		}
		s.list.Refresh()
	})
}

func (s *quarantineScreen) release(q store.QuarantinedOp) {
	s.a.b.run(func() error { return s.a.st.Release(q.Op.ID()) }, func(err error) {
		if err != nil {
			s.a.showErr(err)
			return
		}
		s.refresh()
	})
}
