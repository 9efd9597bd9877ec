package demo

import (
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
)

// Seed is one generated record: its id, register, county and field values
// (including "status" and the reserved created_by/created_at fields, and
// derived fields filled by the schema's Derive).
type Seed struct {
	ID       string
	Register string
	County   string
	Fields   map[string]model.Value
}

// weights sets how many records of each register a demo county has
// relative to the others (patrols and fire points dominate, as in the
// field).
var weights = []struct {
	register string
	weight   int
}{
	{"farm_coal_facility", 12},
	{"straw_grid", 3},
	{"straw_patrol", 20},
	{"fire_point", 8},
	{"livestock_farm", 6},
	{"manure_facility", 5},
	{"ammonia_control", 3},
	{"ammonia_monitoring", 6},
	{"manure_use_log", 8},
	{"construction_site", 4},
	{"site_inspection", 8},
	{"dust_monitor_reading", 6},
	{"bare_ground", 5},
	{"road_dust_station", 2},
	{"dustfall_point", 2},
	{"dustfall_monthly", 6},
}

// gen holds the state of one Records call: parents generated so far, so
// child records reference real ones.
type gen struct {
	r       *rand.Rand
	county  string
	centre  model.Point
	out     []Seed
	parents map[string][]string // register → ids
	seq     map[string]int
	schemas map[string]*model.Schema
	pool    []demoPlace // the county's villages the demo uses
}

// Records returns n demo records for county spread over every register
// (parents such as grids, farms, sites and dust-fall points come before
// their children). Every record validates under its schema. Statuses are
// spread over each lifecycle. The same rng state gives the same records.
func Records(rng *rand.Rand, county string, n int) []Seed {
	g := &gen{
		r:       rng,
		county:  county,
		centre:  countyCentre(county),
		out:     make([]Seed, 0, n),
		parents: map[string][]string{},
		seq:     map[string]int{},
		schemas: map[string]*model.Schema{},
	}
	total := 0
	for _, w := range weights {
		total += w.weight
		s, ok := model.Lookup(w.register)
		if !ok {
			panic("demo: unknown register " + w.register)
		}
		g.schemas[w.register] = s
	}
	for len(g.out) < n {
		x := g.r.IntN(total)
		for _, w := range weights {
			if x < w.weight {
				g.make(w.register)
				break
			}
			x -= w.weight
		}
	}
	return g.out[:n]
}

// parentOf names the register a child register needs a record of.
var parentOf = map[string]string{
	"straw_patrol":       "straw_grid",
	"manure_facility":    "livestock_farm",
	"ammonia_control":    "livestock_farm",
	"ammonia_monitoring": "livestock_farm",
	"manure_use_log":     "livestock_farm",
	"site_inspection":    "construction_site",
	"dustfall_monthly":   "dustfall_point",
}

func (g *gen) make(register string) {
	if p, ok := parentOf[register]; ok && len(g.parents[p]) == 0 {
		register = p
	}
	s := g.schemas[register]
	g.seq[register]++
	f := map[string]model.Value{}
	status := s.Statuses[g.r.IntN(len(s.Statuses))].Key
	if g.r.IntN(4) == 0 {
		status = s.Initial // new records are the most common
	}
	switch register {
	case "farm_coal_facility":
		status = g.farmCoal(s, f, status)
	case "straw_grid":
		g.strawGrid(s, f)
	case "straw_patrol":
		status = g.strawPatrol(s, f, status)
	case "fire_point":
		status = g.firePoint(s, f, status, "")
	case "livestock_farm":
		g.livestockFarm(s, f, status)
	case "manure_facility":
		g.manureFacility(s, f, status)
	case "ammonia_control":
		g.ammoniaControl(s, f, status)
	case "ammonia_monitoring":
		status = g.ammoniaMonitoring(s, f, status)
	case "manure_use_log":
		g.manureUseLog(s, f)
	case "construction_site":
		g.constructionSite(s, f)
	case "site_inspection":
		status = g.siteInspection(s, f, status)
	case "dust_monitor_reading":
		g.dustReading(f)
	case "bare_ground":
		g.bareGround(s, f, status)
	case "road_dust_station":
		g.roadStation(s, f, status)
	case "dustfall_point":
		g.dustfallPoint(s, f)
	case "dustfall_monthly":
		g.dustfallMonthly(f, status)
	}
	g.emit(s, f, status)
}

