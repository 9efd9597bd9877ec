package county

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/dashboard"
	"github.com/lantian-tz/lantian/internal/export"
	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// DashboardScreen shows the month's figures against the targets, with
// charts that can be saved as PNG, the county's farm coal target and the
// monthly summary export.
type DashboardScreen struct {
	d *Deps

	result dashboard.Result
	shown  dashboard.Figures
	// late counts, per county, the records changed after approval.
	late []review.LateEditCount

	month    *widget.Select
	months   []string
	county   *widget.Select
	target   *widget.Entry
	progress *widget.ProgressBarInfinite
	status   *widget.Label

	farmCoal, straw, fire, livestock, dust *widget.Label
	lateLabel                              *widget.Label
	coalChart, patrolChart, fireChart      *Chart
	dustChart, trendChart                  *Chart
	root                                   fyne.CanvasObject
}

// NewDashboardScreen builds the dashboard and loads the current month.
func NewDashboardScreen(d *Deps) *DashboardScreen {
	s := &DashboardScreen{d: d}
	now := d.now()
	for i := 0; i < 12; i++ {
		s.months = append(s.months, now.AddDate(0, -i, 0).Format("2006-01"))
	}
	s.month = widget.NewSelect(s.months, func(string) { s.Reload() })
	s.county = widget.NewSelect(nil, func(string) { s.show() })
	if d.County != "" {
		s.county.Hide()
	}
	s.target = widget.NewEntry()
	s.target.SetPlaceHolder(lang.L("Target (units)"))
	setTarget := widget.NewButton(lang.L("Set target"), s.saveTarget)
	if d.County == "" || !d.reviewer() {
		s.target.Hide()
		setTarget.Hide()
	}
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Hide()
	s.status = widget.NewLabel("")
	summary := widget.NewButton(lang.L("Export monthly summary…"), s.exportSummary)

	label := func() *widget.Label { l := widget.NewLabel(""); l.Wrapping = fyne.TextWrapWord; return l }
	s.farmCoal, s.straw, s.fire, s.livestock, s.dust = label(), label(), label(), label(), label()
	s.lateLabel = label()
	s.coalChart = NewChart(Bars, lang.L("Farm coal equipment (units)"), nil)
	s.patrolChart = NewChart(Bars, lang.L("Straw patrols per week"), nil)
	s.fireChart = NewChart(Bars, lang.L("Fire points by township"), nil)
	for _, c := range []*Chart{s.coalChart, s.patrolChart, s.fireChart} {
		c.Counts = true
	}
	s.dustChart = NewChart(Bars, lang.L("Dustfall by township"), nil)
	s.trendChart = NewChart(Line, lang.L("County dustfall by month"), nil)
	for _, c := range []*Chart{s.dustChart, s.trendChart} {
		c.Limit = dashboard.DustfallLimit
		c.LimitLabel = lang.L("Limit 7 t/(km²·month)")
	}

	card := func(title string, l *widget.Label, charts ...*Chart) fyne.CanvasObject {
		objs := []fyne.CanvasObject{l}
		for _, c := range charts {
			c := c
			save := widget.NewButton(lang.L("Save chart as PNG…"), func() { s.savePNG(c) })
			objs = append(objs, c, container.NewHBox(save))
		}
		return widget.NewCard(title, "", container.NewVBox(objs...))
	}
	// One card a row: two columns do not fit a portrait tablet.
	body := container.NewVBox(
		card(lang.L("Farm coal replacement"), s.farmCoal, s.coalChart),
		card(lang.L("Straw burning patrols"), s.straw, s.patrolChart),
		card(lang.L("Fire points"), s.fire, s.fireChart),
		card(lang.L("Livestock ammonia ledgers"), s.livestock),
		card(lang.L("Dust"), s.dust, s.dustChart, s.trendChart),
		card(lang.L("Changes after approval"), s.lateLabel),
	)
	targetBox := container.NewGridWrap(fyne.NewSize(160, s.target.MinSize().Height), s.target)
	if s.target.Hidden {
		targetBox.Hide()
	}
	top := container.NewVBox(
		container.NewHBox(widget.NewLabel(lang.L("Month")), s.month, s.county),
		container.NewHBox(targetBox, setTarget, summary),
		s.progress, s.status)
	s.root = container.NewBorder(top, nil, nil, nil, container.NewVScroll(body))
	s.month.SetSelectedIndex(0)
	return s
}

