package app

import (
	"bytes"
	"fmt"
	"image"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// viewerMaxSide is the longest side a photo is decoded to for viewing: a
// camera photo in full takes around 100 MB, and a tablet screen shows at
// most this many pixels of it at 100 %.
const viewerMaxSide = 2400

// photoViewer shows a record's photos one at a time, fitted to the
// screen or zoomed, with previous/next and a caption of who attached it,
// when, and where the record is.
type photoViewer struct {
	a       *App
	hashes  []string
	caption func(i int) string
	i       int
	zoom    float32 // 0: fit the screen
	img     *canvas.Image
	scroll  *container.Scroll
	label   *widget.Label
	prev    *widget.Button
	next    *widget.Button
	zoomIn  *widget.Button
	zoomOut *widget.Button
	root    fyne.CanvasObject
	// loaded is the decoded photo shown (nil until read).
	loaded image.Image
}

func newPhotoViewer(a *App, hashes []string, i int, caption func(i int) string) *photoViewer {
	v := &photoViewer{a: a, hashes: hashes, caption: caption, i: i}
	v.img = canvas.NewImageFromResource(theme.FileImageIcon())
	v.img.FillMode = canvas.ImageFillContain
	v.scroll = container.NewScroll(v.img)
	v.label = widget.NewLabel("")
	v.label.Wrapping = fyne.TextWrapWord
	v.prev = widget.NewButtonWithIcon(lang.L("Previous"), theme.NavigateBackIcon(), func() { v.show(v.i - 1) })
	v.next = widget.NewButtonWithIcon(lang.L("Next"), theme.NavigateNextIcon(), func() { v.show(v.i + 1) })
	v.zoomIn = widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { v.setZoom(v.zoomOf() * 2) })
	v.zoomOut = widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { v.setZoom(v.zoomOf() / 2) })
	fit := widget.NewButtonWithIcon(lang.L("Fit"), theme.ZoomFitIcon(), func() { v.setZoom(0) })
	bar := container.NewHBox(v.prev, v.next, v.zoomOut, fit, v.zoomIn)
	v.root = container.NewBorder(nil, container.NewVBox(v.label, bar), nil, nil, v.scroll)
	v.show(i)
	return v
}

func (v *photoViewer) title() string           { return lang.L("Photos") }
func (v *photoViewer) view() fyne.CanvasObject { return v.root }

// zoomOf is the scale shown: the fitted one when fitting.
func (v *photoViewer) zoomOf() float32 {
	if v.zoom > 0 || v.loaded == nil {
		return max(v.zoom, 0.125)
	}
	b := v.loaded.Bounds()
	s := v.scroll.Size()
	if b.Dx() == 0 || b.Dy() == 0 || s.Width == 0 {
		return 1
	}
	return min(s.Width/float32(b.Dx()), s.Height/float32(b.Dy()))
}

// setZoom shows the photo at scale z (0: fitted to the screen), from 1/8
// to 8 times.
func (v *photoViewer) setZoom(z float32) {
	if z != 0 {
		z = min(max(z, 0.125), 8)
	}
	v.zoom = z
	v.layout()
}

func (v *photoViewer) layout() {
	if v.zoom == 0 || v.loaded == nil {
		v.img.SetMinSize(fyne.NewSize(0, 0))
		v.scroll.Direction = container.ScrollNone
	} else {
		b := v.loaded.Bounds()
		v.img.SetMinSize(fyne.NewSize(float32(b.Dx())*v.zoom, float32(b.Dy())*v.zoom))
		v.scroll.Direction = container.ScrollBoth
	}
	v.img.Refresh()
	v.scroll.Refresh()
}

// show shows photo i, read off the UI goroutine.
func (v *photoViewer) show(i int) {
	if i < 0 || i >= len(v.hashes) {
		return
	}
	v.i, v.zoom, v.loaded = i, 0, nil
	v.prev.Disable()
	if i > 0 {
		v.prev.Enable()
	}
	v.next.Disable()
	if i < len(v.hashes)-1 {
		v.next.Enable()
	}
	text := fmt.Sprintf("%d / %d", i+1, len(v.hashes))
	if v.caption != nil {
		if c := v.caption(i); c != "" {
			text += " · " + c
		}
	}
	v.label.SetText(text)
	v.img.Image, v.img.Resource = nil, theme.FileImageIcon()
	v.layout()
	sha := v.hashes[i]
	var decoded image.Image
	v.a.b.run(func() error {
		rc, err := v.a.st.OpenBlob(sha)
		if err != nil {
			return err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 64<<20))
		if err != nil {
			return err
		}
		full, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return err
		}
		decoded = shrink(full, viewerMaxSide)
		return nil
	}, func(err error) {
		if v.i != i {
			return // moved on meanwhile
		}
		if err != nil {
			v.label.SetText(text + " · " + lang.L("The photo cannot be shown: {{.Err}}", map[string]any{"Err": plainError(err)}))
			return
		}
		v.loaded = decoded
		v.img.Image, v.img.Resource = decoded, nil
		v.layout()
	})
}

// tapImage is a thumbnail that opens something when tapped.
type tapImage struct {
	widget.BaseWidget
	img   *canvas.Image
	onTap func()
}

func newTapImage(img *canvas.Image, onTap func()) *tapImage {
	t := &tapImage{img: img, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapImage) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.img) }

// Tapped opens the photo.
func (t *tapImage) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}
