package model

import "time"

// Register 2: 秸秆禁烧 grids, patrols and fire points (registers.md §2).

// Straw lifecycle status keys.
const (
	GridInUse    = "in_use"
	GridDisabled = "disabled"

	PatrolDraft      = "draft"
	PatrolSubmitted  = "submitted"
	PatrolReturned   = "returned"
	PatrolReviewed   = "reviewed"
	PatrolSummarized = "summarized"

	FirePending   = "pending"
	FireVerifying = "verifying"
	FireVerified  = "verified"
	FireReturned  = "returned"
	FireHandled   = "handled"
	FireReviewed  = "reviewed"
	FireReported  = "reported"

	StatusVoid = "void"
)

// FireConfirmedVerdicts are the fire_point verdicts that confirm a burning
// and need 处置 (burned material, area, enforcement, party).
var FireConfirmedVerdicts = []string{"confirmed_straw", "confirmed_other_open"}

// FireVerifyDue is the default time from push to due check (山东 24 h).
const FireVerifyDue = 24 * time.Hour

// FireDistanceWarnM is the distance between pushed and verified positions
// above which the verification is flagged (MODIS pixels are about 1 km).
const FireDistanceWarnM = 1000

// Straw fine range (元) as quoted for open straw burning; fines outside it
// are flagged.
const (
	StrawFineMin = 500
	StrawFineMax = 2000
)

func strawSchemas() []func() *Schema {
	return []func() *Schema{strawGrid, strawPatrol, firePoint}
}