// CanvasObject returns the screen's content.
func (s *DashboardScreen) CanvasObject() fyne.CanvasObject { return s.root }

// Result returns the figures last loaded.
func (s *DashboardScreen) Result() dashboard.Result { return s.result }

// Reload computes the figures of the chosen month from the store, off the
// UI goroutine.
func (s *DashboardScreen) Reload() {
	if s.farmCoal == nil {
		return // still building
	}
	month := s.month.Selected
	now := s.d.now()
	s.progress.Show()
	s.progress.Start()
	var res dashboard.Result
	var late []review.LateEditCount
	s.d.run(func() error {
		opts := dashboard.Options{Now: now, Month: month, Targets: map[string]int{}}
		if s.d.County != "" {
			t, err := dashboard.LoadTarget(s.d.Store, s.d.County)
			if err != nil {
				return err
			}
			opts.Targets[s.d.County] = t
		}
		var err error
		if res, err = dashboard.Load(context.Background(), s.d.Store, s.d.County, opts); err != nil {
			return err
		}
		late, err = review.CountLateEdits(context.Background(), s.d.Store, s.d.County)
		return err
	}, func(err error) {
		s.progress.Stop()
		s.progress.Hide()
		if err != nil {
			showError(s.d, err)
			return
		}
		s.result, s.late = res, late
		if s.d.County == "" {
			opts := []string{lang.L("All counties")}
			for _, f := range res.Counties {
				opts = append(opts, s.d.name(f.County))
			}
			s.county.Options = opts
			if s.county.SelectedIndex() < 0 {
				s.county.SetSelectedIndex(0) // calls show
				return
			}
		}
		s.show()
	})
}

