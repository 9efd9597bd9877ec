package app

import (
	"bytes"
	"image"
	_ "image/jpeg" // photo thumbnails
	_ "image/png"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/mozillazg/go-pinyin"

	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// fieldInput is the input of one field in a generated form. Its state is
// the raw text model.ParseInput accepts (option keys for choices), which
// is also what drafts keep.
type fieldInput struct {
	f        *model.Field
	obj      fyne.CanvasObject
	get      func() string
	set      func(raw string)
	disable  func()
	errLabel *widget.Label
	// title is the field's label, with " *" while it is required.
	title *widget.Label
	// item is the field's block in the form (label, input, messages).
	item *fyne.Container
	// township, for a village input, returns the form's township (its
	// raw text); refresh re-reads the choices of a place input.
	township func() string
	refresh  func()
	// choices are the names a place input lists.
	choices []string
}

// showError shows msg under the input. The message's line is kept when
// empty, so that a message appearing does not move the fields below.
func (in *fieldInput) showError(msg string) {
	in.errLabel.SetText(msg)
}

// hasError reports whether a message shows under the input.
func (in *fieldInput) hasError() bool { return in.errLabel.Text != "" }

// parse returns the field's value as typed.
func (in *fieldInput) parse() (model.Value, *model.FieldError) {
	return model.ParseInput(in.f, in.get())
}

// newFieldInput builds the right input for f's kind; changed is called on
// every edit.
// shortInput reports whether f's input is short enough to go without a
// scroller of its own: numbers, dates, times, positions and text of at
// most 20 characters.
func shortInput(f *model.Field) bool {
	switch f.Kind {
	case model.KindInteger, model.KindDecimal, model.KindDate, model.KindDateTime, model.KindMonth, model.KindGPS:
		return true
	case model.KindText:
		return f.MaxLen > 0 && f.MaxLen <= 20
	}
	return false
}

// maxRowWidth is the widest a row of choices or buttons may be: what is
// left of an 800 px wide window beside the navigation.
const maxRowWidth = 480

func (a *App) newFieldInput(f *model.Field, changed func()) *fieldInput {
	tl := a.textLang()
	in := &fieldInput{f: f}
	in.errLabel = widget.NewLabel("")
	in.errLabel.Importance = widget.DangerImportance
	in.errLabel.Wrapping = fyne.TextWrapWord
	in.errLabel.SizeName = theme.SizeNameCaptionText
	entry := func(multi bool, placeholder string) *formEntry {
		fe := newFormEntry(multi, a.saveShown)
		e := &fe.Entry
		if multi {
			e.SetMinRowsVisible(3)
			e.Wrapping = fyne.TextWrapWord
			if f.Kind != model.KindLongText {
				// A list, one short item a line, grows to its lines
				// rather than scrolling inside, and so leaves the mouse
				// wheel to the form. (Fyne keeps a scroller in any
				// entry that wraps, so long notes keep theirs.)
				e.Wrapping = fyne.TextWrapOff
				e.Scroll = container.ScrollNone
			}
		} else {
			if shortInput(f) {
				// Without its own scroller a short entry lets the mouse
				// wheel scroll the form while the pointer is over it
				// (Fyne gives the wheel to the innermost scroller).
				e.Wrapping = fyne.TextWrapOff
				e.Scroll = container.ScrollNone
			}
		}
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { changed() }
		in.get = func() string { return e.Text }
		in.set = func(s string) { e.SetText(s) }
		in.disable = e.Disable
		in.obj = fe
		return fe
	}
	if f.Place != 0 {
		a.placeInput(in, changed)
		return in
	}
	switch f.Kind {
	case model.KindLongText:
		entry(true, "")
	case model.KindTextList:
		entry(true, lang.L("one item per line"))
	case model.KindRefList:
		entry(true, lang.L("record ids, one per line"))
	case model.KindGPSList:
		entry(true, lang.L("one point per line: latitude, longitude"))
	case model.KindInteger, model.KindDecimal:
		e := entry(false, "")
		if u := f.Unit.In(tl); u != "" {
			in.obj = container.NewBorder(nil, nil, nil, widget.NewLabel(u), e)
		}
	case model.KindGPS:
		entry(false, lang.L("latitude, longitude[, accuracy m] e.g. 38.30, 114.38"))
	case model.KindMonth:
		entry(false, "YYYY-MM")
	case model.KindDate:
		e := entry(false, "YYYY-MM-DD")
		pick := widget.NewButtonWithIcon("", theme.CalendarIcon(), nil)
		pick.OnTapped = func() { a.pickDate(pick, &e.Entry) }
		in.obj = container.NewBorder(nil, nil, nil, pick, e)
	case model.KindDateTime:
		e := entry(false, "YYYY-MM-DD HH:MM")
		now := widget.NewButton(lang.L("Now"), func() { e.SetText(a.opts.Now().In(model.Beijing).Format("2006-01-02 15:04")) })
		in.obj = container.NewBorder(nil, nil, nil, now, e)
	case model.KindEnum:
		labels := make([]string, len(f.Options))
		for i, o := range f.Options {
			labels[i] = o.Label.In(tl)
		}
		sel := widget.NewSelect(labels, func(string) { changed() })
		sel.PlaceHolder = lang.L("(choose)")
		in.get = func() string {
			if i := sel.SelectedIndex(); i >= 0 {
				return f.Options[i].Key
			}
			return ""
		}
		in.set = func(s string) {
			if i := slices.IndexFunc(f.Options, func(o model.Option) bool { return o.Key == s }); i >= 0 {
				sel.SetSelectedIndex(i)
			} else {
				sel.ClearSelected()
			}
		}
		in.disable = sel.Disable
		in.obj = sel
	case model.KindMultiEnum:
		labels := make([]string, len(f.Options))
		for i, o := range f.Options {
			labels[i] = o.Label.In(tl)
		}
		cg := widget.NewCheckGroup(labels, func([]string) { changed() })
		// In a row when the row fits a portrait tablet's form column.
		cg.Horizontal = true
		if len(labels) > 6 || cg.MinSize().Width > maxRowWidth {
			cg.Horizontal = false
		}
		in.get = func() string {
			var keys []string
			for i, o := range f.Options {
				if slices.Contains(cg.Selected, labels[i]) {
					keys = append(keys, o.Key)
				}
			}
			return strings.Join(keys, ",")
		}
		in.set = func(s string) {
			var sel []string
			for _, k := range strings.Split(s, ",") {
				if i := slices.IndexFunc(f.Options, func(o model.Option) bool { return o.Key == strings.TrimSpace(k) }); i >= 0 {
					sel = append(sel, labels[i])
				}
			}
			cg.SetSelected(sel)
		}
		in.disable = cg.Disable
		in.obj = cg
	case model.KindBool:
		c := widget.NewCheck(lang.L("Yes"), func(bool) { changed() })
		in.get = func() string { return strconv.FormatBool(c.Checked) }
		in.set = func(s string) { c.SetChecked(s == "true") }
		in.disable = c.Disable
		in.obj = c
	case model.KindPhotos:
		a.photoInput(in, changed)
	case model.KindRef:
		a.refInput(in, changed)
	default:
		entry(false, "")
	}
	return in
}

// pickDate pops a calendar under the button and writes the chosen day.
func (a *App) pickDate(anchor fyne.CanvasObject, e *widget.Entry) {
	start := a.opts.Now().In(model.Beijing)
	if t, err := time.Parse(model.LayoutDate, strings.TrimSpace(e.Text)); err == nil {
		start = t
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		e.SetText(t.Format(model.LayoutDate))
		pop.Hide()
	})
	c := fyne.CurrentApp().Driver().CanvasForObject(anchor)
	if c == nil {
		return
	}
	pop = widget.NewPopUp(cal, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(anchor)
	pop.ShowAtPosition(pos.Add(fyne.NewPos(-cal.MinSize().Width+anchor.Size().Width, anchor.Size().Height)))
}

// photoInput is a row of thumbnails and an Add button: the picked file is
// stored as a blob and its SHA-256 kept in the field.
func (a *App) photoInput(in *fieldInput, changed func()) {
	var hashes []string
	row := container.NewHBox()
	var render func()
	add := widget.NewButtonWithIcon(lang.L("Add photo"), theme.ContentAddIcon(), func() {
		a.pickPhoto(func(rc io.ReadCloser) {
			var sha string
			var info photoexif.Info
			var read bool
			a.b.run(func() error {
				defer rc.Close()
				var err error
				if sha, err = a.st.PutBlob(rc); err != nil {
					return err
				}
				// The stored bytes are read back, never changed: the
				// photo's EXIF goes to the checks' cache.
				if a.evidence != nil {
					info, read = a.evidence.Cache().Get(sha)
				}
				return nil
			}, func(err error) {
				if err != nil {
					a.showErr(err)
					return
				}
				if !slices.Contains(hashes, sha) {
					hashes = append(hashes, sha)
				}
				render()
				changed()
				if read && (!info.HasTime || !info.HasGPS) {
					a.notify(model.Text{ZH: "这张照片没有拍摄时间或位置（EXIF），审核时会被标出",
						EN: "This photo has no time or position taken (EXIF); reviewers will see it flagged"}.In(a.textLang()))
				}
			})
		})
	})
	render = func() {
		objs := make([]fyne.CanvasObject, 0, len(hashes)+1)
		for _, h := range hashes {
			h := h
			objs = append(objs, a.thumbnail(h, func() {
				hashes = slices.DeleteFunc(hashes, func(x string) bool { return x == h })
				render()
				changed()
			}))
		}
		objs = append(objs, add)
		row.Objects = objs
		row.Refresh()
	}
	render()
	in.get = func() string { return strings.Join(hashes, ",") }
	in.set = func(s string) {
		hashes = nil
		for _, h := range strings.Split(s, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hashes = append(hashes, h)
			}
		}
		render()
	}
	in.disable = add.Disable
	in.obj = container.NewHScroll(row)
}

