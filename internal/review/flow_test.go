package review

import (
	"fmt"
	"reflect"
	"testing"
)

func TestFlows(t *testing.T) {
	// submitted → approved / returned, per register.
	want := map[string][]string{
		"farm_coal_facility": {"pending_verify→unreplaced/returned", "replaced→accepted/in_progress"},
		"straw_patrol":       {"submitted→reviewed/returned"},
		"fire_point":         {"verified→reviewed/returned", "handled→reviewed/returned"},
		"livestock_farm":     {"filed→verified/returned"},
		"construction_site":  {"submitted→active/returned"},
		"site_inspection":    {"submitted→compliant/returned", "rectified→closed/rectifying"},
		"dustfall_monthly":   {"entered→approved/returned"},
		"ammonia_monitoring": {"entered→approved/returned"},
		"bare_ground":        {"treated→closed/returned"},
	}
	got := map[string][]string{}
	for _, f := range Flows() {
		for _, g := range f.Gates {
			got[f.Schema.Name] = append(got[f.Schema.Name], fmt.Sprintf("%s→%s/%s", g.Submitted, g.Approve.To, g.Return.To))
		}
	}
	for name, w := range want {
		if !reflect.DeepEqual(got[name], w) {
			t.Errorf("%s: got %v; want %v", name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: got gates %v; want none", name, got[name])
		}
	}
	for _, name := range []string{"straw_grid", "dustfall_point", "manure_use_log"} {
		if _, ok := FlowOf(name); ok {
			t.Errorf("%s: reviewable; want no review step", name)
		}
	}
}
