package app

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// homeItem is one row of a home section: a record and its register.
type homeItem struct {
	sc    *model.Schema
	st    storeState
	extra string // overdue, comment
}

// homeScreen is "today": quick actions, fire points waiting for checks
// (overdue marked), today's patrols, records returned by the county with
// their comments, and the number of unsynced changes.
type homeScreen struct {
	a *App

	fires, patrols, returned []homeItem
	pending                  int

	firesList, patrolsList, returnedList *widget.List
	firesHead, patrolsHead, returnedHead *widget.Label
	pendingLabel                         *widget.Label
	patrolBtn                            *widget.Button
	tabs                                 *container.AppTabs // touch layout
	root                                 fyne.CanvasObject
}

func newHome(a *App) page {
	s := &homeScreen{a: a}
	if a.user != nil && a.role() != model.RoleGrid {
		return newCountyHome(a)
	}
	mkList := a.homeList
	s.firesList = mkList(&s.fires)
	s.patrolsList = mkList(&s.patrols)
	s.returnedList = mkList(&s.returned)
	s.firesHead = heading(lang.L("Fire points to check"))
	s.patrolsHead = heading(lang.L("Patrols logged today"))
	s.returnedHead = heading(lang.L("Returned by the county"))
	s.pendingLabel = widget.NewLabel("")

	s.patrolBtn = widget.NewButtonWithIcon(lang.L("Log a patrol"), theme.ContentAddIcon(), func() {
		a.shell.push(newPatrolLog(a))
	})
	s.patrolBtn.Importance = widget.HighImportance
	checkBtn := widget.NewButtonWithIcon(lang.L("Check fire points"), theme.WarningIcon(), func() {
		a.shell.show(newFirePoints(a))
	})
	syncBtn := widget.NewButtonWithIcon(lang.L("Sync"), theme.ViewRefreshIcon(), func() {
		a.shell.show(newSyncScreen(a))
	})
	actions := container.NewGridWithColumns(3, s.patrolBtn, checkBtn, syncBtn)
	section := func(h *widget.Label, l *widget.List) fyne.CanvasObject {
		return container.NewBorder(h, nil, nil, nil, l)
	}
	var grid fyne.CanvasObject = container.NewGridWithColumns(2,
		section(s.firesHead, s.firesList),
		container.NewGridWithRows(2, section(s.patrolsHead, s.patrolsList), section(s.returnedHead, s.returnedList)))
	if a.touch {
		// One section at a time on tablets: each list gets the height.
		s.tabs = container.NewAppTabs(
			container.NewTabItem(lang.L("Fire points to check"), s.firesList),
			container.NewTabItem(lang.L("Patrols logged today"), s.patrolsList),
			container.NewTabItem(lang.L("Returned by the county"), s.returnedList))
		grid = s.tabs
	}
	s.root = container.NewBorder(container.NewVBox(actions, s.pendingLabel), nil, nil, nil, grid)
	s.refresh()
	return s
}

