package app

import (
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// formScreen is the form of one register generated from its schema: an
// input per field, validation messages under each, a draft kept as the
// user types, and Save.
type formScreen struct {
	a      *App
	sc     *model.Schema
	id     uuid.UUID // uuid.Nil for a new record
	base   map[string]model.Value
	inputs []*fieldInput
	byKey  map[string]*fieldInput

	topErr   *widget.Label
	warnings *widget.Label
	save     *widget.Button
	root     fyne.CanvasObject
	scroll   *container.Scroll
	draftKey string
	// restoring suppresses draft writes while values are filled in.
	restoring bool
	// onSaved runs after a successful save (default: back to the caller).
	onSaved func(storeState)
	// extra values are saved with the inputs' (a status move).
	extra map[string]model.Value
	// write replaces App.append (fire checks move the status first).
	write func(store.Change, func(storeState, error))
	// role is the user's, read once (it consults the store).
	role model.Role
	// via is a status write moves the record through before the form's
	// change (fire checks: 待核查 → 核查中), "" for none.
	via string
}

// draft is a form's typed input kept while the user types.
type draft struct {
	Raw   map[string]string `json:"raw"`
	Saved time.Time         `json:"saved"`
}

// newForm builds the form for a new record of sc (id uuid.Nil, prefilled
// with defaults) or for editing record id with its current values.
func newForm(a *App, sc *model.Schema, id uuid.UUID, values map[string]model.Value) *formScreen {
	return newFormOnly(a, sc, id, values, nil)
}

// newFormOnly is newForm showing only the fields in keys (all when nil);
// the other fields keep their values.
func newFormOnly(a *App, sc *model.Schema, id uuid.UUID, values map[string]model.Value, keys []string) *formScreen {
	s := &formScreen{a: a, sc: sc, id: id, base: values, byKey: map[string]*fieldInput{}, role: a.role()}
	s.draftKey = "draft/" + a.author() + "/" + sc.Name + "/" + id.String()
	s.topErr = widget.NewLabel("")
	s.topErr.Importance = widget.DangerImportance
	s.topErr.Wrapping = fyne.TextWrapWord
	s.topErr.Hide()
	s.warnings = widget.NewLabel("")
	s.warnings.Importance = widget.WarningImportance
	s.warnings.Wrapping = fyne.TextWrapWord
	s.warnings.Hide()
	tl := a.textLang()
	box := container.NewVBox(s.topErr)
	role := s.role
	for i := range sc.Fields {
		f := &sc.Fields[i]
		if keys != nil && !slices.Contains(keys, f.Key) {
			continue
		}
		in := a.newFieldInput(f, func() { s.changed(f.Key) })
		s.inputs = append(s.inputs, in)
		s.byKey[f.Key] = in
		in.title = widget.NewLabelWithStyle(f.Label.In(tl), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		item := container.NewVBox(in.title, in.obj)
		if h := f.Help.In(tl); h != "" {
			help := widget.NewLabel(h)
			help.Wrapping = fyne.TextWrapWord
			help.SizeName = theme.SizeNameCaptionText
			item.Add(help)
		}
		item.Add(in.errLabel)
		in.item = item
		if !f.EditableBy(role) {
			in.disable()
		}
		box.Add(item)
	}
	if v := s.byKey[model.FieldVillage]; v != nil && v.f.Place == model.PlaceVillage {
		v.township = func() string {
			if t := s.byKey[model.FieldTownship]; t != nil {
				return t.get()
			}
			return rawOf(v.f, s.base[model.FieldTownship])
		}
		v.refresh()
	}
	s.restoring = true
	for _, in := range s.inputs {
		if v, ok := values[in.f.Key]; ok {
			in.set(rawOf(in.f, v))
		}
	}
	s.restoring = false
	s.relevance()
	s.markRequired()
	s.save = widget.NewButton(lang.L("Save"), s.submit)
	s.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() {
		a.b.run(func() error { return a.st.SetMeta(s.draftKey, nil) }, nil)
		a.shell.pop()
	})
	box.Add(s.warnings)
	box.Add(container.NewGridWithColumns(2, cancel, s.save))
	s.scroll = container.NewVScroll(container.NewPadded(box))
	s.root = s.scroll
	s.offerDraft()
	return s
}

func (s *formScreen) title() string {
	if s.id == uuid.Nil {
		return lang.L("New: {{.Register}}", map[string]any{"Register": s.sc.Label.In(s.a.textLang())})
	}
	return lang.L("Edit: {{.Register}}", map[string]any{"Register": s.sc.Label.In(s.a.textLang())})
}

func (s *formScreen) view() fyne.CanvasObject { return s.root }

// saveShortcut saves as the Save button would (Ctrl+S).
func (s *formScreen) saveShortcut() {
	if !s.save.Disabled() {
		s.submit()
	}
}

// saver is a page that Ctrl+S saves.
type saver interface{ saveShortcut() }

// saveShortcut is Ctrl+S (Cmd+S on macOS): it saves the form shown.
// The canvas has it while no text box has the focus; a form's text boxes
// (formEntry) pass it on while typing.
var saveShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}

