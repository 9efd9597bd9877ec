package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// lantian places match --data DIR lists a store's free-text townships
// with the codes they map to, and --apply writes them.
func TestPlacesCommand(t *testing.T) {
	defer model.SetPlaces(nil)
	dir := t.TempDir()
	st, err := store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]model.Value{
		"point_no": model.Str("130126-JC-01"), "name": model.Str("灵寿镇降尘监测点"), "point_type": model.Str("regular"),
		"township": model.Str("灵寿镇"), "location": model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
	}
	rec, err := st.Append(context.Background(), store.Change{Register: "dustfall_point", County: "130126",
		Author: "县局", Role: model.RoleCounty, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runPlaces([]string{"match", "--data", dir}, &out); err != nil {
		t.Fatalf("places match: %v\n%s", err, out.String())
	}
	if want := rec.Record.String() + "\tdustfall_point\t130126\ttownship\t灵寿镇\t130126100\t灵寿镇"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	out.Reset()
	if err := runPlaces([]string{"match", "--data", dir, "--apply", "--author", "县局"}, &out); err != nil {
		t.Fatalf("places match --apply: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Updated 1 records, 0 failed") {
		t.Errorf("apply output:\n%s", out.String())
	}
	st, err = store.Open(store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, _ := st.Get(rec.Record)
	if v := got.Value(model.FieldTownship); v != model.Str("130126100") {
		t.Errorf("township after apply: %s; want 130126100", v)
	}
}
