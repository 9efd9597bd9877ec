package demo

import (
	"strconv"

	"github.com/lantian-tz/lantian/model"
)

func (g *gen) livestockFarm(s *model.Schema, f map[string]model.Value, status string) {
	r := g.r
	g.place(f, true)
	species := pick(r, "pig", "pig", "pig", "dairy", "beef", "layer", "broiler", "sheep")
	label := map[string]string{"pig": "生猪", "dairy": "奶牛", "beef": "肉牛", "layer": "蛋鸡", "broiler": "肉鸡", "sheep": "肉羊"}[species]
	f["farm_name"] = model.Str("演示" + pick(r, enterpriseWords...) + label + "养殖场")
	f["species"] = model.Str(species)
	base := map[string]int{"pig": 800, "dairy": 150, "beef": 120, "layer": 30000, "broiler": 20000, "sheep": 600}[species]
	design := base/2 + r.IntN(base*3)
	f["design_stock"] = model.Int(int64(design))
	f["current_stock"] = model.Int(int64(design * (60 + r.IntN(50)) / 100))
	output := 0
	switch species {
	case "pig", "beef", "sheep":
		output = design * (150 + r.IntN(50)) / 100
	case "broiler":
		output = design * (5 + r.IntN(2))
	}
	if output > 0 {
		f["annual_output"] = model.Int(int64(output))
	}
	class := "household"
	if th, ok := model.ScaleThresholds[species]; ok {
		n := design
		if th.OnOutput {
			n = output
		}
		switch {
		case int64(n) >= 10*th.Count:
			class = "large"
		case int64(n) >= th.Count:
			class = "scale"
		}
	}
	f["scale_class"] = model.Str(class)
	if class != "household" {
		f["uscc"] = model.Str(uscc(r, g.county, "91"))
		f["permit_class"] = model.Str(pick(r, "key", "simplified", "registration"))
	}
	f["manager"] = model.Str(person(r))
	f["phone"] = model.Str(mobile(r))
	f["site_area_m2"] = model.Decimal(float64(2000 + r.IntN(60000)))
	f["housing_mode"] = model.Str(pick(r, "indoor", "indoor", "semi_indoor"))
	f["barn_type"] = model.Str(optionKey(r, s, "barn_type"))
	f["manure_removal"] = model.Str(optionKey(r, s, "manure_removal"))
	f["low_protein_diet"] = model.Bool(r.IntN(3) == 0)
	if r.IntN(6) == 0 {
		f["land_mu"] = model.Decimal(0)
		f["third_party_contract"] = model.Str("与演示有机肥厂签订粪污委托处理协议")
		f["third_party_contract_photos"] = photos(r, 1)
	} else {
		f["land_mu"] = model.Decimal(float64(50 + r.IntN(2000)))
	}
	filed := r.IntN(5) != 0
	f["annual_plan_filed"] = model.Bool(filed)
	if filed {
		f["plan_filed_date"] = model.Str("2023-01-" + pad(5+r.IntN(26), 2))
	}
	f["odour_complaints_12m"] = model.Int(int64(r.IntN(4)))
	f["nearest_receptor_m"] = model.Int(int64(200 + r.IntN(3000)))
	switch status {
	case model.FarmPendingSurvey, model.FarmFiled, model.FarmReturned, model.StatusVoid:
	default:
		f["in_pilot"] = model.Bool(status != model.FarmNotInPilot && (status != model.FarmVerified && status != model.FarmClosed || r.IntN(2) == 0))
		f[model.FieldReviewedBy] = model.Str(person(r))
	}
	f["photos"] = photos(r, 3+r.IntN(2))
}

func (g *gen) manureFacility(s *model.Schema, f map[string]model.Value, status string) {
	r := g.r
	f["farm"] = g.parent("livestock_farm")
	typ := optionKey(r, s, "type")
	f["type"] = model.Str(typ)
	if typ == "manure_shed" || typ == "ex_situ_bed" {
		f["area_m2"] = model.Decimal(float64(100 + r.IntN(2000)))
	} else {
		f["volume_m3"] = model.Decimal(float64(200 + r.IntN(5000)))
	}
	f["capacity_t_per_d"] = model.Decimal(round1(1 + r.Float64()*50))
	f["enclosed"] = model.Bool(r.IntN(2) == 0)
	f["seepage_proof"] = model.Bool(true)
	f["rain_proof"] = model.Bool(r.IntN(3) != 0)
	f["overflow_proof"] = model.Bool(r.IntN(3) != 0)
	f["run_state"] = model.Str(facilityRunState(status, "normal", "stopped", "building"))
	if status != model.FacilityPlanned && status != model.FacilityBuilding {
		f["built_date"] = date(season.AddDate(-1-r.IntN(6), r.IntN(12), 0))
	}
	f["photos"] = photos(r, 1+r.IntN(2))
}

// facilityRunState maps a facility lifecycle status to the run_state
// option that agrees with it.
func facilityRunState(status, running, stopped, building string) string {
	switch status {
	case model.FacilityRunning:
		return running
	case model.FacilityStopped, model.FacilityRemoved:
		return stopped
	}
	return building
}

