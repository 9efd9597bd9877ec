package model

import (
	"slices"
	"testing"
)

func TestRegistersList(t *testing.T) {
	want := []string{
		"farm_coal_facility",
		"straw_grid", "straw_patrol", "fire_point",
		"livestock_farm", "manure_facility", "ammonia_control", "ammonia_monitoring", "manure_use_log",
		"construction_site", "site_inspection", "dust_monitor_reading", "bare_ground", "road_dust_station", "dustfall_point", "dustfall_monthly",
	}
	var got []string
	for _, s := range Registers() {
		got = append(got, s.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	for _, name := range want {
		t.Run(name, func(t *testing.T) {
			s, ok := Lookup(name)
			if !ok || s.Name != name {
				t.Errorf("Lookup(%q) got %v %v; want the schema", name, s, ok)
			}
		})
	}
	if _, ok := Lookup("nope"); ok {
		t.Errorf("Lookup(nope) got found; want not found")
	}
}

// TestSchemasConsistent walks every schema for internal consistency.
func TestSchemasConsistent(t *testing.T) {
	codes := map[string]string{}
	for _, s := range Registers() {
		t.Run(s.Name, func(t *testing.T) {
			if s.Label.ZH == "" || s.Label.EN == "" || s.Family == "" || s.Code == "" {
				t.Errorf("got label %+v family %q code %q; want all set", s.Label, s.Family, s.Code)
			}
			if other, dup := codes[s.Code]; dup {
				t.Errorf("code %s got used by %s too; want unique", s.Code, other)
			}
			codes[s.Code] = s.Name
			seen := map[string]bool{}
			for _, f := range s.Fields {
				if seen[f.Key] {
					t.Errorf("field %s got twice; want unique", f.Key)
				}
				seen[f.Key] = true
				if _, reserved := ReservedField(f.Key); reserved {
					t.Errorf("field %s got a reserved key; want none", f.Key)
				}
				if f.Label.ZH == "" || f.Label.EN == "" {
					t.Errorf("field %s got label %+v; want both languages", f.Key, f.Label)
				}
				if (f.Kind == KindEnum || f.Kind == KindMultiEnum) != (len(f.Options) > 0) {
					t.Errorf("field %s kind %s got %d options", f.Key, f.Kind, len(f.Options))
				}
				okeys := map[string]bool{}
				for _, o := range f.Options {
					if okeys[o.Key] || o.Key == "" || o.Label.ZH == "" || o.Label.EN == "" {
						t.Errorf("field %s option %+v: got duplicate or unlabelled; want unique and labelled", f.Key, o)
					}
					okeys[o.Key] = true
				}
				if f.Kind == KindRef || f.Kind == KindRefList {
					if _, ok := Lookup(f.Ref); !ok {
						t.Errorf("field %s got ref %q; want an existing register", f.Key, f.Ref)
					}
				} else if f.Ref != "" {
					t.Errorf("field %s kind %s got ref %q; want none", f.Key, f.Kind, f.Ref)
				}
				if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
					t.Errorf("field %s got min %v > max %v", f.Key, *f.Min, *f.Max)
				}
				if f.Computed && (f.Required || f.RequiredIf != nil) {
					t.Errorf("field %s got computed and required; want one", f.Key)
				}
			}
			for _, key := range []string{s.TitleField, s.VillageField, s.DateField, s.Parent} {
				if key == "" {
					continue
				}
				if _, ok := s.Field(key); !ok {
					t.Errorf("got %q named as title/village/date/parent; want an existing field", key)
				}
			}
			if s.TitleField == "" {
				t.Errorf("got no TitleField; want one")
			}
			if s.Parent != "" {
				if f, _ := s.Field(s.Parent); f == nil || f.Kind != KindRef {
					t.Errorf("parent %q got %v; want a ref field", s.Parent, f)
				}
			}
			searchable := false
			for _, f := range s.Fields {
				searchable = searchable || f.Searchable
			}
			if !searchable {
				t.Errorf("got no searchable field; want at least one")
			}
			if _, ok := s.Status(s.Initial); !ok {
				t.Fatalf("initial %q got missing; want a status", s.Initial)
			}
			for _, tr := range s.Transitions {
				_, okf := s.Status(tr.From)
				_, okt := s.Status(tr.To)
				if !okf || !okt || len(tr.Roles) == 0 || tr.Label.ZH == "" || tr.Label.EN == "" {
					t.Errorf("transition %+v: got unknown status, no roles or no label", tr)
				}
				// A final status is reopened only by reviewers (复烧整改).
				if st, _ := s.Status(tr.From); st != nil && st.Final && slices.Contains(tr.Roles, RoleGrid) {
					t.Errorf("transition %s→%s got grid staff reopening a final status", tr.From, tr.To)
				}
			}
			reach := map[string]bool{s.Initial: true}
			for changed := true; changed; {
				changed = false
				for _, tr := range s.Transitions {
					if reach[tr.From] && !reach[tr.To] {
						reach[tr.To] = true
						changed = true
					}
				}
			}
			for _, st := range s.Statuses {
				if !reach[st.Key] {
					t.Errorf("status %s got unreachable from %s", st.Key, s.Initial)
				}
			}
		})
	}
}

// TestReviewPaths checks that every register whose lifecycle has a
// "returned" status is reached only by reviewers, with a comment, and left
// by grid staff resubmitting.
func TestReviewPaths(t *testing.T) {
	for _, s := range Registers() {
		t.Run(s.Name, func(t *testing.T) {
			for _, ret := range s.Transitions {
				if !ret.Comment || ret.To != "returned" {
					continue
				}
				back := false
				for _, tr := range s.Transitions {
					if tr.From == ret.To && slices.Contains(tr.Roles, RoleGrid) {
						back = true
					}
				}
				if !back {
					t.Errorf("return %s→%s got no resubmit by grid staff", ret.From, ret.To)
				}
				if _, err := s.Transition(ret.From, ret.To, RoleGrid); err == nil {
					t.Errorf("return %s→%s got allowed for grid; want refused", ret.From, ret.To)
				}
			}
		})
	}
}

// TestFirePointVillage checks that fire points carry the village (and
// township) the county assigns them to, optional, and that lists filter
// on the village.
func TestFirePointVillage(t *testing.T) {
	s, _ := Lookup("fire_point")
	if s.VillageField != FieldVillage {
		t.Errorf("VillageField got %q; want %q", s.VillageField, FieldVillage)
	}
	for _, key := range []string{FieldVillage, FieldTownship} {
		f, ok := s.Field(key)
		if !ok || f.Kind != KindText || f.Required || f.RequiredIf != nil {
			t.Errorf("field %s got %+v; want an optional text field", key, f)
		}
	}
}