// show fills the labels and charts with the chosen county's figures (the
// total on a county device).
func (s *DashboardScreen) show() {
	f := s.result.Total
	if i := s.county.SelectedIndex(); s.d.County == "" && i > 0 && i <= len(s.result.Counties) {
		f = s.result.Counties[i-1]
	}
	s.shown = f
	s.showLate()
	if s.d.County != "" {
		f.FarmCoal.Target = s.targetOf()
	}
	c := f.FarmCoal
	if c.Target > 0 {
		s.farmCoal.SetText(fmt.Sprintf(lang.L("Listed %d units (%d records); being replaced %d; replaced, awaiting acceptance %d; accepted %d; decommissioned %d. Done %d of target %d units (%.1f%%)."),
			c.Listed.Units, c.Listed.Records, c.BeingReplaced.Units, c.Replaced.Units, c.Accepted.Units, c.Decommissioned.Units,
			c.DoneUnits, c.Target, c.Progress()*100))
	} else {
		s.farmCoal.SetText(fmt.Sprintf(lang.L("Listed %d units (%d records); being replaced %d; replaced, awaiting acceptance %d; accepted %d; decommissioned %d. Done %d units; no target set."),
			c.Listed.Units, c.Listed.Records, c.BeingReplaced.Units, c.Replaced.Units, c.Accepted.Units, c.Decommissioned.Units,
			c.DoneUnits))
	}
	coal := []Point{
		{Label: lang.L("Listed"), Value: float64(c.Listed.Units), Has: true},
		{Label: lang.L("Being replaced"), Value: float64(c.BeingReplaced.Units), Has: true},
		{Label: lang.L("Replaced"), Value: float64(c.Replaced.Units), Has: true},
		{Label: lang.L("Accepted"), Value: float64(c.Accepted.Units), Has: true},
		{Label: lang.L("Done"), Value: float64(c.DoneUnits), Has: true},
	}
	s.coalChart.LimitLabel = ""
	if c.Target > 0 {
		s.coalChart.Limit, s.coalChart.LimitLabel = float64(c.Target), fmt.Sprintf(lang.L("Target %d"), c.Target)
	}
	s.coalChart.SetPoints(coal)

	st := f.Straw
	idle := ""
	for i, v := range st.NotPatrolled {
		if i == 10 {
			idle += "…"
			break
		}
		idle += " " + model.PlaceName(v.Village) // a coded village by its name
	}
	s.straw.SetText(fmt.Sprintf(lang.L("Patrols in the last %d weeks: %d (zero reports %d, findings %d). Villages not patrolled in 3 days: %d%s"),
		len(st.Weeks), st.Patrols, st.ZeroReports, st.Findings, len(st.NotPatrolled), idle))
	var weeks []Point
	for i, w := range st.Weeks {
		n := 0
		for _, v := range st.Villages {
			if i < len(v.PerWeek) {
				n += v.PerWeek[i]
			}
		}
		weeks = append(weeks, Point{Label: w.Format("01-02"), Value: float64(n), Has: true})
	}
	s.patrolChart.SetPoints(weeks)

	fi := f.Fire
	s.fire.SetText(fmt.Sprintf(lang.L("Fire points this month: %d; checked %d, within 24 h %d (%.1f%%); confirmed burning %d (straw %d), confirmation rate %.1f%%; overdue now %d."),
		fi.Points, fi.Verified, fi.VerifiedIn24h, fi.In24hRate()*100, fi.Confirmed, fi.ConfirmedStraw, fi.Rate()*100, fi.Overdue))
	var towns []Point
	for _, t := range fi.ByTownship {
		towns = append(towns, Point{Label: model.PlaceName(t.Township), Value: float64(t.Points), Has: true})
	}
	s.fireChart.SetPoints(towns)

	l := f.Livestock
	s.livestock.SetText(fmt.Sprintf(lang.L("Farms %d; verified %d; complete ledgers %d; in the pilot %d; with manure facilities %d; with ammonia control %d; with readings %d; readings this month %d, over the limit %d."),
		l.Farms, l.Verified, l.CompleteLedgers, l.InPilot, l.WithManureFacility, l.WithAmmoniaControl, l.WithReadings, l.ReadingsInMonth, l.ExceedingInMonth))

	du := f.Dust
	mean := lang.L("Mean dustfall: no readings this month.")
	if du.CountyHas {
		m := strconv.FormatFloat(du.CountyMean, 'f', 2, 64)
		if du.Exceeds {
			m += " " + lang.L("(over 7)")
		}
		mean = fmt.Sprintf(lang.L("Mean dustfall %s t/(km²·month)."), m)
	}
	ranking := ""
	var dpts []Point
	for _, t := range du.Townships {
		ranking += fmt.Sprintf(" %d.%s %.2f", t.Rank, model.PlaceName(t.Township), t.Mean)
		dpts = append(dpts, Point{Label: model.PlaceName(t.Township), Value: t.Mean, Has: true})
	}
	if f.County == "" && len(s.result.Counties) > 1 {
		// A province total ranks the counties (区县排名).
		ranking, dpts = "", nil
		for _, r := range s.result.CountyRanking {
			ranking += fmt.Sprintf(" %d.%s %.2f", r.Rank, s.d.name(r.Name), r.Value)
			dpts = append(dpts, Point{Label: s.d.name(r.Name), Value: r.Value, Has: true})
		}
	}
	if ranking == "" {
		ranking = lang.L("No ranking yet: no dustfall readings this month.")
	} else {
		ranking = fmt.Sprintf(lang.L("Ranking:%s."), ranking)
	}
	sep := " " // between sentences; Chinese sentences need none after 。
	if strings.HasPrefix(s.d.Lang, "zh") {
		sep = ""
	}
	s.dust.SetText(mean + sep + ranking + sep + fmt.Sprintf(lang.L("Construction sites %d, keeping all six 100%% measures %d."),
		du.Sites, du.SitesSix100))
	s.dustChart.SetPoints(dpts)
	var trend []Point
	for _, m := range du.Trend {
		trend = append(trend, Point{Label: m.Month[5:], Value: m.Value, Has: m.Has})
	}
	s.trendChart.SetPoints(trend)
	s.status.SetText(fmt.Sprintf(lang.L("Figures for %s, computed %s"), f.Month, s.d.now().Format("2006-01-02 15:04")))
}

