package app

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// A record's photos open from their thumbnails in a viewer that steps
// through them, zooms, and says who attached each and when.
func TestPhotoViewerFromDetail(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	grid := seed(t, a, "straw_grid", 1)[0]
	a.user.Grid = grid.Record.String()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1600, 1200))); err != nil {
		t.Fatal(err)
	}
	pic := buf.Bytes()
	n := 0
	a.photoPicker = func(use func(io.ReadCloser)) {
		n++
		use(io.NopCloser(bytes.NewReader(append(append([]byte(nil), pic...), byte(n)))))
	}
	a.shell.goHome()
	test.Tap(a.shell.current().(*homeScreen).patrolBtn)
	log := a.shell.current().(*patrolLog)
	var add *widget.Button
	walk(log.form.byKey["photos"].obj, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "添加照片" {
			add = b
		}
	})
	for range 3 {
		test.Tap(add)
	}
	test.Tap(log.save)
	d, ok := a.shell.current().(*detailScreen)
	if !ok {
		t.Fatalf("after saving: %T; want the record", a.shell.current())
	}
	var thumbs []*tapImage
	walk(d.root, func(o fyne.CanvasObject) {
		if ti, ok := o.(*tapImage); ok {
			thumbs = append(thumbs, ti)
		}
	})
	if len(thumbs) != 3 {
		t.Fatalf("%d photo thumbnails that open; want 3", len(thumbs))
	}
	test.Tap(thumbs[1])
	v, ok := a.shell.current().(*photoViewer)
	if !ok {
		t.Fatalf("tapping a thumbnail opened %T; want the photo viewer", a.shell.current())
	}
	if !strings.HasPrefix(v.label.Text, "2 / 3 · 照片 · 张伟 ") {
		t.Errorf("caption %q; want photo 2 of 3, attached by 张伟 with the time", v.label.Text)
	}
	if v.loaded == nil || v.img.Image == nil {
		t.Fatal("the photo was not read")
	}
	test.Tap(v.next)
	if !strings.HasPrefix(v.label.Text, "3 / 3") || !v.next.Disabled() {
		t.Errorf("after 下一张: %q, next disabled %v; want the last photo with 下一张 off", v.label.Text, v.next.Disabled())
	}
	test.Tap(v.prev)
	test.Tap(v.prev)
	if !strings.HasPrefix(v.label.Text, "1 / 3") || !v.prev.Disabled() {
		t.Errorf("after 上一张 twice: %q; want the first photo with 上一张 off", v.label.Text)
	}
	// Zoomed in, the photo is larger than fitted and scrolls.
	test.Tap(v.zoomIn)
	if v.scroll.Direction != container.ScrollBoth || v.img.MinSize().Width <= 0 {
		t.Errorf("zoomed in: scroll %v, size %v; want a scrollable enlarged photo", v.scroll.Direction, v.img.MinSize())
	}
	before := v.img.MinSize().Width
	test.Tap(v.zoomIn)
	if got := v.img.MinSize().Width; got != 2*before {
		t.Errorf("zooming in again: width %.0f; want %.0f", got, 2*before)
	}
}