// pickPhoto lets the user choose a picture file and hands it to use.
// Tests replace App.photoPicker.
func (a *App) pickPhoto(use func(io.ReadCloser)) {
	if a.photoPicker != nil {
		a.photoPicker(use)
		return
	}
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		use(rc)
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}))
	d.Show()
}

// thumbnailSize is the size of photo thumbnails in forms.
var thumbnailSize = fyne.NewSize(72, 72)

// thumbnail shows a stored photo small, with a remove button when remove
// is not nil. The image is read off the UI goroutine.
func (a *App) thumbnail(sha string, remove func()) fyne.CanvasObject {
	return a.thumbnailOpening(sha, remove, nil)
}

// thumbnailOpening is thumbnail, opening a viewer by open when tapped
// (when open is not nil).
func (a *App) thumbnailOpening(sha string, remove, open func()) fyne.CanvasObject {
	img := canvas.NewImageFromResource(theme.FileImageIcon())
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(thumbnailSize)
	var decoded image.Image
	a.b.run(func() error {
		rc, err := a.st.OpenBlob(sha)
		if err != nil {
			return err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 32<<20))
		if err != nil {
			return err
		}
		full, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return err
		}
		// Keep only a small copy: a camera photo decoded in full takes
		// around 100 MB.
		decoded = shrink(full, 2*int(thumbnailSize.Width))
		return nil
	}, func(err error) {
		if err == nil && decoded != nil {
			img.Image = decoded
			img.Resource = nil
			img.Refresh()
		}
	})
	var shown fyne.CanvasObject = img
	if open != nil {
		shown = newTapImage(img, open)
	}
	if remove == nil {
		return shown
	}
	del := widget.NewButtonWithIcon("", theme.DeleteIcon(), remove)
	del.Importance = widget.LowImportance
	return container.NewVBox(shown, del)
}

