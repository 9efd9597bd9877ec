package app

import (
	"bytes"
	"io"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// addPhotos attaches n photos to a form's photo input through its Add
// button, each pic with one byte more so that each is a photo of its own.
func addPhotos(t *testing.T, a *App, in *fieldInput, pic []byte, n int) {
	t.Helper()
	k := 0
	a.photoPicker = func(use func(io.ReadCloser)) {
		k++
		use(io.NopCloser(bytes.NewReader(append(append([]byte(nil), pic...), byte(k)))))
	}
	var add *widget.Button
	walk(in.obj, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == lang.L("Add photo") {
			add = b
		}
	})
	if add == nil {
		t.Fatalf("%s has no add photo button", in.f.Key)
	}
	for range n {
		test.Tap(add)
	}
}

// checkFalseAlarm fills a fire check as a false alarm (position, note,
// three photos) and saves it.
func checkFalseAlarm(t *testing.T, a *App, c *fireCheck) {
	t.Helper()
	test.Tap(c.verdicts[2]) // false alarm
	f := c.form
	typeInto(t, f, "verified_location", "38.163875, 114.659714, 8")
	typeInto(t, f, "verify_note", "现场查看为大棚保温被反光，无焚烧痕迹")
	addPhotos(t, a, f.byKey["verify_photos"], testPNG(t), 3)
	test.Tap(f.save)
	if f.topErr.Visible() {
		t.Fatalf("the fire check did not save: %s", formMessages(f))
	}
}

// patrolWithPhotos logs a zero-report patrol with n photos of pic by the
// quick log, as grid staff of a seeded grid, and returns its detail.
func patrolWithPhotos(t *testing.T, a *App, pic []byte, n int) *detailScreen {
	t.Helper()
	grid := seed(t, a, "straw_grid", 1)[0]
	a.user.Grid = grid.Record.String()
	a.shell.goHome()
	test.Tap(a.shell.current().(*homeScreen).patrolBtn)
	log := a.shell.current().(*patrolLog)
	addPhotos(t, a, log.form.byKey["photos"], pic, n)
	test.Tap(log.save)
	d, ok := a.shell.current().(*detailScreen)
	if !ok {
		t.Fatalf("after saving the patrol: %T; want the record", a.shell.current())
	}
	return d
}
