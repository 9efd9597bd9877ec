package demo

import (
	"strconv"
	"time"

	"github.com/lantian-tz/lantian/model"
)

func (g *gen) strawGrid(s *model.Schema, f map[string]model.Value) {
	r := g.r
	level := "county"
	if len(g.parents["straw_grid"]) > 0 {
		level = pick(r, "township", "village", "village", "group")
		f["parent_grid"] = g.parent("straw_grid")
	}
	f["grid_no"] = model.Str(g.county + "-WG-" + pad(g.seq[s.Name], 3))
	f["grid_level"] = model.Str(level)
	f["grid_leader"] = model.Str(person(r))
	f["grid_members"] = model.List(people(r, 1, 4)...)
	f["phone"] = model.Str(mobile(r))
	pl := g.pick()
	f[model.FieldTownship] = model.Str(pl.town.Code)
	f[model.FieldVillage] = model.Str(pl.village.Code)
	f["area_desc"] = model.Str(model.PlaceBase(pl.village.Name) + "村辖区全部耕地，东至村界，西至乡道")
	f["cropland_mu"] = model.Decimal(float64(500 + r.IntN(8000)))
	if r.IntN(3) == 0 {
		f["priority_flags"] = model.List(pick(r, "past_fires", "expressway", "national_road", "city_edge"))
	}
}

func (g *gen) strawPatrol(s *model.Schema, f map[string]model.Value, status string) string {
	r := g.r
	d := day(r, 0, 75)
	start := at(d, r, 7, 8)
	f["patrol_date"] = date(d)
	f["start_at"] = model.DateTimeValue(start)
	f["end_at"] = model.DateTimeValue(start.Add(time.Duration(90+30*r.IntN(5)) * time.Minute))
	f["patrollers"] = model.List(people(r, 1, 3)...)
	f["grid"] = g.parent("straw_grid")
	pl := g.pick()
	f[model.FieldTownship] = model.Str(pl.town.Code)
	f[model.FieldVillage] = model.Str(pl.village.Code)
	f["area_desc"] = model.Str("村南" + pick(r, cropWords...) + "地块及沟渠沿线")
	track := make([]model.Point, 3+r.IntN(5))
	p := near(r, g.centre, 0.15)
	for i := range track {
		track[i] = near(r, p, 0.01)
	}
	f["track"] = model.GPSList(track...)
	f["method"] = model.List(pick(r, "on_foot", "vehicle", "drone"))
	found := r.IntN(7) == 0
	fire := found && r.IntN(2) == 0
	f["fire_found"] = model.Bool(fire)
	f["scar_found"] = model.Bool(found && !fire)
	f["zero_report"] = model.Bool(!found)
	if !found {
		f["findings_count"] = model.Int(0)
		f["photos"] = photos(r, 1+r.IntN(2))
		return status
	}
	n := 1 + r.IntN(2)
	f["findings_count"] = model.Int(int64(n))
	locs := make([]model.Point, n)
	for i := range locs {
		locs[i] = near(r, p, 0.01)
	}
	f["finding_locations"] = model.GPSList(locs...)
	f["burned_area_mu"] = model.Decimal(round1(0.1 + r.Float64()*5))
	f["onsite_action"] = model.Str(pick(r, "extinguished", "dissuaded", "referred"))
	f["photos"] = photos(r, 2*n)
	f["outreach"] = model.Str("向村民宣传秸秆禁烧政策，发放明白纸" + strconv.Itoa(10+r.IntN(40)) + "份")
	if status != model.PatrolDraft {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = g.firePointFromPatrol(locs[i])
		}
		f["fire_point_ids"] = model.List(ids...)
	}
	return status
}

// firePointFromPatrol records a fire point found on patrol (source 巡查发现)
// at p and returns its id.
func (g *gen) firePointFromPatrol(p model.Point) string {
	s := g.schemas["fire_point"]
	g.seq["fire_point"]++
	f := map[string]model.Value{}
	status := pick(g.r, model.FireVerified, model.FireHandled, model.FireReviewed)
	status = g.firePoint(s, f, status, "patrol")
	f["pushed_location"] = model.GPS(p)
	f["verified_location"] = model.GPS(p)
	return g.emit(s, f, status)
}

