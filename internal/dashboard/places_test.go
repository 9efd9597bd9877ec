package dashboard

import (
	"testing"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// Per-township figures key on codes: a township name typed before places
// were coded counts with its coded place, and so does a village.
func TestFiguresKeyOnPlaceCodes(t *testing.T) {
	p, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	model.SetPlaces(p)
	defer model.SetPlaces(nil)
	const county = "130126"
	town, _ := p.MatchName(county, "灵寿镇")
	vil := p.Villages(town.Code)[0]
	f := &fixture{}
	f.add("fire_point", county, kv{"detected_at": dt(10, 8), "pushed_at": dt(10, 9), "due_at": dt(11, 9),
		"pushed_township": s("灵寿镇"), model.FieldStatus: s(model.FirePending)})
	f.add("fire_point", county, kv{"detected_at": dt(11, 8), "pushed_at": dt(11, 9), "due_at": dt(12, 9),
		"pushed_township": s("灵寿"), model.FieldTownship: s(town.Code), model.FieldStatus: s(model.FirePending)})
	f.add("straw_grid", county, kv{model.FieldTownship: s("灵寿镇"), model.FieldVillage: s(vil.Name), model.FieldStatus: s(model.GridInUse)})
	f.add("straw_grid", county, kv{model.FieldTownship: s(town.Code), model.FieldVillage: s(vil.Code), model.FieldStatus: s(model.GridInUse)})
	res := Compute(f.states, Options{Now: now})
	c, ok := res.County(county)
	if !ok {
		t.Fatal("no figures")
	}
	if len(c.Fire.ByTownship) != 1 || c.Fire.ByTownship[0].Township != town.Code || c.Fire.ByTownship[0].Points != 2 {
		t.Errorf("fire by township: got %+v; want one %s with 2 points", c.Fire.ByTownship, town.Code)
	}
	n := 0
	for _, v := range c.Straw.Villages {
		if v.Village == vil.Code && v.Township == town.Code {
			n++
		} else {
			t.Errorf("village %s/%s; want %s/%s", v.Township, v.Village, town.Code, vil.Code)
		}
	}
	if n != 1 {
		t.Errorf("villages: got %+v; want %s once", c.Straw.Villages, vil.Code)
	}
}
