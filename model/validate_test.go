package model

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// farmCoalBase is a valid farm_coal_facility record in status 未替代.
func farmCoalBase() Record {
	return Record{Register: "farm_coal_facility", County: "130126", Fields: map[string]Value{
		FieldStatus:         Str(FarmCoalUnreplaced),
		"facility_no":       Str("130126-NYSM-0042"),
		"operator_name":     Str("王建国"),
		"operator_type":     Str("household"),
		"contact_name":      Str("王建国"),
		"contact_phone":     Str("13812345678"),
		FieldTownship:       Str("演示镇"),
		FieldVillage:        Str("演示村1"),
		"use_category":      Str("tobacco_curing"),
		"equipment_type":    Str("curing_barn"),
		"unit_count":        Int(2),
		"annual_coal_t":     Decimal(12.5),
		"coal_basis":        Str("last_year_actual"),
		FieldLocation:       GPS(Point{Lat: 38.5, Lon: 114.6, Acc: 8}),
		"survey_photos":     List(hashA, hashB),
		"in_annual_task":    Bool(false),
		FieldReviewedBy:     Str("李审核"),
		FieldCreatedAt:      Str("2023-10-01T09:00+08:00"),
		FieldRemarks:        Str("演示数据"),
		"last_revisit_date": Null,
	}}
}

func with(r Record, kv ...any) Record {
	f := make(map[string]Value, len(r.Fields))
	for k, v := range r.Fields {
		f[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1].(Value)
	}
	r.Fields = f
	return r
}

func errFields(errs []FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestValidateFarmCoal(t *testing.T) {
	s, _ := Lookup("farm_coal_facility")
	base := farmCoalBase()
	replaced := with(base, FieldStatus, Str(FarmCoalReplaced), "actual_method", Str("heat_pump"),
		"old_equipment_disposal", Str("removed"), "completed_date", Str("2023-11-20"),
		"work_start_date", Str("2023-11-01"), "new_equipment", Str("空气源热泵烤房"),
		"after_photos", List(hashA, hashB))
	for _, c := range []struct {
		name string
		r    Record
		want []string // fields with errors
	}{
		{"valid", base, nil},
		{"valid replaced", replaced, nil},
		{"missing required", with(base, "operator_name", Null), []string{"operator_name"}},
		{"empty list is missing", with(base, "survey_photos", List()), []string{"survey_photos"}},
		{"too few photos", with(base, "survey_photos", List(hashA)), []string{"survey_photos"}},
		{"uscc required for enterprise", with(base, "operator_type", Str("enterprise")), []string{"uscc"}},
		{"uscc given for enterprise", with(base, "operator_type", Str("enterprise"), "uscc", Str("91350100M000100Y43")), nil},
		{"uscc bad check digit", with(base, "operator_type", Str("enterprise"), "uscc", Str("91350100M000100Y44")), []string{"uscc"}},
		{"task year required", with(base, "in_annual_task", Bool(true)), []string{"task_year"}},
		{"boiler needs capacity", with(base, "equipment_type", Str("coal_boiler")), []string{"rated_capacity"}},
		{"boiler over 35 t/h", with(base, "equipment_type", Str("coal_boiler"), "rated_capacity", Decimal(28), "capacity_unit", Str("mw")), []string{"rated_capacity"}},
		{"boiler of 20 t/h", with(base, "equipment_type", Str("coal_boiler"), "rated_capacity", Decimal(20), "capacity_unit", Str("t_h")), nil},
		{"replaced needs after photos", with(replaced, "after_photos", Null), []string{"after_photos"}},
		{"start after completion", with(replaced, "work_start_date", Str("2023-12-01")), []string{"completed_date"}},
		{"2023 task after deadline", with(base, FieldStatus, Str(FarmCoalPlanned), "in_annual_task", Bool(true), "task_year", Int(2023),
			"planned_method", Str("heat_pump"), "planned_date", Str("2024-01-15")), []string{"planned_date"}},
		{"unknown field", with(base, "colour", Str("red")), []string{"colour"}},
		{"bad status", with(base, FieldStatus, Str("done")), []string{FieldStatus}},
		{"no status", with(base, FieldStatus, Null), []string{FieldStatus}},
		{"bad county", func() Record { r := base; r.County = "12"; return r }(), []string{"county_code"}},
		{"future completion", func() Record {
			r := with(replaced, "completed_date", Str("2023-11-20"))
			r.Now = time.Date(2023, 11, 19, 12, 0, 0, 0, time.UTC)
			return r
		}(), []string{"completed_date"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			errs := s.Validate(c.r)
			got := errFields(errs)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v (%v); want errors on %v", got, errs, want)
			}
			for _, e := range errs {
				if e.Msg.ZH == "" || e.Msg.EN == "" {
					t.Errorf("got %+v; want both languages", e)
				}
			}
		})
	}
}

