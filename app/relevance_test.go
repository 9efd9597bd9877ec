package app

import (
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// TestFarmCoalFormShowsRelevantFields: grid staff entering a new farm-coal
// facility do not see the plan, replacement or acceptance fields, and a
// detail appears once the answer it depends on is given.
func TestFarmCoalFormShowsRelevantFields(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	sc, _ := model.Lookup("farm_coal_facility")
	form := newForm(a, sc, uuid.Nil, a.defaults(sc))
	a.shell.push(form)
	for _, k := range []string{"acceptance_date", "acceptance_org", "acceptance_by", "acceptance_result", "planned_method", "actual_method", "after_photos", "capacity_unit"} {
		if form.shown(k) {
			t.Errorf("new record as grid: %s is shown; want hidden", k)
		}
	}
	for _, k := range []string{"operator_name", "rated_capacity", "survey_photos"} {
		if !form.shown(k) {
			t.Errorf("new record as grid: %s is hidden; want shown", k)
		}
	}
	typeInto(t, form, "rated_capacity", "2")
	if !form.shown("capacity_unit") {
		t.Errorf("rated capacity typed: capacity_unit hidden; want shown")
	}
	form.byKey["rated_capacity"].set("")
	if form.shown("capacity_unit") {
		t.Errorf("rated capacity cleared: capacity_unit shown; want hidden")
	}
}

// TestHiddenFieldNotSent: a value typed into a field that the answers
// then make irrelevant is not saved.
func TestHiddenFieldNotSent(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	sc, _ := model.Lookup("farm_coal_facility")
	form := newForm(a, sc, uuid.Nil, a.defaults(sc))
	typeInto(t, form, "service_scale", "30")
	form.byKey["scale_unit"].set("mu")
	vals, _ := form.collect()
	if vals["scale_unit"] != model.Str("mu") {
		t.Fatalf("got scale_unit %q with a service scale; want mu", vals["scale_unit"])
	}
	form.byKey["service_scale"].set("")
	vals, _ = form.collect()
	if set := form.changes(vals); !set["scale_unit"].IsNull() {
		t.Errorf("service scale cleared: form sends scale_unit %q; want nothing", set["scale_unit"])
	}
}