// refInput is a choice among the county's records of the field's Ref
// register (titles shown, ids kept), loaded off the UI goroutine.
func (a *App) refInput(in *fieldInput, changed func()) {
	var ids []string
	quiet := false // set while the loaded choices are filled in
	sel := widget.NewSelect(nil, func(string) {
		if !quiet {
			changed()
		}
	})
	sel.PlaceHolder = lang.L("(choose)")
	pending := ""
	in.get = func() string {
		if i := sel.SelectedIndex(); i >= 0 && i < len(ids) {
			return ids[i]
		}
		return pending
	}
	in.set = func(s string) {
		pending = s
		if i := slices.Index(ids, s); i >= 0 {
			sel.SetSelectedIndex(i)
		}
	}
	in.disable = sel.Disable
	in.obj = sel
	sc, ok := model.Lookup(in.f.Ref)
	if !ok {
		return
	}
	// An empty choice says whom to ask: records the user's role may not
	// create (a county's grids) come from the county bureau.
	hint := widget.NewLabel("")
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.WarningImportance
	hint.Hide()
	in.obj = container.NewVBox(sel, hint)
	var titles []string
	a.b.run(func() error {
		page, err := a.st.List(store.Query{Register: sc.Name, County: a.county, Order: store.ByTitle, Limit: 500})
		if err != nil {
			return err
		}
		for i := range page.Records {
			ids = append(ids, page.Records[i].Record.String())
			titles = append(titles, a.recordTitle(sc, &page.Records[i]))
		}
		return nil
	}, func(err error) {
		if err == nil && len(ids) == 0 {
			reg := map[string]any{"Register": sc.Label.In(a.textLang())}
			if sc.MayCreate(a.role()) {
				hint.SetText(lang.L("No “{{.Register}}” records yet. Create one first under “{{.Register}}”.", reg))
			} else {
				hint.SetText(lang.L("Your county has no “{{.Register}}” records yet. Ask the county bureau to create them under “{{.Register}}” and sync this device.", reg))
			}
			hint.Show()
		}
		quiet = true
		sel.Options = titles
		sel.Refresh()
		if i := slices.Index(ids, pending); i >= 0 {
			sel.SetSelectedIndex(i)
		}
		quiet = false
	})
}

