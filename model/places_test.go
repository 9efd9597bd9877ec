package model_test

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

func loadPlaces(t testing.TB) *model.Places {
	t.Helper()
	p, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlacesCountsEqualSource: the shipped places hold, for every county
// in scope, as many townships and villages as the source's CSVs
// (packaging/places counts them into places.SOURCE), and 灵寿县, 东城区
// and 杨陵区 have the townships and villages counted in the CSVs.
func TestPlacesCountsEqualSource(t *testing.T) {
	p := loadPlaces(t)
	g, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../assets/places.SOURCE")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counted := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) != 4 || w[0] != "count" {
			continue
		}
		nt, _ := strconv.Atoi(w[2])
		nv, _ := strconv.Atoi(w[3])
		county := w[1]
		counted[county] = true
		if got := len(p.Townships(county)); got != nt {
			t.Errorf("%s: got %d townships; want %d", county, got, nt)
		}
		if got := len(p.VillagesOfCounty(county)); got != nv {
			t.Errorf("%s: got %d villages; want %d", county, got, nv)
		}
	}
	for _, c := range g.Counties() {
		if !counted[c.Code] {
			t.Errorf("county %s %s has no count in places.SOURCE", c.Code, c.Name)
		}
	}
	for _, c := range []struct {
		county     string
		towns, vil int
	}{{"130126", 15, 288}, {"110101", 17, 169}, {"610403", 5, 76}} { // counted in the CSVs with awk
		if got := len(p.Townships(c.county)); got != c.towns {
			t.Errorf("%s: got %d townships; want %d", c.county, got, c.towns)
		}
		if got := len(p.VillagesOfCounty(c.county)); got != c.vil {
			t.Errorf("%s: got %d villages; want %d", c.county, got, c.vil)
		}
	}
}

// TestPlacesLookupAndMatch: a name maps to its code, exactly or without
// its ending when that is unique, and a code back to its name.
func TestPlacesLookupAndMatch(t *testing.T) {
	p := loadPlaces(t)
	town, ok := p.MatchName("130126", " 灵寿镇 ")
	if !ok || town.Code != "130126100" {
		t.Fatalf("灵寿镇: got %+v %v; want 130126100", town, ok)
	}
	if got, ok := p.MatchName("130126", "灵寿"); !ok || got.Code != town.Code {
		t.Errorf("灵寿 without 镇: got %+v %v; want %s", got, ok, town.Code)
	}
	if _, ok := p.MatchName("130126", "不存在镇"); ok {
		t.Error("an unknown name matched")
	}
	vs := p.Villages(town.Code)
	if len(vs) == 0 {
		t.Fatal("灵寿镇 has no villages")
	}
	v := vs[len(vs)-1]
	if got, ok := p.MatchName(town.Code, v.Name); !ok || got != v {
		t.Errorf("village %s: got %+v %v; want %+v", v.Name, got, ok, v)
	}
	if got, ok := p.MatchVillage("130126", "", v.Name); ok && !strings.HasPrefix(got.Code, "130126") {
		t.Errorf("village %s in the county: got %+v", v.Name, got)
	}
	if got, ok := p.Lookup(v.Code); !ok || got.Name != v.Name {
		t.Errorf("Lookup(%s): got %+v %v; want %s", v.Code, got, ok, v.Name)
	}
	if len(v.Code) != 12 || !strings.HasPrefix(v.Code, town.Code) {
		t.Errorf("village code %s is not a 12-digit code of %s", v.Code, town.Code)
	}
	for _, c := range []struct{ in, want string }{
		{"灵寿镇", "灵寿"}, {"北关村委会", "北关"}, {"城关街道办事处", "城关"}, {"东村", "东"}, {"镇", "镇"},
	} {
		if got := model.PlaceBase(c.in); got != c.want {
			t.Errorf("PlaceBase(%s) = %s; want %s", c.in, got, c.want)
		}
	}
}

// TestAdmitPlaces: a township or village code of another county is
// refused, on the device and as a made op, with a message in both
// languages; a village outside the chosen township is refused; the
// county's own codes are admitted and shown by name; a free-text name
// kept from before is admitted and shown as typed.
func TestAdmitPlaces(t *testing.T) {
	model.SetPlaces(loadPlaces(t))
	defer model.SetPlaces(nil)
	p := model.DefaultPlaces()
	sc, _ := model.Lookup("straw_patrol")
	all := seeds(t)
	base := typed(sc, anySeed(all[sc.Name], sc.Initial))
	own := p.Townships(demoCounty)[0]
	other := p.Townships("130123")[0]
	village := p.Villages(own.Code)[0]
	otherVillage := p.Villages(p.Townships(demoCounty)[1].Code)[0]
	with := func(kv ...string) map[string]model.Value {
		set := map[string]model.Value{}
		for k, v := range base {
			set[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			set[kv[i]] = model.Str(kv[i+1])
		}
		return set
	}
	for _, made := range []bool{false, true} {
		ch := model.Change{Register: sc.Name, County: demoCounty, Set: with(model.FieldTownship, other.Code),
			Author: author(model.RoleGrid), Now: admitNow, Made: made}
		_, err := model.Admit(sc, nil, ch)
		var me *model.Error
		if !errors.As(err, &me) || me.Kind != model.ErrInvalid || me.Field != model.FieldTownship {
			t.Fatalf("made %v: township %s of 130123 in %s: got %v; want invalid township", made, other.Code, demoCounty, err)
		}
		if !strings.Contains(me.Msg.ZH, other.Name) || !strings.Contains(me.Msg.ZH, "不属于") || !strings.Contains(me.Msg.EN, "is not in the record's county") {
			t.Errorf("message: %+v", me.Msg)
		}
	}
	if _, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty,
		Set: with(model.FieldTownship, own.Code, model.FieldVillage, otherVillage.Code), Author: author(model.RoleGrid), Now: admitNow}); err == nil {
		t.Errorf("village %s outside township %s admitted", otherVillage.Code, own.Code)
	}
	if _, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty,
		Set: with(model.FieldTownship, "130126999"), Author: author(model.RoleGrid), Now: admitNow}); err == nil {
		t.Error("an unknown township code admitted")
	}
	ad, err := model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty,
		Set: with(model.FieldTownship, own.Code, model.FieldVillage, village.Code), Author: author(model.RoleGrid), Now: admitNow})
	if err != nil {
		t.Fatalf("own township and village: %v", err)
	}
	tf, _ := sc.Field(model.FieldTownship)
	vf, _ := sc.Field(model.FieldVillage)
	if got := model.Display(tf, ad.Record.Get(model.FieldTownship), "zh"); got != own.Name {
		t.Errorf("Display township: got %s; want %s", got, own.Name)
	}
	if got := model.Display(vf, ad.Record.Get(model.FieldVillage), "zh"); got != village.Name {
		t.Errorf("Display village: got %s; want %s", got, village.Name)
	}
	ad, err = model.Admit(sc, nil, model.Change{Register: sc.Name, County: demoCounty,
		Set: with(model.FieldTownship, "老地名乡", model.FieldVillage, "东村"), Author: author(model.RoleGrid), Now: admitNow})
	if err != nil {
		t.Fatalf("free-text names: %v", err)
	}
	if got := model.Display(tf, ad.Record.Get(model.FieldTownship), "zh"); got != "老地名乡" {
		t.Errorf("Display free text: got %s", got)
	}
	warned := false
	for _, w := range sc.Warnings(ad.Record) {
		warned = warned || w.Field == model.FieldTownship
	}
	if !warned {
		t.Error("no warning for an unlisted township name")
	}
}
