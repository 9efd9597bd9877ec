package model

import (
	"slices"
	"testing"
	"time"
)

// TestRelevantFarmCoalStages: a new farm-coal record (as grid staff enter
// it) has no plan, replacement or acceptance fields; each stage's fields
// apply from the status in which they are typed.
func TestRelevantFarmCoalStages(t *testing.T) {
	sc, _ := Lookup("farm_coal_facility")
	acceptance := []string{"acceptance_date", "acceptance_org", "acceptance_by", "acceptance_result"}
	tests := []struct {
		status    string
		relevant  []string
		irrelvant []string
	}{
		{"", []string{"operator_name", "survey_photos", "in_annual_task"}, append([]string{"planned_method", "actual_method", "after_photos", "reburn_found"}, acceptance...)},
		{FarmCoalPending, []string{"operator_name"}, append([]string{"planned_date", "completed_date"}, acceptance...)},
		{FarmCoalUnreplaced, []string{"planned_method", "planned_date", "old_equipment_disposal"}, append([]string{"work_start_date", "actual_method"}, acceptance...)},
		{FarmCoalInProgress, []string{"work_start_date", "actual_method", "after_photos"}, acceptance},
		{FarmCoalReplaced, acceptance, []string{"last_revisit_date", "reburn_found"}},
		{FarmCoalAccepted, append([]string{"last_revisit_date", "reburn_found"}, acceptance...), nil},
	}
	for _, tt := range tests {
		r := Record{Register: sc.Name, County: "130126", Fields: map[string]Value{}}
		if tt.status != "" {
			r.Fields[FieldStatus] = Str(tt.status)
		}
		irr := sc.Irrelevant(r)
		for _, k := range tt.relevant {
			if slices.Contains(irr, k) || !sc.RelevantIn(k, r) {
				t.Errorf("status %q: %s is irrelevant; want relevant", tt.status, k)
			}
		}
		for _, k := range tt.irrelvant {
			if !slices.Contains(irr, k) || sc.RelevantIn(k, r) {
				t.Errorf("status %q: %s is relevant; want irrelevant", tt.status, k)
			}
		}
	}
}

// TestRelevantFollowsAnswers: a detail applies once its answer is given.
func TestRelevantFollowsAnswers(t *testing.T) {
	farm, _ := Lookup("farm_coal_facility")
	r := farmCoalBase()
	if farm.RelevantIn("capacity_unit", r) {
		t.Errorf("capacity_unit relevant without a rated capacity")
	}
	if !farm.RelevantIn("capacity_unit", with(r, "rated_capacity", Decimal(2))) {
		t.Errorf("capacity_unit irrelevant with a rated capacity")
	}
	fire, _ := Lookup("fire_point")
	fr := Record{Register: fire.Name, Fields: map[string]Value{"party_identified": Bool(false)}}
	if fire.RelevantIn("party_name", fr) {
		t.Errorf("party_name relevant when the party is not identified")
	}
	if !fire.RelevantIn("party_name", with(fr, "party_identified", Bool(true))) {
		t.Errorf("party_name irrelevant when the party is identified")
	}
}

// TestRelevantFirePointCheck: the check applies once grid staff are
// sent, and what a confirmed fire needs once the verdict confirms one.
func TestRelevantFirePointCheck(t *testing.T) {
	sc, _ := Lookup("fire_point")
	pending := Record{Register: sc.Name, Fields: map[string]Value{FieldStatus: Str(FirePending)}}
	for _, k := range []string{"verifiers", "verdict", "verify_photos", "burned_material"} {
		if sc.RelevantIn(k, pending) {
			t.Errorf("pending: %s relevant; want irrelevant", k)
		}
	}
	checking := with(pending, FieldStatus, Str(FireVerifying), "verdict", Str("no_trace"))
	for k, want := range map[string]bool{"verifiers": true, "verdict": true, "verify_photos": true, "burned_material": false, "party_identified": false, "pushed_township": true} {
		if got := sc.RelevantIn(k, checking); got != want {
			t.Errorf("checking, no trace: %s relevant %v; want %v", k, got, want)
		}
	}
	confirmed := with(checking, "verdict", Str("confirmed_straw"))
	for _, k := range []string{"burned_material", "fire_state", "party_identified", "enforcement"} {
		if !sc.RelevantIn(k, confirmed) {
			t.Errorf("confirmed: %s irrelevant; want relevant", k)
		}
	}
}

