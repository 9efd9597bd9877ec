package model

// Register 3: livestock farm ammonia ledgers (registers.md §3).

// Livestock lifecycle status keys.
const (
	FarmPendingSurvey = "pending_survey"
	FarmFiled         = "filed"
	FarmReturned      = "returned"
	FarmVerified      = "verified"
	FarmInPilot       = "in_pilot"
	FarmNotInPilot    = "not_in_pilot"
	FarmRectifying    = "rectifying"
	FarmRectified     = "rectified"
	FarmClosed        = "closed"

	FacilityPlanned  = "planned"
	FacilityBuilding = "building"
	FacilityRunning  = "running"
	FacilityStopped  = "stopped"
	FacilityRemoved  = "removed"

	MonitorEntered    = "entered"
	MonitorReturned   = "returned"
	MonitorApproved   = "approved"
	MonitorToRectify  = "to_rectify"
	MonitorRectifying = "rectifying"
	MonitorClosed     = "closed"

	UseLogRecorded = "recorded"
	UseLogDoubtful = "doubtful"
)

var speciesOptions = opts(
	"pig", "生猪", "Pigs",
	"dairy", "奶牛", "Dairy cattle",
	"beef", "肉牛", "Beef cattle",
	"layer", "蛋鸡", "Laying hens",
	"broiler", "肉鸡", "Broilers",
	"sheep", "羊", "Sheep and goats",
	"other", "其他", "Other")

var windDirOptions = opts(
	"N", "北", "N", "NNE", "北东北", "NNE", "NE", "东北", "NE", "ENE", "东东北", "ENE",
	"E", "东", "E", "ESE", "东东南", "ESE", "SE", "东南", "SE", "SSE", "南东南", "SSE",
	"S", "南", "S", "SSW", "南西南", "SSW", "SW", "西南", "SW", "WSW", "西西南", "WSW",
	"W", "西", "W", "WNW", "西西北", "WNW", "NW", "西北", "NW", "NNW", "北西北", "NNW",
	"calm", "静风", "Calm")

func livestockSchemas() []func() *Schema {
	return []func() *Schema{livestockFarm, manureFacility, ammoniaControl, ammoniaMonitoring, manureUseLog}
}

func farmRef() Field {
	return fld("farm", KindRef, "所属养殖场", "Farm", req, ref("livestock_farm"))
}