// homeList lists home items: register, title and status, then the
// item's note (overdue, comment) or the record's subtitle; a tap opens the
// record.
func (a *App) homeList(items *[]homeItem) *widget.List {
	l := widget.NewList(
		func() int { return len(*items) },
		func() fyne.CanvasObject {
			t := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			t.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("sub")
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(t, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			it := (*items)[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(it.sc.Label.In(a.textLang()) + "：" + a.recordTitle(it.sc, &it.st) + " · " + a.statusLabel(it.sc, &it.st))
			sub := c.Objects[1].(*widget.Label)
			if it.extra != "" {
				sub.SetText(it.extra)
				sub.Importance = widget.DangerImportance
			} else {
				sub.SetText(a.recordSubtitle(it.sc, &it.st))
				sub.Importance = widget.MediumImportance
			}
			sub.Refresh()
		})
	l.OnSelected = func(i widget.ListItemID) {
		l.UnselectAll()
		a.shell.push(newDetail(a, (*items)[i].st.Record))
	}
	return l
}

func (s *homeScreen) title() string {
	return lang.L("Today · {{.County}}", map[string]any{"County": s.a.countyName()})
}

func (s *homeScreen) view() fyne.CanvasObject { return s.root }

// homeLimit caps each home section (the register lists show the rest).
const homeLimit = 50

// refresh loads the sections off the UI goroutine.
func (s *homeScreen) refresh() {
	a := s.a
	now := a.opts.Now()
	today := now.In(model.Beijing).Format(model.LayoutDate)
	var fires, patrols, returned []homeItem
	var pending, nFires int
	a.b.run(func() error {
		var err error
		if fires, err = firesToCheck(a, fireScope(a), now); err != nil {
			return err
		}
		nFires = len(fires)
		if len(fires) > homeLimit {
			fires = fires[:homeLimit]
		}
		if sc, ok := model.Lookup("straw_patrol"); ok {
			page, err := a.st.List(store.Query{Register: sc.Name, County: a.county, Limit: homeLimit})
			if err != nil {
				return err
			}
			for _, st := range page.Records {
				if d, _ := st.Value("patrol_date").AsText(); d == today {
					patrols = append(patrols, homeItem{sc: sc, st: st})
				}
			}
		}
		for _, sc := range model.Registers() {
			for _, status := range returnStatuses(sc) {
				page, err := a.st.List(store.Query{Register: sc.Name, County: a.county, Status: status, Limit: homeLimit})
				if err != nil {
					return err
				}
				for _, st := range page.Records {
					c, _ := st.Value(model.FieldReviewComment).AsText()
					if c == "" && !strings.Contains(status, "return") {
						continue // reached by other moves too; only returns carry a comment
					}
					if c != "" {
						c = lang.L("Comment: {{.Comment}}", map[string]any{"Comment": c})
					}
					returned = append(returned, homeItem{sc: sc, st: st, extra: c})
				}
			}
		}
		pending, err = a.st.Pending()
		return err
	}, func(err error) {
		if err != nil {
			s.pendingLabel.SetText(plainError(err))
			return
		}
		s.fires, s.patrols, s.returned, s.pending = fires, patrols, returned, pending
		s.firesHead.SetText(firesHeading(a, nFires))
		s.patrolsHead.SetText(lang.L("Patrols logged today ({{.N}})", map[string]any{"N": len(patrols)}))
		s.returnedHead.SetText(lang.L("Returned by the county ({{.N}})", map[string]any{"N": len(returned)}))
		if s.tabs != nil {
			for i, h := range []*widget.Label{s.firesHead, s.patrolsHead, s.returnedHead} {
				s.tabs.Items[i].Text = h.Text
			}
			s.tabs.Refresh()
		}
		if pending == 0 {
			s.pendingLabel.SetText(lang.L("Every change on this device is synced."))
		} else {
			s.pendingLabel.SetText(lang.L("{{.N}} changes on this device are not synced yet.", map[string]any{"N": pending}))
		}
		s.firesList.Refresh()
		s.patrolsList.Refresh()
		s.returnedList.Refresh()
	})
}

// fireScope is the township whose fire points a user checks: a grid
// worker's own, or "" (the whole county) for others. Home and the fire
// point screen count in the same scope.
func fireScope(a *App) string {
	if a.user == nil || a.role() != model.RoleGrid {
		return ""
	}
	return model.PlaceName(a.user.Township) // its name when kept as a code
}

// firesHeading is the fire point section's heading: the count and its
// scope.
func firesHeading(a *App, n int) string {
	if t := fireScope(a); t != "" {
		return lang.L("Fire points to check in {{.Township}} ({{.N}})", map[string]any{"Township": t, "N": n})
	}
	return lang.L("Fire points to check ({{.N}})", map[string]any{"N": n})
}

// firesToCheck are the fire points waiting for a check (returned,
// pushed, being checked) in township ("" for the whole county), overdue
// ones first. Call it off the UI goroutine.
func firesToCheck(a *App, township string, now time.Time) ([]homeItem, error) {
	sc, ok := model.Lookup("fire_point")
	if !ok {
		return nil, nil
	}
	var items []homeItem
	for _, status := range []string{model.FireReturned, model.FirePending, model.FireVerifying} {
		q := store.Query{Register: sc.Name, County: a.county, Status: status, Limit: 500}
		for {
			page, err := a.st.List(q)
			if err != nil {
				return nil, err
			}
			for _, st := range page.Records {
				if township != "" {
					if t, _ := st.Value("pushed_township").AsText(); !strings.Contains(t, township) && !strings.Contains(township, t) {
						continue
					}
				}
				items = append(items, homeItem{sc: sc, st: st, extra: overdueNote(sc, &st, now)})
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	// Overdue first, keeping the store's order otherwise.
	slices.SortStableFunc(items, func(x, y homeItem) int {
		switch {
		case x.extra != "" && y.extra == "":
			return -1
		case x.extra == "" && y.extra != "":
			return 1
		}
		return 0
	})
	return items, nil
}

// returnStatuses are the statuses a reviewer's return (a transition that
// needs a comment) leads to, other than re-check loops into work states.
func returnStatuses(sc *model.Schema) []string {
	var out []string
	for _, t := range sc.Transitions {
		if t.Comment && !slices.Contains(out, t.To) && t.To != sc.Initial {
			if st, ok := sc.Status(t.To); ok && !st.Final && t.To != model.FireVerifying {
				out = append(out, t.To)
			}
		}
	}
	return out
}

// overdueNote marks a fire point whose check is past its due time.
func overdueNote(sc *model.Schema, st *storeState, now time.Time) string {
	due, _ := st.Value("due_at").AsText()
	if due == "" {
		return ""
	}
	f, _ := sc.Field("due_at")
	t, err := parseDateTime(due)
	if err != nil || t.Unix() >= now.Unix() {
		return ""
	}
	return lang.L("Overdue since {{.Due}}", map[string]any{"Due": model.Display(f, st.Value("due_at"), "zh")})
}

// parseDateTime reads a stored datetime value's text.
func parseDateTime(s string) (time.Time, error) { return time.Parse(model.LayoutDateTime, s) }