// addSaveShortcut lets Ctrl+S save the form on the window's canvas.
func (a *App) addSaveShortcut() {
	a.win.Canvas().AddShortcut(saveShortcut, func(fyne.Shortcut) { a.saveShown() })
}

// saveShown saves the page shown when it is a form (Ctrl+S).
func (a *App) saveShown() {
	if a.shell == nil {
		return
	}
	if p, ok := a.shell.current().(saver); ok {
		p.saveShortcut()
	}
}

// changed checks the edited field at once, shows the fields the answers
// make relevant, and keeps a draft.
func (s *formScreen) changed(key string) {
	if s.restoring {
		return
	}
	s.relevance()
	if v := s.byKey[model.FieldVillage]; key == model.FieldTownship && v != nil && v.refresh != nil {
		v.refresh() // the chosen township's villages
	}
	in := s.byKey[key]
	if _, ferr := in.parse(); ferr != nil {
		in.showError(ferr.Msg.In(s.a.textLang()))
	} else {
		in.showError("")
	}
	// The banner goes with the last message it points to.
	if !slices.ContainsFunc(s.inputs, (*fieldInput).hasError) {
		s.showTop("")
	}
	s.markRequired()
	s.a.b.debounce(s.draftKey, 400*time.Millisecond, s.writeDraft)
}

// raws is every input's text.
func (s *formScreen) raws() map[string]string {
	m := make(map[string]string, len(s.inputs))
	for _, in := range s.inputs {
		m[in.f.Key] = in.get()
	}
	return m
}

// writeDraft keeps the typed input in the store (survives a crash).
func (s *formScreen) writeDraft() {
	d := draft{Raw: s.raws(), Saved: s.a.opts.Now()}
	data, err := json.Marshal(d)
	if err != nil {
		return
	}
	s.a.b.run(func() error { return s.a.st.SetMeta(s.draftKey, data) }, nil)
}

// offerDraft offers back a draft left by a crash or a closed window.
func (s *formScreen) offerDraft() {
	var d draft
	found := false
	s.a.b.run(func() error {
		data, err := s.a.st.GetMeta(s.draftKey)
		if err != nil {
			return err
		}
		found = json.Unmarshal(data, &d) == nil && len(d.Raw) > 0
		return nil
	}, func(err error) {
		if err != nil || !found {
			return
		}
		if maps.Equal(d.Raw, s.raws()) {
			return // nothing the form does not show already
		}
		msg := lang.L("Input from {{.Time}} was not saved. Restore it?", map[string]any{"Time": d.Saved.In(model.Beijing).Format("2006-01-02 15:04")})
		dialog.ShowConfirm(lang.L("Unsaved input"), msg, func(ok bool) {
			if ok {
				s.restoreDraft(d)
			} else {
				s.a.b.run(func() error { return s.a.st.SetMeta(s.draftKey, nil) }, nil)
			}
		}, s.a.win)
	})
}

// restoreDraft fills the inputs from d.
func (s *formScreen) restoreDraft(d draft) {
	s.restoring = true
	for _, in := range s.inputs {
		if raw, ok := d.Raw[in.f.Key]; ok {
			in.set(raw)
		}
	}
	s.restoring = false
	s.relevance()
}

