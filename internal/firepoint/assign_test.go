package firepoint

import (
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

// TestImportRespectsFileNames: a village or township the file names and
// the county's records know wins over the nearest village.
func TestImportRespectsFileNames(t *testing.T) {
	s := openMem(t)
	// G1 lies by 东村 but the file says 西村; G2 is 4.5 km from 东村 and
	// 6.9 km from 南庄, but the file says 陈庄镇, whose only village is
	// 南庄; G3 names a village the records do not know.
	file := "火点编号,经度,纬度,发现时间,乡镇,行政村\n" +
		"G1,114.381,38.301,2023-10-15 13:40,慈峪镇,西村\n" +
		"G2,114.37,38.26,2023-10-15 13:41,陈庄镇,\n" +
		"G3,114.381,38.301,2023-10-15 13:42,慈峪镇,北村\n"
	res := importFile(t, s, file, options())
	if len(res.Created) != 3 {
		t.Fatalf("created %d; want 3 (bad %+v)", len(res.Created), res.Bad)
	}
	want := map[string]string{"G1": "西村", "G2": "南庄", "G3": ""}
	for _, c := range res.Created {
		if c.Village.Name != want[c.FireID] {
			t.Errorf("%s: got village %q; want %q", c.FireID, c.Village.Name, want[c.FireID])
		}
		st, _ := s.Get(c.Record)
		if got := st.Value(model.FieldVillage); want[c.FireID] != "" && got != model.Str(want[c.FireID]) {
			t.Errorf("%s: stored village %s; want %s", c.FireID, got, want[c.FireID])
		}
	}
	if !res.Created[0].Named || res.Created[0].DistanceM != 0 {
		t.Errorf("G1: named %v, distance %v; want the file's village, no distance", res.Created[0].Named, res.Created[0].DistanceM)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Line != 4 || !strings.Contains(res.Warnings[0].Reason.ZH, "北村") {
		t.Errorf("warnings: got %+v; want line 4 about 北村", res.Warnings)
	}
}

// TestImportFarPointNotAssigned: a point 83.7 km from every known village
// is not given to the nearest one; it is imported without a village and
// a warning when the file names its township, and reported as a bad row
// when nothing says where it belongs.
func TestImportFarPointNotAssigned(t *testing.T) {
	s := openMem(t)
	file := "火点编号,经度,纬度,发现时间,乡镇\n" +
		"H1,115.339,38.30,2023-10-15 13:40,远山乡\n" +
		"H2,115.339,38.30,2023-10-15 13:41,\n" +
		"H3,114.40,38.31,2023-10-15 13:42,\n"
	o := options()
	res := importFile(t, s, file, o)
	if len(res.Created) != 2 || res.Created[0].FireID != "H1" || res.Created[0].Village.Name != "" || res.Created[1].Village.Name != "东村" {
		t.Fatalf("created: got %+v; want H1 without a village and H3 to 东村", res.Created)
	}
	if len(res.Bad) != 1 || res.Bad[0].Line != 3 {
		t.Errorf("bad: got %+v; want line 3 (no township, no village near)", res.Bad)
	}
	// H1's township has no known village; H2 is 83.7 km from 东村.
	if len(res.Warnings) != 2 || res.Warnings[0].Line != 2 || res.Warnings[1].Line != 3 {
		t.Fatalf("warnings: got %+v; want lines 2 and 3", res.Warnings)
	}
	if w := res.Warnings[0].Reason; !strings.Contains(w.ZH, "远山乡") || !strings.Contains(w.EN, "远山乡") {
		t.Errorf("H1 warning: got %+v; want the township", w)
	}
	if w := res.Warnings[1].Reason; !strings.Contains(w.ZH, "83.7 公里") || !strings.Contains(w.EN, "83.7 km") {
		t.Errorf("H2 warning: got %+v; want the distance 83.7 km", w)
	}
	st, _ := s.Get(res.Created[0].Record)
	if got := st.Value(model.FieldVillage); !got.IsNull() {
		t.Errorf("H1 village: got %s; want none", got)
	}
}

func TestSampleCSVParses(t *testing.T) {
	p, err := Parse(strings.NewReader(SampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Points) != 3 || len(p.Bad) != 0 {
		t.Fatalf("got %d points, bad %+v; want 3", len(p.Points), p.Bad)
	}
	if got := p.Points[0]; got.Township != "慈峪镇" || got.Village != "东村" || got.Satellite != "NPP-VIIRS" || got.Confidence != "85" {
		t.Errorf("first point: got %+v; want every column read", got)
	}
	// Every column the screen lists is one Parse reads.
	for _, c := range Columns {
		for _, n := range c.Names {
			if _, ok := aliases[normalize(n)]; !ok {
				t.Errorf("column name %q is not read", n)
			}
		}
	}
}
