package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// firePointsScreen lists the fire points waiting for a check in the
// user's township (or the whole county), overdue ones first.
type firePointsScreen struct {
	a     *App
	sc    *model.Schema
	items []homeItem
	all   *widget.Check
	list  *widget.List
	note  *widget.Label
	root  fyne.CanvasObject
}

func newFirePoints(a *App) page {
	sc, ok := model.Lookup("fire_point")
	if !ok {
		return newMessagePage(lang.L("Fire points"), lang.L("The fire point register is missing from this version."))
	}
	s := &firePointsScreen{a: a, sc: sc}
	s.list = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject {
			t := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			sub := widget.NewLabel("sub")
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(t, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			it := s.items[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(a.recordTitle(sc, &it.st) + " · " + a.statusLabel(sc, &it.st))
			sub := c.Objects[1].(*widget.Label)
			twp, _ := it.st.Value("pushed_township").AsText()
			f, _ := sc.Field("pushed_location")
			line := twp + " · " + model.Display(f, it.st.Value("pushed_location"), a.textLang())
			if it.extra != "" {
				line = it.extra + " · " + line
				sub.Importance = widget.DangerImportance
			} else {
				sub.Importance = widget.MediumImportance
			}
			sub.SetText(line)
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		a.shell.push(newFireCheck(a, s.items[i].st))
	}
	s.all = widget.NewCheck(lang.L("Whole county"), func(bool) { s.refresh() })
	s.note = widget.NewLabel("")
	if fireScope(a) == "" {
		s.all.SetChecked(true)
		s.all.Disable()
	}
	s.root = container.NewBorder(container.NewHBox(s.note, s.all), nil, nil, nil, s.list)
	s.refresh()
	return s
}

func (s *firePointsScreen) title() string           { return lang.L("Fire points") }
func (s *firePointsScreen) view() fyne.CanvasObject { return s.root }

func (s *firePointsScreen) refresh() {
	a := s.a
	township := ""
	if !s.all.Checked {
		township = fireScope(a)
	}
	now := a.opts.Now()
	var items []homeItem
	a.b.run(func() error {
		var err error
		items, err = firesToCheck(a, township, now)
		return err
	}, func(err error) {
		if err != nil {
			s.note.SetText(plainError(err))
			return
		}
		overdue := 0
		for _, it := range items {
			if it.extra != "" {
				overdue++
			}
		}
		s.items = items
		s.note.SetText(lang.L("{{.N}} to check, {{.Overdue}} overdue", map[string]any{"N": len(items), "Overdue": overdue}))
		s.list.Refresh()
	})
}

// fireVerdicts are the quick verdict choices of a check: real straw
// burning, another source, a false alarm.
var fireVerdicts = []struct {
	key   string
	label string
}{
	{"confirmed_straw", "Straw burning"},
	{"not_burning", "Other source"},
	{"no_trace", "False alarm"},
}

// fireCheck verifies one fire point: pick a verdict, fill what it needs
// (note, photos, position; burned area and action for real fires), save;
// the status moves to 已核查 through the lifecycle's steps.
type fireCheck struct {
	a        *App
	sc       *model.Schema
	st       storeState
	box      *fyne.Container
	form     *formScreen
	verdicts []*widget.Button
	root     fyne.CanvasObject
}

// verifyKeys are the check fields shown for each verdict group.
var (
	verifyCommon    = []string{"verifiers", "arrived_at", "verified_location", "verdict", "verify_photos", "verify_note"}
	verifyConfirmed = []string{"burned_material", "burned_area_mu", "fire_state", "extinguished_at", "party_identified", "party_name", "party_id", "enforcement", "fine_yuan"}
)

func newFireCheck(a *App, st storeState) *fireCheck {
	sc, _ := model.Lookup("fire_point")
	s := &fireCheck{a: a, sc: sc, st: st, box: container.NewVBox()}
	tl := a.textLang()
	info := widget.NewForm()
	for _, k := range []string{"source_fire_id", "source", "detected_at", "pushed_location", "pushed_township", "due_at"} {
		if f, ok := sc.Field(k); ok {
			info.Append(f.Label.In(tl), widget.NewLabel(model.Display(f, st.Value(k), tl)))
		}
	}
	if n := overdueNote(sc, &st, a.opts.Now()); n != "" {
		l := widget.NewLabel(n)
		l.Importance = widget.DangerImportance
		s.box.Add(l)
	}
	s.box.Add(info)
	s.box.Add(heading(lang.L("What did you find?")))
	row := container.NewGridWithColumns(len(fireVerdicts))
	for _, v := range fireVerdicts {
		v := v
		b := widget.NewButton(lang.L(v.label), func() { s.pick(v.key) })
		s.verdicts = append(s.verdicts, b)
		row.Add(b)
	}
	s.box.Add(row)
	body := container.NewStack()
	s.box.Add(body)
	s.root = container.NewVScroll(container.NewPadded(s.box))
	return s
}

func (s *fireCheck) title() string {
	return lang.L("Check {{.ID}}", map[string]any{"ID": s.a.recordTitle(s.sc, &s.st)})
}
func (s *fireCheck) view() fyne.CanvasObject { return s.root }

// saveShortcut saves the check once a verdict is picked (Ctrl+S).
func (s *fireCheck) saveShortcut() {
	if s.form != nil {
		s.form.saveShortcut()
	}
}

// pick shows the check form for a verdict.
func (s *fireCheck) pick(verdict string) {
	a := s.a
	for i, b := range s.verdicts {
		if fireVerdicts[i].key == verdict {
			b.Importance = widget.HighImportance
		} else {
			b.Importance = widget.MediumImportance
		}
		b.Refresh()
	}
	vals := map[string]model.Value{}
	for k, f := range s.st.Fields {
		vals[k] = f.Value
	}
	vals["verdict"] = model.Str(verdict)
	if vals["verifiers"].IsNull() {
		vals["verifiers"] = model.List(a.author())
	}
	if vals["arrived_at"].IsNull() {
		vals["arrived_at"] = model.DateTimeValue(a.opts.Now())
	}
	keys := append([]string(nil), verifyCommon...)
	if verdict == "confirmed_straw" || verdict == "confirmed_other_open" {
		keys = append(keys, verifyConfirmed...)
	}
	s.form = newFormOnly(a, s.sc, s.st.Record, vals, keys)
	s.form.extra = map[string]model.Value{model.FieldStatus: model.Str(model.FireVerified)}
	s.form.markRequired() // as the check will save it: verified
	s.form.write = s.write
	if cur, _ := s.st.Value(model.FieldStatus).AsText(); cur == model.FirePending {
		s.form.via = model.FireVerifying
	}
	s.form.onSaved = func(storeState) {
		a.shell.pop()
		a.notify(lang.L("Fire point {{.ID}} checked and saved.", map[string]any{"ID": a.recordTitle(s.sc, &s.st)}))
	}
	// The first changed values differ from the stored ones: verdict and
	// defaults must be saved too.
	s.form.base = copyValues(s.st.Fields)
	body := s.box.Objects[len(s.box.Objects)-1].(*fyne.Container)
	// The check page scrolls as a whole: the form goes in without its own
	// scroller, and its errors scroll the page.
	body.Objects = []fyne.CanvasObject{s.form.scroll.Content}
	s.form.scroll = s.root.(*container.Scroll)
	body.Refresh()
}

// write saves the check: a pending point is first moved to 核查中, then
// the check's values and 已核查 are written.
func (s *fireCheck) write(ch store.Change, done func(storeState, error)) {
	a := s.a
	ch.Author, ch.Role = a.author(), a.role()
	var res storeState
	a.b.run(func() error {
		ctx := context.Background()
		now, err := a.st.Get(ch.Record)
		if err != nil {
			return err
		}
		if cur, _ := now.Value(model.FieldStatus).AsText(); cur == model.FirePending {
			if _, err := a.st.Append(ctx, store.Change{Record: ch.Record, Author: ch.Author, Role: ch.Role,
				Set: map[string]model.Value{model.FieldStatus: model.Str(model.FireVerifying)}}); err != nil {
				return err
			}
		}
		res, err = a.st.Append(ctx, ch)
		return err
	}, func(err error) {
		if err == nil {
			s.st = res
		}
		done(res, err)
	})
}

func copyValues(fs map[string]oplog.FieldState) map[string]model.Value {
	out := make(map[string]model.Value, len(fs))
	for k, f := range fs {
		out[k] = f.Value
	}
	return out
}
