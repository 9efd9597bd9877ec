package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/evidencecheck"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// detailScreen shows one record: its values, its status with the moves
// the user's role may make, open conflicts side by side with one-tap
// settling, and the full history.
type detailScreen struct {
	evidenceBtn *widget.Button
	a           *App
	id          uuid.UUID
	st          storeState
	sc          *model.Schema
	hist        []store.HistoryEntry
	// refs are the titles of the records the values and history refer
	// to, by id.
	refs map[string]string
	// flags are the photo checks' doubts, exif what the photos on this
	// device say of themselves (by SHA-256).
	flags []evidencecheck.Flag
	exif  map[string]photoexif.Info

	box  *fyne.Container
	root fyne.CanvasObject
	// settleButtons are the "keep" buttons of open conflicts (tests).
	settleButtons []*widget.Button
	// moveButtons are the status transition buttons (tests).
	moveButtons []*widget.Button
}

func newDetail(a *App, id uuid.UUID) *detailScreen {
	s := &detailScreen{a: a, id: id, box: container.NewVBox()}
	s.root = container.NewVScroll(container.NewPadded(s.box))
	s.refresh()
	return s
}

func (s *detailScreen) title() string {
	if s.sc == nil {
		return lang.L("Record")
	}
	return s.a.recordTitle(s.sc, &s.st)
}

func (s *detailScreen) view() fyne.CanvasObject { return s.root }

// refresh reloads the record and its history.
func (s *detailScreen) refresh() {
	var st storeState
	var hist []store.HistoryEntry
	var refs map[string]string
	var flags []evidencecheck.Flag
	var exif map[string]photoexif.Info
	s.a.b.run(func() error {
		var err error
		if st, err = s.a.st.Get(s.id); err != nil {
			return err
		}
		if hist, err = s.a.st.History(s.id); err != nil {
			return err
		}
		refs = s.a.refTitles(st, hist)
		flags, exif = s.a.photoChecks(&st)
		return nil
	}, func(err error) {
		if err != nil {
			s.box.Objects = []fyne.CanvasObject{widget.NewLabel(plainError(err))}
			s.box.Refresh()
			return
		}
		s.st, s.hist, s.refs, s.flags, s.exif = st, hist, refs, flags, exif
		s.sc, _ = model.Lookup(st.Register)
		s.render()
	})
}

