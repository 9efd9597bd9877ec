package demo

import (
	"slices"

	"github.com/lantian-tz/lantian/model"
)

func (g *gen) farmCoal(s *model.Schema, f map[string]model.Value, status string) string {
	r := g.r
	pl := g.place(f, true)
	f["facility_no"] = model.Str(g.county + "-NYSM-" + pad(g.seq[s.Name], 4))
	opType := pick(r, "household", "household", "household", "family_farm", "cooperative", "enterprise", "village_collective")
	name := person(r)
	switch opType {
	case "cooperative":
		name = model.PlaceBase(pl.village.Name) + pick(r, enterpriseWords...) + "种植专业合作社"
		f["uscc"] = model.Str(uscc(r, g.county, "93"))
	case "enterprise":
		name = "演示" + pick(r, enterpriseWords...) + pick(r, "农业科技有限公司", "食用菌有限公司", "粮食烘干有限公司")
		f["uscc"] = model.Str(uscc(r, g.county, "91"))
	case "family_farm":
		name = name + "家庭农场"
	case "village_collective":
		name = model.PlaceBase(pl.village.Name) + "村民委员会"
	}
	f["operator_name"] = model.Str(name)
	f["operator_type"] = model.Str(opType)
	f["contact_name"] = model.Str(person(r))
	f["contact_phone"] = model.Str(mobile(r))
	use := optionKey(r, s, "use_category")
	f["use_category"] = model.Str(use)
	equip := pick(r, "coal_boiler", "hot_air_furnace", "curing_barn", "dryer", "stove")
	if use == "tobacco_curing" {
		equip = "curing_barn"
	}
	f["equipment_type"] = model.Str(equip)
	units := 1 + r.IntN(4)
	f["unit_count"] = model.Int(int64(units))
	if equip == "coal_boiler" {
		f["rated_capacity"] = model.Decimal(round1(0.5 + r.Float64()*3.5))
		f["capacity_unit"] = model.Str("t_h")
	}
	f["annual_coal_t"] = model.Decimal(round1(float64(units) * (3 + r.Float64()*60)))
	f["coal_basis"] = model.Str(optionKey(r, s, "coal_basis"))
	f["coal_type"] = model.Str(optionKey(r, s, "coal_type"))
	if use == "tobacco_curing" {
		f["use_months"] = model.List("7", "8", "9")
	} else {
		f["use_months"] = model.List("1", "2", "3", "11", "12")
	}
	f["has_treatment"] = model.Bool(r.IntN(5) == 0)
	f["survey_photos"] = photos(r, 2+r.IntN(2))

	if status != model.FarmCoalPending && status != model.FarmCoalReturned {
		f["in_annual_task"] = model.Bool(true)
		f["task_year"] = model.Int(2023)
	}
	progressed := []string{model.FarmCoalPlanned, model.FarmCoalInProgress, model.FarmCoalReplaced, model.FarmCoalAccepted, model.FarmCoalReburn}
	if slices.Contains(progressed, status) {
		method := pick(r, "electric_boiler", "heat_pump", "heat_pump", "natural_gas", "biomass_pellet", "district_heat")
		f["planned_method"] = model.Str(method)
		f["planned_date"] = date(day(r, 45, 46)) // by 2023-12-31
		if status != model.FarmCoalPlanned {
			start := day(r, 0, 30)
			f["work_start_date"] = date(start)
			if status != model.FarmCoalInProgress {
				done := start.AddDate(0, 0, 5+r.IntN(20))
				f["actual_method"] = model.Str(method)
				f["old_equipment_disposal"] = model.Str(pick(r, "removed", "removed", "flue_cut"))
				f["completed_date"] = date(done)
				f["new_equipment"] = model.Str(map[string]string{
					"electric_boiler": "电锅炉", "heat_pump": "空气源热泵", "natural_gas": "燃气热风炉",
					"biomass_pellet": "生物质专用炉具", "district_heat": "集中供热管网接入"}[method])
				f["new_capacity_kw"] = model.Decimal(float64(10 + r.IntN(200)))
				f["after_photos"] = photos(r, 2)
				f["subsidy_yuan"] = model.Decimal(float64(2000 + 500*r.IntN(20)))
				if status != model.FarmCoalReplaced {
					acc := done.AddDate(0, 0, 3+r.IntN(10))
					f["acceptance_date"] = date(acc)
					f["acceptance_org"] = model.Str("县生态环境分局")
					f["acceptance_by"] = model.Str(person(r))
					f["acceptance_result"] = model.Str("pass")
					f[model.FieldReviewedBy] = model.Str(person(r))
					if status == model.FarmCoalReburn {
						f["last_revisit_date"] = date(acc.AddDate(0, 0, 10+r.IntN(20)))
						f["reburn_found"] = model.Bool(true)
					}
				}
			}
		}
	}
	if status == model.FarmCoalDecommissioned {
		f["old_equipment_disposal"] = model.Str("removed")
	}
	return status
}
