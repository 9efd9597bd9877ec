package model

import (
	"fmt"
	"regexp"
	"strconv"
)

// Register 1: 农业生产散煤设施清单 (registers.md §1).

// Replacement-method options (计划/实际替代方式). Counties that forbid some
// methods (Suzhou forbids biomass and briquettes for boilers) can be served
// by editing this table.
var replacementMethods = opts(
	"electric_boiler", "电能—电锅炉/电加热", "Electricity: electric boiler or heater",
	"heat_pump", "电能—热泵（空气源/地源/水源）", "Electricity: heat pump (air, ground or water source)",
	"natural_gas", "天然气", "Natural gas",
	"biomass_pellet", "生物质成型燃料（专用炉具）", "Biomass pellets (dedicated stove)",
	"solar", "太阳能", "Solar",
	"geothermal", "地热", "Geothermal",
	"district_heat", "集中供热或工业余热", "District heating or industrial waste heat",
	"dismantled", "拆除停用（不再生产）", "Dismantled (production stopped)",
	"other", "其他", "Other",
)

// FieldFacilityNo is the farm coal facility number, {county}-NYSM-{seq4}
// (registers.md §1), numbered per county.
const FieldFacilityNo = "facility_no"

// facilityNoRE is the shape of a facility number.
var (
	facilityNoRE = regexp.MustCompile(`^(\d{6})-NYSM-(\d{4})$`)
	countyCodeRE = regexp.MustCompile(`^\d{6}$`)
)

// FacilityNo is the facility number n of county.
func FacilityNo(county string, n int) string { return fmt.Sprintf("%s-NYSM-%04d", county, n) }

// FacilitySeq is the sequence number of facility number s of county
// (ok false when s is not one of county's numbers).
func FacilitySeq(county, s string) (int, bool) {
	m := facilityNoRE.FindStringSubmatch(s)
	if m == nil || m[1] != county {
		return 0, false
	}
	n, err := strconv.Atoi(m[2])
	return n, err == nil && n > 0
}

// Farm-coal lifecycle status keys.
const (
	FarmCoalPending        = "pending_verify"
	FarmCoalReturned       = "returned"
	FarmCoalUnreplaced     = "unreplaced"
	FarmCoalPlanned        = "planned"
	FarmCoalInProgress     = "in_progress"
	FarmCoalReplaced       = "replaced"
	FarmCoalAccepted       = "accepted"
	FarmCoalDecommissioned = "decommissioned"
	FarmCoalReburn         = "reburn"
	FarmCoalVoid           = "void"
)

// FarmCoalDoneStatuses are the statuses whose unit_count counts toward the
// 8892-台 target (已替代 and later, and accepted decommissioning).
var FarmCoalDoneStatuses = []string{FarmCoalReplaced, FarmCoalAccepted, FarmCoalDecommissioned}

// FarmCoalTargetDeadline is the last planned date that counts toward the
// 2023 target.
const FarmCoalTargetDeadline = "2023-12-31"

func farmCoalSchemas() []func() *Schema { return []func() *Schema{farmCoalFacility} }

