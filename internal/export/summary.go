package export

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/lantian-tz/lantian/internal/dashboard"
	"github.com/lantian-tz/lantian/model"
)

// SummaryRequest describes the monthly summary workbook.
type SummaryRequest struct {
	// Title names the unit reporting (灵寿县 / 河北省).
	Title string
	// Names turns a county code into its name; CountyLabel when nil.
	Names func(code string) string
	// Now is the export time.
	Now time.Time
	// Progress, when not nil, is called after each sheet.
	Progress func(done, total int)
}

// Summary sheet names.
const (
	SheetFarmCoal  = "农业散煤"
	SheetStraw     = "秸秆禁烧"
	SheetLivestock = "养殖场氨排放"
	SheetDust      = "扬尘"
	SheetRanking   = "降尘排名"
)

// table is a sheet under construction: rows of values.
type table struct {
	name string
	rows [][]interface{}
}

func (t *table) add(vals ...interface{}) { t.rows = append(t.rows, vals) }

// pct renders a ratio as a percentage with one decimal.
func pct(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Summary writes the monthly summary workbook of res to w: one sheet per
// register family with each county's figures and the total, and a sheet
// with the dustfall rankings (townships within each county, and the
// counties against each other).
func Summary(ctx context.Context, res dashboard.Result, req SummaryRequest, w io.Writer) error {
	names := req.Names
	if names == nil {
		names = CountyLabel
	}
	month := res.Total.Month
	head := func(t *table, what string) {
		t.add(req.Title + " " + month + " " + what)
		t.add("导出时间：" + req.Now.In(model.Beijing).Format("2006-01-02 15:04"))
		t.add()
	}
	rowsOf := func(fn func(name string, f dashboard.Figures)) {
		for _, f := range res.Counties {
			fn(names(f.County), f)
		}
		if len(res.Counties) > 1 {
			fn("合计", res.Total)
		}
	}

	fc := &table{name: SheetFarmCoal}
	head(fc, "农业散煤设施清洁能源替代进展")
	fc.add("县（区）", "清单台数", "待核实台数", "未替代台数", "已列入计划台数", "改造中台数", "已替代（待验收）台数",
		"已验收台数", "已停用拆除台数", "完成替代台数", "目标台数", "完成率")
	rowsOf(func(n string, f dashboard.Figures) {
		c := f.FarmCoal
		fc.add(n, c.Listed.Units, c.Pending.Units, c.Unreplaced.Units, c.Planned.Units, c.BeingReplaced.Units,
			c.Replaced.Units, c.Accepted.Units, c.Decommissioned.Units, c.DoneUnits, c.Target, pct(c.Progress()))
	})

	st := &table{name: SheetStraw}
	head(st, "秸秆禁烧巡查与火点核查")
	st.add("县（区）", "巡查次数", "零报告", "发现火点/痕迹", "超期未巡查村数", "推送火点数", "已核查", "24小时内核查",
		"确认焚烧", "其中秸秆焚烧", "逾期未核查", "查实率", "24小时核查率")
	rowsOf(func(n string, f dashboard.Figures) {
		s, fi := f.Straw, f.Fire
		st.add(n, s.Patrols, s.ZeroReports, s.Findings, len(s.NotPatrolled), fi.Points, fi.Verified, fi.VerifiedIn24h,
			fi.Confirmed, fi.ConfirmedStraw, fi.Overdue, pct(fi.Rate()), pct(fi.In24hRate()))
	})
	st.add()
	st.add("各乡镇火点")
	st.add("县（区）", "乡镇", "推送火点数", "确认焚烧", "查实率")
	for _, f := range res.Counties {
		for _, t := range f.Fire.ByTownship {
			st.add(names(f.County), model.PlaceName(t.Township), t.Points, t.Confirmed, pct(t.Rate()))
		}
	}
	st.add()
	st.add("超期未巡查的村")
	st.add("县（区）", "乡镇", "行政村", "最近巡查日期")
	for _, f := range res.Counties {
		for _, v := range f.Straw.NotPatrolled {
			last := "从未巡查"
			if !v.Last.IsZero() {
				last = v.Last.In(model.Beijing).Format("2006-01-02")
			}
			st.add(names(f.County), model.PlaceName(v.Township), model.PlaceName(v.Village), last)
		}
	}

	ls := &table{name: SheetLivestock}
	head(ls, "养殖场氨排放台账")
	ls.add("县（区）", "养殖场数", "已核实", "台账完整", "纳入试点", "有粪污处理设施", "有氨控制设施", "有监测数据",
		"本月监测次数", "本月超标次数")
	rowsOf(func(n string, f dashboard.Figures) {
		l := f.Livestock
		ls.add(n, l.Farms, l.Verified, l.CompleteLedgers, l.InPilot, l.WithManureFacility, l.WithAmmoniaControl,
			l.WithReadings, l.ReadingsInMonth, l.ExceedingInMonth)
	})

	du := &table{name: SheetDust}
	head(du, "扬尘管控")
	du.add("县（区）", "降尘均值（吨/(平方公里·月)）", "是否超过 7 吨", "在建工地数", "六个百分之百达标工地数")
	rowsOf(func(n string, f dashboard.Figures) {
		var mean interface{} = "无数据"
		if f.Dust.CountyHas {
			mean = round2(f.Dust.CountyMean)
		}
		du.add(n, mean, yesNo(f.Dust.Exceeds), f.Dust.Sites, f.Dust.SitesSix100)
	})
	du.add()
	du.add("降尘监测点位")
	du.add("县（区）", "乡镇", "点位编号", "点位名称", "点位类型", "降尘量（吨/(平方公里·月)）", "是否超过 7 吨")
	for _, f := range res.Counties {
		for _, p := range f.Dust.Points {
			typ := "常规点"
			if p.Control {
				typ = "对照点"
			}
			var v interface{} = "无有效数据"
			if p.Has {
				v = p.Value
			}
			du.add(names(f.County), model.PlaceName(p.Township), p.PointNo, p.Name, typ, v, yesNo(p.Exceeds))
		}
	}

	rk := &table{name: SheetRanking}
	head(rk, "降尘量排名（由低到高，并列同名次）")
	rk.add("县（区）", "名次", "乡镇", "降尘均值（吨/(平方公里·月)）", "有效点位数", "是否超过 7 吨")
	for _, f := range res.Counties {
		for _, t := range f.Dust.Townships {
			rk.add(names(f.County), t.Rank, model.PlaceName(t.Township), round2(t.Mean), t.Points, yesNo(t.Exceeds))
		}
	}
	if len(res.CountyRanking) > 1 {
		rk.add()
		rk.add("区县排名")
		rk.add("名次", "县（区）", "降尘均值（吨/(平方公里·月)）", "是否超过 7 吨")
		for _, r := range res.CountyRanking {
			rk.add(r.Rank, names(r.Name), round2(r.Value), yesNo(r.Value > dashboard.DustfallLimit))
		}
	}

	f := excelize.NewFile()
	defer f.Close()
	tables := []*table{fc, st, ls, du, rk}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	for i, t := range tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", t.name); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		} else if _, err := f.NewSheet(t.name); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for r, row := range t.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(t.name, cell, &row); err != nil {
				return fmt.Errorf("export: %w", err)
			}
		}
		if err := f.SetCellStyle(t.name, "A1", "A1", bold); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := f.SetColWidth(t.name, "A", "M", 14); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if req.Progress != nil {
			req.Progress(i+1, len(tables))
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: write summary: %w", err)
	}
	return nil
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
