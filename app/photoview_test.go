package app

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// A record's photos open from their thumbnails in a viewer that steps
// through them, zooms, and says who attached each and when.
func TestPhotoViewerFromDetail(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1600, 1200))); err != nil {
		t.Fatal(err)
	}
	d := patrolWithPhotos(t, a, buf.Bytes(), 3)
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

// The county exports a record's evidence pack from its detail: the pack
// holds the record's signed ops and photos and checks out offline; one
// changed byte makes the check fail. Grid staff get no such button.
func TestEvidencePackFromDetail(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	d := patrolWithPhotos(t, a, testPNG(t), 3)
	if d.evidenceBtn != nil {
		t.Error("grid staff are offered an evidence pack")
	}
	// The province vouched for this device when it enrolled.
	_, province, _ := ed25519.GenerateKey(nil)
	sg, err := vouch.Sign(province, vouch.Statement{Device: a.own.Device(), Key: a.own.PublicKey(), Province: "130000",
		County: testCounty, Role: model.RoleGrid, Enrolled: a.opts.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.own.SetMeta(vouch.MetaKey(a.own.Device()), sg.Marshal()); err != nil {
		t.Fatal(err)
	}
	a.opts.ProvinceKeys = []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}
	signInAs(t, a, "李审核", model.RoleCounty)
	d = newDetail(a, d.id)
	a.shell.push(d)
	if d.evidenceBtn == nil {
		t.Fatal("the county gets no evidence pack button")
	}
	var pack bytes.Buffer
	res, err := d.writeEvidence(&pack)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("the pack built does not check out: %+v", res.Problems)
	}
	zr, err := zip.NewReader(bytes.NewReader(pack.Bytes()), int64(pack.Len()))
	if err != nil {
		t.Fatal(err)
	}
	photos, ops := 0, 0
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "photos/"):
			photos++
		case strings.HasPrefix(f.Name, "ops/"):
			ops++
		}
	}
	if photos != 3 || ops == 0 {
		t.Errorf("the pack holds %d photos and %d ops; want 3 photos and the record's ops", photos, ops)
	}
	if got := evidence.Verify(pack.Bytes(), a.opts.ProvinceKeys); !got.OK() {
		t.Errorf("re-checked offline: %+v", got.Problems)
	}
	bad := bytes.Clone(pack.Bytes())
	bad[len(bad)/2] ^= 1
	if evidence.Verify(bad, a.opts.ProvinceKeys).OK() {
		t.Error("a pack with one byte changed still checks out")
	}
}
