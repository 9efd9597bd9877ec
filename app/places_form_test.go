package app

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// The township and village inputs are pickers: the county's townships,
// narrowed by what is typed (characters or pinyin initials); the chosen township's villages; a chosen
// name is saved as its code and shown by name when the record is opened
// again.
func TestPlacePickers(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	signInAs(t, a, "李审核", model.RoleCounty) // grids are the county's
	p := model.DefaultPlaces()
	if p == nil {
		t.Fatal("no places installed")
	}
	sc, _ := model.Lookup("straw_grid")
	form := newForm(a, sc, uuid.Nil, a.defaults(sc))
	a.shell.push(form)
	town, vil := form.byKey[model.FieldTownship], form.byKey[model.FieldVillage]
	te, ok := town.obj.(*widget.SelectEntry)
	if !ok {
		t.Fatalf("township input is a %T; want a select entry", town.obj)
	}
	ve := vil.obj.(*widget.SelectEntry)
	towns := p.Townships(testCounty)
	if got := len(town.choices); got != len(towns) {
		t.Errorf("township choices: got %d; want the county's %d", got, len(towns))
	}
	test.Type(te, "灵寿")
	if !slices.Equal(town.choices, []string{"灵寿镇"}) {
		t.Errorf("choices after typing 灵寿: got %q; want [灵寿镇]", town.choices)
	}
	te.SetText("lsz") // pinyin initials
	if !slices.Contains(town.choices, "灵寿镇") {
		t.Errorf("choices after typing lsz: got %q; want 灵寿镇 among them", town.choices)
	}
	te.SetText("灵寿镇")
	if got := town.get(); got != "130126100" {
		t.Errorf("township raw: got %q; want 130126100", got)
	}
	villages := p.Villages("130126100")
	if got := len(vil.choices); got != len(villages) {
		t.Errorf("village choices: got %d; want the %d of 灵寿镇", got, len(villages))
	}
	ve.SetText(villages[2].Name)
	if got := vil.get(); got != villages[2].Code {
		t.Errorf("village raw: got %q; want %s", got, villages[2].Code)
	}
	typeInto(t, form, "grid_no", "LS-PLACE-001")
	form.byKey["grid_level"].set("county")
	typeInto(t, form, "grid_leader", "王建国")
	typeInto(t, form, "grid_members", "李明")
	typeInto(t, form, "phone", "13812345678")
	typeInto(t, form, "area_desc", "灵寿镇全域")
	test.Tap(form.save)
	page, err := a.st.List(store.Query{Register: sc.Name})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("records: %d, %v (banner %q); want 1", len(page.Records), err, form.topErr.Text)
	}
	st := page.Records[0]
	if got := st.Value(model.FieldTownship); got != model.Str("130126100") {
		t.Errorf("stored township %s; want the code", got)
	}
	if got := st.Value(model.FieldVillage); got != model.Str(villages[2].Code) {
		t.Errorf("stored village %s; want %s", got, villages[2].Code)
	}
	edit := newForm(a, sc, st.Record, st.Values().Fields)
	if got := edit.byKey[model.FieldVillage].obj.(*widget.SelectEntry).Text; got != villages[2].Name {
		t.Errorf("village shown on edit: %q; want %s", got, villages[2].Name)
	}
}