// record is the record as the form would leave it: the stored values,
// the inputs' parsed values and the status move the form makes.
func (s *formScreen) record() model.Record {
	fields := maps.Clone(s.base)
	if fields == nil {
		fields = map[string]model.Value{}
	}
	if s.via != "" {
		fields[model.FieldStatus] = model.Str(s.via)
	}
	for _, in := range s.inputs {
		if v, ferr := in.parse(); ferr == nil {
			fields[in.f.Key] = v
		}
	}
	maps.Copy(fields, s.extra)
	return model.Record{Register: s.sc.Name, County: s.a.county, Fields: fields}
}

// relevance shows the fields that apply to the record as typed so far and
// hides the others (model.Schema.RelevantIn). A hidden field's input is
// neither checked nor sent; model.Admit clears a value it held.
func (s *formScreen) relevance() {
	r := s.record()
	for _, in := range s.inputs {
		if in.item == nil {
			continue
		}
		if s.sc.RelevantIn(in.f.Key, r) {
			in.item.Show()
		} else {
			in.item.Hide()
		}
	}
}

// shown reports whether field key's input is shown (relevant).
func (s *formScreen) shown(key string) bool {
	in, ok := s.byKey[key]
	return ok && (in.item == nil || in.item.Visible())
}

// set fills one input (quick log defaults, tests).
func (s *formScreen) set(key string, v model.Value) {
	if in, ok := s.byKey[key]; ok {
		in.set(rawOf(in.f, v))
	}
}

// collect parses every input; it returns the values that parsed and the
// errors of those that did not.
func (s *formScreen) collect() (map[string]model.Value, []model.FieldError) {
	vals := map[string]model.Value{}
	var errs []model.FieldError
	for _, in := range s.inputs {
		if !s.shown(in.f.Key) {
			in.showError("")
			continue
		}
		v, ferr := in.parse()
		if ferr != nil {
			errs = append(errs, *ferr)
			continue
		}
		vals[in.f.Key] = v
	}
	return vals, errs
}

// markRequired puts " *" after the labels of the fields required now:
// always required ones, and those the values typed so far require
// (RequiredIf).
func (s *formScreen) markRequired() {
	vals, _ := s.collect()
	fields := maps.Clone(s.base)
	if fields == nil {
		fields = map[string]model.Value{}
	}
	maps.Copy(fields, vals)
	maps.Copy(fields, s.extra)
	r := model.Record{Register: s.sc.Name, County: s.a.county, Fields: fields}
	tl := s.a.textLang()
	for _, in := range s.inputs {
		label := in.f.Label.In(tl)
		if in.f.Required || in.f.RequiredIf != nil && in.f.RequiredIf(r) {
			label += " *"
		}
		if in.title.Text != label {
			in.title.SetText(label)
		}
	}
}

// submit validates the record and saves the changed fields. Every
// field's message shows at once: those of input that cannot be read and
// those of the rules on the rest.
func (s *formScreen) submit() {
	a := s.a
	tl := a.textLang()
	vals, parseErrs := s.collect()
	set := s.changes(vals)
	if s.id != uuid.Nil && len(set) == 0 && len(parseErrs) == 0 {
		s.finish(storeState{})
		return
	}
	// The same rule the store applies, for every field's message at once.
	ch := model.Change{Register: s.sc.Name, County: a.county, Set: set,
		Author: model.Author{Name: a.author(), Role: s.role}, Now: a.opts.Now()}
	var cur *model.Record
	if s.id != uuid.Nil {
		cur = &model.Record{Register: s.sc.Name, County: a.county, Fields: s.base}
		if s.via != "" {
			cur.Fields = maps.Clone(s.base)
			cur.Fields[model.FieldStatus] = model.Str(s.via)
		}
		ch.County = ""
	}
	ad, err := model.Admit(s.sc, cur, ch)
	if len(parseErrs) > 0 {
		// Fields that could not be read are missing from the change: the
		// rules' messages about them would only repeat their own.
		errs := parseErrs
		for _, fe := range model.FieldErrors(err) {
			if !slices.ContainsFunc(parseErrs, func(p model.FieldError) bool { return p.Field == fe.Field }) {
				errs = append(errs, fe)
			}
		}
		s.showErrors(errs)
		return
	}
	if err != nil {
		s.showAdmitError(err)
		return
	}
	s.showTop("")
	if w := s.sc.Warnings(ad.Record); len(w) > 0 {
		s.warnings.SetText(joinMsgs(w, tl))
		s.warnings.Show()
	}
	s.save.Disable()
	sch := store.Change{Record: s.id, Register: s.sc.Name, Set: set}
	if s.id == uuid.Nil {
		sch.County = a.county
	}
	write := a.append
	if s.write != nil {
		write = s.write
	}
	write(sch, func(st storeState, err error) {
		s.save.Enable()
		if err != nil {
			s.showAdmitError(err)
			return
		}
		s.a.b.flush()
		a.b.run(func() error { return a.st.SetMeta(s.draftKey, nil) }, nil)
		s.finish(st)
	})
}

