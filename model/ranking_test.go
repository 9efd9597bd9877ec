package model

import (
	"maps"
	"testing"
)

func TestRankAscending(t *testing.T) {
	got := RankAscending(map[string]float64{"a": 3.1, "b": 5, "c": 3.1, "d": 9, "e": 1})
	want := map[string]int{"e": 1, "a": 2, "c": 2, "b": 4, "d": 5}
	if !maps.Equal(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestDustfallAggregates(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     []DustfallReading
		want   float64
		wantOK bool
	}{
		{"regular only", []DustfallReading{{Valid: true, Value: 4}, {Valid: true, Value: 6}}, 5, true},
		{"control and invalid excluded", []DustfallReading{{Valid: true, Value: 4}, {Valid: true, Control: true, Value: 2}, {Value: 30}}, 4, true},
		{"none", []DustfallReading{{Control: true, Valid: true, Value: 2}}, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := DustfallCountyMean(c.in)
			if got != c.want || ok != c.wantOK {
				t.Errorf("got %v %v; want %v %v", got, ok, c.want, c.wantOK)
			}
		})
	}
	for _, c := range []struct {
		name string
		in   []float64
		want bool
	}{{"below", []float64{5, 6, 7}, false}, {"above", []float64{6, 9}, true}, {"empty", nil, false}} {
		t.Run("city "+c.name, func(t *testing.T) {
			if got := DustfallCityExceeds(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
	for _, c := range []struct {
		name string
		in   []bool
		want bool
	}{{"two", []bool{true, false, true}, false}, {"three", []bool{true, true, false, true}, true}} {
		t.Run("day "+c.name, func(t *testing.T) {
			if got := DustDayFails(c.in); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}

func TestEditableBy(t *testing.T) {
	s, _ := Lookup("farm_coal_facility")
	l, _ := Lookup("livestock_farm")
	task, _ := s.Field("in_annual_task")
	name, _ := s.Field("operator_name")
	pe, _ := l.Field("pig_equivalent")
	for _, c := range []struct {
		name string
		f    *Field
		role Role
		want bool
	}{
		{"task by grid", task, RoleGrid, false},
		{"task by county", task, RoleCounty, true},
		{"task by province", task, RoleProvince, true},
		{"name by grid", name, RoleGrid, true},
		{"computed", pe, RoleCounty, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.f.EditableBy(c.role); got != c.want {
				t.Errorf("got %v; want %v", got, c.want)
			}
		})
	}
}
