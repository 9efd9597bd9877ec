package demo

import (
	"strconv"
	"time"

	"github.com/lantian-tz/lantian/model"
)

func (g *gen) constructionSite(s *model.Schema, f map[string]model.Value) {
	r := g.r
	kind := optionKey(r, s, "site_type")
	f["site_type"] = model.Str(kind)
	f["project_name"] = model.Str("演示" + pick(r, "新城", "滨河", "锦绣", "阳光", "和平") + map[string]string{
		"building": "住宅小区项目", "municipal": "排水管网改造工程", "road": "道路新建工程", "water": "河道治理工程",
		"demolition": "旧村拆迁项目", "rail_transit": "轨道交通站点工程", "other": "综合配套工程"}[kind])
	f["supervising_dept"] = model.Str(map[string]string{"building": "housing", "municipal": "housing", "road": "transport",
		"water": "water", "demolition": "urban_management", "rail_transit": "transport", "other": "other"}[kind])
	f["owner"] = model.Str("演示" + pick(r, enterpriseWords...) + "置业有限公司")
	f["contractor"] = model.Str("演示第" + strconv.Itoa(1+r.IntN(9)) + "建筑工程有限公司")
	f["supervisor"] = model.Str("演示工程监理有限公司")
	f["dust_manager"] = model.Str(person(r))
	f["phone"] = model.Str(mobile(r))
	f["permit_no"] = model.Str(g.county + "2023" + pad(r.IntN(10000), 4) + "0101")
	g.place(f, false)
	start := season.AddDate(0, -r.IntN(10), -r.IntN(28))
	f["start_date"] = date(start)
	f["planned_end_date"] = date(start.AddDate(1+r.IntN(2), r.IntN(12), 0))
	f["phase"] = model.Str(optionKey(r, s, "phase"))
	area := float64(2000 + r.IntN(150000))
	f["site_area_m2"] = model.Decimal(area)
	f["in_urban_area"] = model.Bool(r.IntN(3) != 0)
	main := r.IntN(2) == 0
	f["on_main_road"] = model.Bool(main)
	f["fence_height_m"] = model.Decimal(pick(r, 1.8, 2.0, 2.5, 2.5, 3.0))
	for _, it := range model.Six100Items {
		f["six100_"+it.Key] = model.Bool(r.IntN(8) != 0)
	}
	f["six100_photos"] = photos(r, 6)
	if ok, _ := f["six100_vehicle_wash"].AsBool(); ok {
		f["wash_facility"] = model.Str(pick(r, "auto_wheel_wash", "pit_and_gun"))
	}
	mon := area >= 5000 || r.IntN(2) == 0
	f["has_online_monitor"] = model.Bool(mon)
	if mon {
		n := model.DustRule.PointsRule(area)
		f["monitor_points"] = model.Int(int64(n))
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "YC" + g.county + pad(g.seq[s.Name], 3) + strconv.Itoa(i+1)
		}
		f["monitor_ids"] = model.List(ids...)
		f["network_platform"] = model.Str("市扬尘在线监控平台")
		f["networked"] = model.Bool(r.IntN(6) != 0)
	}
	f["has_video"] = model.Bool(r.IntN(4) != 0)
}

func (g *gen) siteInspection(s *model.Schema, f map[string]model.Value, status string) string {
	r := g.r
	f["site"] = g.parent("construction_site")
	when := at(day(r, 0, 75), r, 9, 7)
	f["inspected_at"] = model.DateTimeValue(when)
	f["inspectors"] = model.List(people(r, 2, 3)...)
	f["org"] = model.Str(pick(r, "县生态环境分局", "县住建局", "县城管执法局"))
	fails := 0
	wantFail := status != model.InspCompliant && (status == model.InspToRectify || status == model.InspRectifying ||
		status == model.InspRectified || status == model.InspClosed || r.IntN(3) == 0)
	for _, it := range model.Six100Items {
		v := pick(r, "pass", "pass", "pass", "na")
		if wantFail && (fails == 0 || r.IntN(4) == 0) {
			v = "fail"
			fails++
		}
		f["check_"+it.Key] = model.Str(v)
	}
	f["monitor_state"] = model.Str(pick(r, "normal", "normal", "normal", "stopped", "not_networked"))
	if fails > 0 {
		f["issue_photos"] = photos(r, fails+r.IntN(2))
		f["action"] = model.List(pick(r, "fix_on_site", "order_deadline"))
		f["rectify_by"] = date(when.AddDate(0, 0, 3+r.IntN(10)))
		f["other_issues"] = model.List(pick(r, "no_watering", "mud_on_road", "monitor_down"))
	} else if status != model.InspSubmitted && status != model.InspReturned && status != model.StatusVoid {
		status = model.InspCompliant
	}
	if status == model.InspRectified || status == model.InspClosed {
		f["recheck_at"] = model.DateTimeValue(when.Add(time.Duration(72+r.IntN(200)) * time.Hour))
	}
	if status == model.InspClosed {
		f["recheck_result"] = model.Str("fixed")
	}
	if status != model.InspSubmitted && status != model.InspReturned {
		f[model.FieldReviewedBy] = model.Str(person(r))
	}
	return status
}

