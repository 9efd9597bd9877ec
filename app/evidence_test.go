package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// A record's doubtful photos are flagged under them in warning colour,
// and the photo viewer's caption says when and where each was taken.
func TestDetailShowsPhotoChecks(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	inspected := time.Date(2023, 11, 28, 10, 0, 0, 0, model.Beijing)
	sha, err := a.st.PutBlob(bytes.NewReader(exiftest.JPEG(exiftest.Photo{
		Taken: inspected.Add(-72 * time.Hour), Lat: 38.3, Lon: 114.38, GPS: true})))
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for range 2 {
		set := map[string]model.Value{
			"site": model.Str(uuid.New().String()), "inspected_at": model.Str(inspected.Format(model.LayoutDateTime)),
			"inspectors": model.List("张伟"), "org": model.Str("县生态环境分局"), "monitor_state": model.Str("normal"),
			"issue_photos": model.List(sha),
		}
		for _, it := range model.Six100Items {
			set["check_"+it.Key] = model.Str("pass")
		}
		st, err := a.st.Append(context.Background(), store.Change{Register: "site_inspection", County: testCounty,
			Author: "张伟", Role: model.RoleGrid, Set: set})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.Record)
	}
	d := newDetail(a, ids[0])
	a.shell.push(d)
	var warnings []string
	var thumbs []*tapImage
	walk(d.root, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Importance == widget.WarningImportance && strings.HasPrefix(l.Text, "⚠ ") {
			warnings = append(warnings, l.Text)
		}
		if ti, ok := o.(*tapImage); ok {
			thumbs = append(thumbs, ti)
		}
	})
	want := []string{"⚠ 问题照片第 1 张拍摄于 2023-11-25 10:00，与检查时间相差 72 小时（超过 24 小时）",
		"⚠ 问题照片第 1 张（同一文件）还附在另外 1 条记录中"}
	if strings.Join(warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n%s\nwant\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	if len(thumbs) != 1 {
		t.Fatalf("%d thumbnails; want 1", len(thumbs))
	}
	test.Tap(thumbs[0])
	v, ok := a.shell.current().(*photoViewer)
	if !ok {
		t.Fatalf("tapping the thumbnail opened %T", a.shell.current())
	}
	if !strings.HasPrefix(v.label.Text, "1 / 1 · 问题照片 · 拍摄 2023-11-25 10:00 · 38.30000, 114.38000 · 张伟 ") {
		t.Errorf("caption %q; want the time and place taken before who attached it", v.label.Text)
	}
}