// heading is a section title: larger, bold text.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// errorLabel is an empty, wrapping label for error messages, shown in the
// theme's danger colour.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (s *detailScreen) render() {
	a, sc, st := s.a, s.sc, &s.st
	tl := a.textLang()
	s.box.Objects = nil
	s.settleButtons, s.moveButtons = nil, nil
	if sc == nil {
		s.box.Add(widget.NewLabel(lang.L("Unknown register {{.Name}}", map[string]any{"Name": st.Register})))
		s.box.Refresh()
		return
	}
	// Status and moves.
	status, _ := st.Value(model.FieldStatus).AsText()
	head := container.NewHBox(widget.NewLabel(sc.Label.In(tl)), widget.NewLabelWithStyle(a.statusLabel(sc, st), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if st.Deleted {
		head.Add(widget.NewLabel(lang.L("(deleted)")))
	}
	s.box.Add(head)
	late := review.LateEdits(sc, s.hist)
	if m := late.Mark(tl); m != "" {
		l := widget.NewLabelWithStyle("⚠ "+m, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		s.box.Add(l)
	}
	if c, _ := st.Value(model.FieldReviewComment).AsText(); c != "" {
		l := widget.NewLabel(lang.L("Review comment: {{.Comment}}", map[string]any{"Comment": c}))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		s.box.Add(l)
	}
	actions := container.NewHBox()
	if !st.Deleted {
		edit := widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), func() {
			vals := map[string]model.Value{}
			for k, f := range st.Fields {
				vals[k] = f.Value
			}
			a.shell.push(newForm(a, sc, st.Record, vals))
		})
		actions.Add(edit)
		if sc.Name == "fire_point" && (status == model.FirePending || status == model.FireVerifying || status == model.FireReturned) {
			check := widget.NewButtonWithIcon(lang.L("Check fire points"), theme.WarningIcon(), func() {
				a.shell.push(newFireCheck(a, *st))
			})
			check.Importance = widget.HighImportance
			actions.Add(check)
		}
		for _, t := range sc.NextStatuses(status, a.role()) {
			t := t
			b := widget.NewButton(t.Label.In(tl), func() { s.move(t) })
			if !t.Comment {
				b.Importance = widget.HighImportance
			}
			s.moveButtons = append(s.moveButtons, b)
			actions.Add(b)
		}
	}
	if !st.Deleted && status == sc.Initial && st.CreatedBy == a.author() {
		del := widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), s.delete)
		del.Importance = widget.DangerImportance
		actions.Add(del)
	}
	s.box.Add(actions)
	if r := a.role(); (r == model.RoleCounty || r == model.RoleProvince) && a.own != nil {
		// An inspector's copy of the record: its signed history, the
		// enrollment statements of the devices that made it, its photos.
		s.evidenceBtn = widget.NewButtonWithIcon(lang.L("Evidence pack…"), theme.DocumentSaveIcon(), s.exportEvidence)
		s.box.Add(container.NewHBox(s.evidenceBtn))
	}

	// Conflicts.
	if len(st.Conflicts) > 0 {
		s.box.Add(widget.NewSeparator())
		s.box.Add(heading(lang.L("Conflicting changes to settle")))
		note := widget.NewLabel(lang.L("Two people changed these fields at the same time. Choose the value to keep; the other stays in the history."))
		note.Wrapping = fyne.TextWrapWord
		s.box.Add(note)
		for _, c := range st.Conflicts {
			s.box.Add(s.conflictRow(c))
		}
	}

	// Values.
	s.box.Add(widget.NewSeparator())
	s.box.Add(heading(lang.L("Values")))
	form := widget.NewForm()
	for i := range sc.Fields {
		f := &sc.Fields[i]
		v := st.Value(f.Key)
		if v.IsNull() {
			continue
		}
		var w fyne.CanvasObject
		if f.Kind == model.KindPhotos {
			hashes, _ := v.AsList()
			row := container.NewHBox()
			for i, h := range hashes {
				row.Add(a.thumbnailOpening(h, nil, func() {
					a.shell.push(newPhotoViewer(a, hashes, i, func(i int) string { return s.photoCaption(f, hashes[i]) }))
				}))
			}
			w = container.NewHScroll(row)
			if doubts := s.photoFlags(f.Key); doubts != nil {
				w = container.NewVBox(w, doubts)
			}
		} else {
			l := widget.NewLabel(s.display(f.Key, v))
			l.Wrapping = fyne.TextWrapWord
			w = l
		}
		form.Append(f.Label.In(tl), w)
	}
	for _, k := range []string{model.FieldCreatedBy, model.FieldCreatedAt, model.FieldReviewedBy, model.FieldReviewedAt} {
		if f, ok := sc.FieldOrReserved(k); ok && !st.Value(k).IsNull() {
			form.Append(f.Label.In(tl), widget.NewLabel(model.Display(f, st.Value(k), tl)))
		}
	}
	s.box.Add(form)

	// Sync state.
	var synced bool
	s.a.b.run(func() error {
		var err error
		synced, err = a.st.SyncStatus(st.Record)
		return err
	}, func(err error) {
		if err == nil && !synced {
			l := widget.NewLabel(lang.L("Changes of this record are not synced yet."))
			l.Importance = widget.WarningImportance
			s.box.Objects = append([]fyne.CanvasObject{l}, s.box.Objects...)
			s.box.Refresh()
		}
	})

	// History.
	s.box.Add(widget.NewSeparator())
	s.box.Add(heading(lang.L("History")))
	for _, h := range s.hist { // oldest first, in the merge's order
		s.box.Add(s.historyRow(h, late))
	}
	s.box.Refresh()
	a.shell.heading.SetText(s.title())
}

// fieldLabel is a field's label, reserved fields included.
func (s *detailScreen) fieldLabel(key string) (string, *model.Field) {
	if f, ok := s.sc.FieldOrReserved(key); ok {
		return f.Label.In(s.a.textLang()), f
	}
	return key, nil
}