func TestValidateFirePointVerdicts(t *testing.T) {
	s, _ := Lookup("fire_point")
	pushed := Record{Register: "fire_point", County: "130126", Fields: map[string]Value{
		FieldStatus:         Str(FireVerified),
		"source_fire_id":    Str("HB20231012-0007"),
		"source":            Str("satellite_mee"),
		"sensor":            Str("npp_viirs"),
		"detected_at":       Str("2023-10-12T13:40+08:00"),
		"pushed_at":         Str("2023-10-12T15:00+08:00"),
		"pushed_location":   GPS(Point{Lat: 38.5, Lon: 114.6}),
		"pushed_county":     Str("130126"),
		"pushed_township":   Str("演示镇"),
		"due_at":            Str("2023-10-13T15:00+08:00"),
		"verifiers":         List("张伟", "刘洋"),
		"arrived_at":        Str("2023-10-12T16:10+08:00"),
		"verified_location": GPS(Point{Lat: 38.501, Lon: 114.601, Acc: 6}),
		"verdict":           Str("no_trace"),
		"verify_note":       Str("现场为收割后农田，无焚烧痕迹，已拍照留存"),
		"verify_photos":     List(hashA, hashB, strings.Repeat("c", 64)),
	}}
	confirmed := with(pushed, "verdict", Str("confirmed_straw"), "verify_note", Null,
		"burned_material", Str("corn"), "burned_area_mu", Decimal(1.5), "fire_state", Str("embers"),
		"party_identified", Bool(false), "enforcement", List("education"), "extinguished_at", Str("2023-10-12T16:30+08:00"))
	for _, c := range []struct {
		name string
		r    Record
		want []string
	}{
		{"no trace with note", pushed, nil},
		{"no trace short note", with(pushed, "verify_note", Str("无痕迹")), []string{"verify_note"}},
		{"no trace without note", with(pushed, "verify_note", Null), []string{"verify_note"}},
		{"satellite needs sensor", with(pushed, "sensor", Null), []string{"sensor"}},
		{"confirmed complete", confirmed, nil},
		{"confirmed without material", with(confirmed, "burned_material", Null), []string{"burned_material"}},
		{"embers need extinguished time", with(confirmed, "extinguished_at", Null), []string{"extinguished_at"}},
		{"fine needs amount", with(confirmed, "enforcement", List("fine")), []string{"fine_yuan"}},
		{"arrived before push", with(pushed, "arrived_at", Str("2023-10-12T14:00+08:00")), []string{"arrived_at"}},
		{"pushed before detected", with(pushed, "detected_at", Str("2023-10-12T15:30+08:00")), []string{"pushed_at"}},
		{"pending needs no verification", with(pushed, FieldStatus, Str(FirePending), "verifiers", Null, "arrived_at", Null,
			"verified_location", Null, "verdict", Null, "verify_note", Null, "verify_photos", Null), nil},
		{"verified needs photos", with(pushed, "verify_photos", Null), []string{"verify_photos"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := errFields(s.Validate(c.r))
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v; want %v", s.Validate(c.r), c.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	now := time.Date(2023, 12, 20, 10, 0, 0, 0, time.UTC)
	farm, _ := Lookup("farm_coal_facility")
	bare, _ := Lookup("bare_ground")
	fire, _ := Lookup("fire_point")
	for _, c := range []struct {
		name string
		s    *Schema
		r    Record
		want []string
	}{
		{"none", farm, farmCoalBase(), nil},
		{"gps accuracy", farm, with(farmCoalBase(), FieldLocation, GPS(Point{Lat: 38.5, Lon: 114.6, Acc: 80})), []string{FieldLocation}},
		{"coal per unit", farm, with(farmCoalBase(), "annual_coal_t", Decimal(1200)), []string{"annual_coal_t"}},
		{"coal for many units", farm, with(farmCoalBase(), "annual_coal_t", Decimal(1200), "unit_count", Int(3)), nil},
		{"bare ground stale", bare, Record{Now: now, Fields: map[string]Value{"last_update": Str("2023-11-01")}}, []string{"last_update"}},
		{"bare ground fresh", bare, Record{Now: now, Fields: map[string]Value{"last_update": Str("2023-12-01")}}, nil},
		{"bare ground no clock", bare, Record{Fields: map[string]Value{"last_update": Str("2023-01-01")}}, nil},
		{"fine outside range", fire, Record{Fields: map[string]Value{"fine_yuan": Decimal(3000)}}, []string{"fine_yuan"}},
		{"fine inside range", fire, Record{Fields: map[string]Value{"fine_yuan": Decimal(1000)}}, nil},
		{"far from pushed point", fire, Record{Fields: map[string]Value{
			"pushed_location": GPS(Point{Lat: 38.5, Lon: 114.6}), "verified_location": GPS(Point{Lat: 38.52, Lon: 114.6})}}, []string{"verified_location"}},
		{"arrived late", fire, Record{Fields: map[string]Value{
			"due_at": Str("2023-10-13T15:00+08:00"), "arrived_at": Str("2023-10-13T16:00+08:00")}}, []string{"arrived_at"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := c.s.Warnings(c.r)
			got := errFields(w)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v; want %v", w, c.want)
			}
			for _, e := range w {
				if e.Msg.ZH == "" || e.Msg.EN == "" {
					t.Errorf("got %+v; want both languages", e)
				}
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	s, _ := Lookup("straw_patrol")
	for _, c := range []struct {
		from, to string
		role     Role
		ok       bool
		comment  bool
	}{
		{PatrolDraft, PatrolSubmitted, RoleGrid, true, false},
		{PatrolSubmitted, PatrolReviewed, RoleCounty, true, false},
		{PatrolSubmitted, PatrolReviewed, RoleProvince, true, false},
		{PatrolSubmitted, PatrolReviewed, RoleGrid, false, false},
		{PatrolSubmitted, PatrolReturned, RoleCounty, true, true},
		{PatrolSubmitted, PatrolReturned, RoleGrid, false, false},
		{PatrolReturned, PatrolSubmitted, RoleGrid, true, false},
		{PatrolDraft, PatrolSummarized, RoleCounty, false, false},
		{PatrolDraft, "nowhere", RoleCounty, false, false},
	} {
		t.Run(c.from+"→"+c.to+" "+string(c.role), func(t *testing.T) {
			tr, err := s.Transition(c.from, c.to, c.role)
			if c.ok {
				if err != nil || tr.Comment != c.comment {
					t.Errorf("got %+v %v; want allowed with comment=%v", tr, err, c.comment)
				}
				return
			}
			var te *TransitionError
			if !errors.Is(err, ErrTransition) || !errors.As(err, &te) || te.Msg.ZH == "" || te.Msg.EN == "" {
				t.Errorf("got %v; want a bilingual ErrTransition", err)
			}
		})
	}
}

// TestReviewWorkflow walks submitted → returned → resubmitted → approved
// for a register of each family.
func TestReviewWorkflow(t *testing.T) {
	for _, c := range []struct{ register, submitted, approved string }{
		{"farm_coal_facility", FarmCoalPending, FarmCoalUnreplaced},
		{"straw_patrol", PatrolSubmitted, PatrolReviewed},
		{"fire_point", FireVerified, FireReviewed},
		{"livestock_farm", FarmFiled, FarmVerified},
		{"ammonia_monitoring", MonitorEntered, MonitorApproved},
		{"construction_site", SiteSubmitted, SiteActive},
		{"site_inspection", InspSubmitted, InspCompliant},
		{"bare_ground", BareTreated, BareClosed},
		{"dustfall_monthly", DustfallEntered, DustfallApproved},
	} {
		t.Run(c.register, func(t *testing.T) {
			s, _ := Lookup(c.register)
			steps := []struct {
				from, to string
				role     Role
			}{
				{c.submitted, "returned", RoleCounty},
				{"returned", c.submitted, RoleGrid},
				{c.submitted, c.approved, RoleCounty},
			}
			for _, st := range steps {
				if _, err := s.Transition(st.from, st.to, st.role); err != nil {
					t.Errorf("%s→%s by %s: got %v; want allowed", st.from, st.to, st.role, err)
				}
			}
			tr, _ := s.Transition(c.submitted, "returned", RoleCounty)
			if tr == nil || !tr.Comment {
				t.Errorf("return got %+v; want Comment", tr)
			}
			var tos []string
			for _, n := range s.NextStatuses(c.submitted, RoleCounty) {
				tos = append(tos, n.To)
			}
			if !slices.Contains(tos, "returned") || !slices.Contains(tos, c.approved) {
				t.Errorf("NextStatuses got %v; want returned and %s", tos, c.approved)
			}
			if n := s.NextStatuses(c.submitted, RoleGrid); len(n) != 0 && c.register != "fire_point" {
				t.Errorf("grid NextStatuses got %v; want none", n)
			}
		})
	}
}

// TestReopenAfterApproval checks that grid staff may send each approved
// status that is not final back to review (an edit after approval is
// reviewed again), that reviewers do not use that move, and that final
// approved statuses (销号) stay closed to grid staff.
func TestReopenAfterApproval(t *testing.T) {
	for _, c := range []struct {
		register, approved, submitted string
		reopens                       bool
	}{
		{"farm_coal_facility", FarmCoalUnreplaced, FarmCoalPending, true},
		{"farm_coal_facility", FarmCoalAccepted, FarmCoalReplaced, false},
		{"straw_patrol", PatrolReviewed, PatrolSubmitted, true},
		{"fire_point", FireReviewed, FireVerified, true},
		{"livestock_farm", FarmVerified, FarmFiled, true},
		{"ammonia_monitoring", MonitorApproved, MonitorEntered, true},
		{"construction_site", SiteActive, SiteSubmitted, true},
		{"site_inspection", InspCompliant, InspSubmitted, false},
		{"site_inspection", InspClosed, InspRectified, false},
		{"bare_ground", BareClosed, BareTreated, true},
		{"dustfall_monthly", DustfallApproved, DustfallEntered, true},
	} {
		t.Run(c.register+" "+c.approved, func(t *testing.T) {
			s, _ := Lookup(c.register)
			st, ok := s.Status(c.approved)
			if !ok {
				t.Fatalf("status %s got missing", c.approved)
			}
			if st.Final == c.reopens {
				t.Errorf("status %s got final=%v; want reopened exactly when not final", c.approved, st.Final)
			}
			tr, err := s.Transition(c.approved, c.submitted, RoleGrid)
			if !c.reopens {
				if err == nil {
					t.Errorf("grid %s→%s got allowed; want refused", c.approved, c.submitted)
				}
				return
			}
			if err != nil {
				t.Fatalf("grid %s→%s: got %v; want allowed", c.approved, c.submitted, err)
			}
			if tr.Comment || tr.Label.ZH != "修改后重新提交" || tr.Label.EN != "Resubmit after edit" {
				t.Errorf("reopen got %+v; want no comment and the resubmit-after-edit label", tr)
			}
			if _, err := s.Transition(c.approved, c.submitted, RoleCounty); err == nil {
				t.Errorf("county %s→%s got allowed; want grid staff only", c.approved, c.submitted)
			}
		})
	}
}

func TestDerive(t *testing.T) {
	farm, _ := Lookup("livestock_farm")
	mon, _ := Lookup("ammonia_monitoring")
	dust, _ := Lookup("dust_monitor_reading")
	for _, c := range []struct {
		name string
		s    *Schema
		in   map[string]Value
		key  string
		want Value
	}{
		{"pigs", farm, map[string]Value{"species": Str("pig"), "current_stock": Int(600)}, "pig_equivalent", Decimal(600)},
		{"layers", farm, map[string]Value{"species": Str("layer"), "current_stock": Int(30000)}, "pig_equivalent", Decimal(1000)},
		{"broilers", farm, map[string]Value{"species": Str("broiler"), "current_stock": Int(60000)}, "pig_equivalent", Decimal(1000)},
		{"dairy", farm, map[string]Value{"species": Str("dairy"), "current_stock": Int(120)}, "pig_equivalent", Decimal(1200)},
		{"beef", farm, map[string]Value{"species": Str("beef"), "current_stock": Int(200)}, "pig_equivalent", Decimal(1000)},
		{"sheep", farm, map[string]Value{"species": Str("sheep"), "current_stock": Int(100)}, "pig_equivalent", Decimal(33.3)},
		{"other species", farm, map[string]Value{"species": Str("other"), "current_stock": Int(100)}, "pig_equivalent", Null},
		{"nh3 over class 2 existing", mon, map[string]Value{"monitor_type": Str("fence_line"), "parameter": Str("ammonia"), "limit_class": Str("class2_existing"), "value": Decimal(2.1)}, "exceeds", Bool(true)},
		{"nh3 at class 2 existing", mon, map[string]Value{"monitor_type": Str("fence_line"), "parameter": Str("ammonia"), "limit_class": Str("class2_existing"), "value": Decimal(2.0)}, "exceeds", Bool(false)},
		{"nh3 over class 1", mon, map[string]Value{"monitor_type": Str("fence_line"), "parameter": Str("ammonia"), "limit_class": Str("class1"), "value": Decimal(1.2)}, "exceeds", Bool(true)},
		{"odour class 3 existing", mon, map[string]Value{"monitor_type": Str("fence_line"), "parameter": Str("odour"), "limit_class": Str("class3_existing"), "value": Int(65)}, "exceeds", Bool(false)},
		{"stack has no fence-line limit", mon, map[string]Value{"monitor_type": Str("stack"), "parameter": Str("ammonia"), "limit_class": Str("class1"), "value": Decimal(9)}, "exceeds", Null},
		{"dust excess", dust, map[string]Value{"pm10": Decimal(260), "county_pm10_same_hour": Decimal(170)}, "excess", Decimal(110)},
		{"dust exceeds", dust, map[string]Value{"pm10": Decimal(260), "county_pm10_same_hour": Decimal(170)}, "exceed_flag", Bool(true)},
		{"dust within", dust, map[string]Value{"pm10": Decimal(200), "county_pm10_same_hour": Decimal(140)}, "exceed_flag", Bool(false)},
		{"dust without county", dust, map[string]Value{"pm10": Decimal(200)}, "exceed_flag", Null},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.s.Derive(Record{Fields: c.in})[c.key]
			if got != c.want {
				t.Errorf("got %s; want %s", got, c.want)
			}
		})
	}
}

func TestHebeiMonitorPoints(t *testing.T) {
	for _, c := range []struct {
		area float64
		want int
	}{{100, 1}, {4999, 1}, {5000, 2}, {9999, 2}, {10000, 4}, {100000, 4}, {100001, 5}, {200000, 5}, {250000, 6}} {
		if got := HebeiMonitorPoints(c.area); got != c.want {
			t.Errorf("area %v: got %v; want %v", c.area, got, c.want)
		}
	}
}

// A facility number is the county's code, NYSM and four digits.
func TestFacilityNoPattern(t *testing.T) {
	sc, _ := Lookup("farm_coal_facility")
	for _, tc := range []struct {
		no string
		ok bool
	}{
		{"130126-NYSM-0042", true},
		{"130126-NYSM-9999", true},
		{"130125-NYSM-0042", false}, // another county's
		{"130126-NYSM-42", false},
		{"NYSM-0042", false},
		{"130126-NYSM-0000", false},
	} {
		r := farmCoalBase()
		r.Fields[FieldFacilityNo] = Str(tc.no)
		var got *FieldError
		for _, fe := range sc.Validate(r) {
			if fe.Field == FieldFacilityNo {
				got = &fe
			}
		}
		if (got == nil) != tc.ok {
			t.Errorf("%s: error %v; want ok=%v", tc.no, got, tc.ok)
		}
		if got != nil && !strings.Contains(got.Msg.ZH, "130126-NYSM-0042") {
			t.Errorf("%s: message %q does not show the expected shape", tc.no, got.Msg.ZH)
		}
	}
	if n, ok := FacilitySeq("130126", FacilityNo("130126", 7)); !ok || n != 7 {
		t.Errorf("FacilitySeq(FacilityNo(7)) = %d, %v", n, ok)
	}
}
