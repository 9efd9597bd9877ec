package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// patrolLog is the quick log of a straw patrol: everything is filled in
// for a zero report (now, the user's grid, village and name, on foot), so
// from home it is Log a patrol → Save, or Log a patrol → Add photo → Save. "More details" opens
// the full form with the same values for patrols that found something.
type patrolLog struct {
	a    *App
	sc   *model.Schema
	form *formScreen
	save *widget.Button
	more *widget.Button
	root fyne.CanvasObject
}

// patrolKeys are the fields the quick log shows; the rest are filled in.
var patrolKeys = []string{"patrol_date", "start_at", "end_at", "grid", "village", "area_desc", "photos"}

func newPatrolLog(a *App) page {
	sc, ok := model.Lookup("straw_patrol")
	if !ok {
		return newMessagePage(lang.L("Log a patrol"), lang.L("The patrol register is missing from this version."))
	}
	s := &patrolLog{a: a, sc: sc}
	vals := a.patrolDefaults(sc)
	s.form = newFormOnly(a, sc, uuid.Nil, vals, patrolKeys)
	s.form.onSaved = func(st storeState) {
		a.shell.pop()
		a.shell.push(newDetail(a, st.Record))
	}
	note := widget.NewLabel(lang.L("Zero report: nothing found on this patrol. Check the time and place and save; a route photo is optional but helps the review."))
	note.Wrapping = fyne.TextWrapWord
	s.more = widget.NewButton(lang.L("Something was found: full form"), func() {
		raw := s.form.raws()
		full := newForm(a, sc, uuid.Nil, vals)
		full.restoreDraft(draft{Raw: raw})
		full.set("zero_report", model.Bool(false))
		full.set("fire_found", model.Bool(true))
		full.set("findings_count", model.Int(1))
		a.shell.pop()
		a.shell.push(full)
	})
	s.root = container.NewBorder(container.NewVBox(note, s.more), nil, nil, nil, s.form.root)
	s.save = s.form.save
	return s
}

func (s *patrolLog) saveShortcut()           { s.form.saveShortcut() }
func (s *patrolLog) title() string           { return lang.L("Log a patrol") }
func (s *patrolLog) view() fyne.CanvasObject { return s.root }

// patrolDefaults is a zero report of the last hour by the current user.
func (a *App) patrolDefaults(sc *model.Schema) map[string]model.Value {
	now := a.opts.Now().In(model.Beijing)
	start := now.Add(-time.Hour)
	if start.Day() != now.Day() {
		start = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, model.Beijing)
	}
	vals := a.defaults(sc)
	vals["patrol_date"] = model.Str(now.Format(model.LayoutDate))
	vals["start_at"] = model.DateTimeValue(start)
	vals["end_at"] = model.DateTimeValue(now)
	vals["patrollers"] = model.List(a.author())
	vals["method"] = model.List("on_foot")
	vals["fire_found"] = model.Bool(false)
	vals["scar_found"] = model.Bool(false)
	vals["findings_count"] = model.Int(0)
	vals["zero_report"] = model.Bool(true)
	if a.user != nil {
		if a.user.Grid != "" {
			vals["grid"] = model.Str(a.user.Grid)
		}
		if a.user.Village != "" {
			vals["area_desc"] = model.Str(lang.L("Fields of {{.Village}}", map[string]any{"Village": model.PlaceName(a.user.Village)}))
		}
	}
	return vals
}

// messagePage is a page showing a single message.
type messagePage struct {
	t    string
	body fyne.CanvasObject
}

func newMessagePage(title, msg string) *messagePage {
	return &messagePage{t: title, body: messageView(title, msg)}
}

func (m *messagePage) title() string           { return m.t }
func (m *messagePage) view() fyne.CanvasObject { return m.body }

// showErr shows an error in plain words.
func (a *App) showErr(err error) {
	dialog.ShowError(fmt.Errorf("%s", plainError(err)), a.win)
}