// changes is what the form sends: of a new record every value typed, of
// an existing one the values changed, and the status move it was opened
// for. Fields the role may not edit (shown read-only) and fields hidden
// as irrelevant are never sent (collect leaves them out).
func (s *formScreen) changes(vals map[string]model.Value) map[string]model.Value {
	set := map[string]model.Value{}
	for k, v := range vals {
		if !s.byKey[k].f.EditableBy(s.role) {
			continue
		}
		if s.id == uuid.Nil {
			if !v.IsNull() {
				set[k] = v
			}
		} else if s.base[k] != v && !(v.IsNull() && s.base[k].IsNull()) {
			set[k] = v
		}
	}
	if s.id == uuid.Nil {
		// Values given to a form that shows only some fields (quick log).
		for k, v := range s.base {
			if f, ok := s.sc.Field(k); ok && f.EditableBy(s.role) && !v.IsNull() {
				if _, shown := s.byKey[k]; !shown {
					set[k] = v
				}
			}
		}
	}
	for k, v := range s.extra {
		set[k] = v
	}
	return set
}

// showAdmitError shows a refusal of model.Admit: each field's message
// under its input, the rest at the top.
func (s *formScreen) showAdmitError(err error) {
	if fes := model.FieldErrors(err); len(fes) > 0 {
		s.showErrors(fes)
		return
	}
	s.showTop(plainError(err))
}

func (s *formScreen) finish(st storeState) {
	if s.onSaved != nil {
		s.onSaved(st)
		return
	}
	s.a.shell.pop()
}

// showErrors puts each error under its field; errors of fields without an
// input go to the top.
func (s *formScreen) showErrors(errs []model.FieldError) {
	tl := s.a.textLang()
	byField := map[string][]string{}
	var top []model.FieldError
	for _, e := range errs {
		if s.shown(e.Field) {
			byField[e.Field] = append(byField[e.Field], e.Msg.In(tl))
		} else {
			top = append(top, e)
		}
	}
	for _, in := range s.inputs {
		msgs := byField[in.f.Key]
		sort.Strings(msgs)
		in.showError(joinLines(msgs))
	}
	msg := lang.L("Some fields are not valid; see the messages under them.")
	if len(top) > 0 {
		msg += "\n" + joinMsgs(top, tl)
	}
	s.showTop(msg)
	if len(top) == 0 {
		s.scrollToFirstError()
	}
}

// scrollToFirstError brings the first field with a message into view.
func (s *formScreen) scrollToFirstError() {
	for _, in := range s.inputs {
		if in.hasError() && in.item != nil {
			y := in.item.Position().Y
			if d := fyne.CurrentApp().Driver(); d.CanvasForObject(in.item) != nil {
				y = d.AbsolutePositionForObject(in.item).Y - d.AbsolutePositionForObject(s.scroll.Content).Y
			}
			// The messages just shown make the content taller: lay it out
			// now so that the offset is not clamped to the old height.
			c := s.scroll.Content
			c.Resize(fyne.NewSize(max(c.Size().Width, c.MinSize().Width), max(c.Size().Height, c.MinSize().Height)))
			s.scroll.ScrollToOffset(fyne.NewPos(0, y))
			return
		}
	}
}

func (s *formScreen) showTop(msg string) {
	s.topErr.SetText(msg)
	if msg == "" {
		s.topErr.Hide()
	} else {
		s.topErr.Show()
	}
}

func joinMsgs(errs []model.FieldError, tl string) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Msg.In(tl)
	}
	return joinLines(lines)
}

func joinLines(l []string) string {
	out := ""
	for i, s := range l {
		if i > 0 {
			out += "\n"
		}
		out += s
	}
	return out
}