func strawGrid() *Schema {
	return &Schema{
		Name:        "straw_grid",
		Label:       Text{ZH: "秸秆禁烧网格", EN: "Straw-burning grid"},
		Family:      "straw",
		Code:        "JGWG",
		CreateRoles: reviewRoles,
		Fields: []Field{
			fld("grid_no", KindText, "网格编号", "Grid number", req, searchable, length(1, 40)),
			fld("grid_level", KindEnum, "网格层级", "Grid level", req, options(opts(
				"county", "县", "County", "township", "乡", "Township",
				"village", "村", "Village", "group", "组", "Group", "plot", "地块", "Plot"))),
			fld("parent_grid", KindRef, "上级网格", "Parent grid", ref("straw_grid"),
				reqIf(func(r Record) bool { return text(r, "grid_level") != "" && text(r, "grid_level") != "county" })),
			fld("grid_leader", KindText, "网格长", "Grid leader", req, searchable, length(2, 30)),
			fld("grid_members", KindTextList, "网格员", "Grid members", req, minItems(1), length(1, 50)),
			fld("phone", KindText, "联系电话", "Phone", req, phoneCheck),
			townshipField(),
			villageField(false),
			fld("area_desc", KindLongText, "范围描述", "Area description", req, length(2, 500)),
			fld("boundary", KindGPSList, "边界", "Boundary", length(0, 2000)),
			fld("cropland_mu", KindDecimal, "耕地面积", "Cropland", rng(0, 500000), unit("亩", "mu")),
			fld("priority_flags", KindMultiEnum, "重点区域标识", "Priority areas", options(opts(
				"past_fires", "往年火点较多", "Many fires in past years",
				"expressway", "高速公路沿线", "Along expressways",
				"high_speed_rail", "高速铁路沿线", "Along high-speed railways",
				"national_road", "国道省道沿线", "Along national and provincial roads",
				"airport", "机场周边", "Near airports",
				"city_edge", "城市周边", "Around cities"))),
			remarksField(),
		},
		TitleField:   "grid_no",
		VillageField: FieldVillage,
		Statuses: []Status{
			st(GridInUse, "在用", "In use"),
			st(GridDisabled, "停用", "Disabled"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: GridInUse,
		Transitions: append([]Transition{
			rv(GridInUse, GridDisabled, "停用", "Disable"),
			rv(GridDisabled, GridInUse, "启用", "Enable"),
		}, voidFrom(StatusVoid, GridInUse, GridDisabled)...),
		Checks: checks(func(r Record) []FieldError {
			if ps, err := r.Get("boundary").AsPoints(); err == nil && len(ps) > 0 && len(ps) < 3 {
				return []FieldError{{Field: "boundary", Msg: msg("边界至少 3 个点", "a boundary needs at least 3 points")}}
			}
			return nil
		}),
	}
}

func strawPatrol() *Schema {
	found := func(r Record) bool { return flag(r, "fire_found") || flag(r, "scar_found") }
	return &Schema{
		Name:   "straw_patrol",
		Label:  Text{ZH: "秸秆禁烧巡查记录", EN: "Straw-burning patrol"},
		Family: "straw",
		Code:   "JGXC",
		Parent: "grid",
		Fields: []Field{
			fld("patrol_date", KindDate, "巡查日期", "Patrol date", req, today),
			fld("start_at", KindDateTime, "开始时间", "Start", req),
			fld("end_at", KindDateTime, "结束时间", "End", req),
			fld("patrollers", KindTextList, "巡查人员", "Patrollers", req, searchable, minItems(1), length(1, 20)),
			fld("grid", KindRef, "所属网格", "Grid", req, ref("straw_grid")),
			townshipField(),
			villageField(true),
			fld("area_desc", KindText, "巡查区域", "Area patrolled", req, length(2, 200)),
			fld("track", KindGPSList, "巡查路线", "Track", length(0, 5000)),
			fld("method", KindMultiEnum, "巡查方式", "Method", req, minItems(1), options(opts(
				"on_foot", "徒步", "On foot",
				"vehicle", "车巡", "By vehicle",
				"drone", "无人机", "Drone",
				"video", "视频监控", "Video surveillance",
				"night", "夜间巡查", "Night patrol"))),
			fld("fire_found", KindBool, "是否发现火点", "Fire found", req),
			fld("scar_found", KindBool, "是否发现焚烧痕迹（黑斑）", "Burn scar found", req),
			fld("findings_count", KindInteger, "发现数量", "Findings", rng(0, 1000), when(found), reqIf(found)),
			fld("finding_locations", KindGPSList, "发现位置", "Finding locations", length(0, 1000), when(found), reqIf(found)),
			fld("burned_area_mu", KindDecimal, "火点/痕迹面积", "Burned area", rng(0.01, 5000), unit("亩", "mu"), when(found), reqIf(found)),
			fld("onsite_action", KindEnum, "当场处置", "Action on site", options(opts(
				"extinguished", "已扑灭", "Extinguished",
				"dissuaded", "劝导制止", "Stopped by persuasion",
				"referred", "上报移交", "Reported and handed over",
				"none_needed", "无需处置", "No action needed")), when(found), reqIf(found)),
			fld("fire_point_ids", KindRefList, "生成火点记录", "Fire point records", ref("fire_point"),
				// Grid staff may not create fire points; the county's
				// approval registers them (internal/review), so they are
				// required from then on.
				when(found), reqIf(func(r Record) bool { return found(r) && statusIn(PatrolReviewed, PatrolSummarized)(r) })),
			fld("outreach", KindLongText, "宣传情况", "Outreach", length(0, 1000)),
			photosField("photos", "照片", "Photos", 1, reqIf(found),
				help("零报告建议附 1 张路线照片；每处发现至少 2 张", "a route photo is advised for a zero report; 2 per finding")),
			fld("zero_report", KindBool, "零报告", "Zero report", req),
			remarksField(),
		},
		TitleField:   "patrol_date",
		VillageField: FieldVillage,
		DateField:    "patrol_date",
		Statuses: []Status{
			st(PatrolDraft, "草稿", "Draft"),
			st(PatrolSubmitted, "已提交", "Submitted"),
			st(PatrolReturned, "退回", "Returned"),
			st(PatrolReviewed, "已审核（乡镇）", "Reviewed (township)"),
			final(PatrolSummarized, "已汇总（县）", "Summarised (county)"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: PatrolDraft,
		Transitions: append([]Transition{
			tr(PatrolDraft, PatrolSubmitted, "提交", "Submit"),
			rv(PatrolSubmitted, PatrolReviewed, "审核通过", "Approve"),
			ret(PatrolSubmitted, PatrolReturned, "退回", "Return"),
			tr(PatrolReturned, PatrolSubmitted, "重新提交", "Resubmit"),
			tr(PatrolReturned, PatrolDraft, "改为草稿", "Back to draft"),
			rv(PatrolReviewed, PatrolSummarized, "汇总", "Summarise"),
			reopen(PatrolReviewed, PatrolSubmitted),
		}, voidFrom(StatusVoid, PatrolDraft, PatrolSubmitted, PatrolReturned)...),
		Checks: checks(
			orderCheck("start_at", "end_at", true, "结束时间应晚于开始时间", "end must be after start"),
			notFuture("patrol_date", "巡查日期", "Patrol date"),
			func(r Record) []FieldError {
				var errs []FieldError
				a, ea := parseAny(text(r, "start_at"))
				b, eb := parseAny(text(r, "end_at"))
				if ea == nil && eb == nil && b.Sub(a) > 24*time.Hour {
					errs = append(errs, FieldError{Field: "end_at", Msg: msg("巡查时长不能超过 24 小时", "a patrol cannot last more than 24 hours")})
				}
				f := flag(r, "fire_found") || flag(r, "scar_found")
				if z := r.Get("zero_report"); !z.IsNull() && !r.Get("fire_found").IsNull() && !r.Get("scar_found").IsNull() {
					if flag(r, "zero_report") == f {
						errs = append(errs, FieldError{Field: "zero_report", Msg: msg("零报告应当且仅当没有发现火点或痕迹", "a zero report is exactly a patrol with no findings")})
					}
				}
				n, err := r.Get("findings_count").AsInt()
				if err == nil {
					if f && n < 1 {
						errs = append(errs, FieldError{Field: "findings_count", Msg: msg("有发现时数量至少为 1", "findings must be at least 1 when something was found")})
					}
					if !f && n != 0 {
						errs = append(errs, FieldError{Field: "findings_count", Msg: msg("未发现时数量应为 0", "findings must be 0 when nothing was found")})
					}
					if ps, err := r.Get("finding_locations").AsPoints(); err == nil && !r.Get("finding_locations").IsNull() && int64(len(ps)) != n {
						errs = append(errs, FieldError{Field: "finding_locations", Msg: msg("每处发现应有一个位置", "give one location per finding")})
					}
					if ph, _ := r.Get("photos").AsList(); f && int64(len(ph)) < 2*n {
						errs = append(errs, FieldError{Field: "photos", Msg: msg("每处发现至少 2 张照片", "at least 2 photos per finding")})
					}
				}
				if ps, err := r.Get("track").AsPoints(); err == nil && len(ps) == 1 {
					errs = append(errs, FieldError{Field: "track", Msg: msg("路线至少 2 个点", "a track needs at least 2 points")})
				}
				return errs
			},
		),
		// A zero report may be saved without a photo (a quick log from the
		// field), but a route photo is what makes it checkable.
		Warns: []func(Record) []FieldError{func(r Record) []FieldError {
			if !flag(r, "zero_report") {
				return nil
			}
			if ph, _ := r.Get("photos").AsList(); len(ph) == 0 {
				return []FieldError{{Field: "photos", Msg: msg("零报告建议附 1 张路线照片", "a zero report should have a route photo")}}
			}
			return nil
		}},
	}
}

func firePoint() *Schema {
	confirmed := is("verdict", FireConfirmedVerdicts...)
	verifiedOn := statusIn(FireVerified, FireReturned, FireHandled, FireReviewed, FireReported)
	// The check applies once grid staff are sent (核查中) and after; a
	// voided point keeps what was found.
	checking := statusIn(FireVerifying, FireVerified, FireReturned, FireHandled, FireReviewed, FireReported, StatusVoid)
	needsNote := is("verdict", "not_burning", "other_fire", "no_trace", "unreachable")
	return &Schema{
		Name:        "fire_point",
		Label:       Text{ZH: "火点核查", EN: "Fire point check"},
		Family:      "straw",
		Code:        "HDHC",
		CreateRoles: reviewRoles,
		Fields: []Field{
			// Push part: filled from the source.
			fld("source_fire_id", KindText, "火点编号", "Fire point id", req, searchable, length(1, 60), countyOnly),
			fld("source", KindEnum, "来源", "Source", req, options(opts(
				"satellite_mee", "卫星遥感—生态环境部", "Satellite (MEE)",
				"satellite_province", "卫星遥感—省级", "Satellite (province)",
				"video_infrared", "视频监控（红外报警）", "Video (infrared alarm)",
				"drone", "无人机", "Drone",
				"patrol", "巡查发现", "Found on patrol",
				"public_report", "群众举报", "Public report",
				"assigned", "上级交办", "Assigned from above"))),
			fld("sensor", KindEnum, "卫星/传感器", "Satellite sensor", options(opts(
				"terra_modis", "Terra-MODIS", "Terra-MODIS",
				"aqua_modis", "Aqua-MODIS", "Aqua-MODIS",
				"npp_viirs", "NPP-VIIRS", "NPP-VIIRS",
				"noaa20_viirs", "NOAA-20-VIIRS", "NOAA-20-VIIRS",
				"fy3d", "FY-3D", "FY-3D",
				"himawari", "Himawari", "Himawari",
				"other", "其他", "Other")), reqIf(is("source", "satellite_mee", "satellite_province"))),
			fld("detected_at", KindDateTime, "卫星过境/发现时间", "Detected at", req),
			fld("pushed_at", KindDateTime, "推送时间", "Pushed at", req),
			fld("pushed_location", KindGPS, "中心经纬度", "Pushed position", req),
			fld("pushed_county", KindCounty, "推送所属县", "Pushed county", req),
			fld("pushed_township", KindText, "推送所属乡镇", "Pushed township", req, length(2, 30)),
			fld("due_at", KindDateTime, "核查时限", "Check due by", req, help("默认推送后 24 小时", "default: 24 h after push")),
			// The township and village the county assigns the point to.
			optionalField(townshipField()),
			villageField(false),
			// Verification part.
			fld("verifiers", KindTextList, "核查人员", "Verifiers", searchable, minItems(1), length(1, 10), when(checking), reqIf(verifiedOn),
				warn(func(v Value, _ Record) *Text {
					if l, _ := v.AsList(); len(l) < 2 {
						t := msg("建议至少 2 人核查", "at least 2 verifiers are recommended")
						return &t
					}
					return nil
				})),
			fld("arrived_at", KindDateTime, "到场时间", "Arrived at", when(checking), reqIf(verifiedOn)),
			fld("verified_location", KindGPS, "现场位置", "Position on site", when(checking), reqIf(verifiedOn),
				warn(func(v Value, r Record) *Text {
					p, err1 := v.AsPoint()
					q, err2 := r.Get("pushed_location").AsPoint()
					if err1 != nil || err2 != nil {
						return nil
					}
					if d := DistanceM(p, q); d > FireDistanceWarnM {
						t := msg("距推送位置 %.0f 米，超过 %d 米", "%.0f m from the pushed position (over %d m)", d, FireDistanceWarnM, d, FireDistanceWarnM)
						return &t
					}
					return nil
				})),
			fld("verdict", KindEnum, "核查结论", "Verdict", when(checking), reqIf(verifiedOn), options(opts(
				"confirmed_straw", "确认—秸秆焚烧", "Confirmed: straw burning",
				"confirmed_other_open", "确认—其他露天焚烧（垃圾、杂草、落叶等）", "Confirmed: other open burning",
				"not_burning", "非焚烧热源（工业热源、烟囱、大棚、光伏反光等）", "Not burning (industrial heat, chimney, greenhouse, solar glare)",
				"other_fire", "其他火情（林草火灾、建筑火灾、殡葬、生活用火）", "Other fire (wildfire, building, funeral, cooking)",
				"no_trace", "查否—现场无焚烧痕迹", "False alarm: no trace",
				"unreachable", "无法到达", "Unreachable"))),
			fld("burned_material", KindEnum, "焚烧物", "Material burned", when(confirmed), reqIf(confirmed), options(opts(
				"wheat", "小麦秸秆", "Wheat straw",
				"corn", "玉米秸秆", "Maize straw",
				"rice", "水稻秸秆", "Rice straw",
				"other_straw", "其他秸秆", "Other straw",
				"weeds_leaves", "杂草落叶", "Weeds and leaves",
				"household_waste", "生活垃圾", "Household waste",
				"other", "其他", "Other"))),
			fld("burned_area_mu", KindDecimal, "过火面积", "Burned area", rng(0.01, 5000), unit("亩", "mu"), when(confirmed), reqIf(confirmed)),
			fld("fire_state", KindEnum, "明火状态", "Fire state", when(confirmed), reqIf(confirmed), options(opts(
				"open_flame", "明火", "Open flame",
				"embers", "余烬", "Embers",
				"out", "已熄灭（仅痕迹）", "Out (traces only)"))),
			photosField("verify_photos", "现场照片", "Photos on site", 3, when(checking), reqIf(verifiedOn),
				help("至少 3 张：远景、近景、带经纬度水印", "at least 3: wide, close-up, with GPS watermark")),
			fld("party_identified", KindBool, "当事人是否查明", "Party identified", when(confirmed), reqIf(confirmed)),
			fld("party_name", KindText, "当事人姓名", "Party name", length(0, 30), when(isTrue("party_identified")), reqIf(isTrue("party_identified"))),
			fld("party_id", KindText, "当事人身份证", "Party ID card", idCheck, when(isTrue("party_identified")),
				help("加密保存，脱敏显示；处罚时必填", "stored encrypted, shown masked; required with a fine"),
				reqIf(func(r Record) bool { return flag(r, "party_identified") && hasItem(r, "enforcement", "fine") })),
			fld("extinguished_at", KindDateTime, "扑灭时间", "Extinguished at", when(is("fire_state", "open_flame", "embers")), reqIf(is("fire_state", "open_flame", "embers"))),
			fld("enforcement", KindMultiEnum, "处理措施", "Enforcement", when(confirmed), reqIf(confirmed), options(opts(
				"order_correct", "责令改正", "Order to correct",
				"fine", "罚款", "Fine",
				"education", "批评教育", "Warning and education",
				"police", "移送公安", "Referred to police",
				"none", "无", "None"))),
			fld("fine_yuan", KindDecimal, "罚款金额", "Fine", minVal(0), unit("元", "yuan"),
				when(func(r Record) bool { return hasItem(r, "enforcement", "fine") }),
				reqIf(func(r Record) bool { return hasItem(r, "enforcement", "fine") }),
				warn(func(v Value, _ Record) *Text {
					if x, _ := v.AsDecimal(); x < StrawFineMin || x > StrawFineMax {
						t := msg("罚款通常为 %d–%d 元", "fines are usually %d–%d yuan", StrawFineMin, StrawFineMax, StrawFineMin, StrawFineMax)
						return &t
					}
					return nil
				})),
			fld("accountability", KindLongText, "责任追究", "Accountability", length(0, 500)),
			fld("verify_note", KindLongText, "核查说明", "Verification note", length(0, 1000), reqIf(needsNote)),
			fld("recheck_result", KindEnum, "抽查复核结果", "Spot re-check result", countyOnly, options(opts(
				"consistent", "复核一致", "Consistent",
				"inconsistent", "复核不一致", "Inconsistent"))),
			fld("patrol", KindRef, "来源巡查记录", "From patrol", ref("straw_patrol")),
			remarksField(),
		},
		TitleField:   "source_fire_id",
		VillageField: FieldVillage,
		DateField:    "detected_at",
		Statuses: []Status{
			st(FirePending, "待核查", "To check"),
			st(FireVerifying, "核查中", "Checking"),
			st(FireVerified, "已核查", "Checked"),
			st(FireReturned, "退回重查", "Returned"),
			st(FireHandled, "已处置", "Handled"),
			st(FireReviewed, "已审核", "Reviewed"),
			final(FireReported, "已上报", "Reported"),
			final(StatusVoid, "作废", "Void"),
		},
		Initial: FirePending,
		Transitions: append([]Transition{
			tr(FirePending, FireVerifying, "派人核查", "Dispatch"),
			tr(FireVerifying, FireVerified, "提交核查", "Submit check"),
			rv(FireVerified, FireReviewed, "审核通过", "Approve"),
			ret(FireVerified, FireReturned, "退回重查", "Return for re-check"),
			tr(FireReturned, FireVerified, "重新提交", "Resubmit"),
			tr(FireVerified, FireHandled, "处置完成", "Handled"),
			rv(FireHandled, FireReviewed, "审核通过", "Approve"),
			ret(FireHandled, FireReturned, "退回", "Return"),
			rv(FireReviewed, FireReported, "上报", "Report upward"),
			ret(FireReviewed, FireVerifying, "抽查复核", "Spot re-check"),
			reopen(FireReviewed, FireVerified),
		}, voidFrom(StatusVoid, FirePending, FireVerifying, FireVerified, FireReturned)...),
		Checks: checks(
			orderCheck("detected_at", "pushed_at", false, "推送时间不能早于发现时间", "push cannot be before detection"),
			orderCheck("pushed_at", "due_at", false, "核查时限不能早于推送时间", "due time cannot be before the push"),
			orderCheck("pushed_at", "arrived_at", false, "到场时间不能早于推送时间", "arrival cannot be before the push"),
			orderCheck("arrived_at", "extinguished_at", false, "扑灭时间不能早于到场时间", "extinguishing cannot be before arrival"),
			notFuture("arrived_at", "到场时间", "Arrival"),
			func(r Record) []FieldError {
				var errs []FieldError
				if s := text(r, "verify_note"); s != "" && needsNote(r) && len([]rune(s)) < 10 {
					errs = append(errs, FieldError{Field: "verify_note", Msg: msg("核查说明至少 10 个字", "the note needs at least 10 characters")})
				}
				// Records in a status past 核查 must keep to the lifecycle:
				// 已处置 is for confirmed fires only.
				if statusIn(FireHandled)(r) && text(r, "verdict") != "" && !confirmed(r) {
					errs = append(errs, FieldError{Field: FieldStatus, Msg: msg("只有确认焚烧的火点需要处置", "only confirmed fires are handled")})
				}
				if l, _ := r.Get("enforcement").AsList(); len(l) > 1 && hasItem(r, "enforcement", "none") {
					errs = append(errs, FieldError{Field: "enforcement", Msg: msg("“无”不能与其他措施同选", `"none" cannot be combined with other measures`)})
				}
				return errs
			},
		),
		Warns: []func(Record) []FieldError{func(r Record) []FieldError {
			a, ea := parseAny(text(r, "arrived_at"))
			d, ed := parseAny(text(r, "due_at"))
			if ea == nil && ed == nil && a.After(d) {
				return []FieldError{{Field: "arrived_at", Msg: msg("逾期：到场晚于核查时限", "overdue: arrived after the due time")}}
			}
			if ea != nil && ed == nil && !r.Now.IsZero() && r.Now.After(d) && !verifiedOn(r) {
				return []FieldError{{Field: "due_at", Msg: msg("逾期未核查", "overdue: not checked yet")}}
			}
			return nil
		}},
	}
}

func hasItem(r Record, key, item string) bool {
	l, _ := r.Get(key).AsList()
	for _, x := range l {
		if x == item {
			return true
		}
	}
	return false
}