func (g *gen) firePoint(s *model.Schema, f map[string]model.Value, status, source string) string {
	r := g.r
	if source == "" {
		source = pick(r, "satellite_mee", "satellite_mee", "satellite_province", "video_infrared", "drone", "public_report", "assigned")
	}
	f["source"] = model.Str(source)
	detected := at(day(r, 0, 75), r, 10, 6)
	pushed := detected.Add(time.Duration(20+r.IntN(120)) * time.Minute)
	prefix := "JS"
	if source == "satellite_mee" || source == "satellite_province" {
		f["sensor"] = model.Str(pick(r, "terra_modis", "aqua_modis", "npp_viirs", "noaa20_viirs", "fy3d"))
		prefix = "WX"
	}
	f["source_fire_id"] = model.Str(prefix + detected.Format("20060102") + "-" + pad(g.seq[s.Name], 4))
	f["detected_at"] = model.DateTimeValue(detected)
	f["pushed_at"] = model.DateTimeValue(pushed)
	pp := near(r, g.centre, 0.15)
	pp.Acc = 0
	f["pushed_location"] = model.GPS(pp)
	f["pushed_county"] = model.Str(g.county)
	f["pushed_township"] = model.Str(g.township())
	f["due_at"] = model.DateTimeValue(pushed.Add(model.FireVerifyDue))
	if status == model.FirePending || status == model.FireVerifying || status == model.StatusVoid {
		if status == model.FireVerifying {
			f["verifiers"] = model.List(people(r, 1, 2)...)
		}
		return status
	}
	arrived := pushed.Add(time.Duration(30+r.IntN(600)) * time.Minute)
	f["verifiers"] = model.List(people(r, 2, 3)...)
	f["arrived_at"] = model.DateTimeValue(arrived)
	f["verified_location"] = model.GPS(near(r, pp, 0.003))
	f["verify_photos"] = photos(r, 3+r.IntN(2))
	var verdict string
	if status == model.FireHandled || status == model.FireReported && r.IntN(2) == 0 {
		verdict = pick(r, "confirmed_straw", "confirmed_straw", "confirmed_other_open")
	} else {
		verdict = pick(r, "confirmed_straw", "confirmed_other_open", "not_burning", "other_fire", "no_trace", "no_trace", "unreachable")
	}
	f["verdict"] = model.Str(verdict)
	switch verdict {
	case "confirmed_straw", "confirmed_other_open":
		if verdict == "confirmed_straw" {
			f["burned_material"] = model.Str(pick(r, "wheat", "corn", "corn", "rice", "other_straw"))
		} else {
			f["burned_material"] = model.Str(pick(r, "weeds_leaves", "household_waste"))
		}
		f["burned_area_mu"] = model.Decimal(round1(0.1 + r.Float64()*8))
		state := pick(r, "open_flame", "embers", "out", "out")
		f["fire_state"] = model.Str(state)
		if state != "out" {
			f["extinguished_at"] = model.DateTimeValue(arrived.Add(time.Duration(5+r.IntN(40)) * time.Minute))
		}
		identified := r.IntN(3) == 0
		f["party_identified"] = model.Bool(identified)
		if identified {
			f["party_name"] = model.Str(person(r))
			if r.IntN(2) == 0 {
				f["enforcement"] = model.List("order_correct", "fine")
				f["party_id"] = model.Str(idCard(r, g.county))
				f["fine_yuan"] = model.Decimal(float64(500 + 100*r.IntN(16)))
			} else {
				f["enforcement"] = model.List("order_correct", "education")
			}
		} else {
			f["enforcement"] = model.List("none")
			f["accountability"] = model.Str("对所在村网格员进行约谈")
		}
	default:
		f["verify_note"] = model.Str(map[string]string{
			"not_burning": "现场为企业烟囱热源，非露天焚烧，已拍照留存",
			"other_fire":  "现场为村民生活用火，已劝导熄灭，无秸秆焚烧",
			"no_trace":    "现场为收割后农田，未发现焚烧痕迹和黑斑",
			"unreachable": "火点位于河道滩涂，车辆和人员无法到达",
		}[verdict])
	}
	if status == model.FireReviewed || status == model.FireReported {
		f[model.FieldReviewedBy] = model.Str(person(r))
		f[model.FieldReviewedAt] = model.DateTimeValue(arrived.Add(time.Duration(2+r.IntN(20)) * time.Hour))
		if r.IntN(5) == 0 {
			f["recheck_result"] = model.Str("consistent")
		}
	}
	if status == model.FireHandled && verdict != "confirmed_straw" && verdict != "confirmed_other_open" {
		status = model.FireVerified
	}
	return status
}
