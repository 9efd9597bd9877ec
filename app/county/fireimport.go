package county

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/firepoint"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// villageRegisters are the registers whose village and location give
// village positions for assignment.
var villageRegisters = []string{"straw_grid", "straw_patrol", "farm_coal_facility", "livestock_farm"}

// FireImportScreen imports a fire-point CSV from the provincial platform:
// file dialog, the check deadline, then a report of the points created
// (with their villages), duplicates and bad rows by line.
type FireImportScreen struct {
	d *Deps

	due      *widget.Entry
	open     *widget.Button
	progress *widget.ProgressBar
	summary  *widget.Label
	lines    []string
	// records[i] is the fire point of lines[i] (uuid.Nil for other lines).
	records  []uuid.UUID
	villages []firepoint.Village
	selected int
	assign   *widget.Button
	// columns lists the columns a file needs; sample saves an example.
	columns *widget.Label
	sample  *widget.Button
	report  *widget.List
	root    fyne.CanvasObject
}

// NewFireImportScreen builds the import screen.
func NewFireImportScreen(d *Deps) *FireImportScreen {
	s := &FireImportScreen{d: d}
	s.due = widget.NewEntry()
	s.due.SetText("24")
	s.open = widget.NewButton(lang.L("Import fire points from CSV…"), s.choose)
	s.open.Importance = widget.HighImportance
	if !d.reviewer() {
		s.open.Disable()
	}
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.summary = widget.NewLabel(lang.L("Choose a fire-point CSV exported from the provincial platform (UTF-8 or GBK). Each point in this county becomes a fire point record for its village to check within the hours above; points already imported are skipped, and points outside every village can be assigned by hand."))
	s.summary.Wrapping = fyne.TextWrapWord
	s.columns = widget.NewLabel(s.columnsText())
	s.columns.Wrapping = fyne.TextWrapWord
	s.sample = widget.NewButton(lang.L("Save a sample file…"), s.saveSample)
	s.report = widget.NewList(func() int { return len(s.lines) },
		func() fyne.CanvasObject { l := widget.NewLabel(""); l.Truncation = fyne.TextTruncateEllipsis; return l },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.lines[i]) })
	s.selected = -1
	s.assign = widget.NewButton(lang.L("Assign to village…"), s.chooseVillage)
	s.assign.Disable()
	s.report.OnSelected = func(i widget.ListItemID) {
		s.selected = i
		if i < len(s.records) && s.records[i] != uuid.Nil && d.reviewer() {
			s.assign.Enable()
		} else {
			s.assign.Disable()
		}
	}
	top := container.NewVBox(
		widget.NewForm(widget.NewFormItem(lang.L("Hours allowed for the check"), s.due)),
		container.NewHBox(s.open, s.assign), s.columns, container.NewHBox(s.sample), s.progress, s.summary)
	s.root = container.NewBorder(top, nil, nil, nil, s.report)
	return s
}

// CanvasObject returns the screen's content.
func (s *FireImportScreen) CanvasObject() fyne.CanvasObject { return s.root }

// Lines returns the report lines shown.
func (s *FireImportScreen) Lines() []string { return s.lines }

// Summary returns the report's summary line.
func (s *FireImportScreen) Summary() string { return s.summary.Text }

// Columns returns the text listing the columns a file needs.
func (s *FireImportScreen) Columns() string { return s.columns.Text }

// columnsText lists the columns firepoint.Parse reads, required first.
func (s *FireImportScreen) columnsText() string {
	var req, opt []string
	for _, c := range firepoint.Columns {
		name := c.Names[0]
		if !strings.HasPrefix(s.d.Lang, "zh") {
			name = c.Names[1] + " / " + c.Names[0]
		}
		line := "• " + name + lang.L(": ") + c.What.In(s.d.Lang)
		if c.Required {
			req = append(req, line)
		} else {
			opt = append(opt, line)
		}
	}
	return lang.L("Columns the file needs (the header row names them; other columns are ignored):") + "\n" +
		strings.Join(req, "\n") + "\n" + lang.L("Optional columns:") + "\n" + strings.Join(opt, "\n")
}

// saveSample asks where to save an example file with every column.
func (s *FireImportScreen) saveSample() {
	if s.d.Window == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		if err := s.WriteSample(w); err != nil {
			showError(s.d, err)
		}
	}, s.d.Window)
	d.SetFileName(lang.L("fire-points-sample.csv"))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// WriteSample writes the example fire-point file to w and closes it.
func (s *FireImportScreen) WriteSample(w io.WriteCloser) error {
	_, err := io.WriteString(w, firepoint.SampleCSV)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *FireImportScreen) choose() {
	if s.d.Window == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		s.Import(r)
	}, s.d.Window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt"}))
	d.Show()
}