// emit finishes a record: status, reserved fields, derived fields.
func (g *gen) emit(s *model.Schema, f map[string]model.Value, status string) string {
	f[model.FieldStatus] = model.Str(status)
	f[model.FieldCreatedBy] = model.Str(person(g.r))
	f[model.FieldCreatedAt] = model.DateTimeValue(at(day(g.r, 0, 60), g.r, 8, 10))
	f[model.FieldRecordNo] = model.Str(g.county + "-" + s.Code + "-2023-" + pad(g.seq[s.Name], 4))
	if status == "returned" {
		f[model.FieldReviewComment] = model.Str(pick(g.r, "照片不清晰，请补拍", "位置与地址不符，请核实", "数据缺少依据，请补充"))
	}
	if s.Derive != nil {
		for k, v := range s.Derive(model.Record{Register: s.Name, County: g.county, Fields: f}) {
			if v.IsNull() {
				delete(f, k)
			} else {
				f[k] = v
			}
		}
	}
	id := recordID(g.r, len(g.out))
	g.out = append(g.out, Seed{ID: id, Register: s.Name, County: g.county, Fields: f})
	g.parents[s.Name] = append(g.parents[s.Name], id)
	return id
}

func (g *gen) parent(register string) model.Value {
	ids := g.parents[register]
	return model.Str(ids[g.r.IntN(len(ids))])
}

// demoPlace is a village and its township: a real one of the county
// (codes and names from the places list), or, for a county the list does
// not have, a demo one clearly marked as such (演示镇1, 演示村1) whose
// code is its name.
type demoPlace struct{ town, village model.Place }

// villagesPerTownship is how many villages of each township the demo
// uses, so that per-village figures are not too thin.
const villagesPerTownship = 4

// places returns the county's demo villages (for every township, its
// first villagesPerTownship).
func (g *gen) places() []demoPlace {
	if g.pool != nil {
		return g.pool
	}
	if p := countyPlaces(); p != nil {
		for _, t := range p.Townships(g.county) {
			vs := p.Villages(t.Code)
			for i := 0; i < len(vs) && i < villagesPerTownship; i++ {
				g.pool = append(g.pool, demoPlace{town: t, village: vs[i]})
			}
		}
	}
	if len(g.pool) == 0 {
		for i := 0; i < 30; i++ {
			t := "演示镇" + strconv.Itoa(1+i/5)
			v := "演示村" + strconv.Itoa(1+i)
			g.pool = append(g.pool, demoPlace{town: model.Place{Code: t, Name: t}, village: model.Place{Code: v, Name: v}})
		}
	}
	return g.pool
}

// countyPlaces are the installed places, or the shipped ones.
var countyPlaces = sync.OnceValue(func() *model.Places {
	if p := model.DefaultPlaces(); p != nil {
		return p
	}
	p, _ := model.LoadPlaces(assets.PlacesTSVGz)
	return p
})

func (g *gen) pick() demoPlace {
	pool := g.places()
	return pool[g.r.IntN(len(pool))]
}

// township and village are place names for text (names of sites,
// organisations, pushed townships).
func (g *gen) township() string { return g.pick().town.Name }

// place writes a township (and village) code and a position near the
// county's centre, and returns the place.
func (g *gen) place(f map[string]model.Value, withVillage bool) demoPlace {
	pl := g.pick()
	f[model.FieldTownship] = model.Str(pl.town.Code)
	if withVillage {
		f[model.FieldVillage] = model.Str(pl.village.Code)
	}
	f[model.FieldLocation] = model.GPS(near(g.r, g.centre, 0.15))
	return pl
}