func (g *gen) ammoniaControl(s *model.Schema, f map[string]model.Value, status string) {
	r := g.r
	f["farm"] = g.parent("livestock_farm")
	tech := optionKey(r, s, "technology")
	f["technology"] = model.Str(tech)
	f["stage"] = model.Str(map[string]string{
		"enclosure_negative_pressure": "barn", "acid_scrubber": "barn", "biofilter": "treatment",
		"bioscrubber": "treatment", "covered_store": "storage", "closed_conveying": "conveying",
		"deodorant_spray": "barn", "low_protein_diet": "barn", "other": "treatment"}[tech])
	switch tech {
	case "enclosure_negative_pressure", "acid_scrubber", "biofilter", "bioscrubber":
		f["airflow_m3h"] = model.Decimal(float64(5000 + 1000*r.IntN(100)))
		f["design_removal_pct"] = model.Decimal(float64(60 + r.IntN(35)))
	}
	switch tech {
	case "acid_scrubber", "biofilter", "bioscrubber":
		f["stack_height_m"] = model.Decimal(float64(15 + r.IntN(10)))
	}
	rs := facilityRunState(status, "running", "stopped", "building")
	if status == model.FacilityRemoved {
		rs = "removed"
	}
	f["run_state"] = model.Str(rs)
	if status == model.FacilityRunning || status == model.FacilityStopped || status == model.FacilityRemoved {
		f["commissioned_date"] = date(season.AddDate(-r.IntN(3), -r.IntN(12), 0))
		f["run_log"] = model.Str("每日巡检，药剂按周补充，月耗电约" + strconv.Itoa(500+r.IntN(3000)) + "千瓦时")
	}
	f["photos"] = photos(r, 1+r.IntN(2))
}

func (g *gen) ammoniaMonitoring(s *model.Schema, f map[string]model.Value, status string) string {
	r := g.r
	f["farm"] = g.parent("livestock_farm")
	f["sampled_at"] = model.DateTimeValue(at(day(r, 0, 75), r, 9, 7))
	mtype := pick(r, "fence_line", "fence_line", "fence_line", "stack", "in_barn")
	f["monitor_type"] = model.Str(mtype)
	point := map[string]string{"stack": "stack", "in_barn": "in_barn"}[mtype]
	if point == "" {
		point = pick(r, "upwind", "downwind1", "downwind2", "downwind3")
	}
	f["point"] = model.Str(point)
	param := pick(r, "ammonia", "ammonia", "h2s", "odour")
	f["parameter"] = model.Str(param)
	switch param {
	case "ammonia":
		f["value"] = model.Decimal(float64(int64((0.1+r.Float64()*2.4)*100)) / 100)
	case "h2s":
		f["value"] = model.Decimal(float64(int64((0.005+r.Float64()*0.08)*1000)) / 1000)
	default:
		f["value"] = model.Int(int64(10 + r.IntN(60)))
	}
	method := map[string]string{"ammonia": pick(r, "portable", "hj533", "hj534"), "h2s": "other", "odour": "triangle_bag"}[param]
	if mtype == "stack" && param == "ammonia" {
		method = "hj533"
	}
	f["method"] = model.Str(method)
	if method == "hj533" || method == "hj534" || method == "triangle_bag" {
		f["lab"] = model.Str("演示环境检测有限公司")
		f["report_no"] = model.Str("JC2023-" + pad(g.seq[s.Name], 5))
	}
	f["wind_dir"] = model.Str(optionKey(r, s, "wind_dir"))
	f["wind_speed_ms"] = model.Decimal(round1(r.Float64() * 6))
	f["temp_c"] = model.Decimal(round1(-8 + r.Float64()*25))
	f["limit_class"] = model.Str(pick(r, "class2_existing", "class2_existing", "class2_new", "class1"))
	switch status {
	case model.MonitorToRectify, model.MonitorRectifying, model.MonitorClosed:
		v := model.AmmoniaExceeds(mtype, param, mustText(f["limit_class"]), f["value"])
		if v != model.Bool(true) {
			status = model.MonitorApproved
		}
	}
	if status != model.MonitorEntered && status != model.MonitorReturned && status != model.StatusVoid {
		f[model.FieldReviewedBy] = model.Str(person(r))
	}
	return status
}

func mustText(v model.Value) string { s, _ := v.AsText(); return s }

func (g *gen) manureUseLog(s *model.Schema, f map[string]model.Value) {
	r := g.r
	f["farm"] = g.parent("livestock_farm")
	f["date"] = date(day(r, 0, 75))
	material := optionKey(r, s, "material")
	f["material"] = model.Str(material)
	unit := "t"
	if material == "slurry" || material == "digestate_liquid" {
		unit = "m3"
	}
	f["quantity"] = model.Decimal(round1(1 + r.Float64()*80))
	f["unit"] = model.Str(unit)
	f["treatment"] = model.Str(pick(r, "composting", "storage", "anaerobic", "separation"))
	dest := pick(r, "own_land", "own_land", "contract_land", "third_party", "fertiliser_plant")
	f["destination"] = model.Str(dest)
	if dest != "own_land" {
		f["receiver"] = model.Str(map[string]string{"contract_land": person(r), "third_party": "演示粪污处理服务站", "fertiliser_plant": "演示有机肥厂"}[dest])
		f["receiver_phone"] = model.Str(mobile(r))
	}
	if dest == "own_land" || dest == "contract_land" {
		f["field_location"] = model.GPS(near(r, g.centre, 0.15))
		f["field_mu"] = model.Decimal(float64(5 + r.IntN(200)))
		f["crop"] = model.Str(pick(r, cropWords...))
	}
	f["handler"] = model.Str(person(r))
	if r.IntN(2) == 0 {
		f["photos"] = photos(r, 1)
	}
}
