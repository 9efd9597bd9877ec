package model

import (
	"slices"
	"testing"
)

// patrolBase is a valid zero-report straw_patrol draft without photos.
func patrolBase() Record {
	return Record{Register: "straw_patrol", County: "130126", Fields: map[string]Value{
		FieldStatus:      Str(PatrolDraft),
		"patrol_date":    Str("2024-06-10"),
		"start_at":       Str("2024-06-10T08:00+08:00"),
		"end_at":         Str("2024-06-10T09:00+08:00"),
		"patrollers":     List("张网格"),
		"grid":           Str("0b8f5a9e-2f1c-4d55-9a41-6b1f8c2d3e4f"),
		FieldTownship:    Str("演示镇"),
		FieldVillage:     Str("演示村1"),
		"area_desc":      Str("演示村1 麦田"),
		"method":         List("on_foot"),
		"fire_found":     Bool(false),
		"scar_found":     Bool(false),
		"findings_count": Int(0),
		"zero_report":    Bool(true),
	}}
}

func TestPatrolPhotos(t *testing.T) {
	s, _ := Lookup("straw_patrol")
	found := with(patrolBase(), "zero_report", Bool(false), "fire_found", Bool(true), "findings_count", Int(1),
		"finding_locations", GPSList(Point{Lat: 38.3, Lon: 114.4}), "burned_area_mu", Decimal(0.5),
		"onsite_action", Str("extinguished"))
	for _, c := range []struct {
		name     string
		r        Record
		wantErr  []string
		wantWarn bool
	}{
		{"zero report without photo is a warning", patrolBase(), nil, true},
		{"zero report with a route photo", with(patrolBase(), "photos", List(hashA)), nil, false},
		{"finding without photos", found, []string{"photos"}, false},
		{"finding with one photo", with(found, "photos", List(hashA)), []string{"photos"}, false},
		{"finding with two photos", with(found, "photos", List(hashA, hashB)), nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := slices.Compact(errFields(s.Validate(c.r))); !slices.Equal(got, c.wantErr) {
				t.Errorf("errors: got %v (%v); want %v", got, s.Validate(c.r), c.wantErr)
			}
			warned := slices.Contains(errFields(s.Warnings(c.r)), "photos")
			if warned != c.wantWarn {
				t.Errorf("photo warning: got %v; want %v", warned, c.wantWarn)
			}
		})
	}
}
