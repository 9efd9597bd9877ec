package model

import (
	"time"
)

// Register 4: dust sources and dust fall (registers.md §4).

// Dust lifecycle status keys.
const (
	SiteSubmitted = "submitted"
	SiteReturned  = "returned"
	SiteActive    = "active"
	SiteSuspended = "suspended"
	SiteClosed    = "closed"

	InspSubmitted  = "submitted"
	InspReturned   = "returned"
	InspCompliant  = "compliant"
	InspToRectify  = "to_rectify"
	InspRectifying = "rectifying"
	InspRectified  = "rectified"
	InspClosed     = "closed"

	ReadingImported = "imported"
	ReadingValid    = "valid"
	ReadingInvalid  = "invalid"

	BareUntreated = "untreated"
	BareTreating  = "treating"
	BareTreated   = "treated"
	BareReturned  = "returned"
	BareClosed    = "closed"

	StationPlanned   = "planned"
	StationInstalled = "installed"
	StationRunning   = "running"
	StationFault     = "fault"

	PointInUse    = "in_use"
	PointDisabled = "disabled"

	DustfallSampling  = "sampling"
	DustfallEntered   = "entered"
	DustfallReturned  = "returned"
	DustfallApproved  = "approved"
	DustfallPublished = "published"
)

// Six100Items are the 六个百分之百 measures: key suffix, Chinese, English.
// The site baseline has six100_<key> booleans; inspections check_<key>
// enums.
var Six100Items = []Option{
	{Key: "fence", Label: Text{ZH: "工地周边围挡", EN: "Site fenced"}},
	{Key: "cover", Label: Text{ZH: "物料堆放覆盖", EN: "Stockpiles covered"}},
	{Key: "wet_excavation", Label: Text{ZH: "土方开挖湿法作业", EN: "Wet excavation"}},
	{Key: "hardened_roads", Label: Text{ZH: "路面硬化", EN: "Roads hardened"}},
	{Key: "vehicle_wash", Label: Text{ZH: "出入车辆清洗", EN: "Vehicles washed"}},
	{Key: "sealed_muck_trucks", Label: Text{ZH: "渣土车辆密闭运输", EN: "Muck trucks sealed"}},
}

func dustSchemas() []func() *Schema {
	return []func() *Schema{constructionSite, siteInspection, dustMonitorReading, bareGround, roadDustStation, dustfallPoint, dustfallMonthly}
}

