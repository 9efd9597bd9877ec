package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/app/county"
	"github.com/lantian-tz/lantian/internal/review"
)

// reviewOverdue is how long a record may wait for review before the
// county's home marks it overdue.
const reviewOverdue = 3 * 24 * time.Hour

// countyHome is a reviewer's "today": the review queue's count with the
// longest waiting first (overdue marked), the county's fire points to
// check, and links to the county screens.
type countyHome struct {
	a *App

	queue, fires         []homeItem
	nQueue, nFires       int
	queueList, firesList *widget.List
	queueHead, firesHead *widget.Label
	overdue              *widget.Label
	reviewBtn            *widget.Button
	tabs                 *container.AppTabs // touch layout
	root                 fyne.CanvasObject
}

func newCountyHome(a *App) *countyHome {
	s := &countyHome{a: a}
	s.queueList = a.homeList(&s.queue)
	s.firesList = a.homeList(&s.fires)
	s.queueHead = heading(county.ReviewTitle())
	s.firesHead = heading(lang.L("Fire points to check"))
	s.overdue = widget.NewLabel("")
	s.overdue.Wrapping = fyne.TextWrapWord

	open := func(name string) func() {
		return func() {
			if p := a.countyPageNamed(name); p != nil {
				a.shell.show(p)
			}
		}
	}
	s.reviewBtn = widget.NewButtonWithIcon(county.ReviewTitle(), theme.ConfirmIcon(), open("review"))
	s.reviewBtn.Importance = widget.HighImportance
	links := container.NewGridWithColumns(2, s.reviewBtn,
		widget.NewButtonWithIcon(county.DashboardTitle(), theme.GridIcon(), open("dashboard")),
		widget.NewButtonWithIcon(county.ExportTitle(), theme.DocumentSaveIcon(), open("export")),
		widget.NewButtonWithIcon(county.FireImportTitle(), theme.UploadIcon(), open("fireimport")))
	section := func(h *widget.Label, l *widget.List) fyne.CanvasObject {
		return container.NewBorder(h, nil, nil, nil, l)
	}
	var body fyne.CanvasObject = container.NewGridWithColumns(2,
		section(s.queueHead, s.queueList), section(s.firesHead, s.firesList))
	if a.touch {
		s.tabs = container.NewAppTabs(
			container.NewTabItem(county.ReviewTitle(), s.queueList),
			container.NewTabItem(lang.L("Fire points to check"), s.firesList))
		body = s.tabs
	}
	s.root = container.NewBorder(container.NewVBox(links, s.overdue), nil, nil, nil, body)
	s.refresh()
	return s
}

func (s *countyHome) title() string {
	return lang.L("Today · {{.County}}", map[string]any{"County": s.a.countyName()})
}

func (s *countyHome) view() fyne.CanvasObject { return s.root }

// refresh loads the queue and the fire points off the UI goroutine.
func (s *countyHome) refresh() {
	a := s.a
	now := a.opts.Now()
	var queue, fires []homeItem
	var nQueue, nFires, lateQueue, lateFires int
	a.b.run(func() error {
		items, err := review.Queue(a.st, review.Filter{County: a.county}, now)
		if err != nil {
			return err
		}
		nQueue = len(items)
		for _, it := range items {
			h := homeItem{sc: it.Flow.Schema, st: it.State}
			if it.Waiting >= reviewOverdue {
				lateQueue++
				h.extra = lang.L("Waiting {{.Days}} days", map[string]any{"Days": fmt.Sprintf("%.0f", it.Waiting.Hours()/24)})
				queue = append([]homeItem{h}, queue...)
				continue
			}
			queue = append(queue, h)
		}
		if fires, err = firesToCheck(a, "", now); err != nil {
			return err
		}
		nFires = len(fires)
		for _, f := range fires {
			if f.extra != "" {
				lateFires++
			}
		}
		if len(queue) > homeLimit {
			queue = queue[:homeLimit]
		}
		if len(fires) > homeLimit {
			fires = fires[:homeLimit]
		}
		return nil
	}, func(err error) {
		if err != nil {
			s.overdue.SetText(plainError(err))
			return
		}
		s.queue, s.fires, s.nQueue, s.nFires = queue, fires, nQueue, nFires
		s.queueHead.SetText(lang.L("Awaiting review ({{.N}})", map[string]any{"N": nQueue}))
		s.reviewBtn.SetText(lang.L("Review queue ({{.N}})", map[string]any{"N": nQueue}))
		s.firesHead.SetText(lang.L("Fire points to check ({{.N}})", map[string]any{"N": nFires}))
		s.overdue.SetText(lang.L("Overdue: {{.Review}} records waiting over 3 days for review; {{.Fires}} fire points past their check time.",
			map[string]any{"Review": lateQueue, "Fires": lateFires}))
		if lateQueue+lateFires > 0 {
			s.overdue.Importance = widget.DangerImportance
		} else {
			s.overdue.Importance = widget.MediumImportance
		}
		s.overdue.Refresh()
		if s.tabs != nil {
			s.tabs.Items[0].Text = s.queueHead.Text
			s.tabs.Items[1].Text = s.firesHead.Text
			s.tabs.Refresh()
		}
		s.queueList.Refresh()
		s.firesList.Refresh()
	})
}
