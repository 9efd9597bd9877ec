package dashboard

import (
	"slices"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Livestock is the livestock farm ammonia ledger (养殖场氨排放台账).
type Livestock struct {
	// Farms: farm files that are not void or closed.
	Farms int
	// Verified: farm files the county has verified on site (已核实 and
	// every later status).
	Verified int
	// CompleteLedgers: verified farms that have filed their annual manure
	// plan, have at least one manure facility and keep the manure-use log
	// (at least one entry in the month).
	CompleteLedgers int
	// InPilot: farms in the ammonia control pilot.
	InPilot int
	// WithManureFacility and WithAmmoniaControl: farms with at least one
	// such facility that is not removed.
	WithManureFacility, WithAmmoniaControl int
	// WithReadings: farms with at least one ammonia monitoring reading;
	// ReadingsInMonth counts readings sampled in the month and
	// ExceedingInMonth those of them over their limit.
	WithReadings, ReadingsInMonth, ExceedingInMonth int
}

// farmVerified are the statuses of a farm file verified by the county.
var farmVerified = []string{model.FarmVerified, model.FarmInPilot, model.FarmNotInPilot, model.FarmRectifying, model.FarmRectified}

// farmInPilot are the statuses of a pilot farm.
var farmInPilot = []string{model.FarmInPilot, model.FarmRectifying, model.FarmRectified}

// farmFacts is what the child registers say about one farm.
type farmFacts struct {
	manure, ammonia, readings, useLogInMonth bool
}

type livestockAcc struct {
	farms map[string]*oplog.State // farm record id → its status holder
	facts map[string]*farmFacts
	out   Livestock
}

func newLivestockAcc() *livestockAcc {
	return &livestockAcc{farms: map[string]*oplog.State{}, facts: map[string]*farmFacts{}}
}

func (a *livestockAcc) fact(st *oplog.State) *farmFacts {
	farm := text(st, "farm")
	f := a.facts[farm]
	if f == nil {
		f = &farmFacts{}
		a.facts[farm] = f
	}
	return f
}

func (a *livestockAcc) add(st *oplog.State, o *Options) {
	s := status(st)
	if s == model.StatusVoid {
		return
	}
	switch st.Register {
	case "livestock_farm":
		if s == model.FarmClosed {
			return
		}
		// Keep only what result needs: status and plan flag.
		a.farms[st.Record.String()] = &oplog.State{Fields: map[string]oplog.FieldState{
			model.FieldStatus:   st.Fields[model.FieldStatus],
			"annual_plan_filed": st.Fields["annual_plan_filed"],
		}}
	case "manure_facility":
		if s != model.FacilityRemoved {
			a.fact(st).manure = true
		}
	case "ammonia_control":
		if s != model.FacilityRemoved {
			a.fact(st).ammonia = true
		}
	case "ammonia_monitoring":
		a.fact(st).readings = true
		if t, ok := when(st, "sampled_at"); ok && !t.Before(o.monthStart) && t.Before(o.monthEnd) {
			a.out.ReadingsInMonth++
			if boolean(st, "exceeds") {
				a.out.ExceedingInMonth++
			}
		}
	case "manure_use_log":
		if t, ok := when(st, "date"); ok && !t.Before(o.monthStart) && t.Before(o.monthEnd) {
			a.fact(st).useLogInMonth = true
		}
	}
}

func (a *livestockAcc) result() Livestock {
	out := a.out
	for id, farm := range a.farms {
		out.Farms++
		s := status(farm)
		f := a.facts[id]
		if f == nil {
			f = &farmFacts{}
		}
		verified := slices.Contains(farmVerified, s)
		if verified {
			out.Verified++
		}
		if verified && boolean(farm, "annual_plan_filed") && f.manure && f.useLogInMonth {
			out.CompleteLedgers++
		}
		if slices.Contains(farmInPilot, s) {
			out.InPilot++
		}
		if f.manure {
			out.WithManureFacility++
		}
		if f.ammonia {
			out.WithAmmoniaControl++
		}
		if f.readings {
			out.WithReadings++
		}
	}
	return out
}

func (l *Livestock) merge(o Livestock) {
	l.Farms += o.Farms
	l.Verified += o.Verified
	l.CompleteLedgers += o.CompleteLedgers
	l.InPilot += o.InPilot
	l.WithManureFacility += o.WithManureFacility
	l.WithAmmoniaControl += o.WithAmmoniaControl
	l.WithReadings += o.WithReadings
	l.ReadingsInMonth += o.ReadingsInMonth
	l.ExceedingInMonth += o.ExceedingInMonth
}