// relevanceSchema is a small register whose detail applies when the
// answer is yes, and whose note (county only) applies to open records.
func relevanceSchema() *Schema {
	yes := isTrue("answer")
	return &Schema{
		Name: "relevance_test", Label: Text{ZH: "测试", EN: "Test"},
		Fields: []Field{
			fld("answer", KindBool, "回答", "Answer", req),
			fld("detail", KindText, "详情", "Detail", req, when(yes)),
			fld("note", KindText, "县局说明", "County note", countyOnly, when(statusIn("open"))),
		},
		Statuses: []Status{st("open", "开", "Open"), st("closed", "关", "Closed")},
		Initial:  "open",
		Transitions: []Transition{
			tr("open", "closed", "关闭", "Close"),
		},
	}
}

func TestValidateSkipsIrrelevant(t *testing.T) {
	sc := relevanceSchema()
	r := Record{Register: sc.Name, County: "130126", Fields: map[string]Value{FieldStatus: Str("open"), "answer": Bool(false)}}
	if errs := sc.Validate(r); errs != nil {
		t.Errorf("answer no: got %v; want no error (detail does not apply)", errs)
	}
	if got := errFields(sc.Validate(with(r, "answer", Bool(true)))); !slices.Equal(got, []string{"detail"}) {
		t.Errorf("answer yes: got errors of %v; want [detail]", got)
	}
}

func TestAdmitClearsIrrelevant(t *testing.T) {
	sc := relevanceSchema()
	now := time.Date(2023, 12, 16, 9, 0, 0, 0, Beijing)
	grid := Author{Name: "网格员", Role: RoleGrid}
	// A detail typed for a "no" is not written.
	ad, err := Admit(sc, nil, Change{County: "130126", Author: grid, Now: now,
		Set: map[string]Value{"answer": Bool(false), "detail": Str("typed before the answer changed")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ad.Set["detail"]; ok || !ad.Record.Get("detail").IsNull() {
		t.Errorf("new record: detail written (%q) for answer no", ad.Set["detail"])
	}
	// A stored detail is cleared when the answer turns to no.
	cur := &Record{Register: sc.Name, County: "130126", Fields: map[string]Value{
		FieldStatus: Str("open"), "answer": Bool(true), "detail": Str("详情"), "note": Str("县局")}}
	ad, err = Admit(sc, cur, Change{Author: grid, Now: now, Set: map[string]Value{"answer": Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := ad.Set["detail"]; !ok || !v.IsNull() {
		t.Errorf("answer turned to no: set %v; want detail cleared", ad.Set)
	}
	// A move that makes another role's field irrelevant leaves it: grid
	// staff may not write the county's note.
	ad, err = Admit(sc, cur, Change{Author: grid, Now: now, Set: map[string]Value{FieldStatus: Str("closed")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ad.Set["note"]; ok || ad.Record.Get("note") != Str("县局") {
		t.Errorf("grid close: set %v, note %q; want the county's note kept", ad.Set, ad.Record.Get("note"))
	}
	county := Author{Name: "县局", Role: RoleCounty}
	ad, err = Admit(sc, cur, Change{Author: county, Now: now, Set: map[string]Value{FieldStatus: Str("closed")}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := ad.Set["note"]; !ok || !v.IsNull() {
		t.Errorf("county close: set %v; want note cleared", ad.Set)
	}
}

// TestAdmitFarmCoalRejectClearsAcceptance: an acceptance rejected sends
// the record back to work, and the acceptance values typed for it go.
func TestAdmitFarmCoalRejectClearsAcceptance(t *testing.T) {
	sc, _ := Lookup("farm_coal_facility")
	r := with(farmCoalBase(), FieldStatus, Str(FarmCoalReplaced), "in_annual_task", Bool(true), "task_year", Int(2023),
		"planned_method", Str("heat_pump"), "planned_date", Str("2023-11-30"), "work_start_date", Str("2023-10-20"),
		"actual_method", Str("heat_pump"), "old_equipment_disposal", Str("removed"), "completed_date", Str("2023-11-20"),
		"new_equipment", Str("空气源热泵"), "after_photos", List(hashA, hashB), "acceptance_date", Str("2023-12-01"),
		"acceptance_result", Str("fail"))
	ad, err := Admit(sc, &r, Change{Author: Author{Name: "县局", Role: RoleCounty}, Now: time.Date(2023, 12, 16, 9, 0, 0, 0, Beijing),
		Set: map[string]Value{FieldStatus: Str(FarmCoalInProgress), FieldReviewComment: Str("烟囱未拆除")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"acceptance_date", "acceptance_result"} {
		if v, ok := ad.Set[k]; !ok || !v.IsNull() {
			t.Errorf("%s: set %q (written %v); want cleared", k, v, ok)
		}
	}
	if _, ok := ad.Set["actual_method"]; ok {
		t.Errorf("actual_method cleared; want kept (relevant in progress)")
	}
}
