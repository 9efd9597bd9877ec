package county

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// ages are the "waiting at least" filter choices.
var ages = []time.Duration{0, 24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}

// ReviewScreen is the county bureau's review queue: records awaiting
// review, filtered by register, village, status and age, with approve,
// return with a comment, and bulk approval of the ticked records.
type ReviewScreen struct {
	d *Deps

	flows []*review.Flow
	items []review.Item
	// doubts counts each queued record's photo check flags (records
	// without any are absent).
	doubts map[uuid.UUID]int
	// checked holds the ticked records for bulk approval.
	checked map[uuid.UUID]bool
	// selected is the record the approve and return buttons act on (-1:
	// none).
	selected int

	register *widget.Select
	status   *widget.Select
	village  *widget.Entry
	age      *widget.Select
	list     *widget.List
	count    *widget.Label
	approve  *widget.Button
	ret      *widget.Button
	bulk     *widget.Button
	openBtn  *widget.Button
	progress *widget.ProgressBar
	root     fyne.CanvasObject
}

// NewReviewScreen builds the review queue and loads it.
func NewReviewScreen(d *Deps) *ReviewScreen {
	s := &ReviewScreen{d: d, flows: review.Flows(), checked: map[uuid.UUID]bool{}, selected: -1}

	regs := []string{lang.L("All registers")}
	for _, f := range s.flows {
		regs = append(regs, f.Schema.Label.In(d.Lang))
	}
	s.register = widget.NewSelect(regs, func(string) { s.fillStatuses(); s.Reload() })
	s.status = widget.NewSelect(nil, func(string) { s.Reload() })
	s.village = widget.NewEntry()
	s.village.SetPlaceHolder(lang.L("Village"))
	s.village.OnSubmitted = func(string) { s.Reload() }
	ageLabels := []string{lang.L("Any age"), lang.L("Waiting over 1 day"), lang.L("Waiting over 3 days"), lang.L("Waiting over 7 days")}
	s.age = widget.NewSelect(ageLabels, func(string) { s.Reload() })

	s.list = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("sub")
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, widget.NewCheck("", nil), nil, container.NewVBox(title, sub))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { s.fillRow(i, o) },
	)
	s.list.OnSelected = func(i widget.ListItemID) { s.selected = i; s.updateButtons() }
	s.list.OnUnselected = func(widget.ListItemID) { s.selected = -1; s.updateButtons() }

	s.approve = widget.NewButton(lang.L("Approve"), s.approveSelected)
	s.approve.Importance = widget.HighImportance
	s.ret = widget.NewButton(lang.L("Return…"), s.returnSelected)
	s.bulk = widget.NewButton(lang.L("Approve ticked"), s.approveChecked)
	s.openBtn = widget.NewButton(lang.L("Open record"), func() {
		if s.selected >= 0 && s.selected < len(s.items) && d.Open != nil {
			it := s.items[s.selected]
			d.Open(it.Flow.Schema.Name, it.State.Record)
		}
	})
	if d.Open == nil {
		s.openBtn.Hide()
	}
	s.count = widget.NewLabel("")
	s.progress = widget.NewProgressBar()
	s.progress.Hide()

	filters := container.NewGridWithColumns(2, s.register, s.status, s.village, s.age)
	actions := container.NewHBox(s.openBtn, s.approve, s.ret, s.bulk, s.count)
	s.root = container.NewBorder(container.NewVBox(filters, actions, s.progress), nil, nil, nil, s.list)

	s.register.SetSelectedIndex(0)
	s.age.SetSelectedIndex(0)
	return s
}

// CanvasObject returns the screen's content.
func (s *ReviewScreen) CanvasObject() fyne.CanvasObject { return s.root }

// flow returns the chosen register's workflow (nil for all).
func (s *ReviewScreen) flow() *review.Flow {
	i := s.register.SelectedIndex()
	if i <= 0 || i > len(s.flows) {
		return nil
	}
	return s.flows[i-1]
}

// fillStatuses offers the submitted statuses of the chosen register.
func (s *ReviewScreen) fillStatuses() {
	opts := []string{lang.L("All statuses")}
	if f := s.flow(); f != nil {
		for _, g := range f.Gates {
			st, _ := f.Schema.Status(g.Submitted)
			opts = append(opts, st.Label.In(s.d.Lang))
		}
	}
	s.status.Options = opts
	s.status.SetSelectedIndex(0)
}

// filter returns the queue filter of the widgets.
func (s *ReviewScreen) filter() review.Filter {
	f := review.Filter{County: s.d.County, Village: s.village.Text}
	if fl := s.flow(); fl != nil {
		f.Register = fl.Schema.Name
		if i := s.status.SelectedIndex(); i > 0 && i <= len(fl.Gates) {
			f.Status = fl.Gates[i-1].Submitted
		}
	}
	if i := s.age.SelectedIndex(); i > 0 && i < len(ages) {
		f.OlderThan = ages[i]
	}
	return f
}

