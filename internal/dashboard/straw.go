package dashboard

import (
	"sort"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// VillagePatrols is one village's straw patrols.
type VillagePatrols struct {
	Township, Village string
	// PerWeek counts patrols in each week of Straw.Weeks.
	PerWeek []int
	// Last is the date of the latest patrol (zero: never patrolled).
	Last time.Time
}

// Straw is the straw-burning patrol coverage (秸秆禁烧巡查).
type Straw struct {
	// Weeks are the Monday starts (Beijing time) of the weeks counted,
	// oldest first, the last one holding Options.Now.
	Weeks []time.Time
	// Patrols, ZeroReports and Findings count patrols in Weeks.
	Patrols, ZeroReports, Findings int
	// Villages lists every village with a grid or a patrol, by township
	// then village.
	Villages []VillagePatrols
	// NotPatrolled lists the villages with no patrol in the last
	// Options.NotPatrolledDays days.
	NotPatrolled []VillagePatrols
}

type villageKey struct{ township, village string }

// strawAcc accumulates one county's straw records.
type strawAcc struct {
	weeks    []time.Time
	villages map[villageKey]*VillagePatrols
	out      Straw
}

// weekStart returns the Monday 00:00 (Beijing) of t's week.
func weekStart(t time.Time) time.Time {
	t = t.In(model.Beijing)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, model.Beijing)
	wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
	return d.AddDate(0, 0, -wd)
}

func newStrawAcc(o *Options) *strawAcc {
	a := &strawAcc{villages: map[villageKey]*VillagePatrols{}}
	last := weekStart(o.Now)
	for i := o.Weeks - 1; i >= 0; i-- {
		a.weeks = append(a.weeks, last.AddDate(0, 0, -7*i))
	}
	a.out.Weeks = a.weeks
	return a
}

func (a *strawAcc) village(st *oplog.State) *VillagePatrols {
	// Keyed by code (model.TownshipKey), so that a name typed before
	// places were coded counts with its place.
	t := model.TownshipKey(st.County, text(st, model.FieldTownship))
	k := villageKey{t, model.VillageKey(st.County, t, text(st, model.FieldVillage))}
	if model.IsPlaceCode(k.village, model.PlaceVillage) {
		k.township = k.village[:9]
	}
	if k.village == "" {
		return nil
	}
	v := a.villages[k]
	if v == nil {
		v = &VillagePatrols{Township: k.township, Village: k.village, PerWeek: make([]int, len(a.weeks))}
		a.villages[k] = v
	}
	return v
}

func (a *strawAcc) addGrid(st *oplog.State) {
	if status(st) == model.StatusVoid {
		return
	}
	a.village(st)
}

func (a *strawAcc) addPatrol(st *oplog.State) {
	if status(st) == model.StatusVoid {
		return
	}
	day, ok := when(st, "patrol_date")
	if !ok {
		return
	}
	v := a.village(st)
	if v != nil && day.After(v.Last) {
		v.Last = day
	}
	w := weekStart(day)
	for i, ws := range a.weeks {
		if !ws.Equal(w) {
			continue
		}
		a.out.Patrols++
		if boolean(st, "zero_report") {
			a.out.ZeroReports++
		}
		if n, ok := integer(st, "findings_count"); ok {
			a.out.Findings += int(n)
		}
		if v != nil {
			v.PerWeek[i]++
		}
	}
}

func (a *strawAcc) result(o *Options) Straw {
	out := a.out
	cutoff := startOfDay(o.Now).AddDate(0, 0, -o.NotPatrolledDays+1)
	for _, v := range a.villages {
		out.Villages = append(out.Villages, *v)
		if v.Last.Before(cutoff) {
			out.NotPatrolled = append(out.NotPatrolled, *v)
		}
	}
	byPlace := func(s []VillagePatrols) {
		sort.Slice(s, func(i, j int) bool {
			if s[i].Township != s[j].Township {
				return s[i].Township < s[j].Township
			}
			return s[i].Village < s[j].Village
		})
	}
	byPlace(out.Villages)
	byPlace(out.NotPatrolled)
	return out
}

func startOfDay(t time.Time) time.Time {
	t = t.In(model.Beijing)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, model.Beijing)
}

func (s *Straw) merge(o Straw) {
	if s.Weeks == nil {
		s.Weeks = o.Weeks
	}
	s.Patrols += o.Patrols
	s.ZeroReports += o.ZeroReports
	s.Findings += o.Findings
	s.Villages = append(s.Villages, o.Villages...)
	s.NotPatrolled = append(s.NotPatrolled, o.NotPatrolled...)
}
