package dashboard

import (
	"slices"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Tally counts records and the equipment units (台) they hold.
type Tally struct {
	Records int
	Units   int
}

func (t *Tally) add(units int) {
	t.Records++
	t.Units += units
}

func (t *Tally) merge(o Tally) {
	t.Records += o.Records
	t.Units += o.Units
}

// FarmCoal is the farm coal-fired equipment list (农业散煤设施清单) and its
// replacement.
type FarmCoal struct {
	// Listed: every record that is not void (待核实 included).
	Listed Tally
	// Pending: found but not yet accepted into the list (待核实, 退回).
	Pending Tally
	// Unreplaced and Planned: in the list, work not started.
	Unreplaced, Planned Tally
	// BeingReplaced: 改造中, and 复烧整改 (rectifying a unit found burning
	// coal again).
	BeingReplaced Tally
	// Replaced: 已替代（待验收）.
	Replaced Tally
	// Accepted: 已验收（销号）.
	Accepted Tally
	// Decommissioned: 已停用拆除.
	Decommissioned Tally
	// DoneUnits is the sum of unit_count over model.FarmCoalDoneStatuses:
	// what counts toward the target.
	DoneUnits int
	// Target is the county's replacement target in units (set by the
	// county; 0 when not set).
	Target int
}

// Progress returns DoneUnits / Target (0 when no target is set).
func (f FarmCoal) Progress() float64 {
	if f.Target <= 0 {
		return 0
	}
	return float64(f.DoneUnits) / float64(f.Target)
}

func (f *FarmCoal) add(st *oplog.State) {
	s := status(st)
	if s == model.FarmCoalVoid {
		return
	}
	units := 1
	if n, ok := integer(st, "unit_count"); ok {
		units = int(n)
	}
	f.Listed.add(units)
	switch s {
	case model.FarmCoalPending, model.FarmCoalReturned:
		f.Pending.add(units)
	case model.FarmCoalUnreplaced:
		f.Unreplaced.add(units)
	case model.FarmCoalPlanned:
		f.Planned.add(units)
	case model.FarmCoalInProgress, model.FarmCoalReburn:
		f.BeingReplaced.add(units)
	case model.FarmCoalReplaced:
		f.Replaced.add(units)
	case model.FarmCoalAccepted:
		f.Accepted.add(units)
	case model.FarmCoalDecommissioned:
		f.Decommissioned.add(units)
	}
	if slices.Contains(model.FarmCoalDoneStatuses, s) {
		f.DoneUnits += units
	}
}

func (f *FarmCoal) merge(o FarmCoal) {
	for _, p := range []struct{ a, b *Tally }{
		{&f.Listed, &o.Listed}, {&f.Pending, &o.Pending}, {&f.Unreplaced, &o.Unreplaced},
		{&f.Planned, &o.Planned}, {&f.BeingReplaced, &o.BeingReplaced}, {&f.Replaced, &o.Replaced},
		{&f.Accepted, &o.Accepted}, {&f.Decommissioned, &o.Decommissioned},
	} {
		p.a.merge(*p.b)
	}
	f.DoneUnits += o.DoneUnits
	f.Target += o.Target
}
