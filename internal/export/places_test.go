package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// TestExportPlacesCodeAndName: a township or village is exported by name
// with its code in the next column; a free-text name kept from before
// places were coded is exported as typed with no code.
func TestExportPlacesCodeAndName(t *testing.T) {
	p, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	model.SetPlaces(p)
	defer model.SetPlaces(nil)
	town := p.Townships(county)[0]
	vil := p.Villages(town.Code)[0]
	src := &memSource{states: fixtureSource().states[:2]}
	src.states[0] = facility(1, model.FarmCoalAccepted, "2023-10-05", map[string]model.Value{
		model.FieldTownship: model.Str(town.Code), model.FieldVillage: model.Str(vil.Code)})
	src.states[1] = facility(2, model.FarmCoalInProgress, "2023-11-20", map[string]model.Value{
		model.FieldTownship: model.Str("老地名乡"), model.FieldVillage: model.Str("东村")})
	var buf bytes.Buffer
	if _, err := CSV(context.Background(), src, request(), &buf); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()[3:]))
	r.FieldsPerRecord = -1
	lines, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := lines[2]
	col := func(h string) int {
		i := slices.Index(head, h)
		if i < 0 {
			t.Fatalf("no column %q in %q", h, head)
		}
		return i
	}
	tn, tc := col("乡镇（街道）"), col("乡镇（街道）代码")
	vn, vc := col("行政村（社区）"), col("行政村（社区）代码")
	if tc != tn+1 || vc != vn+1 {
		t.Errorf("code columns do not follow their names: %q", head)
	}
	rows := map[string][]string{}
	for _, l := range lines[3:] {
		rows[l[tn]] = l
	}
	coded, ok := rows[town.Name]
	if !ok {
		t.Fatalf("no row with township %s: %q", town.Name, lines[3:])
	}
	if coded[tc] != town.Code || coded[vn] != vil.Name || coded[vc] != vil.Code {
		t.Errorf("coded row: got %s %s %s; want %s %s %s", coded[tc], coded[vn], coded[vc], town.Code, vil.Name, vil.Code)
	}
	free, ok := rows["老地名乡"]
	if !ok {
		t.Fatalf("no row with the free-text township: %q", lines[3:])
	}
	if free[tc] != "" || free[vn] != "东村" || free[vc] != "" {
		t.Errorf("free-text row: got code %q, village %q code %q", free[tc], free[vn], free[vc])
	}
}