// Reload reads the queue again (off the UI goroutine).
func (s *ReviewScreen) Reload() {
	if s.list == nil || s.age == nil || s.status == nil {
		return // still building
	}
	f := s.filter()
	now := s.d.now()
	var items []review.Item
	var doubts map[uuid.UUID]int
	s.d.run(func() error {
		var err error
		if items, err = review.Queue(s.d.Store, f, now); err != nil {
			return err
		}
		doubts = photoDoubts(s.d.Evidence, items)
		return nil
	}, func(err error) {
		if err != nil {
			s.showError(err)
			return
		}
		s.items, s.doubts = items, doubts
		keep := map[uuid.UUID]bool{}
		for _, it := range items {
			if s.checked[it.State.Record] {
				keep[it.State.Record] = true
			}
		}
		s.checked = keep
		s.selected = -1
		s.list.UnselectAll()
		s.list.Refresh()
		s.count.SetText(fmt.Sprintf(lang.L("%d awaiting review"), len(items)))
		s.updateButtons()
	})
}

// photoDoubts counts the photo check flags of each item (nil when the
// photos are not checked); a failure to check leaves the queue usable.
func photoDoubts(ev *evidencecheck.Live, items []review.Item) map[uuid.UUID]int {
	if ev == nil {
		return nil
	}
	c, err := ev.Checker()
	if err != nil {
		return nil
	}
	out := map[uuid.UUID]int{}
	for i := range items {
		it := &items[i]
		if n := len(c.Flags(it.Flow.Schema, &it.State)); n > 0 {
			out[it.State.Record] = n
		}
	}
	return out
}

// Items returns the records shown, in order.
func (s *ReviewScreen) Items() []review.Item { return s.items }

