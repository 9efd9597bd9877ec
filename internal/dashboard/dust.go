package dashboard

import (
	"sort"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// DustfallLimit is the plan's limit on a city's mean monthly dustfall,
// t/(月·km²) (targets.md #20).
const DustfallLimit = model.DustfallCityLimit

// Dust register keys this package reads (registers.md §4).
const (
	regDustfallPoint   = "dustfall_point"
	regDustfallMonthly = "dustfall_monthly"
	regSite            = "construction_site"
	regInspection      = "site_inspection"
)

// Six100 are the six 100% measures of a construction site, as the
// baseline boolean fields of construction_site; Six100Checks are the
// matching items of a site_inspection.
var (
	Six100       = []string{"six100_fence", "six100_cover", "six100_wet_excavation", "six100_hardened_roads", "six100_vehicle_wash", "six100_sealed_muck_trucks"}
	Six100Checks = []string{"check_fence", "check_cover", "check_wet_excavation", "check_hardened_roads", "check_vehicle_wash", "check_sealed_muck_trucks"}
)

// Option keys and statuses of the dust registers.
var (
	pointControl     = "control" // dustfall_point point_type 对照点
	checkFail        = "fail"    // site_inspection item 不达标
	siteClosedStatus = []string{"closed", model.StatusVoid}
)

// PointDustfall is one monitoring point's dustfall of the month: its
// valid reading, weighed and not returned by the reviewer (已称量录入,
// 已审核 or 已发布).
type PointDustfall struct {
	PointNo, Name, Township string
	// Control points (对照点) are listed but not averaged.
	Control bool
	// Value is the valid reading of the month; Has is false without one.
	Value   float64
	Has     bool
	Exceeds bool // Value > DustfallLimit
}

// TownshipDustfall is one township's mean dustfall of the month over its
// valid regular points, with its rank (ascending, ties share a rank).
type TownshipDustfall struct {
	Township string
	Mean     float64
	Points   int
	Exceeds  bool
	Rank     int
}

// MonthValue is a county's mean dustfall in one month.
type MonthValue struct {
	Month string
	Value float64
	Has   bool
}

// Dust is the dust figures: monthly dustfall (降尘) and construction sites.
type Dust struct {
	Limit float64
	// Points of the county, by township then point number.
	Points []PointDustfall
	// Townships with a value, ranked ascending.
	Townships []TownshipDustfall
	// CountyMean is the mean of the valid regular points of the month.
	CountyMean float64
	CountyHas  bool
	Exceeds    bool
	// Trend is the county mean of the TrendMonths months ending with
	// Month, oldest first.
	Trend []MonthValue
	// Sites: construction sites not closed; SitesSix100 of them keep all
	// six 100% measures (every baseline measure in place and no item
	// failed at the latest inspection).
	Sites, SitesSix100 int
}

type pointInfo struct {
	no, name, township string
	control            bool
}

type reading struct {
	point, month string
	value        float64
	valid        bool
	updated      uint64
}

type siteInfo struct {
	six bool
}

type inspection struct {
	at     time.Time
	failed bool
}

type dustAcc struct {
	points   map[string]pointInfo
	readings []reading
	sites    map[string]siteInfo
	latest   map[string]inspection
}

func newDustAcc() *dustAcc {
	return &dustAcc{points: map[string]pointInfo{}, sites: map[string]siteInfo{}, latest: map[string]inspection{}}
}

func (a *dustAcc) add(st *oplog.State) {
	s := status(st)
	if s == model.StatusVoid {
		return
	}
	switch st.Register {
	case regDustfallPoint:
		a.points[st.Record.String()] = pointInfo{no: text(st, "point_no"), name: text(st, "name"),
			township: model.TownshipKey(st.County, text(st, model.FieldTownship)), control: text(st, "point_type") == pointControl}
	case regDustfallMonthly:
		if s == model.DustfallSampling || s == model.DustfallReturned {
			return // not weighed yet, or sent back as doubtful
		}
		v, ok := decimal(st, "dustfall")
		valid := ok && (st.Value("valid").IsNull() || boolean(st, "valid"))
		a.readings = append(a.readings, reading{point: text(st, "point"), month: text(st, "month"),
			value: v, valid: valid, updated: uint64(st.Updated)})
	case regSite:
		for _, c := range siteClosedStatus {
			if s == c {
				return
			}
		}
		six := true
		for _, it := range model.Six100Items {
			six = six && boolean(st, "six100_"+it.Key)
		}
		a.sites[st.Record.String()] = siteInfo{six: six}
	case regInspection:
		at, _ := when(st, "inspected_at")
		failed := false
		for _, it := range model.Six100Items {
			failed = failed || text(st, "check_"+it.Key) == checkFail
		}
		site := text(st, "site")
		if cur, ok := a.latest[site]; !ok || at.After(cur.at) {
			a.latest[site] = inspection{at: at, failed: failed}
		}
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func (a *dustAcc) result(o *Options) Dust {
	out := Dust{Limit: DustfallLimit}
	// The latest valid reading of each point and month.
	type pm struct{ point, month string }
	best := map[pm]reading{}
	for _, r := range a.readings {
		if !r.valid {
			continue
		}
		k := pm{r.point, r.month}
		if cur, ok := best[k]; !ok || r.updated > cur.updated {
			best[k] = r
		}
	}
	// Points of the month.
	town := map[string][]float64{}
	var all []float64
	for id, p := range a.points {
		pd := PointDustfall{PointNo: p.no, Name: p.name, Township: p.township, Control: p.control}
		if r, ok := best[pm{id, o.Month}]; ok {
			pd.Value, pd.Has, pd.Exceeds = r.value, true, r.value > DustfallLimit
			if !p.control {
				town[p.township] = append(town[p.township], r.value)
				all = append(all, r.value)
			}
		}
		out.Points = append(out.Points, pd)
	}
	sort.Slice(out.Points, func(i, j int) bool {
		if out.Points[i].Township != out.Points[j].Township {
			return out.Points[i].Township < out.Points[j].Township
		}
		return out.Points[i].PointNo < out.Points[j].PointNo
	})
	means := map[string]float64{}
	for t, vs := range town {
		means[t] = mean(vs)
	}
	for _, r := range Rank(means) {
		out.Townships = append(out.Townships, TownshipDustfall{Township: r.Name, Mean: r.Value,
			Points: len(town[r.Name]), Exceeds: r.Value > DustfallLimit, Rank: r.Rank})
	}
	if len(all) > 0 {
		out.CountyMean, out.CountyHas = mean(all), true
		out.Exceeds = out.CountyMean > DustfallLimit
	}
	// Trend: county mean by month.
	start := o.monthStart.AddDate(0, -(o.TrendMonths - 1), 0)
	for i := 0; i < o.TrendMonths; i++ {
		m := monthOf(start.AddDate(0, i, 0))
		var vs []float64
		for id, p := range a.points {
			if r, ok := best[pm{id, m}]; ok && !p.control {
				vs = append(vs, r.value)
			}
		}
		mv := MonthValue{Month: m}
		if len(vs) > 0 {
			mv.Value, mv.Has = mean(vs), true
		}
		out.Trend = append(out.Trend, mv)
	}
	for id, s := range a.sites {
		out.Sites++
		if s.six && !a.latest[id].failed {
			out.SitesSix100++
		}
	}
	return out
}

// rollUp returns the dust figures of several counties: points and site
// counts add up; the mean (a city's value) is the mean of the county
// means, month by month (registers.md §4.6); townships are not ranked
// across counties (see Result.CountyRanking).
func rollUp(counties []Dust) Dust {
	out := Dust{Limit: DustfallLimit}
	var means []float64
	var trend []MonthValue
	var trendVals [][]float64
	for _, c := range counties {
		out.Points = append(out.Points, c.Points...)
		out.Sites += c.Sites
		out.SitesSix100 += c.SitesSix100
		if c.CountyHas {
			means = append(means, c.CountyMean)
		}
		if trend == nil {
			trend = make([]MonthValue, len(c.Trend))
			trendVals = make([][]float64, len(c.Trend))
		}
		for i, mv := range c.Trend {
			trend[i].Month = mv.Month
			if mv.Has {
				trendVals[i] = append(trendVals[i], mv.Value)
			}
		}
	}
	if len(means) > 0 {
		out.CountyMean, out.CountyHas = mean(means), true
		out.Exceeds = out.CountyMean > DustfallLimit
	}
	for i := range trend {
		if len(trendVals[i]) > 0 {
			trend[i].Value, trend[i].Has = mean(trendVals[i]), true
		}
	}
	out.Trend = trend
	return out
}
