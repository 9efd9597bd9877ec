package evidencecheck

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/photoexif/exiftest"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

// An evidence pack's report says, for each photo, when and where it was
// taken and with what camera, and the doubts the checks raise: a photo
// without EXIF is named as such.
func TestPackReportCarriesPhotoChecks(t *testing.T) {
	ctx := context.Background()
	st := fixture.Store(t)
	taken := time.Date(2023, 11, 20, 10, 3, 0, 0, model.Beijing)
	withExif := exiftest.JPEG(exiftest.Photo{Taken: taken, Lat: 38.30123, Lon: 114.38456, GPS: true, Make: "HUAWEI", Model: "MatePad", Seed: 1})
	bare := exiftest.JPEG(exiftest.Photo{Seed: 2})
	var shas []string
	for _, b := range [][]byte{withExif, bare} {
		sha, err := st.PutBlob(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sha)
	}
	rec, err := st.Append(ctx, store.Change{Register: fixture.Register, County: fixture.County, Author: "张伟", Role: model.RoleGrid,
		Set: fixture.Facility(1, shas...)})
	if err != nil {
		t.Fatal(err)
	}
	var pack bytes.Buffer
	if _, err := evidence.Build(ctx, &pack, st.EvidenceSource(), rec.Record, evidence.Options{PhotoNotes: PackNotes}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(pack.Bytes()), int64(pack.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var report string
	for _, f := range zr.File {
		if f.Name == "report.html" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			report = string(b)
		}
	}
	for _, want := range []string{"拍摄时间 2023-11-20 10:03", "拍摄位置 38.30123, 114.38456", "相机 HUAWEI MatePad",
		"无拍摄时间（EXIF）", "taken 2023-11-20 10:03", "has no time taken (EXIF)"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}
