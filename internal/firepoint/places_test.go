package firepoint

import (
	"context"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// A file's township and village names are mapped to their codes and
// respected: a village named by the file is written by code even where no
// record gives it a position, a township alone is written by code, a
// village known from coded records is matched by its name, and hand
// assignment writes codes too.
func TestImportMapsPlaceNamesToCodes(t *testing.T) {
	p, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	model.SetPlaces(p)
	defer model.SetPlaces(nil)
	town, _ := p.MatchName(county, "灵寿镇")
	vs := p.Villages(town.Code)
	listed, recorded, other := vs[0], vs[1], p.Townships(county)[3]
	// The county's records know one village, by code, with a position.
	o := options()
	o.Villages = []Village{{Township: town.Code, Name: recorded.Code, At: model.Point{Lat: 38.30, Lon: 114.38}}}
	file := "火点编号,经度,纬度,发现时间,乡镇,村\n" +
		"P1,114.30,38.30,2023-10-15 13:40,灵寿镇," + listed.Name + "\n" +
		"P2,114.381,38.301,2023-10-15 13:41,灵寿镇," + recorded.Name + "\n" +
		"P3,114.20,38.40,2023-10-15 13:42," + other.Name + ",\n"
	s := openMem(t)
	res := importFile(t, s, file, o)
	if len(res.Created) != 3 || len(res.Bad) != 0 {
		t.Fatalf("created %d, bad %+v, warnings %+v; want 3 created", len(res.Created), res.Bad, res.Warnings)
	}
	want := map[string][2]string{
		"P1": {town.Code, listed.Code},
		"P2": {town.Code, recorded.Code},
		"P3": {other.Code, ""},
	}
	for _, c := range res.Created {
		st, err := s.Get(c.Record)
		if err != nil {
			t.Fatal(err)
		}
		w := want[c.FireID]
		gotT, _ := st.Value(model.FieldTownship).AsText()
		gotV, _ := st.Value(model.FieldVillage).AsText()
		if gotT != w[0] || gotV != w[1] {
			t.Errorf("%s: township %q village %q; want %q %q", c.FireID, gotT, gotV, w[0], w[1])
		}
		if pt, _ := st.Value("pushed_township").AsText(); strings.ContainsAny(pt, "0123456789") {
			t.Errorf("%s: pushed township %q; want a name", c.FireID, pt)
		}
	}
	// By hand, to a village known by name only: written by code.
	_, err = Assign(context.Background(), s, res.Created[2].Record, Village{Township: "灵寿镇", Name: listed.Name}, "李科长", model.RoleCounty)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Get(res.Created[2].Record)
	if st.Value(model.FieldVillage) != model.Str(listed.Code) || st.Value(model.FieldTownship) != model.Str(town.Code) {
		t.Errorf("by hand: township %s village %s; want %s %s", st.Value(model.FieldTownship), st.Value(model.FieldVillage), town.Code, listed.Code)
	}
}