func (s *detailScreen) display(key string, v model.Value) string {
	if v.IsNull() {
		return lang.L("(empty)")
	}
	if _, f := s.fieldLabel(key); f != nil {
		switch f.Kind {
		case model.KindRef, model.KindRefList:
			ids, _ := v.AsList()
			if f.Kind == model.KindRef {
				id, _ := v.AsText()
				ids = []string{id}
			}
			titles := make([]string, len(ids))
			for i, id := range ids {
				if t, ok := s.refs[id]; ok {
					titles[i] = t
				} else {
					titles[i] = id
				}
			}
			return strings.Join(titles, "、")
		}
		return model.Display(f, v, s.a.textLang())
	}
	return string(v)
}

// refTitles are the titles of the records st's reference fields point to,
// now or in its history, by id. Call it off the UI goroutine.
func (a *App) refTitles(st storeState, hist []store.HistoryEntry) map[string]string {
	out := map[string]string{}
	sc, ok := model.Lookup(st.Register)
	if !ok {
		return out
	}
	add := func(key string, v model.Value) {
		f, ok := sc.FieldOrReserved(key)
		if !ok || v.IsNull() || (f.Kind != model.KindRef && f.Kind != model.KindRefList) {
			return
		}
		ids, _ := v.AsList()
		if f.Kind == model.KindRef {
			id, _ := v.AsText()
			ids = []string{id}
		}
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			u, err := uuid.Parse(id)
			if err != nil {
				continue
			}
			ref, err := a.st.Get(u)
			if err != nil {
				continue
			}
			if rsc, ok := model.Lookup(ref.Register); ok {
				out[id] = a.recordTitle(rsc, &ref)
			}
		}
	}
	for k, f := range st.Fields {
		add(k, f.Value)
	}
	for _, h := range hist {
		for _, c := range h.Changes {
			add(c.Field, c.Old)
			add(c.Field, c.New)
		}
	}
	return out
}

// conflictRow shows the current value and a concurrent one side by side,
// each with a button keeping it.
func (s *detailScreen) conflictRow(c oplog.Conflict) fyne.CanvasObject {
	label, _ := s.fieldLabel(c.Field)
	cur := s.st.Fields[c.Field]
	side := func(title string, v model.Value, author string, when string, keep func()) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(lang.L("Keep this"), theme.ConfirmIcon(), keep)
		s.settleButtons = append(s.settleButtons, b)
		val := widget.NewLabelWithStyle(s.display(c.Field, v), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		val.Wrapping = fyne.TextWrapWord
		return widget.NewCard("", title, container.NewVBox(val,
			widget.NewLabel(fmt.Sprintf("%s · %s", author, when)), b))
	}
	left := side(lang.L("Current value"), cur.Value, cur.Author, cur.Time.Time().In(model.Beijing).Format("2006-01-02 15:04"),
		func() { s.settle(c.Field, cur.Value) })
	right := side(lang.L("Concurrent value"), c.Value, c.Author, c.Time.Time().In(model.Beijing).Format("2006-01-02 15:04"),
		func() { s.settle(c.Field, c.Value) })
	return container.NewVBox(heading(label), container.NewGridWithColumns(2, left, right))
}

// settle keeps v for field, settling every concurrent version.
func (s *detailScreen) settle(field string, v model.Value) {
	s.a.append(store.Change{Record: s.id, Set: map[string]model.Value{field: v}, Settle: []string{field}},
		func(_ storeState, err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("%s", plainError(err)), s.a.win)
				return
			}
			s.refresh()
		})
}

// move makes a status transition, asking for a comment when the move
// needs one (returns).
func (s *detailScreen) move(t model.Transition) {
	a := s.a
	do := func(comment string) {
		set := map[string]model.Value{model.FieldStatus: model.Str(t.To)}
		if comment != "" {
			set[model.FieldReviewComment] = model.Str(comment)
		}
		// model.Admit checks the move and stamps a reviewer's.
		a.append(store.Change{Record: s.id, Set: set}, func(st storeState, err error) {
			if err != nil {
				dialog.ShowError(fmt.Errorf("%s", plainError(err)), a.win)
				return
			}
			a.notify(lang.L("{{.Record}}: {{.Status}}", map[string]any{
				"Record": a.recordTitle(s.sc, &st), "Status": a.statusLabel(s.sc, &st)}))
			s.refresh()
		})
	}
	if !t.Comment {
		do("")
		return
	}
	a.askComment(t.Label.In(a.textLang()), do)
}