func (s *ReviewScreen) updateButtons() {
	can := s.d.reviewer()
	enable := func(b *widget.Button, on bool) {
		if on && can {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	enable(s.approve, s.selected >= 0 && s.selected < len(s.items))
	enable(s.ret, s.selected >= 0 && s.selected < len(s.items) && s.items[s.selected].Gate.Return.To != "")
	enable(s.bulk, len(s.checked) > 0)
}

// fillRow shows item i: title and register, then status, village, age
// and author.
func (s *ReviewScreen) fillRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(s.items) {
		return
	}
	it := s.items[i]
	c := o.(*fyne.Container)
	vb := c.Objects[0].(*fyne.Container)
	check := c.Objects[1].(*widget.Check)
	sc := it.Flow.Schema
	vb.Objects[0].(*widget.Label).SetText(recordTitle(sc, &it.State, s.d.Lang) + " · " + sc.Label.In(s.d.Lang))
	st, _ := sc.Status(it.Gate.Submitted)
	sub := st.Label.In(s.d.Lang)
	if v, _ := it.State.Value(model.FieldVillage).AsText(); v != "" {
		sub += " · " + model.PlaceName(v)
	}
	sub += " · " + fmt.Sprintf(lang.L("waiting %.1f days"), max(it.Waiting.Hours(), 0)/24)
	if a := it.State.Fields[model.FieldStatus].Author; a != "" {
		sub += " · " + a
	}
	warn := false
	if n := s.doubts[it.State.Record]; n > 0 {
		sub = "⚠ " + fmt.Sprintf(model.Text{ZH: "照片存疑 %d", EN: "doubtful photos: %d"}.In(s.d.Lang), n) + " · " + sub
		warn = true
	}
	if m := it.Late.Mark(s.d.Lang); m != "" {
		sub = "⚠ " + m + " · " + sub
		warn = true
	}
	if warn {
		vb.Objects[1].(*widget.Label).Importance = widget.WarningImportance
	} else {
		vb.Objects[1].(*widget.Label).Importance = widget.MediumImportance
	}
	vb.Objects[1].(*widget.Label).SetText(sub)
	id := it.State.Record
	check.OnChanged = nil
	check.SetChecked(s.checked[id])
	check.OnChanged = func(on bool) {
		if on {
			s.checked[id] = true
		} else {
			delete(s.checked, id)
		}
		s.updateButtons()
	}
}

// recordTitle is the record's title field in words, else its number.
func recordTitle(sc *model.Schema, st *oplog.State, lng string) string {
	if sc.TitleField != "" {
		if f, ok := sc.FieldOrReserved(sc.TitleField); ok {
			if t := model.Display(f, st.Value(sc.TitleField), lng); t != "" {
				return t
			}
		}
	}
	if n, _ := st.Value(model.FieldRecordNo).AsText(); n != "" {
		return n
	}
	return st.Record.String()[:8]
}

// Approve approves the record at index i of the list.
func (s *ReviewScreen) Approve(i int) {
	if i < 0 || i >= len(s.items) {
		return
	}
	it := s.items[i]
	id := it.State.Record
	title := recordTitle(it.Flow.Schema, &it.State, s.d.Lang)
	now := s.d.now()
	s.d.run(func() error {
		_, err := review.Approve(context.Background(), s.d.Store, id, s.d.User, s.d.Role, now)
		return err
	}, func(err error) {
		if err != nil {
			if fs := fillable(it.Flow.Schema, s.d.Role, err); fs != nil && s.d.Window != nil {
				s.askAndApprove(it, title, fs, nil, err)
				return
			}
			s.showError(err)
		} else {
			s.d.notify(fmt.Sprintf(lang.L("Approved: %s"), title))
		}
		s.Reload()
	})
}

func (s *ReviewScreen) approveSelected() { s.Approve(s.selected) }

// Return returns the record at index i with comment.
func (s *ReviewScreen) Return(i int, comment string) {
	if i < 0 || i >= len(s.items) {
		return
	}
	id := s.items[i].State.Record
	now := s.d.now()
	s.d.run(func() error {
		_, err := review.Return(context.Background(), s.d.Store, id, s.d.User, s.d.Role, comment, now)
		return err
	}, func(err error) {
		if err != nil {
			s.showError(err)
		} else {
			s.d.notify(lang.L("Returned for correction"))
		}
		s.Reload()
	})
}

// returnSelected asks for the comment in a dialog.
func (s *ReviewScreen) returnSelected() {
	i := s.selected
	if i < 0 || i >= len(s.items) || s.d.Window == nil {
		return
	}
	entry := widget.NewMultiLineEntry()
	entry.SetPlaceHolder(lang.L("What must be corrected"))
	entry.Validator = func(t string) error {
		if len([]rune(t)) < 2 {
			return fmt.Errorf("%s", lang.L("A return needs a comment"))
		}
		return nil
	}
	form := dialog.NewForm(lang.L("Return for correction"), lang.L("Return"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Review comment"), entry)},
		func(ok bool) {
			if ok {
				s.Return(i, entry.Text)
			}
		}, s.d.Window)
	// Wide enough to write in: the box gets at least 400 px beside its
	// label (less on a narrower window).
	entry.SetMinRowsVisible(4)
	entry.Wrapping = fyne.TextWrapWord
	form.Resize(fyne.NewSize(min(float32(600), s.d.Window.Canvas().Size().Width-40), 300))
	form.Show()
}

// BulkApprove approves every ticked record, showing progress.
func (s *ReviewScreen) BulkApprove() {
	var ids []uuid.UUID
	for _, it := range s.items {
		if s.checked[it.State.Record] {
			ids = append(ids, it.State.Record)
		}
	}
	if len(ids) == 0 {
		return
	}
	now := s.d.now()
	s.progress.SetValue(0)
	s.progress.Show()
	var res review.BulkResult
	s.d.run(func() error {
		var err error
		res, err = review.BulkApprove(context.Background(), s.d.Store, ids, s.d.User, s.d.Role, now, func(done, total int) {
			s.post(func() { s.progress.SetValue(float64(done) / float64(total)) })
		})
		return err
	}, func(err error) {
		s.progress.Hide()
		if err == nil && len(res.Failed) > 0 {
			err = fmt.Errorf(lang.L("%d approved, %d could not be approved"), len(res.Approved), len(res.Failed))
		}
		if err != nil {
			s.showError(err)
		} else {
			s.d.notify(fmt.Sprintf(lang.L("%d records approved"), len(res.Approved)))
		}
		s.checked = map[uuid.UUID]bool{}
		s.Reload()
	})
}

func (s *ReviewScreen) approveChecked() {
	if s.d.Window == nil {
		s.BulkApprove()
		return
	}
	dialog.ShowConfirm(lang.L("Approve ticked"), fmt.Sprintf(lang.L("Approve %d records?"), len(s.checked)), func(ok bool) {
		if ok {
			s.BulkApprove()
		}
	}, s.d.Window)
}

// post runs fn on the UI goroutine (in line when the screen runs its
// work in line, as in tests).
func (s *ReviewScreen) post(fn func()) { post(s.d, fn) }

func (s *ReviewScreen) showError(err error) { showError(s.d, err) }

// Check ticks or unticks the record at index i for bulk approval.
func (s *ReviewScreen) Check(i int, on bool) {
	if i < 0 || i >= len(s.items) {
		return
	}
	if on {
		s.checked[s.items[i].State.Record] = true
	} else {
		delete(s.checked, s.items[i].State.Record)
	}
	s.list.RefreshItem(i)
	s.updateButtons()
}