func (g *gen) dustReading(f map[string]model.Value) {
	r := g.r
	if sites := g.parents["construction_site"]; len(sites) > 0 {
		f["site"] = g.parent("construction_site")
	}
	f["monitor_id"] = model.Str("YC" + g.county + pad(r.IntN(100), 3) + "1")
	f["hour"] = model.DateTimeValue(at(day(r, 0, 75), r, 0, 24))
	county := float64(40 + r.IntN(180))
	f["county_pm10_same_hour"] = model.Decimal(county)
	f["pm10"] = model.Decimal(county + float64(r.IntN(140)) - 20)
	f["pm25"] = model.Decimal(float64(int(county * 0.6)))
	f["wind_speed"] = model.Decimal(round1(r.Float64() * 8))
	f["wind_dir"] = model.Str(pick(r, "N", "NW", "NE", "S", "SW", "W", "E"))
}

func (g *gen) bareGround(s *model.Schema, f map[string]model.Value, status string) {
	r := g.r
	kind := optionKey(r, s, "kind")
	f["kind"] = model.Str(kind)
	f["patch_no"] = model.Str(g.county + "-LD-" + pad(g.seq[s.Name], 4))
	pl := g.pick()
	f["name"] = model.Str(pl.town.Name + map[string]string{"urban_bare": "城区连片裸地", "material_yard": "砂石料堆场",
		"derelict_plant": "原砖厂旧址", "demolition_plot": "拆迁地块", "idle_land": "闲置地块", "other": "裸露地块"}[kind])
	f[model.FieldTownship] = model.Str(pl.town.Code)
	f["owner_org"] = model.Str(pl.town.Name + "人民政府")
	f["resp_person"] = model.Str(person(r))
	f["phone"] = model.Str(mobile(r))
	f["area_m2"] = model.Decimal(float64(500 + r.IntN(80000)))
	f[model.FieldLocation] = model.GPS(near(r, g.centre, 0.15))
	switch status {
	case model.BareUntreated, model.StatusVoid:
		f["measures"] = model.List("none")
	default:
		f["measures"] = model.List(pick(r, "cover", "fence", "greening"), "sweep")
	}
	// Every patch starts untreated, which needs a plan and a due date, so
	// every seed has them: they stay on the record as it moves on.
	f["planned_measures"] = model.List("cover", pick(r, "greening", "hardening"))
	f["due_date"] = date(day(r, 60, 60))
	f["before_photos"] = photos(r, 1+r.IntN(2))
	if status == model.BareTreated || status == model.BareClosed || status == model.BareReturned {
		f["after_photos"] = photos(r, 1+r.IntN(2))
	}
	f["last_update"] = date(day(r, 40, 35))
}

func (g *gen) roadStation(s *model.Schema, f map[string]model.Value, status string) {
	r := g.r
	basis := optionKey(r, s, "basis")
	f["basis"] = model.Str(basis)
	road := pick(r, "迎宾大道", "建设路", "工业园区一号路", "国道107线", "开发区纬二路")
	f["station_no"] = model.Str(g.county + "-DL-" + pad(g.seq[s.Name], 3))
	f["name"] = model.Str(road + "扬尘监测站")
	f["road_name"] = model.Str(road)
	g.place(f, false)
	if basis != "urban_main_road" {
		f["daily_heavy_vehicles"] = model.Int(int64(500 + r.IntN(1500)))
		f["linked_entity"] = model.Str("演示" + pick(r, enterpriseWords...) + pick(r, "水泥有限公司", "物流园", "砂石料场"))
	}
	f["parameters"] = model.List("pm10", "pm25", "met")
	f["networked"] = model.Bool(status == model.StationRunning || status == model.StationFault)
	f["run_state"] = model.Str(map[string]string{model.StationFault: "fault", model.StationPlanned: "stopped", model.StationInstalled: "stopped"}[status])
	if status == model.StationRunning || status == model.StatusVoid {
		f["run_state"] = model.Str("normal")
	}
	if r.IntN(2) == 0 {
		f["silt_loading_g_m2"] = model.Decimal(round1(2 + r.Float64()*15))
	}
}

func (g *gen) dustfallPoint(s *model.Schema, f map[string]model.Value) {
	r := g.r
	f["point_no"] = model.Str(g.county + "-JC-" + pad(g.seq[s.Name], 2))
	typ := "regular"
	if g.seq[s.Name]%6 == 0 {
		typ = "control"
	}
	f["point_type"] = model.Str(typ)
	pl := g.place(f, false)
	f["name"] = model.Str(pl.town.Name + map[string]string{"regular": "降尘监测点", "control": "降尘对照点"}[typ])
	f["install_height_m"] = model.Decimal(float64(5 + r.IntN(10)))
}

func (g *gen) dustfallMonthly(f map[string]model.Value, status string) {
	r := g.r
	f["point"] = g.parent("dustfall_point")
	start := time.Date(2023, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, model.Beijing)
	end := start.AddDate(0, 1, 0)
	f["month"] = model.Str(start.Format(model.LayoutMonth))
	f["start_date"] = date(start)
	f["end_date"] = date(end)
	f["valid"] = model.Bool(r.IntN(12) != 0)
	if status != model.DustfallSampling {
		f["dustfall"] = model.Decimal(round1(2 + r.Float64()*10))
		f["lab"] = model.Str("县环境监测站")
	}
}