func livestockFarm() *Schema {
	return &Schema{
		Name:   "livestock_farm",
		Label:  Text{ZH: "养殖场基本情况台账", EN: "Livestock farm"},
		Family: "livestock",
		Code:   "YZC",
		Fields: []Field{
			fld("farm_name", KindText, "养殖场名称", "Farm name", req, searchable, length(2, 60)),
			fld("uscc", KindText, "统一社会信用代码", "Unified social credit code", usccCheck,
				reqIf(func(r Record) bool { return text(r, "scale_class") != "" && text(r, "scale_class") != "household" })),
			fld("farm_reg_code", KindText, "畜禽养殖场备案号/代码", "Farm registration code", length(0, 40)),
			fld("manager", KindText, "负责人", "Manager", req, searchable, length(2, 30)),
			fld("phone", KindText, "电话", "Phone", req, phoneCheck),
			townshipField(),
			villageField(true),
			locationField("位置（场区中心）", "Location (farm centre)"),
			fld("site_area_m2", KindDecimal, "占地面积", "Site area", rng(100, 2000000), unit("m²", "m²")),
			fld("species", KindEnum, "主要畜种", "Main species", req, options(speciesOptions)),
			fld("design_stock", KindInteger, "设计存栏", "Design capacity", req, rng(0, 5000000), unit("头/只", "head")),
			fld("current_stock", KindInteger, "实际存栏", "Current stock", req, rng(0, 5000000), unit("头/只", "head"),
				warn(func(v Value, r Record) *Text {
					n, _ := v.AsInt()
					d, err := r.Get("design_stock").AsInt()
					if err == nil && float64(n) > 1.2*float64(d) {
						t := msg("实际存栏超过设计存栏的 1.2 倍", "current stock is more than 1.2 × design capacity")
						return &t
					}
					return nil
				})),
			fld("annual_output", KindInteger, "年出栏", "Annual output", rng(0, 50000000), unit("头/只", "head"),
				reqIf(is("species", "pig", "beef", "broiler", "sheep"))),
			fld("pig_equivalent", KindDecimal, "猪当量", "Pig equivalent", computed, minVal(0),
				help("按 GB 18596 折算：30 只蛋鸡、60 只肉鸡、3 只羊 = 1 头猪；奶牛 ×10；肉牛 ×5", "GB 18596: 30 layers, 60 broilers or 3 sheep = 1 pig; dairy ×10; beef ×5")),
			fld("scale_class", KindEnum, "规模等级", "Scale class", req, options(opts(
				"large", "大型规模化", "Large-scale",
				"scale", "规模化", "Scale farm",
				"household", "规模以下（专业户）", "Below scale (household)"))),
			fld("housing_mode", KindEnum, "饲养方式", "Housing", req, options(opts(
				"indoor", "舍饲", "Indoor", "semi_indoor", "半舍饲", "Partly indoor", "free_range", "放养", "Free range"))),
			fld("barn_type", KindEnum, "圈舍形式", "Barn type", req, options(opts(
				"closed", "全封闭（机械通风）", "Closed (mechanical ventilation)",
				"semi_closed", "半封闭", "Semi-closed",
				"open", "开放式", "Open"))),
			fld("manure_removal", KindEnum, "清粪工艺", "Manure removal", req, options(opts(
				"dry_scraping", "干清粪", "Dry scraping",
				"deep_pit", "水泡粪", "Deep pit (soaking)",
				"flushing", "水冲粪", "Flushing",
				"bedding", "垫料（发酵床）", "Bedding (deep litter)",
				"other", "其他", "Other"))),
			fld("low_protein_diet", KindBool, "是否采用低蛋白日粮", "Low-protein diet"),
			fld("land_mu", KindDecimal, "配套消纳土地", "Land for manure", req, minVal(0), unit("亩", "mu")),
			fld("third_party_contract", KindText, "第三方处理协议", "Third-party contract", length(0, 200),
				reqIf(func(r Record) bool { x, ok := num(r, "land_mu"); return ok && x == 0 })),
			photosField("third_party_contract_photos", "协议照片", "Contract photos", 0),
			fld("permit_class", KindEnum, "排污许可类别", "Discharge permit class", options(opts(
				"key", "重点管理", "Key management",
				"simplified", "简化管理", "Simplified management",
				"registration", "登记管理", "Registration",
				"none", "无", "None"))),
			fld("permit_no", KindText, "排污许可编号", "Permit number", length(0, 40)),
			fld("annual_plan_filed", KindBool, "年度粪污资源化利用计划是否备案", "Annual manure plan filed", req),
			fld("plan_filed_date", KindDate, "计划备案日期", "Plan filed on", when(isTrue("annual_plan_filed")), reqIf(isTrue("annual_plan_filed")),
				warn(func(v Value, _ Record) *Text {
					if s, _ := v.AsText(); len(s) == 10 && s[5:] > "01-31" {
						t := msg("年度计划应在 1 月 31 日前备案", "the annual plan is due by 31 January")
						return &t
					}
					return nil
				})),
			fld("odour_complaints_12m", KindInteger, "近12个月恶臭投诉次数", "Odour complaints (12 months)", rng(0, 10000)),
			fld("nearest_receptor_m", KindInteger, "最近敏感点距离", "Nearest sensitive receptor", rng(0, 20000), unit("米", "m")),
			fld("in_pilot", KindBool, "是否纳入氨控试点", "In the ammonia pilot", countyOnly,
				reqIf(statusIn(FarmVerified, FarmInPilot, FarmNotInPilot, FarmRectifying, FarmRectified))),
			photosField("photos", "现场照片", "Photos", 3, req, help("至少 3 张：大门、圈舍、粪污设施", "at least 3: gate, barns, manure facilities")),
			remarksField(),
		},
		TitleField:   "farm_name",
		VillageField: FieldVillage,
		Statuses: []Status{
			st(FarmPendingSurvey, "待排查", "To survey"),
			st(FarmFiled, "已建档", "Filed"),
			st(FarmReturned, "退回", "Returned"),
			st(FarmVerified, "已核实", "Verified"),
			st(FarmInPilot, "纳入试点", "In pilot"),
			st(FarmNotInPilot, "未纳入试点", "Not in pilot"),
			st(FarmRectifying, "整治中", "Works under way"),
			st(FarmRectified, "已完成整治（运行中）", "Works done (running)"),
			final(FarmClosed, "停养/关闭", "Closed"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: FarmPendingSurvey,
		Transitions: append([]Transition{
			tr(FarmPendingSurvey, FarmFiled, "提交建档", "Submit file"),
			rv(FarmFiled, FarmVerified, "核实通过", "Verify"),
			ret(FarmFiled, FarmReturned, "退回", "Return"),
			tr(FarmReturned, FarmFiled, "重新提交", "Resubmit"),
			reopen(FarmVerified, FarmFiled),
			rv(FarmVerified, FarmInPilot, "纳入试点", "Add to pilot"),
			rv(FarmVerified, FarmNotInPilot, "不纳入试点", "Not in pilot"),
			rv(FarmNotInPilot, FarmInPilot, "纳入试点", "Add to pilot"),
			tr(FarmInPilot, FarmRectifying, "开始整治", "Start works"),
			rv(FarmRectifying, FarmRectified, "整治完成", "Works done"),
			rv(FarmFiled, FarmClosed, "停养/关闭", "Close"),
			rv(FarmVerified, FarmClosed, "停养/关闭", "Close"),
			rv(FarmInPilot, FarmClosed, "停养/关闭", "Close"),
			rv(FarmNotInPilot, FarmClosed, "停养/关闭", "Close"),
			rv(FarmRectifying, FarmClosed, "停养/关闭", "Close"),
			rv(FarmRectified, FarmClosed, "停养/关闭", "Close"),
		}, voidFrom(StatusVoid, FarmPendingSurvey, FarmFiled, FarmReturned)...),
		Derive: func(r Record) map[string]Value {
			n, err := r.Get("current_stock").AsInt()
			pe, ok := PigEquivalent(text(r, "species"), n)
			if err != nil || !ok {
				return map[string]Value{"pig_equivalent": Null}
			}
			return map[string]Value{"pig_equivalent": Decimal(pe)}
		},
		Checks: checks(func(r Record) []FieldError {
			if d := text(r, "plan_filed_date"); d != "" && !r.Now.IsZero() && d > r.Now.In(Beijing).Format(LayoutDate) {
				return []FieldError{{Field: "plan_filed_date", Msg: msg("备案日期不能晚于今天", "the filing date cannot be in the future")}}
			}
			return nil
		}),
	}
}

// facilityLifecycle is the shared 规划 → 在建 → 运行 ⇄ 停运 → 拆除 lifecycle.
func facilityLifecycle(s *Schema) *Schema {
	s.Statuses = []Status{
		st(FacilityPlanned, "规划", "Planned"),
		st(FacilityBuilding, "在建", "Under construction"),
		st(FacilityRunning, "运行", "Running"),
		st(FacilityStopped, "停运", "Stopped"),
		final(FacilityRemoved, "拆除", "Removed"),
		final(StatusVoid, "作废", "Void"),
	}
	s.Initial = FacilityPlanned
	s.Transitions = append([]Transition{
		tr(FacilityPlanned, FacilityBuilding, "开工", "Start building"),
		tr(FacilityBuilding, FacilityRunning, "投运", "Commission"),
		tr(FacilityPlanned, FacilityRunning, "已在运行", "Already running"),
		tr(FacilityRunning, FacilityStopped, "停运", "Stop"),
		tr(FacilityStopped, FacilityRunning, "恢复运行", "Restart"),
		tr(FacilityRunning, FacilityRemoved, "拆除", "Remove"),
		tr(FacilityStopped, FacilityRemoved, "拆除", "Remove"),
	}, voidFrom(StatusVoid, FacilityPlanned, FacilityBuilding, FacilityRunning, FacilityStopped)...)
	return s
}

func manureFacility() *Schema {
	return facilityLifecycle(&Schema{
		Name:   "manure_facility",
		Label:  Text{ZH: "粪污处理设施", EN: "Manure facility"},
		Family: "livestock",
		Code:   "FWSS",
		Parent: "farm",
		Fields: []Field{
			farmRef(),
			fld("type", KindEnum, "设施类型", "Facility type", req, searchable, options(opts(
				"manure_shed", "堆粪场（棚）", "Manure shed",
				"slurry_tank", "粪水贮存池", "Slurry store",
				"anaerobic", "厌氧发酵（沼气）", "Anaerobic digestion (biogas)",
				"composting", "好氧堆肥（条垛、槽式、反应器）", "Aerobic composting",
				"separator", "固液分离", "Solid-liquid separation",
				"ex_situ_bed", "异位发酵床", "Ex-situ fermentation bed",
				"wastewater", "污水处理", "Wastewater treatment",
				"other", "其他", "Other"))),
			fld("volume_m3", KindDecimal, "容积", "Volume", minVal(0.001), unit("m³", "m³"),
				reqIf(func(r Record) bool { return r.Get("area_m2").IsNull() })),
			fld("area_m2", KindDecimal, "面积", "Area", minVal(0.001), unit("m²", "m²"),
				reqIf(func(r Record) bool { return r.Get("volume_m3").IsNull() })),
			fld("capacity_t_per_d", KindDecimal, "处理能力", "Capacity", minVal(0.001), unit("吨/日", "t/d")),
			fld("enclosed", KindBool, "是否封闭/加盖", "Enclosed or covered", req),
			fld("seepage_proof", KindBool, "防渗", "Seepage-proof"),
			fld("rain_proof", KindBool, "防雨", "Rain-proof"),
			fld("overflow_proof", KindBool, "防溢流", "Overflow-proof"),
			fld("built_date", KindDate, "建成日期", "Built on"),
			fld("run_state", KindEnum, "运行状态", "Operation", req, options(opts(
				"normal", "正常运行", "Running normally",
				"intermittent", "间歇运行", "Running intermittently",
				"stopped", "停运", "Stopped",
				"building", "在建", "Under construction"))),
			photosField("photos", "照片", "Photos", 1, req),
			remarksField(),
		},
		TitleField: "type",
		DateField:  "built_date",
		Checks:     checks(notFuture("built_date", "建成日期", "Built date")),
	})
}

func ammoniaControl() *Schema {
	return facilityLifecycle(&Schema{
		Name:   "ammonia_control",
		Label:  Text{ZH: "氨排放控制设施", EN: "Ammonia control"},
		Family: "livestock",
		Code:   "AKZ",
		Parent: "farm",
		Fields: []Field{
			farmRef(),
			fld("stage", KindEnum, "控制环节", "Stage", req, options(opts(
				"barn", "圈舍", "Barns",
				"conveying", "粪污输送", "Manure conveying",
				"storage", "粪污贮存", "Manure storage",
				"treatment", "粪污处理", "Manure treatment",
				"application", "粪肥施用", "Manure application"))),
			fld("technology", KindEnum, "技术类型", "Technology", req, searchable, options(opts(
				"enclosure_negative_pressure", "圈舍封闭+负压收集", "Enclosed barn with extraction",
				"acid_scrubber", "酸洗（化学洗涤）喷淋塔", "Acid scrubber",
				"biofilter", "生物滤池", "Biofilter",
				"bioscrubber", "生物洗涤", "Bioscrubber",
				"covered_store", "贮存池加盖密闭", "Covered store",
				"closed_conveying", "封闭输送", "Closed conveying",
				"deodorant_spray", "除臭剂喷洒", "Deodorant spraying",
				"low_protein_diet", "低蛋白日粮（源头）", "Low-protein diet (at source)",
				"other", "其他", "Other"))),
			fld("airflow_m3h", KindDecimal, "设计风量", "Design airflow", rng(100, 1000000), unit("m³/h", "m³/h"),
				reqIf(is("technology", "enclosure_negative_pressure", "acid_scrubber", "biofilter", "bioscrubber"))),
			fld("design_removal_pct", KindDecimal, "设计去除率", "Design removal", rng(0, 100), unit("%", "%")),
			fld("stack_height_m", KindDecimal, "排气筒高度", "Stack height", rng(15, 200), unit("米", "m"),
				reqIf(is("technology", "acid_scrubber", "biofilter", "bioscrubber")),
				help("有组织排放源不低于 15 米", "at least 15 m for a stack source")),
			fld("commissioned_date", KindDate, "投运日期", "Commissioned on",
				reqIf(either(statusIn(FacilityRunning, FacilityStopped, FacilityRemoved), is("run_state", "running")))),
			fld("run_state", KindEnum, "运行状态", "Operation", req, options(opts(
				"building", "在建", "Under construction",
				"running", "运行", "Running",
				"stopped", "停运", "Stopped",
				"removed", "拆除", "Removed"))),
			fld("run_log", KindLongText, "运行记录（药剂/耗电）", "Operating log (chemicals, power)", length(0, 2000)),
			photosField("photos", "照片", "Photos", 1, req),
			remarksField(),
		},
		TitleField: "technology",
		DateField:  "commissioned_date",
		Checks:     checks(notFuture("commissioned_date", "投运日期", "Commissioned date")),
	})
}

func ammoniaMonitoring() *Schema {
	return &Schema{
		Name:   "ammonia_monitoring",
		Label:  Text{ZH: "氨排放监测", EN: "Ammonia monitoring"},
		Family: "livestock",
		Code:   "AJC",
		Parent: "farm",
		Fields: []Field{
			farmRef(),
			fld("sampled_at", KindDateTime, "监测日期时间", "Sampled at", req),
			fld("monitor_type", KindEnum, "监测类型", "Monitoring type", req, options(opts(
				"fence_line", "厂界无组织", "Fence line (fugitive)",
				"stack", "排气筒有组织", "Stack",
				"in_barn", "舍内", "Inside barn",
				"online", "在线", "Online"))),
			fld("point", KindEnum, "点位", "Point", req, options(opts(
				"upwind", "上风向参照点", "Upwind reference",
				"downwind1", "下风向1", "Downwind 1",
				"downwind2", "下风向2", "Downwind 2",
				"downwind3", "下风向3", "Downwind 3",
				"stack", "排气筒", "Stack",
				"in_barn", "舍内", "Inside barn"))),
			fld("parameter", KindEnum, "指标", "Parameter", req, options(opts(
				"ammonia", "氨", "Ammonia (NH₃)",
				"h2s", "硫化氢", "Hydrogen sulphide (H₂S)",
				"odour", "臭气浓度", "Odour concentration"))),
			fld("value", KindDecimal, "结果", "Result", req, minVal(0),
				help("氨、硫化氢 mg/m³（排气筒为 kg/h）；臭气浓度无量纲", "NH₃, H₂S in mg/m³ (stack: kg/h); odour dimensionless")),
			fld("method", KindEnum, "方法", "Method", req, options(opts(
				"portable", "便携式氨气分析仪", "Portable ammonia analyser",
				"hj533", "HJ 533 纳氏试剂分光光度法", "HJ 533 Nessler's reagent",
				"hj534", "HJ 534 次氯酸钠-水杨酸分光光度法", "HJ 534 salicylate",
				"triangle_bag", "三点比较式臭袋法", "Triangle odour bag",
				"online", "在线监测", "Online analyser",
				"other", "其他", "Other"))),
			fld("wind_dir", KindEnum, "风向", "Wind direction", options(windDirOptions)),
			fld("wind_speed_ms", KindDecimal, "风速", "Wind speed", rng(0, 40), unit("m/s", "m/s")),
			fld("temp_c", KindDecimal, "气温", "Temperature", rng(-40, 50), unit("℃", "°C")),
			fld("limit_class", KindEnum, "执行标准级别", "Limit class", req, options(opts(
				"class1", "GB14554 一级", "GB 14554 class 1",
				"class2_new", "二级新扩改建", "Class 2 (new or extended)",
				"class2_existing", "二级现有", "Class 2 (existing)",
				"class3_new", "三级新扩改建", "Class 3 (new or extended)",
				"class3_existing", "三级现有", "Class 3 (existing)"))),
			fld("exceeds", KindBool, "是否超标", "Exceeds limit", computed),
			fld("lab", KindText, "监测单位", "Laboratory", length(0, 60), when(is("method", "hj533", "hj534", "triangle_bag")), reqIf(is("method", "hj533", "hj534", "triangle_bag"))),
			fld("report_no", KindText, "报告编号", "Report number", searchable, length(0, 60), when(is("method", "hj533", "hj534", "triangle_bag")), reqIf(is("method", "hj533", "hj534", "triangle_bag"))),
			remarksField(),
		},
		TitleField: "sampled_at",
		DateField:  "sampled_at",
		Statuses: []Status{
			st(MonitorEntered, "已录入", "Entered"),
			st(MonitorReturned, "退回", "Returned"),
			st(MonitorApproved, "已审核", "Approved"),
			st(MonitorToRectify, "待整改", "To rectify"),
			st(MonitorRectifying, "整改中", "Rectifying"),
			final(MonitorClosed, "复测达标（销号）", "Retest passed (closed)"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: MonitorEntered,
		Transitions: append([]Transition{
			rv(MonitorEntered, MonitorApproved, "审核通过", "Approve"),
			ret(MonitorEntered, MonitorReturned, "退回", "Return"),
			tr(MonitorReturned, MonitorEntered, "重新提交", "Resubmit"),
			reopen(MonitorApproved, MonitorEntered),
			rv(MonitorApproved, MonitorToRectify, "责令整改", "Order rectification"),
			tr(MonitorToRectify, MonitorRectifying, "开始整改", "Start rectifying"),
			tr(MonitorRectifying, MonitorToRectify, "复测未达标", "Retest failed"),
			rv(MonitorRectifying, MonitorClosed, "复测达标销号", "Retest passed"),
		}, voidFrom(StatusVoid, MonitorEntered, MonitorReturned)...),
		Derive: func(r Record) map[string]Value {
			return map[string]Value{"exceeds": AmmoniaExceeds(text(r, "monitor_type"), text(r, "parameter"), text(r, "limit_class"), r.Get("value"))}
		},
		Checks: checks(
			notFuture("sampled_at", "监测时间", "Sampling time"),
			func(r Record) []FieldError {
				x, ok := num(r, "value")
				if !ok {
					return nil
				}
				max := 200.0
				if text(r, "parameter") == "odour" {
					max = 100000
				}
				if x > max {
					return []FieldError{{Field: "value", Msg: msg("结果应在 0–%v 之间", "result must be between 0 and %v", max, max)}}
				}
				return nil
			},
			func(r Record) []FieldError {
				if text(r, "monitor_type") == "stack" && text(r, "point") != "" && text(r, "point") != "stack" ||
					text(r, "point") == "stack" && text(r, "monitor_type") != "" && text(r, "monitor_type") != "stack" {
					return []FieldError{{Field: "point", Msg: msg("排气筒监测应选排气筒点位", "stack monitoring goes with the stack point")}}
				}
				return nil
			},
		),
	}
}

// AmmoniaExceeds is the derived exceeds flag: for fence-line readings it is
// true when the value is above the FenceLineLimits of the parameter and
// limit class; for other monitoring types (no fence-line limit applies) and
// incomplete records it is Null.
func AmmoniaExceeds(monitorType, parameter, limitClass string, v Value) Value {
	x, err := v.AsDecimal()
	lim, ok := FenceLineLimits[parameter][limitClass]
	if monitorType != "fence_line" || err != nil || !ok {
		return Null
	}
	return Bool(x > lim)
}

func manureUseLog() *Schema {
	notOwn := func(r Record) bool { d := text(r, "destination"); return d != "" && d != "own_land" }
	toLand := is("destination", "own_land", "contract_land")
	return &Schema{
		Name:   "manure_use_log",
		Label:  Text{ZH: "粪污资源化利用台账", EN: "Manure use log"},
		Family: "livestock",
		Code:   "FWLY",
		Parent: "farm",
		Fields: []Field{
			farmRef(),
			fld("date", KindDate, "日期", "Date", req, today),
			fld("material", KindEnum, "粪污类型", "Material", req, options(opts(
				"solid_manure", "固体粪便", "Solid manure",
				"slurry", "粪水", "Slurry",
				"digestate_liquid", "沼液", "Digestate (liquid)",
				"digestate_solid", "沼渣", "Digestate (solid)",
				"organic_fertiliser", "有机肥", "Organic fertiliser"))),
			fld("quantity", KindDecimal, "数量", "Quantity", req, minVal(0.001)),
			fld("unit", KindEnum, "单位", "Unit", req, options(opts("t", "吨", "t", "m3", "m³", "m³"))),
			fld("treatment", KindEnum, "处理方式", "Treatment", req, options(opts(
				"composting", "堆肥发酵", "Composting",
				"storage", "贮存腐熟", "Storage and maturing",
				"anaerobic", "厌氧发酵", "Anaerobic digestion",
				"separation", "固液分离", "Solid-liquid separation",
				"none", "未处理", "Untreated",
				"other", "其他", "Other"))),
			fld("destination", KindEnum, "去向", "Destination", req, options(opts(
				"own_land", "自有土地还田", "Own land",
				"contract_land", "协议土地还田", "Contracted land",
				"third_party", "委托第三方", "Third party",
				"fertiliser_plant", "出售有机肥厂", "Sold to fertiliser plant",
				"other", "其他", "Other"))),
			fld("receiver", KindText, "接收方", "Receiver", searchable, length(0, 60), when(notOwn), reqIf(notOwn)),
			fld("receiver_phone", KindText, "接收方联系方式", "Receiver phone", phoneCheck, when(notOwn), reqIf(notOwn)),
			fld("field_location", KindGPS, "还田地块位置", "Field location", when(toLand), reqIf(toLand)),
			fld("field_mu", KindDecimal, "还田面积", "Field area", minVal(0.01), unit("亩", "mu"), when(toLand), reqIf(toLand)),
			fld("crop", KindText, "作物", "Crop", length(0, 30)),
			fld("handler", KindText, "经办人", "Handled by", req, length(2, 30)),
			photosField("photos", "凭证照片", "Voucher photos", 0),
			remarksField(),
		},
		TitleField: "date",
		DateField:  "date",
		Statuses: []Status{
			st(UseLogRecorded, "已记录", "Recorded"),
			st(UseLogDoubtful, "存疑", "Doubtful"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: UseLogRecorded,
		Transitions: append([]Transition{
			ret(UseLogRecorded, UseLogDoubtful, "标记存疑", "Mark doubtful"),
			rv(UseLogDoubtful, UseLogRecorded, "解除存疑", "Clear doubt"),
		}, voidFrom(StatusVoid, UseLogRecorded, UseLogDoubtful)...),
		Checks: checks(notFuture("date", "日期", "Date")),
	}
}