func constructionSite() *Schema {
	monitored := isTrue("has_online_monitor")
	fields := []Field{
		fld("project_name", KindText, "项目名称", "Project", req, searchable, length(2, 100)),
		fld("site_type", KindEnum, "工地类型", "Site type", req, options(opts(
			"building", "房屋建筑", "Building",
			"municipal", "市政", "Municipal works",
			"road", "道路", "Road",
			"water", "水利", "Water works",
			"demolition", "拆迁（拆除）", "Demolition",
			"rail_transit", "轨道交通", "Rail transit",
			"other", "其他", "Other"))),
		fld("supervising_dept", KindEnum, "行业主管部门", "Supervising department", req, options(opts(
			"housing", "住建", "Housing and construction",
			"transport", "交通运输", "Transport",
			"water", "水利", "Water resources",
			"urban_management", "城管", "Urban management",
			"natural_resources", "自然资源", "Natural resources",
			"other", "其他", "Other"))),
		fld("owner", KindText, "建设单位", "Developer", req, searchable, length(2, 100)),
		fld("contractor", KindText, "施工单位", "Contractor", req, searchable, length(2, 100)),
		fld("supervisor", KindText, "监理单位", "Supervising engineer", length(0, 100)),
		fld("dust_manager", KindText, "扬尘防治责任人", "Dust manager", req, length(2, 30)),
		fld("phone", KindText, "电话", "Phone", req, phoneCheck),
		fld("permit_no", KindText, "施工许可证号", "Construction permit", length(0, 60)),
		townshipField(),
		fld("start_date", KindDate, "开工日期", "Start date", req),
		fld("planned_end_date", KindDate, "计划竣工日期", "Planned completion", req),
		fld("phase", KindEnum, "施工阶段", "Phase", req, options(opts(
			"demolition", "拆除", "Demolition",
			"earthwork", "土石方", "Earthwork",
			"foundation", "地基基础", "Foundation",
			"structure", "主体结构", "Main structure",
			"finishing", "装饰装修", "Finishing",
			"closing", "收尾", "Closing out",
			"halted", "停工", "Halted"))),
		fld("site_area_m2", KindDecimal, "占地面积", "Site area", req, rng(10, 10000000), unit("m²", "m²")),
		fld("in_urban_area", KindBool, "是否在城市建成区", "In the built-up urban area", req),
		locationField("位置（大门）", "Location (main gate)"),
		fld("on_main_road", KindBool, "是否临主要道路", "On a main road"),
		fld("fence_height_m", KindDecimal, "围挡高度", "Fence height", rng(0, 5), unit("米", "m"),
			warn(func(v Value, r Record) *Text {
				h, _ := v.AsDecimal()
				min := 1.8
				if flag(r, "on_main_road") {
					min = 2.5
				}
				if h < min {
					t := msg("围挡低于 %v 米", "fence is lower than %v m", min, min)
					return &t
				}
				return nil
			})),
	}
	for _, it := range Six100Items {
		fields = append(fields, fld("six100_"+it.Key, KindBool, it.Label.ZH, it.Label.EN, req))
	}
	fields = append(fields,
		photosField("six100_photos", "六个百分之百照片", "Six-100% photos", 6, req, help("每项至少 1 张", "at least 1 per item")),
		fld("wash_facility", KindEnum, "冲洗设施", "Wash facility", options(opts(
			"auto_wheel_wash", "自动洗轮机", "Automatic wheel wash",
			"pit_and_gun", "冲洗池+高压水枪", "Wash pit with pressure washer",
			"none", "无", "None")), when(isTrue("six100_vehicle_wash")), reqIf(isTrue("six100_vehicle_wash"))),
		fld("has_online_monitor", KindBool, "是否装扬尘在线监测", "Online dust monitor installed", req),
		fld("monitor_points", KindInteger, "监测点数量", "Monitoring points", rng(0, 1000), when(monitored), reqIf(monitored)),
		fld("monitor_ids", KindTextList, "设备编号", "Monitor ids", length(0, 100), when(monitored), reqIf(monitored)),
		fld("network_platform", KindText, "联网平台", "Network platform", length(0, 60), when(monitored)),
		fld("networked", KindBool, "是否联网", "Networked", when(monitored), reqIf(monitored)),
		fld("has_video", KindBool, "视频监控", "Video surveillance", req),
		remarksField(),
	)
	return &Schema{
		Name:   "construction_site",
		Label:  Text{ZH: "施工工地", EN: "Construction site"},
		Family: "dust",
		Code:   "SGGD",
		Fields: fields,

		TitleField: "project_name",
		DateField:  "start_date",
		Statuses: []Status{
			st(SiteSubmitted, "待审核", "Submitted"),
			st(SiteReturned, "退回", "Returned"),
			st(SiteActive, "已登记（在建）", "Registered (active)"),
			st(SiteSuspended, "停工", "Suspended"),
			final(SiteClosed, "竣工销号", "Completed (closed)"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: SiteSubmitted,
		Transitions: append([]Transition{
			rv(SiteSubmitted, SiteActive, "审核登记", "Approve"),
			ret(SiteSubmitted, SiteReturned, "退回", "Return"),
			tr(SiteReturned, SiteSubmitted, "重新提交", "Resubmit"),
			reopen(SiteActive, SiteSubmitted),
			tr(SiteActive, SiteSuspended, "停工", "Suspend"),
			tr(SiteSuspended, SiteActive, "复工", "Resume"),
			rv(SiteActive, SiteClosed, "竣工销号", "Close"),
			rv(SiteSuspended, SiteClosed, "竣工销号", "Close"),
		}, voidFrom(StatusVoid, SiteSubmitted, SiteReturned)...),
		Checks: checks(
			orderCheck("start_date", "planned_end_date", false, "计划竣工日期不能早于开工日期", "planned completion cannot be before the start"),
			func(r Record) []FieldError {
				if !flag(r, "has_online_monitor") {
					return nil
				}
				n, err := r.Get("monitor_points").AsInt()
				a, ok := num(r, "site_area_m2")
				if err != nil || !ok {
					return nil
				}
				if need := DustRule.PointsRule(a); n < int64(need) {
					return []FieldError{{Field: "monitor_points", Msg: msg("占地面积需要至少 %d 个监测点", "the site area needs at least %d monitoring points", need, need)}}
				}
				return nil
			},
		),
	}
}

func siteInspection() *Schema {
	anyFail := func(r Record) bool {
		for _, it := range Six100Items {
			if text(r, "check_"+it.Key) == "fail" {
				return true
			}
		}
		return false
	}
	checkOpts := opts("pass", "达标", "Compliant", "fail", "不达标", "Not compliant", "na", "不涉及", "Not applicable")
	fields := []Field{
		fld("site", KindRef, "所属工地", "Site", req, ref("construction_site")),
		fld("inspected_at", KindDateTime, "检查时间", "Inspected at", req),
		fld("inspectors", KindTextList, "检查人员", "Inspectors", req, searchable, minItems(1), length(1, 20)),
		fld("org", KindText, "检查单位", "Inspecting body", req, length(2, 60)),
	}
	for _, it := range Six100Items {
		fields = append(fields, fld("check_"+it.Key, KindEnum, it.Label.ZH, it.Label.EN, req, options(checkOpts)))
	}
	fields = append(fields,
		photosField("issue_photos", "问题照片", "Photos of issues", 0, reqIf(anyFail), help("每个不达标项至少 1 张", "at least 1 per failed item")),
		fld("other_issues", KindMultiEnum, "其他问题", "Other issues", options(opts(
			"no_watering", "土石方未洒水", "Earthwork not watered",
			"mud_on_road", "带泥上路", "Mud carried onto roads",
			"monitor_down", "在线监测停运或数据异常", "Online monitor down or abnormal",
			"video_offline", "视频离线", "Video offline",
			"windy_earthwork", "大风天气土方作业", "Earthwork in strong wind",
			"other", "其他", "Other"))),
		fld("monitor_state", KindEnum, "在线监测设备运行情况", "Online monitor state", options(opts(
			"normal", "正常", "Normal",
			"stopped", "停运", "Stopped",
			"abnormal", "数据异常", "Abnormal data",
			"not_networked", "未联网", "Not networked",
			"not_installed", "未安装", "Not installed")), reqIf(statusIn(InspSubmitted, InspToRectify, InspRectifying, InspRectified, InspClosed, InspCompliant))),
		fld("action", KindMultiEnum, "处理措施", "Action", options(opts(
			"fix_on_site", "现场整改", "Fixed on site",
			"order_deadline", "责令限期整改", "Ordered to fix by a date",
			"penalty_case", "立案处罚", "Penalty case opened",
			"stop_work", "停工整改", "Work stopped to fix",
			"notice", "通报", "Public notice",
			"refer", "移交主管部门", "Referred to the department")), reqIf(anyFail)),
		fld("rectify_by", KindDate, "整改期限", "Fix by", reqIf(anyFail)),
		fld("recheck_at", KindDateTime, "复查时间", "Re-checked at", reqIf(statusIn(InspRectified, InspClosed))),
		fld("recheck_result", KindEnum, "复查结论", "Re-check result", options(opts(
			"fixed", "已整改", "Fixed", "not_fixed", "未整改", "Not fixed")), reqIf(statusIn(InspClosed))),
		remarksField(),
	)
	return &Schema{
		Name:   "site_inspection",
		Label:  Text{ZH: "工地检查记录", EN: "Site inspection"},
		Family: "dust",
		Code:   "GDJC",
		Parent: "site",
		Fields: fields,

		TitleField: "inspected_at",
		DateField:  "inspected_at",
		Statuses: []Status{
			st(InspSubmitted, "已提交", "Submitted"),
			st(InspReturned, "退回", "Returned"),
			final(InspCompliant, "已审核（达标）", "Approved (compliant)"),
			st(InspToRectify, "待整改", "To rectify"),
			st(InspRectifying, "整改中", "Rectifying"),
			st(InspRectified, "已整改（待复查）", "Rectified (to re-check)"),
			final(InspClosed, "已销号", "Closed"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: InspSubmitted,
		Transitions: append([]Transition{
			rv(InspSubmitted, InspCompliant, "审核通过（达标）", "Approve (compliant)"),
			rv(InspSubmitted, InspToRectify, "审核通过，下达整改", "Approve and order rectification"),
			ret(InspSubmitted, InspReturned, "退回", "Return"),
			tr(InspReturned, InspSubmitted, "重新提交", "Resubmit"),
			tr(InspToRectify, InspRectifying, "开始整改", "Start rectifying"),
			tr(InspRectifying, InspRectified, "整改完成", "Rectified"),
			rv(InspRectified, InspClosed, "复查通过销号", "Re-check passed (close)"),
			ret(InspRectified, InspRectifying, "复查未通过", "Re-check failed"),
		}, voidFrom(StatusVoid, InspSubmitted, InspReturned)...),
		Checks: checks(
			orderCheck("inspected_at", "recheck_at", false, "复查时间不能早于检查时间", "re-check cannot be before the inspection"),
			notFuture("inspected_at", "检查时间", "Inspection time"),
			func(r Record) []FieldError {
				var errs []FieldError
				if d, t := text(r, "rectify_by"), text(r, "inspected_at"); d != "" && len(t) >= 10 && d < t[:10] {
					errs = append(errs, FieldError{Field: "rectify_by", Msg: msg("整改期限不能早于检查日期", "the fix-by date cannot be before the inspection")})
				}
				fails := 0
				for _, it := range Six100Items {
					if text(r, "check_"+it.Key) == "fail" {
						fails++
					}
				}
				if ph, _ := r.Get("issue_photos").AsList(); fails > 0 && len(ph) < fails {
					errs = append(errs, FieldError{Field: "issue_photos", Msg: msg("每个不达标项至少 1 张照片", "at least one photo per failed item")})
				}
				if statusIn(InspCompliant)(r) && fails > 0 {
					errs = append(errs, FieldError{Field: FieldStatus, Msg: msg("有不达标项，不能按达标审核", "failed items cannot be approved as compliant")})
				}
				return errs
			},
		),
		Warns: []func(Record) []FieldError{func(r Record) []FieldError {
			d := text(r, "rectify_by")
			if d == "" || r.Now.IsZero() || !statusIn(InspToRectify, InspRectifying)(r) {
				return nil
			}
			if r.Now.In(Beijing).Format(LayoutDate) > d {
				return []FieldError{{Field: "rectify_by", Msg: msg("逾期：已过整改期限", "overdue: past the fix-by date")}}
			}
			return nil
		}},
	}
}

func dustMonitorReading() *Schema {
	return &Schema{
		Name:   "dust_monitor_reading",
		Label:  Text{ZH: "扬尘在线监测数据", EN: "Online dust reading"},
		Family: "dust",
		Code:   "YCJC",
		Fields: []Field{
			fld("monitor_id", KindText, "设备编号", "Monitor id", req, searchable, length(1, 60)),
			fld("site", KindRef, "所属工地", "Site", ref("construction_site")),
			fld("hour", KindDateTime, "时段", "Hour", req),
			fld("pm10", KindDecimal, "PM10", "PM10", req, rng(0, 5000), unit("μg/m³", "μg/m³")),
			fld("pm25", KindDecimal, "PM2.5", "PM2.5", rng(0, 5000), unit("μg/m³", "μg/m³")),
			fld("tsp", KindDecimal, "TSP", "TSP", rng(0, 100), unit("mg/m³", "mg/m³")),
			fld("wind_speed", KindDecimal, "风速", "Wind speed", rng(0, 60), unit("m/s", "m/s")),
			fld("wind_dir", KindEnum, "风向", "Wind direction", options(windDirOptions)),
			fld("county_pm10_same_hour", KindDecimal, "同时段县（区）PM10", "County PM10, same hour", rng(0, 5000), unit("μg/m³", "μg/m³")),
			fld("excess", KindDecimal, "超出值", "Excess over county", computed, unit("μg/m³", "μg/m³")),
			fld("exceed_flag", KindBool, "是否超标", "Exceeds", computed),
		},
		TitleField: "monitor_id",
		DateField:  "hour",
		Statuses: []Status{
			st(ReadingImported, "已导入", "Imported"),
			final(ReadingValid, "有效", "Valid"),
			final(ReadingInvalid, "无效", "Invalid"),
		},
		Initial: ReadingImported,
		Transitions: []Transition{
			rv(ReadingImported, ReadingValid, "确认有效", "Mark valid"),
			ret(ReadingImported, ReadingInvalid, "判为无效", "Mark invalid"),
		},
		Derive: func(r Record) map[string]Value {
			ex, flag := DustExcess(r.Get("pm10"), r.Get("county_pm10_same_hour"))
			return map[string]Value{"excess": ex, "exceed_flag": flag}
		},
	}
}

// DustExcess computes the derived excess = pm10 − min(county, cap) and the
// exceed flag (excess > limit) under DustRule; both Null without the two
// readings.
func DustExcess(pm10, county Value) (excess, exceeds Value) {
	p, e1 := pm10.AsDecimal()
	c, e2 := county.AsDecimal()
	if e1 != nil || e2 != nil {
		return Null, Null
	}
	if c > DustRule.CountyCap {
		c = DustRule.CountyCap
	}
	x := p - c
	return Decimal(float64(int64(x*10+copysignHalf(x))) / 10), Bool(x > DustRule.Limit)
}

func copysignHalf(x float64) float64 {
	if x < 0 {
		return -0.5
	}
	return 0.5
}

var measureOptions = opts(
	"fence", "围挡", "Fencing",
	"cover", "苫盖（密目防尘网）", "Covering (dust net)",
	"sweep", "洒扫", "Sweeping and watering",
	"greening", "绿化", "Greening",
	"hardening", "硬化", "Hard surfacing",
	"suppressant", "喷洒抑尘剂", "Dust suppressant",
	"none", "无", "None")

func bareGround() *Schema {
	untreated := func(r Record) bool {
		l, _ := r.Get("measures").AsList()
		return len(l) == 0 || len(l) == 1 && l[0] == "none"
	}
	return &Schema{
		Name:   "bare_ground",
		Label:  Text{ZH: "裸露地面/易产尘堆放场所", EN: "Bare ground and dusty yards"},
		Family: "dust",
		Code:   "LDTB",
		Fields: []Field{
			fld("patch_no", KindText, "图斑/点位编号", "Patch number", req, searchable, length(1, 40)),
			fld("name", KindText, "点位名称", "Name", req, searchable, length(2, 60)),
			fld("kind", KindEnum, "类型", "Kind", req, options(opts(
				"urban_bare", "城市连片裸露地面", "Urban bare ground",
				"material_yard", "易产尘堆放场所（物料堆场）", "Dusty material yard",
				"derelict_plant", "废旧厂区", "Derelict works",
				"demolition_plot", "拆迁地块", "Demolition plot",
				"idle_land", "闲置土地", "Idle land",
				"other", "其他", "Other"))),
			townshipField(),
			fld("owner_org", KindText, "权属/管理单位", "Owner or manager", req, length(2, 60),
				help("不明时填属地街道/乡镇", "if unknown, the township")),
			fld("resp_person", KindText, "责任人", "Person responsible", req, length(2, 30)),
			fld("phone", KindText, "电话", "Phone", req, phoneCheck),
			fld("area_m2", KindDecimal, "面积", "Area", req, rng(1, 10000000), unit("m²", "m²")),
			locationField("位置", "Location"),
			fld("polygon", KindGPSList, "边界", "Boundary", length(0, 2000)),
			fld("measures", KindMultiEnum, "已采取抑尘措施", "Measures taken", req, minItems(1), options(measureOptions)),
			fld("planned_measures", KindMultiEnum, "计划措施", "Planned measures", options(measureOptions[:len(measureOptions)-1]),
				reqIf(either(untreated, statusIn(BareUntreated, BareTreating)))),
			fld("due_date", KindDate, "完成时限", "Due date", reqIf(either(untreated, statusIn(BareUntreated, BareTreating)))),
			photosField("before_photos", "治理前照片", "Photos before", 1, req),
			photosField("after_photos", "治理后照片", "Photos after", 1, reqIf(statusIn(BareTreated, BareClosed))),
			fld("last_update", KindDate, "最近更新日期", "Last updated", req,
				warn(func(v Value, r Record) *Text {
					s, _ := v.AsText()
					d, err := time.Parse(LayoutDate, s)
					if err != nil || r.Now.IsZero() {
						return nil
					}
					n := r.Now.In(Beijing)
					today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
					if days := int(today.Sub(d).Hours() / 24); days > BareGroundStaleDays {
						t := msg("已 %d 天未更新（应每月更新）", "not updated for %d days (monthly updates are due)", days, days)
						return &t
					}
					return nil
				})),
			remarksField(),
		},
		TitleField: "name",
		DateField:  "last_update",
		Statuses: []Status{
			st(BareUntreated, "已排查建档（未治理）", "Filed (untreated)"),
			st(BareTreating, "治理中", "Treatment under way"),
			st(BareTreated, "已治理（待核查）", "Treated (to check)"),
			st(BareReturned, "退回", "Returned"),
			st(BareClosed, "已销号", "Closed"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: BareUntreated,
		Transitions: append([]Transition{
			tr(BareUntreated, BareTreating, "开始治理", "Start treatment"),
			tr(BareTreating, BareTreated, "治理完成", "Report treated"),
			tr(BareUntreated, BareTreated, "治理完成", "Report treated"),
			rv(BareTreated, BareClosed, "核查通过销号", "Approve (close)"),
			ret(BareTreated, BareReturned, "退回", "Return"),
			tr(BareReturned, BareTreated, "重新提交", "Resubmit"),
			tr(BareReturned, BareTreating, "继续治理", "Continue treatment"),
			tr(BareClosed, BareUntreated, "复发", "Recurred"),
			reopen(BareClosed, BareTreated),
		}, voidFrom(StatusVoid, BareUntreated, BareTreating, BareReturned)...),
		Checks: checks(
			notFuture("last_update", "最近更新日期", "Last update"),
			func(r Record) []FieldError {
				if l, _ := r.Get("measures").AsList(); len(l) > 1 && hasItem(r, "measures", "none") {
					return []FieldError{{Field: "measures", Msg: msg("“无”不能与其他措施同选", `"none" cannot be combined with other measures`)}}
				}
				return nil
			},
		),
	}
}

func roadDustStation() *Schema {
	heavy := is("basis", "enterprise_road", "place_road")
	return &Schema{
		Name:   "road_dust_station",
		Label:  Text{ZH: "道路扬尘固定监测站点", EN: "Road dust station"},
		Family: "dust",
		Code:   "DLZD",
		Fields: []Field{
			fld("station_no", KindText, "站点编号", "Station number", req, searchable, length(1, 40)),
			fld("name", KindText, "站点名称", "Station name", req, searchable, length(2, 60)),
			fld("road_name", KindText, "道路/场所名称", "Road or place", req, length(2, 60)),
			townshipField(),
			locationField("位置", "Location"),
			fld("basis", KindEnum, "设置依据", "Basis", req, options(opts(
				"urban_main_road", "进入城市市区主要道路", "Main road into the city",
				"enterprise_road", "重点企业进出道路（日≥500辆货车及工程机械）", "Access road of a key enterprise (≥ 500 heavy vehicles a day)",
				"place_road", "重点场所进出道路", "Access road of a key place"))),
			fld("daily_heavy_vehicles", KindInteger, "日均货车及工程机械数", "Heavy vehicles a day", rng(0, 1000000), unit("辆", "vehicles"), reqIf(heavy)),
			fld("linked_entity", KindText, "关联企业/场所", "Enterprise or place", length(0, 100), reqIf(heavy)),
			fld("parameters", KindMultiEnum, "监测指标", "Parameters", req, minItems(1), options(opts(
				"pm10", "PM10", "PM10", "pm25", "PM2.5", "PM2.5", "tsp", "TSP", "TSP", "met", "气象", "Weather"))),
			fld("networked", KindBool, "是否联网", "Networked", req),
			fld("run_state", KindEnum, "运行状态", "Operation", req, options(opts(
				"normal", "正常", "Normal", "fault", "故障", "Fault", "stopped", "停运", "Stopped"))),
			fld("silt_loading_g_m2", KindDecimal, "积尘负荷（走航）", "Silt loading (mobile)", rng(0, 100), unit("g/m²", "g/m²")),
			remarksField(),
		},
		TitleField: "name",
		Statuses: []Status{
			st(StationPlanned, "规划", "Planned"),
			st(StationInstalled, "已安装", "Installed"),
			st(StationRunning, "已联网运行", "Networked and running"),
			st(StationFault, "故障/停运", "Fault or stopped"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: StationPlanned,
		Transitions: append([]Transition{
			tr(StationPlanned, StationInstalled, "安装完成", "Installed"),
			rv(StationInstalled, StationRunning, "确认联网运行", "Confirm running"),
			tr(StationRunning, StationFault, "报故障/停运", "Report fault"),
			tr(StationFault, StationRunning, "恢复运行", "Back in service"),
		}, voidFrom(StatusVoid, StationPlanned, StationInstalled, StationFault)...),
		Warns: []func(Record) []FieldError{func(r Record) []FieldError {
			if n, err := r.Get("daily_heavy_vehicles").AsInt(); err == nil && n < 500 && is("basis", "enterprise_road")(r) {
				return []FieldError{{Field: "daily_heavy_vehicles", Msg: msg("日均不足 500 辆，非强制设站", "fewer than 500 a day: a station is not mandatory")}}
			}
			return nil
		}},
	}
}

func dustfallPoint() *Schema {
	return &Schema{
		Name:        "dustfall_point",
		Label:       Text{ZH: "降尘监测点位", EN: "Dust-fall point"},
		Family:      "dust",
		Code:        "JCDW",
		CreateRoles: reviewRoles,
		Fields: []Field{
			fld("point_no", KindText, "点位编号", "Point number", req, searchable, length(1, 40)),
			fld("name", KindText, "点位名称", "Point name", req, searchable, length(2, 60)),
			townshipField(),
			locationField("位置", "Location"),
			fld("point_type", KindEnum, "点位类型", "Point type", req, options(opts(
				"regular", "常规点", "Regular", "control", "对照点", "Control"))),
			fld("install_height_m", KindDecimal, "安装高度", "Installation height", rng(0, 100), unit("米", "m")),
			remarksField(),
		},
		TitleField: "name",
		Statuses: []Status{
			st(PointInUse, "在用", "In use"),
			st(PointDisabled, "停用", "Disabled"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: PointInUse,
		Transitions: append([]Transition{
			rv(PointInUse, PointDisabled, "停用", "Disable"),
			rv(PointDisabled, PointInUse, "启用", "Enable"),
		}, voidFrom(StatusVoid, PointInUse, PointDisabled)...),
	}
}

func dustfallMonthly() *Schema {
	return &Schema{
		Name:   "dustfall_monthly",
		Label:  Text{ZH: "降尘月度监测", EN: "Monthly dust fall"},
		Family: "dust",
		Code:   "JCYD",
		Parent: "point",
		Fields: []Field{
			fld("point", KindRef, "点位", "Point", req, ref("dustfall_point")),
			fld("month", KindMonth, "月份", "Month", req),
			fld("start_date", KindDate, "开始日期", "Start date", req),
			fld("end_date", KindDate, "结束日期", "End date", req),
			fld("dustfall", KindDecimal, "降尘量", "Dust fall", rng(0, 100), unit("吨/(平方公里·30天)", "t/(km²·30d)"),
				reqIf(statusIn(DustfallEntered, DustfallApproved, DustfallPublished, DustfallReturned)),
				warn(func(v Value, _ Record) *Text {
					if x, _ := v.AsDecimal(); x > DustfallWarn {
						t := msg("降尘量超过 %v，请核实", "dust fall above %v; please check", DustfallWarn, DustfallWarn)
						return &t
					}
					return nil
				})),
			fld("valid", KindBool, "是否有效", "Valid", req, help("集尘缸破损、冻裂、污染等为无效", "invalid if the collector was broken, frozen or contaminated")),
			fld("lab", KindText, "分析单位", "Laboratory", searchable, length(0, 60)),
			remarksField(),
		},
		TitleField: "month",
		DateField:  "end_date",
		Statuses: []Status{
			st(DustfallSampling, "采样中", "Sampling"),
			st(DustfallEntered, "已称量录入", "Weighed and entered"),
			st(DustfallReturned, "退回", "Returned"),
			st(DustfallApproved, "已审核", "Approved"),
			final(DustfallPublished, "已发布（排名）", "Published (ranked)"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: DustfallSampling,
		Transitions: append([]Transition{
			tr(DustfallSampling, DustfallEntered, "录入结果", "Enter result"),
			rv(DustfallEntered, DustfallApproved, "审核通过", "Approve"),
			ret(DustfallEntered, DustfallReturned, "退回", "Return"),
			tr(DustfallReturned, DustfallEntered, "重新提交", "Resubmit"),
			reopen(DustfallApproved, DustfallEntered),
			rv(DustfallApproved, DustfallPublished, "发布排名", "Publish"),
		}, voidFrom(StatusVoid, DustfallSampling, DustfallEntered, DustfallReturned)...),
		Checks: checks(
			orderCheck("start_date", "end_date", true, "结束日期应晚于开始日期", "end must be after start"),
			func(r Record) []FieldError {
				a, e1 := time.Parse(LayoutDate, text(r, "start_date"))
				b, e2 := time.Parse(LayoutDate, text(r, "end_date"))
				if e1 != nil || e2 != nil || !b.After(a) {
					return nil
				}
				var errs []FieldError
				if d := int(b.Sub(a).Hours() / 24); d < DustfallMinDays || d > DustfallMaxDays {
					errs = append(errs, FieldError{Field: "end_date", Msg: msg("采样期应为 %d–%d 天，现为 %d 天", "the sampling period must be %d–%d days, not %d",
						DustfallMinDays, DustfallMaxDays, d, DustfallMinDays, DustfallMaxDays, d)})
				}
				if m := text(r, "month"); m != "" && m != b.Format(LayoutMonth) && m != a.Format(LayoutMonth) {
					errs = append(errs, FieldError{Field: "month", Msg: msg("月份与采样期不符", "the month does not match the sampling period")})
				}
				return errs
			},
		),
	}
}

// Sampling period bounds for a monthly dust-fall reading (INF, based on
// the unit's 30-day basis).
const (
	DustfallMinDays = 28
	DustfallMaxDays = 32
)
