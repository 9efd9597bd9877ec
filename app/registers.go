package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// registersScreen lists the registers by family with their record counts.
type registersScreen struct {
	a       *App
	schemas []*model.Schema
	counts  []int
	list    *widget.List
}

func newRegisters(a *App) *registersScreen {
	s := &registersScreen{a: a, schemas: model.Registers()}
	s.counts = make([]int, len(s.schemas))
	for i := range s.counts {
		s.counts[i] = -1
	}
	tl := a.textLang()
	s.list = widget.NewList(
		func() int { return len(s.schemas) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, nil, widget.NewLabel("000000"),
				widget.NewLabelWithStyle("register", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(s.schemas[i].Label.In(tl))
			n := ""
			if s.counts[i] >= 0 {
				n = lang.L("{{.N}} records", map[string]any{"N": s.counts[i]})
			}
			c.Objects[1].(*widget.Label).SetText(n)
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		a.shell.push(newListScreen(a, s.schemas[i]))
	}
	s.refresh()
	return s
}

func (s *registersScreen) title() string           { return lang.L("Registers") }
func (s *registersScreen) view() fyne.CanvasObject { return s.list }

// refresh counts each register's records off the UI goroutine.
func (s *registersScreen) refresh() {
	counts := make([]int, len(s.schemas))
	s.a.b.run(func() error {
		for i, sc := range s.schemas {
			n, err := s.a.st.Count(store.Query{Register: sc.Name, County: s.a.county})
			if err != nil {
				return err
			}
			counts[i] = n
		}
		return nil
	}, func(err error) {
		if err == nil {
			s.counts = counts
			s.list.Refresh()
		}
	})
}