// rawOf is the input text of a stored value: what ParseInput turns back
// into the same value.
func rawOf(f *model.Field, v model.Value) string {
	if v.IsNull() {
		return ""
	}
	switch f.Kind {
	case model.KindInteger, model.KindDecimal, model.KindBool:
		return string(v)
	case model.KindDateTime:
		s, _ := v.AsText()
		if t, err := time.Parse(model.LayoutDateTime, s); err == nil {
			return t.In(model.Beijing).Format("2006-01-02 15:04")
		}
		return s
	case model.KindMultiEnum, model.KindPhotos:
		l, _ := v.AsList()
		return strings.Join(l, ",")
	case model.KindTextList, model.KindRefList:
		l, _ := v.AsList()
		return strings.Join(l, "\n")
	case model.KindGPS:
		p, err := v.AsPoint()
		if err != nil {
			return string(v)
		}
		return pointText(p)
	case model.KindGPSList:
		ps, _ := v.AsPoints()
		lines := make([]string, len(ps))
		for i, p := range ps {
			lines[i] = pointText(p)
		}
		return strings.Join(lines, "\n")
	}
	s, err := v.AsText()
	if err != nil {
		return string(v)
	}
	return s
}

func pointText(p model.Point) string {
	s := strconv.FormatFloat(p.Lat, 'f', 6, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', 6, 64)
	if p.Acc > 0 {
		s += ", " + strconv.FormatFloat(p.Acc, 'f', -1, 64)
	}
	return s
}

// shrink returns img scaled down (nearest neighbour) so that its longer
// side is at most n pixels; small images are returned as they are.
func shrink(img image.Image, n int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= n && h <= n || w == 0 || h == 0 {
		return img
	}
	tw, th := n, h*n/w
	if h > w {
		tw, th = w*n/h, n
	}
	out := image.NewRGBA(image.Rect(0, 0, max(tw, 1), max(th, 1)))
	for y := 0; y < out.Rect.Dy(); y++ {
		for x := 0; x < out.Rect.Dx(); x++ {
			out.Set(x, y, img.At(b.Min.X+x*w/out.Rect.Dx(), b.Min.Y+y*h/out.Rect.Dy()))
		}
	}
	return out
}

// formEntry is a form's text box. Fyne gives the shortcuts typed in a
// focused entry to the entry alone (fyne-io/fyne#2627), so the entry
// hands Ctrl+S to the form itself.
type formEntry struct {
	widget.Entry
	save func()
}

func newFormEntry(multi bool, save func()) *formEntry {
	e := &formEntry{save: save}
	e.MultiLine = multi
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut saves on Ctrl+S and leaves every other shortcut to the
// entry.
func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if s.ShortcutName() == saveShortcut.ShortcutName() && e.save != nil {
		e.save()
		return
	}
	e.Entry.TypedShortcut(s)
}

// maxPlaceChoices is how many places a place input lists at once: typing
// narrows them down.
const maxPlaceChoices = 60

// placeInput is a township or village input: an entry that lists the
// county's townships (a village input: the chosen township's villages,
// or the county's when none is chosen) whose names contain what is typed,
// or whose pinyin initials do (lsz for 灵寿镇).
// Its raw text is the chosen place's code; a name that is no listed place
// is kept as typed (model.Admit admits it with a warning).
func (a *App) placeInput(in *fieldInput, changed func()) {
	f := in.f
	e := widget.NewSelectEntry(nil)
	e.SetPlaceHolder(lang.L("type to search, or choose"))
	choices := func() []model.Place {
		p := model.DefaultPlaces()
		if p == nil {
			return nil
		}
		if f.Place == model.PlaceTownship {
			return p.Townships(a.county)
		}
		t := ""
		if in.township != nil {
			t = strings.TrimSpace(in.township())
		}
		if !model.IsPlaceCode(t, model.PlaceTownship) && t != "" {
			if pl, ok := p.MatchName(a.county, t); ok {
				t = pl.Code
			}
		}
		if model.IsPlaceCode(t, model.PlaceTownship) {
			return p.Villages(t)
		}
		return p.VillagesOfCounty(a.county)
	}
	filter := func(typed string) {
		typed = strings.TrimSpace(typed)
		latin := strings.ToLower(typed)
		if !isLatinLetters(latin) {
			latin = ""
		}
		var names []string
		for _, pl := range choices() {
			if typed == "" || strings.Contains(pl.Name, typed) || latin != "" && strings.Contains(pinyinInitials(pl.Name), latin) {
				names = append(names, pl.Name)
				if len(names) == maxPlaceChoices {
					break
				}
			}
		}
		in.choices = names
		e.SetOptions(names)
	}
	e.OnChanged = func(s string) {
		filter(s)
		changed()
	}
	in.get = func() string {
		typed := strings.TrimSpace(e.Text)
		if typed == "" {
			return ""
		}
		code, n := "", 0
		for _, pl := range choices() {
			if pl.Name == typed {
				code = pl.Code
				n++
			}
		}
		if n == 1 {
			return code
		}
		return typed
	}
	in.set = func(raw string) { e.SetText(model.PlaceName(raw)) }
	in.refresh = func() { filter(e.Text) }
	in.disable = e.Disable
	in.obj = e
	filter("")
}

// initials caches the pinyin initials of place names.
var initials sync.Map // name → initials

// pinyinInitials is the first letters of name's pinyin (灵寿镇 → lsz); a
// character of several readings takes its most common one.
func pinyinInitials(name string) string {
	if v, ok := initials.Load(name); ok {
		return v.(string)
	}
	args := pinyin.NewArgs()
	args.Style = pinyin.FirstLetter
	s := strings.Join(pinyin.LazyPinyin(name, args), "")
	initials.Store(name, s)
	return s
}

// isLatinLetters reports whether s is made of a to z only.
func isLatinLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return s != ""
}