func farmCoalFacility() *Schema {
	fromReplaced := statusIn(FarmCoalReplaced, FarmCoalAccepted, FarmCoalReburn)
	accepted := statusIn(FarmCoalAccepted)
	// The stages a field applies from (Field.Relevant). A field is
	// relevant in the status before the one that requires it, since a
	// move only sets the status: the reviewer types the plan before
	// planning, grid staff the replacement before reporting it, the
	// reviewer the acceptance before accepting. A voided record keeps
	// every stage's values.
	afterVerify := statusIn(FarmCoalUnreplaced, FarmCoalPlanned, FarmCoalInProgress, FarmCoalReplaced, FarmCoalAccepted, FarmCoalDecommissioned, FarmCoalReburn, FarmCoalVoid)
	fromPlanned := statusIn(FarmCoalPlanned, FarmCoalInProgress, FarmCoalReplaced, FarmCoalAccepted, FarmCoalReburn, FarmCoalVoid)
	fromWork := statusIn(FarmCoalInProgress, FarmCoalReplaced, FarmCoalAccepted, FarmCoalReburn, FarmCoalVoid)
	fromAcceptance := statusIn(FarmCoalReplaced, FarmCoalAccepted, FarmCoalReburn, FarmCoalVoid)
	afterAcceptance := statusIn(FarmCoalAccepted, FarmCoalReburn, FarmCoalVoid)
	present := func(key string) func(Record) bool {
		return func(r Record) bool { return !r.Get(key).IsNull() }
	}
	return &Schema{
		Name:   "farm_coal_facility",
		Label:  Text{ZH: "农业生产散煤设施清单", EN: "Farm coal-fired equipment"},
		Family: "farm_coal",
		Code:   "NYSM",
		Fields: []Field{
			fld(FieldFacilityNo, KindText, "设施编号", "Facility number", req, searchable, length(1, 40),
				help("{县代码}-NYSM-{四位序号}", "{county code}-NYSM-{4-digit number}")),
			fld("operator_name", KindText, "经营主体名称", "Operator", req, searchable, length(2, 60)),
			fld("operator_type", KindEnum, "主体类型", "Operator type", req, options(opts(
				"household", "农户", "Household",
				"family_farm", "家庭农场", "Family farm",
				"cooperative", "农民专业合作社", "Farmers' cooperative",
				"enterprise", "企业", "Enterprise",
				"village_collective", "村集体", "Village collective",
				"other", "其他", "Other"))),
			fld("uscc", KindText, "统一社会信用代码", "Unified social credit code", usccCheck,
				reqIf(is("operator_type", "enterprise", "cooperative"))),
			fld("id_number", KindText, "身份证号", "ID card number", idCheck,
				help("加密保存，脱敏显示", "stored encrypted, shown masked")),
			fld("contact_name", KindText, "联系人", "Contact", req, searchable, length(2, 30)),
			fld("contact_phone", KindText, "联系电话", "Contact phone", req, phoneCheck),
			townshipField(),
			villageField(true),
			fld("address", KindText, "地址", "Address", length(0, 100)),
			fld("use_category", KindEnum, "设施用途类别", "Use", req, options(opts(
				"tobacco_curing", "烟叶烘烤", "Tobacco curing",
				"greenhouse", "农业大棚种植", "Greenhouse growing",
				"mushroom", "食用菌加工", "Edible fungi processing",
				"herb_drying", "中药材烘干", "Herb drying",
				"livestock", "畜禽养殖", "Livestock and poultry",
				"grain_drying", "粮食烘干", "Grain drying",
				"agri_processing", "农副产品加工", "Farm produce processing",
				"other", "其他", "Other"))),
			fld("equipment_type", KindEnum, "设备形式", "Equipment type", req, options(opts(
				"coal_boiler", "燃煤锅炉", "Coal-fired boiler",
				"hot_air_furnace", "燃煤热风炉", "Coal-fired hot-air furnace",
				"curing_barn", "燃煤密集烤房", "Coal-fired bulk curing barn",
				"dryer", "燃煤烘干机（炉）", "Coal-fired dryer",
				"stove", "燃煤炉具（土暖气、火炉）", "Coal stove",
				"other", "其他", "Other"))),
			fld("unit_count", KindInteger, "数量", "Units", req, rng(1, 500), unit("台", "units")),
			fld("rated_capacity", KindDecimal, "额定出力", "Rated capacity", minVal(0),
				reqIf(is("equipment_type", "coal_boiler"))),
			fld("capacity_unit", KindEnum, "出力单位", "Capacity unit", options(opts(
				"t_h", "t/h", "t/h", "mw", "MW", "MW", "kw", "kW", "kW")),
				when(present("rated_capacity")), reqIf(present("rated_capacity"))),
			fld("service_scale", KindDecimal, "服务规模", "Service scale", minVal(0.000001)),
			fld("scale_unit", KindEnum, "规模单位", "Scale unit", options(opts(
				"mu", "亩", "mu", "m2", "m²", "m²", "seat", "座", "barns",
				"head", "头", "head", "bird", "只", "birds", "t_per_day", "吨/日", "t/day")),
				when(present("service_scale")), reqIf(present("service_scale"))),
			fld("annual_coal_t", KindDecimal, "年用煤量", "Annual coal use", req, rng(0, 5000), unit("吨", "t"),
				warn(func(v Value, r Record) *Text {
					x, _ := v.AsDecimal()
					n, ok := num(r, "unit_count")
					if !ok || n < 1 {
						n = 1
					}
					if x/n > FarmCoalWarnTPerUnit {
						t := msg("单台年用煤量超过 %v 吨，请核实", "more than %v t of coal a year per unit; please check", FarmCoalWarnTPerUnit, FarmCoalWarnTPerUnit)
						return &t
					}
					return nil
				})),
			fld("coal_basis", KindEnum, "用煤量依据", "Basis of coal figure", req, options(opts(
				"last_year_actual", "上年实际消费量", "Last year's actual use",
				"estimated_by_scale", "按生产规模测算", "Estimated from production scale",
				"purchase_receipts", "购煤票据", "Coal purchase receipts",
				"other", "其他", "Other"))),
			fld("coal_type", KindEnum, "煤种", "Coal type", options(opts(
				"raw_coal", "原煤（散煤）", "Raw coal",
				"clean_briquette", "洁净型煤", "Clean briquettes",
				"semi_coke", "兰炭", "Semi-coke",
				"other", "其他", "Other"))),
			fld("use_months", KindMultiEnum, "使用月份", "Months of use", options(monthOptions())),
			fld("has_treatment", KindBool, "是否有治理设施", "Has emission treatment"),
			locationField("位置", "Location"),
			photosField("survey_photos", "排查照片", "Survey photos", 2, req,
				help("至少 2 张：设备、烟囱", "at least 2: equipment and chimney")),
			fld("in_annual_task", KindBool, "是否纳入年度任务", "In the annual task", countyOnly,
				reqIf(statusIn(FarmCoalUnreplaced, FarmCoalPlanned, FarmCoalInProgress, FarmCoalReplaced, FarmCoalAccepted, FarmCoalReburn, FarmCoalDecommissioned)),
				help("由县局确定", "set by the county bureau")),
			fld("task_year", KindInteger, "任务年度", "Task year", rng(2023, 2030), countyOnly,
				when(isTrue("in_annual_task")), reqIf(isTrue("in_annual_task"))),
			fld("planned_method", KindEnum, "计划替代方式", "Planned replacement", options(replacementMethods), when(afterVerify),
				reqIf(statusIn(FarmCoalPlanned, FarmCoalInProgress))),
			fld("planned_date", KindDate, "计划完成日期", "Planned completion", when(afterVerify),
				reqIf(statusIn(FarmCoalPlanned, FarmCoalInProgress))),
			fld("actual_method", KindEnum, "实际替代方式", "Actual replacement", options(replacementMethods), when(fromWork), reqIf(fromReplaced)),
			fld("old_equipment_disposal", KindEnum, "原设备处置", "Old equipment", options(opts(
				"removed", "拆除（设备及烟囱）", "Removed (with chimney)",
				"flue_cut", "烟道或烟囱物理切断", "Flue or chimney cut",
				"sealed", "封存", "Sealed",
				"other", "其他", "Other")), when(afterVerify), reqIf(either(fromReplaced, statusIn(FarmCoalDecommissioned)))),
			fld("work_start_date", KindDate, "开工日期", "Work started", when(fromPlanned), reqIf(statusIn(FarmCoalInProgress))),
			fld("completed_date", KindDate, "完成日期", "Completed", when(fromWork), reqIf(fromReplaced)),
			fld("new_equipment", KindText, "新设备描述", "New equipment", length(0, 100), when(fromWork),
				reqIf(func(r Record) bool { return fromReplaced(r) && text(r, "actual_method") != "dismantled" })),
			fld("new_capacity_kw", KindDecimal, "新设备功率", "New capacity", minVal(0.001), unit("kW", "kW"), when(fromWork)),
			photosField("after_photos", "改造后照片", "Photos after replacement", 2, when(fromWork), reqIf(fromReplaced),
				help("至少 2 张：新设备、拆除的烟囱或切断的烟道", "at least 2: new unit; removed chimney or cut flue")),
			fld("subsidy_yuan", KindDecimal, "补贴金额", "Subsidy", minVal(0), unit("元", "yuan"), when(fromWork)),
			fld("acceptance_date", KindDate, "验收日期", "Acceptance date", when(fromAcceptance), reqIf(accepted)),
			fld("acceptance_org", KindText, "验收单位", "Accepted by (organisation)", length(0, 60), when(fromAcceptance), reqIf(accepted)),
			fld("acceptance_by", KindText, "验收人", "Accepted by", length(0, 60), when(fromAcceptance), reqIf(accepted)),
			fld("acceptance_result", KindEnum, "验收结论", "Acceptance result", options(opts(
				"pass", "合格", "Pass", "fail", "不合格", "Fail")), when(fromAcceptance), reqIf(accepted)),
			fld("last_revisit_date", KindDate, "最近回头看日期", "Last follow-up check", when(afterAcceptance)),
			fld("reburn_found", KindBool, "是否发现复烧", "Coal in use again", when(afterAcceptance), reqIf(statusIn(FarmCoalReburn))),
			remarksField(),
		},
		TitleField:   "operator_name",
		VillageField: FieldVillage,
		DateField:    "planned_date",
		Statuses: []Status{
			st(FarmCoalPending, "待核实", "To verify"),
			st(FarmCoalReturned, "退回", "Returned"),
			st(FarmCoalUnreplaced, "未替代", "Not replaced"),
			st(FarmCoalPlanned, "已列入计划", "Planned"),
			st(FarmCoalInProgress, "改造中", "In progress"),
			st(FarmCoalReplaced, "已替代（待验收）", "Replaced (awaiting acceptance)"),
			final(FarmCoalAccepted, "已验收（销号）", "Accepted (closed)"),
			final(FarmCoalDecommissioned, "已停用拆除", "Decommissioned"),
			st(FarmCoalReburn, "复烧整改", "Reburning: rectify"),
			final(FarmCoalVoid, "作废", "Void"),
		},
		Initial: FarmCoalPending,
		Transitions: append([]Transition{
			rv(FarmCoalPending, FarmCoalUnreplaced, "通过建档", "Accept into the list"),
			ret(FarmCoalPending, FarmCoalReturned, "退回", "Return"),
			tr(FarmCoalReturned, FarmCoalPending, "重新提交", "Resubmit"),
			reopen(FarmCoalUnreplaced, FarmCoalPending),
			rv(FarmCoalUnreplaced, FarmCoalPlanned, "列入计划", "Plan"),
			tr(FarmCoalPlanned, FarmCoalInProgress, "开始改造", "Start work"),
			tr(FarmCoalInProgress, FarmCoalReplaced, "完成替代", "Report replaced"),
			rv(FarmCoalReplaced, FarmCoalAccepted, "验收合格（销号）", "Accept (close)"),
			ret(FarmCoalReplaced, FarmCoalInProgress, "验收不合格", "Reject at acceptance"),
			rv(FarmCoalUnreplaced, FarmCoalDecommissioned, "停用拆除", "Decommission"),
			rv(FarmCoalPlanned, FarmCoalDecommissioned, "停用拆除", "Decommission"),
			ret(FarmCoalAccepted, FarmCoalReburn, "回头看发现复烧", "Reburning found"),
			tr(FarmCoalReburn, FarmCoalReplaced, "整改完成", "Rectified"),
		}, voidFrom(FarmCoalVoid, FarmCoalPending, FarmCoalReturned, FarmCoalUnreplaced, FarmCoalPlanned, FarmCoalInProgress, FarmCoalReplaced)...),
		Checks: checks(
			func(r Record) []FieldError {
				no := text(r, FieldFacilityNo)
				if no == "" || !countyCodeRE.MatchString(r.County) {
					return nil // a bad county is reported on its own
				}
				if _, ok := FacilitySeq(r.County, no); !ok {
					return []FieldError{{Field: FieldFacilityNo, Msg: msg("设施编号应为“%s”的格式（县代码-NYSM-四位序号）", "the facility number must look like %s (county code-NYSM-4 digits)",
						FacilityNo(r.County, 42), FacilityNo(r.County, 42))}}
				}
				return nil
			},
			orderCheck("work_start_date", "completed_date", false, "完成日期不能早于开工日期", "completion cannot be before the start of work"),
			orderCheck("acceptance_date", "last_revisit_date", false, "回头看日期不能早于验收日期", "follow-up check cannot be before acceptance"),
			orderCheck("completed_date", "acceptance_date", false, "验收日期不能早于完成日期", "acceptance cannot be before completion"),
			notFuture("completed_date", "完成日期", "Completion date"),
			notFuture("work_start_date", "开工日期", "Work start date"),
			notFuture("acceptance_date", "验收日期", "Acceptance date"),
			func(r Record) []FieldError {
				// Boilers over 35 t/h belong in the boiler list, not here.
				x, ok := num(r, "rated_capacity")
				if !ok || text(r, "equipment_type") != "coal_boiler" {
					return nil
				}
				th := x
				switch text(r, "capacity_unit") {
				case "mw":
					th = x / 0.7
				case "kw":
					th = x / 700
				}
				if th > FarmCoalMaxBoilerTH {
					return []FieldError{{Field: "rated_capacity", Msg: msg("燃煤锅炉超过 %v 蒸吨/小时，应列入锅炉清单", "coal boilers over %v t/h belong in the boiler list", FarmCoalMaxBoilerTH, FarmCoalMaxBoilerTH)}}
				}
				return nil
			},
			func(r Record) []FieldError {
				if y, _ := r.Get("task_year").AsInt(); y == 2023 {
					if d := text(r, "planned_date"); d != "" && d > FarmCoalTargetDeadline {
						return []FieldError{{Field: "planned_date", Msg: msg("计入 2023 年任务的计划完成日期应不晚于 %s", "planned completion must be on or before %s for the 2023 task", FarmCoalTargetDeadline, FarmCoalTargetDeadline)}}
					}
				}
				return nil
			},
		),
	}
}

// Farm-coal limits (registers.md §1.1): warn above 500 t of coal a year
// per unit; boilers over 35 t/h are out of this list.
const (
	FarmCoalWarnTPerUnit = 500
	FarmCoalMaxBoilerTH  = 35
)

func monthOptions() []Option {
	zh := []string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"}
	en := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	out := make([]Option, 12)
	for i := range out {
		out[i] = Option{Key: itoa(i + 1), Label: Text{ZH: zh[i], EN: en[i]}}
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}