// askComment asks for a review comment in a wide multi-line box; OK
// with an empty comment says a comment is needed and keeps the dialog
// open.
func (a *App) askComment(title string, done func(comment string)) {
	e := widget.NewMultiLineEntry()
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(4)
	e.SetPlaceHolder(lang.L("What must be corrected"))
	msg := errorLabel()
	var pop *widget.PopUp
	ok := widget.NewButton(lang.L("OK"), func() {
		c := strings.TrimSpace(e.Text)
		if c == "" {
			msg.SetText(lang.L("Write a comment: say what must be corrected."))
			a.win.Canvas().Focus(e)
			return
		}
		pop.Hide()
		done(c)
	})
	ok.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { pop.Hide() })
	width := min(float32(520), a.win.Canvas().Size().Width-2*theme.Padding())
	body := container.NewVBox(heading(title), widget.NewLabel(lang.L("Comment")), e, msg,
		container.NewGridWithColumns(2, cancel, ok))
	// Room below the box for the message, so it does not push the buttons out.
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(width, body.MinSize().Height+3*theme.TextSize()), body), a.win.Canvas())
	pop.Show()
	a.win.Canvas().Focus(e)
}

// historyRow is one op: when, who, and each field's old → new.
func (s *detailScreen) historyRow(h store.HistoryEntry, late review.AfterApproval) fyne.CanvasObject {
	// The time the history is ordered by: the server's once it stamped
	// the change, else the device's.
	at := h.HLC
	if h.Eff != 0 {
		at = h.Eff
	}
	when := at.Time().In(model.Beijing).Format("2006-01-02 15:04:05")
	who := h.Author
	if who == "" {
		who = lang.L("(unknown)")
	}
	lines := make([]string, 0, len(h.Changes))
	changes := append([]store.FieldChange(nil), h.Changes...)
	sort.Slice(changes, func(i, j int) bool { return changes[i].Field < changes[j].Field })
	for _, c := range changes {
		label, _ := s.fieldLabel(c.Field)
		lines = append(lines, fmt.Sprintf("%s: %s → %s", label, s.display(c.Field, c.Old), s.display(c.Field, c.New)))
	}
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	top := widget.NewLabelWithStyle(when+"  "+who, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	for _, e := range late.Edits {
		if e.Op == h.Op {
			// A change made after the approval stands out.
			top.SetText(top.Text + "  · " + lang.L("after approval"))
			top.Importance = widget.WarningImportance
			body.Importance = widget.WarningImportance
		}
	}
	return container.NewVBox(top, body)
}

// delete removes a record entered by mistake (its own author, still in
// the initial status), after asking. The record stays in the history.
func (s *detailScreen) delete() {
	a := s.a
	dialog.ShowConfirm(lang.L("Delete"), lang.L("Delete this record? It stays in the history."), func(ok bool) {
		if !ok {
			return
		}
		a.append(store.Change{Record: s.id, Set: map[string]model.Value{model.FieldDeleted: model.Bool(true)}},
			func(_ storeState, err error) {
				if err != nil {
					a.showErr(err)
					return
				}
				a.shell.pop()
			})
	}, a.win)
}

// photoChecks returns the photo checks' flags of record st and what its
// photos on this device say of themselves (nil for a register without
// photos). A failed check shows no flags rather than no record.
func (a *App) photoChecks(st *storeState) ([]evidencecheck.Flag, map[string]photoexif.Info) {
	sc, ok := model.Lookup(st.Register)
	if !ok || a.evidence == nil || !evidencecheck.HasPhotos(sc) {
		return nil, nil
	}
	flags, err := a.evidence.Flags(sc, st)
	if err != nil {
		a.opts.Logger.Warn("photo checks", "record", st.Record, "err", err)
	}
	exif := map[string]photoexif.Info{}
	for _, p := range evidencecheck.Photos(sc, st) {
		if in, ok := a.evidence.Cache().Get(p.SHA); ok {
			exif[p.SHA] = in
		}
	}
	return flags, exif
}

// photoFlags is a warning line per doubt about the photos of field key
// (nil when there is none).
func (s *detailScreen) photoFlags(key string) fyne.CanvasObject {
	var box *fyne.Container
	for _, f := range s.flags {
		if f.Field != key {
			continue
		}
		if box == nil {
			box = container.NewVBox()
		}
		l := widget.NewLabel("⚠ " + f.Text.In(s.a.textLang()))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		box.Add(l)
	}
	if box == nil {
		return nil
	}
	return box
}

// exifCaption is what photo sha says of itself: "拍摄 2023-11-20 10:03 ·
// 38.30012, 114.38251" ("" when nothing).
func (s *detailScreen) exifCaption(sha string) string {
	in, ok := s.exif[sha]
	if !ok {
		return ""
	}
	var parts []string
	if in.HasTime {
		taken := "拍摄 "
		if s.a.textLang() == "en" {
			taken = "taken "
		}
		parts = append(parts, taken+in.Taken.In(model.Beijing).Format("2006-01-02 15:04"))
	}
	if in.HasGPS {
		parts = append(parts, fmt.Sprintf("%.5f, %.5f", in.Lat, in.Lon))
	}
	return strings.Join(parts, " · ")
}

// photoCaption says when and where photo sha was taken (its EXIF), who
// attached it to field f and when (from the history), and where the
// record is.
func (s *detailScreen) photoCaption(f *model.Field, sha string) string {
	tl := s.a.textLang()
	parts := []string{f.Label.In(tl)}
	if e := s.exifCaption(sha); e != "" {
		parts = append(parts, e)
	}
	if who := s.attached(f.Key, sha); who != "" {
		parts = append(parts, who)
	}
	for i := range s.sc.Fields {
		g := &s.sc.Fields[i]
		if v := s.st.Value(g.Key); g.Kind == model.KindGPS && !v.IsNull() {
			parts = append(parts, g.Label.In(tl)+" "+model.Display(g, v, tl))
			break
		}
	}
	return strings.Join(parts, " · ")
}

// attached is who first attached photo sha to field key, and when.
func (s *detailScreen) attached(key, sha string) string {
	for _, h := range s.hist {
		for _, c := range h.Changes {
			if l, _ := c.New.AsList(); c.Field == key && slices.Contains(l, sha) {
				at := h.HLC
				if h.Eff != 0 {
					at = h.Eff
				}
				return h.Author + " " + at.Time().In(model.Beijing).Format("2006-01-02 15:04")
			}
		}
	}
	return ""
}

// exportEvidence writes the record's evidence pack to a file the user
// chooses, and says whether the pack checks out.
func (s *detailScreen) exportEvidence() {
	a := s.a
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		var res *evidence.Result
		a.b.run(func() error {
			defer wc.Close()
			var err error
			res, err = s.writeEvidence(wc)
			return err
		}, func(err error) {
			if err != nil {
				a.showErr(err)
				return
			}
			dialog.ShowInformation(lang.L("Evidence pack"), evidenceSummary(res, a.textLang()), a.win)
		})
	}, a.win)
	name, _ := s.st.Value(model.FieldRecordNo).AsText()
	if name == "" {
		name = s.id.String()[:8]
	}
	d.SetFileName("证据包-" + name + ".zip")
	d.Show()
}

// writeEvidence writes the record's evidence pack to w, checked against
// the province keys the app ships.
func (s *detailScreen) writeEvidence(w io.Writer) (*evidence.Result, error) {
	trusted := s.a.opts.ProvinceKeys
	if trusted == nil {
		var err error
		if trusted, err = vouch.ParseKeys(assets.ProvinceKeys); err != nil {
			return nil, err
		}
	}
	return evidence.Build(context.Background(), w, s.a.own.EvidenceSource(), s.id, evidence.Options{Trusted: trusted, Now: s.a.opts.Now(), PhotoNotes: evidencecheck.PackNotes})
}

// evidenceSummary says what a pack's check found.
func evidenceSummary(res *evidence.Result, tl string) string {
	if res.OK() {
		return lang.L("The evidence pack was written. Its check found no problem: anyone can re-check it with “lantian verify PACK.zip”.")
	}
	var lines []string
	for _, p := range res.Problems {
		lines = append(lines, p.Msg.In(tl))
	}
	return lang.L("The evidence pack was written, but its check found {{.N}} problems:", map[string]any{"N": len(res.Problems)}) + "\n" + strings.Join(lines, "\n")
}