// Text returns the figures as shown, one family a line.
func (s *DashboardScreen) Text() string {
	return s.farmCoal.Text + "\n" + s.straw.Text + "\n" + s.fire.Text + "\n" + s.livestock.Text + "\n" + s.dust.Text + "\n" + s.lateLabel.Text
}

func (s *DashboardScreen) targetOf() int {
	for _, f := range s.result.Counties {
		if f.County == s.d.County {
			return f.FarmCoal.Target
		}
	}
	return s.result.Total.FarmCoal.Target
}

// saveTarget stores the county's farm coal target.
func (s *DashboardScreen) saveTarget() {
	n, err := strconv.Atoi(s.target.Text)
	if err != nil || n < 0 {
		showError(s.d, fmt.Errorf("%s", lang.L("The target must be a whole number of units")))
		return
	}
	if err := dashboard.SaveTarget(s.d.Store, s.d.County, n); err != nil {
		showError(s.d, err)
		return
	}
	s.Reload()
}

// savePNG asks where to save chart c and writes it as PNG.
func (s *DashboardScreen) savePNG(c *Chart) {
	if s.d.Window == nil {
		return
	}
	data, err := ChartPNG(c, fyne.NewSize(900, 480))
	if err != nil {
		showError(s.d, err)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := w.Write(data); err != nil {
			showError(s.d, err)
		}
	}, s.d.Window)
	d.SetFileName(c.Title + ".png")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	d.Show()
}

// exportSummary writes the monthly summary workbook of the figures shown.
func (s *DashboardScreen) exportSummary() {
	if s.d.Window == nil {
		return
	}
	res := s.result
	title := s.d.CountyName
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		s.progress.Show()
		s.progress.Start()
		s.d.run(func() error {
			defer w.Close()
			var buf bytes.Buffer
			if err := export.Summary(context.Background(), res, export.SummaryRequest{Title: title, Names: s.d.name, Now: s.d.now()}, &buf); err != nil {
				return err
			}
			_, err := w.Write(buf.Bytes())
			return err
		}, func(err error) {
			s.progress.Stop()
			s.progress.Hide()
			if err != nil {
				showError(s.d, err)
				return
			}
			s.status.SetText(lang.L("Summary saved"))
		})
	}, s.d.Window)
	d.SetFileName(fmt.Sprintf("%s-%s-%s.xlsx", title, res.Total.Month, lang.L("monthly summary")))
	d.Show()
}

// showLate says how many records of the chosen county (all on a county
// device, or all counties) were changed after their approval.
func (s *DashboardScreen) showLate() {
	var recs, edits int
	for _, c := range s.late {
		if s.d.County == "" && s.county.SelectedIndex() > 0 && c.County != s.shown.County {
			continue
		}
		recs += c.Records
		edits += c.Edits
	}
	s.lateLabel.Importance = widget.MediumImportance
	if recs > 0 {
		s.lateLabel.Importance = widget.WarningImportance
	}
	s.lateLabel.SetText(fmt.Sprintf(lang.L("Records changed after approval: %d (%d changes in all); who and when are shown on each record and in the exported ledger."), recs, edits))
}
