package dashboard

import (
	"sort"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// Options set what the figures are computed for.
type Options struct {
	// Now is the time the figures are computed at (overdue fire points,
	// weeks of patrols, villages not patrolled).
	Now time.Time
	// Month (YYYY-MM) is the month of the monthly figures (fire points,
	// dustfall, ledgers); Now's month when empty.
	Month string
	// Weeks of straw patrols counted, ending with Now's week; 4 when 0.
	Weeks int
	// NotPatrolledDays: villages without a patrol in this many days are
	// listed; 3 when 0.
	NotPatrolledDays int
	// TrendMonths is the number of months of the dustfall trend, ending
	// with Month; 6 when 0.
	TrendMonths int
	// Targets are the farm coal replacement targets (台) by county code.
	Targets map[string]int

	monthStart, monthEnd time.Time
}

func (o *Options) defaults() {
	if o.Month == "" {
		o.Month = monthOf(o.Now)
	}
	if o.Weeks <= 0 {
		o.Weeks = 4
	}
	if o.NotPatrolledDays <= 0 {
		o.NotPatrolledDays = 3
	}
	if o.TrendMonths <= 0 {
		o.TrendMonths = 6
	}
	var ok bool
	o.monthStart, o.monthEnd, ok = monthRange(o.Month)
	if !ok {
		o.Month = monthOf(o.Now)
		o.monthStart, o.monthEnd, _ = monthRange(o.Month)
	}
}

// Figures are one county's figures, or the roll-up of several.
type Figures struct {
	// County is the county code ("" for a roll-up).
	County    string
	Month     string
	FarmCoal  FarmCoal
	Straw     Straw
	Fire      Fire
	Livestock Livestock
	Dust      Dust
}

// Result is the dashboard of a device: one Figures per county with
// records (one for a county device), their roll-up, and the counties
// ranked by their monthly dustfall.
type Result struct {
	Counties []Figures // by county code
	Total    Figures
	// CountyRanking ranks the counties with a dustfall value for Month,
	// ascending (区县降尘排名).
	CountyRanking []Ranked
}

// County returns the figures of county code (ok false when it has no
// records).
func (r Result) County(code string) (Figures, bool) {
	for _, f := range r.Counties {
		if f.County == code {
			return f, true
		}
	}
	return Figures{}, false
}

// countyAcc accumulates one county's records.
type countyAcc struct {
	farmCoal  FarmCoal
	straw     *strawAcc
	fire      *fireAcc
	livestock *livestockAcc
	dust      *dustAcc
}

// Builder accumulates records one at a time, so that a large store is
// summarised without holding every record.
type Builder struct {
	opts     Options
	counties map[string]*countyAcc
}

// NewBuilder returns an empty builder for opts.
func NewBuilder(opts Options) *Builder {
	opts.defaults()
	return &Builder{opts: opts, counties: map[string]*countyAcc{}}
}

// Add counts one record; deleted records and registers without figures
// are ignored. Records may come in any order.
func (b *Builder) Add(st *oplog.State) {
	if st.Deleted {
		return
	}
	c := b.counties[st.County]
	if c == nil {
		c = &countyAcc{straw: newStrawAcc(&b.opts), fire: newFireAcc(), livestock: newLivestockAcc(), dust: newDustAcc()}
		b.counties[st.County] = c
	}
	switch st.Register {
	case "farm_coal_facility":
		c.farmCoal.add(st)
	case "straw_grid":
		c.straw.addGrid(st)
	case "straw_patrol":
		c.straw.addPatrol(st)
	case "fire_point":
		c.fire.add(st, &b.opts)
	case "livestock_farm", "manure_facility", "ammonia_control", "ammonia_monitoring", "manure_use_log":
		c.livestock.add(st, &b.opts)
	case "dustfall_point", "dustfall_monthly", "construction_site", "site_inspection":
		c.dust.add(st)
	}
}

// Result computes the figures of everything added.
func (b *Builder) Result() Result {
	o := &b.opts
	res := Result{Total: Figures{Month: o.Month}}
	codes := make([]string, 0, len(b.counties))
	for code := range b.counties {
		codes = append(codes, code)
	}
	for code := range o.Targets {
		if b.counties[code] == nil {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	countyDust := map[string]float64{}
	var dusts []Dust
	for _, code := range codes {
		c := b.counties[code]
		if c == nil {
			c = &countyAcc{straw: newStrawAcc(o), fire: newFireAcc(), livestock: newLivestockAcc(), dust: newDustAcc()}
		}
		f := Figures{County: code, Month: o.Month, FarmCoal: c.farmCoal, Straw: c.straw.result(o),
			Fire: c.fire.result(), Livestock: c.livestock.result(), Dust: c.dust.result(o)}
		f.FarmCoal.Target = o.Targets[code]
		if f.Dust.CountyHas {
			countyDust[code] = f.Dust.CountyMean
		}
		res.Counties = append(res.Counties, f)
		res.Total.FarmCoal.merge(f.FarmCoal)
		res.Total.Straw.merge(f.Straw)
		res.Total.Fire.merge(f.Fire)
		res.Total.Livestock.merge(f.Livestock)
		dusts = append(dusts, f.Dust)
	}
	res.Total.Dust = rollUp(dusts)
	if len(res.Counties) == 1 {
		res.Total = res.Counties[0]
		res.Total.County = ""
	}
	res.CountyRanking = Rank(countyDust)
	return res
}

// Compute returns the figures of states.
func Compute(states []oplog.State, opts Options) Result {
	b := NewBuilder(opts)
	for i := range states {
		b.Add(&states[i])
	}
	return b.Result()
}
