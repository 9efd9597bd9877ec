package county

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/lantian-tz/lantian/internal/firepoint"
	"github.com/lantian-tz/lantian/model"
)

// TestFireImportScreenSaysWhatItNeeds: the screen lists the columns a
// file needs, saves a sample the importer reads, and reports a point it
// could not place as a warning.
func TestFireImportScreenSaysWhatItNeeds(t *testing.T) {
	_, d := setup(t, model.RoleCounty)
	scr := NewFireImportScreen(d)
	for _, col := range []string{"火点编号", "经度", "纬度", "发现时间", "乡镇", "行政村"} {
		if !strings.Contains(scr.Columns(), col) {
			t.Errorf("columns: got %q; want %s listed", scr.Columns(), col)
		}
	}
	var out closingBuffer
	if err := scr.WriteSample(&out); err != nil || !out.closed {
		t.Fatalf("WriteSample: %v (closed %v)", err, out.closed)
	}
	p, err := firepoint.Parse(bytes.NewReader(out.Bytes()))
	if err != nil || len(p.Points) == 0 || len(p.Bad) != 0 {
		t.Fatalf("sample: got %d points, %v, bad %v; want it read", len(p.Points), err, p.Bad)
	}
	// The sample names 东村, which this county's records do not have.
	scr.Import(io.NopCloser(bytes.NewReader(out.Bytes())))
	var warned bool
	for _, l := range scr.Lines() {
		warned = warned || strings.HasPrefix(l, fmt.Sprintf(lang.L("Line %d: warning: %s"), 2, "")) && strings.Contains(l, "东村")
	}
	if !warned {
		t.Errorf("report: got %v; want a warning that 东村 is unknown", scr.Lines())
	}
	if !strings.Contains(scr.Summary(), fmt.Sprintf(lang.L(" Warnings: %d."), 1)) {
		t.Errorf("summary: got %q; want the count of warnings", scr.Summary())
	}
}
