package placefix

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

const county = "130126"

// TestMatchAndApply: in a store holding free-text township and village
// names, exact matches (and names unique without their ending) are mapped
// to codes and written, a record's village is looked for within its
// township, and the rest are listed and left as typed.
func TestMatchAndApply(t *testing.T) {
	p, err := model.LoadPlaces(assets.PlacesTSVGz)
	if err != nil {
		t.Fatal(err)
	}
	model.SetPlaces(p)
	defer model.SetPlaces(nil)
	ctx := context.Background()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2023, 12, 1, 9, 0, 0, 0, model.Beijing)
	town, _ := p.MatchName(county, "灵寿镇")
	vil := p.Villages(town.Code)[1]
	grid := func(no, township, village string) store.Change {
		return store.Change{Register: "straw_grid", County: county, Author: "县局", Role: model.RoleCounty, Now: now,
			Set: map[string]model.Value{"grid_no": model.Str(no), "grid_level": model.Str("county"),
				"grid_leader": model.Str("王建国"), "grid_members": model.List("李四"), "phone": model.Str("13812345678"),
				model.FieldTownship: model.Str(township), model.FieldVillage: model.Str(village), "area_desc": model.Str("全县")}}
	}
	exact, err := s.Append(ctx, grid("G1", " 灵寿镇", vil.Name))
	if err != nil {
		t.Fatal(err)
	}
	short, err := s.Append(ctx, grid("G2", "灵寿", "不存在村"))
	if err != nil {
		t.Fatal(err)
	}
	coded, err := s.Append(ctx, grid("G3", town.Code, vil.Code))
	if err != nil {
		t.Fatal(err)
	}
	found, err := Match(s, p)
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ rec, field string }
	got := map[key]Finding{}
	for _, f := range found {
		got[key{f.Record.String(), f.Field}] = f
		if f.Record == coded.Record {
			t.Errorf("a coded record was listed: %+v", f)
		}
	}
	want := map[key]string{
		{exact.Record.String(), model.FieldTownship}: town.Code,
		{exact.Record.String(), model.FieldVillage}:  vil.Code,
		{short.Record.String(), model.FieldTownship}: town.Code,
		{short.Record.String(), model.FieldVillage}:  "",
	}
	if len(got) != len(want) {
		t.Errorf("findings: got %+v; want %d", found, len(want))
	}
	for k, code := range want {
		if f, ok := got[k]; !ok || f.Code != code {
			t.Errorf("%v: got %+v; want code %q", k, f, code)
		}
	}
	var rep bytes.Buffer
	if err := Report(&rep, found); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.String(), "不存在村\t未匹配 unmatched") {
		t.Errorf("report does not list the unmatched village:\n%s", rep.String())
	}
	n, failed := Apply(ctx, s, found, "县局", model.RoleCounty, now)
	if n != 2 || len(failed) != 0 {
		t.Fatalf("Apply: %d records, failures %+v; want 2, none", n, failed)
	}
	st, _ := s.Get(exact.Record)
	if a, b := st.Value(model.FieldTownship), st.Value(model.FieldVillage); a != model.Str(town.Code) || b != model.Str(vil.Code) {
		t.Errorf("record G1: township %s village %s; want %s %s", a, b, town.Code, vil.Code)
	}
	st, _ = s.Get(short.Record)
	if a, b := st.Value(model.FieldTownship), st.Value(model.FieldVillage); a != model.Str(town.Code) || b != model.Str("不存在村") {
		t.Errorf("record G2: township %s village %s; want %s and the typed village", a, b, town.Code)
	}
	again, err := Match(s, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0].Text != "不存在村" {
		t.Errorf("after Apply: got %+v; want only the unmatched village", again)
	}
}