// Import reads a fire-point file from r (closing it) and imports it off
// the UI goroutine, then shows the report.
func (s *FireImportScreen) Import(r io.ReadCloser) {
	hours, err := strconv.ParseFloat(strings.TrimSpace(s.due.Text), 64)
	if err != nil || hours <= 0 {
		r.Close()
		showError(s.d, fmt.Errorf("%s", lang.L("Hours allowed must be a positive number")))
		return
	}
	s.open.Disable()
	s.progress.SetValue(0)
	s.progress.Show()
	now := s.d.now()
	var parsed firepoint.Parsed
	var res firepoint.Result
	var villages []firepoint.Village
	s.d.run(func() error {
		defer r.Close()
		var err error
		parsed, err = firepoint.Parse(r)
		if err != nil {
			return err
		}
		villages, err = s.loadVillages()
		if err != nil {
			return err
		}
		res, err = firepoint.Import(context.Background(), s.d.Store, parsed.Points, firepoint.Options{
			County: s.d.County, CountyName: s.d.CountyName, Author: s.d.User, Role: s.d.Role, Now: now,
			Due: time.Duration(hours * float64(time.Hour)), Villages: villages, Logger: s.d.logger(),
			Progress: func(done, total int) {
				post(s.d, func() { s.progress.SetValue(float64(done) / float64(total)) })
			},
		})
		return err
	}, func(err error) {
		s.progress.Hide()
		if s.d.reviewer() {
			s.open.Enable()
		}
		if err != nil {
			s.summary.SetText(err.Error())
			s.lines = nil
			s.report.Refresh()
			showError(s.d, err)
			return
		}
		s.villages = villages
		s.show(parsed, res)
	})
}

// loadVillages derives village positions from the county's records.
func (s *FireImportScreen) loadVillages() ([]firepoint.Village, error) {
	var states []oplog.State
	for _, reg := range villageRegisters {
		q := store.Query{Register: reg, County: s.d.County, Limit: 1000}
		for {
			page, err := s.d.Store.List(q)
			if err != nil {
				return nil, err
			}
			for _, st := range page.Records {
				// Keep only what VillagesFrom reads.
				states = append(states, oplog.State{Fields: map[string]oplog.FieldState{
					model.FieldTownship: st.Fields[model.FieldTownship],
					model.FieldVillage:  st.Fields[model.FieldVillage],
					model.FieldLocation: st.Fields[model.FieldLocation],
				}})
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	return firepoint.VillagesFrom(states), nil
}

// show fills the report.
func (s *FireImportScreen) show(p firepoint.Parsed, res firepoint.Result) {
	bad := append(append([]firepoint.RowError(nil), p.Bad...), res.Bad...)
	s.summary.SetText(fmt.Sprintf(lang.L("File encoding %s. Imported %d, already present %d, other counties %d, bad rows %d."),
		p.Encoding, len(res.Created), len(res.Duplicates), res.OtherCounty, len(bad)) +
		fmt.Sprintf(lang.L(" Warnings: %d."), len(res.Warnings)))
	var lines []string
	var records []uuid.UUID
	for _, e := range bad {
		lines = append(lines, fmt.Sprintf(lang.L("Line %d: %s"), e.Line, e.Reason.In(s.d.Lang)))
		records = append(records, uuid.Nil)
	}
	for _, e := range res.Warnings {
		lines = append(lines, fmt.Sprintf(lang.L("Line %d: warning: %s"), e.Line, e.Reason.In(s.d.Lang)))
		records = append(records, uuid.Nil)
	}
	for _, c := range res.Created {
		where := lang.L("no village")
		if c.Village.Name != "" {
			where = c.Village.Label()
			if c.Named {
				where += " " + lang.L("(as in the file)")
			}
			if c.DistanceM > 0 {
				where += fmt.Sprintf(" (%.1f km)", c.DistanceM/1000)
			}
		}
		lines = append(lines, fmt.Sprintf(lang.L("Line %d: fire point %s → %s"), c.Line, c.FireID, where))
		records = append(records, c.Record)
	}
	for _, id := range res.Duplicates {
		lines = append(lines, fmt.Sprintf(lang.L("Fire point %s is already imported"), id))
		records = append(records, uuid.Nil)
	}
	s.lines, s.records, s.selected = lines, records, -1
	s.report.UnselectAll()
	s.assign.Disable()
	s.report.Refresh()
}

// chooseVillage asks which village the selected fire point goes to.
func (s *FireImportScreen) chooseVillage() {
	if s.d.Window == nil || s.selected < 0 || s.selected >= len(s.records) || len(s.villages) == 0 {
		return
	}
	var names []string
	for _, v := range s.villages {
		names = append(names, v.Label())
	}
	sel := widget.NewSelect(names, nil)
	i := s.selected
	dialog.ShowForm(lang.L("Assign to village…"), lang.L("Assign"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Village"), sel)}, func(ok bool) {
			if ok && sel.SelectedIndex() >= 0 {
				s.Assign(i, s.villages[sel.SelectedIndex()])
			}
		}, s.d.Window)
}

// Assign assigns the fire point of report line i to village v by hand.
func (s *FireImportScreen) Assign(i int, v firepoint.Village) {
	if i < 0 || i >= len(s.records) || s.records[i] == uuid.Nil {
		return
	}
	id := s.records[i]
	s.d.run(func() error {
		_, err := firepoint.Assign(context.Background(), s.d.Store, id, v, s.d.User, s.d.Role)
		return err
	}, func(err error) {
		if err != nil {
			showError(s.d, err)
			return
		}
		line := s.lines[i]
		if j := strings.LastIndex(line, "→"); j >= 0 {
			line = line[:j]
		}
		s.lines[i] = line + "→ " + v.Label() + " " + lang.L("(by hand)")
		s.report.RefreshItem(i)
	})
}
