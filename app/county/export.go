package county

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/lantian-tz/lantian/internal/export"
	"github.com/lantian-tz/lantian/model"
)

// Export formats offered.
const (
	FormatXLSX = "XLSX"
	FormatCSV  = "CSV"
)

// ExportScreen exports one register's ledger for a date range as XLSX or
// CSV, off the UI goroutine with a progress bar and a cancel button.
type ExportScreen struct {
	d *Deps

	schemas  []*model.Schema
	register *widget.Select
	from, to *widget.Entry
	// rangeHint names the date the range applies to.
	rangeHint *widget.Label
	format    *widget.RadioGroup
	progress  *widget.ProgressBar
	status    *widget.Label
	start     *widget.Button
	cancel    *widget.Button
	stop      context.CancelFunc
	root      fyne.CanvasObject
}

// NewExportScreen builds the export form.
func NewExportScreen(d *Deps) *ExportScreen {
	s := &ExportScreen{d: d, schemas: model.Registers()}
	var names []string
	for _, sc := range s.schemas {
		names = append(names, sc.Label.In(d.Lang))
	}
	// No range at first: an export holds every record unless the user
	// narrows it, and the hint says which date the range is on.
	s.rangeHint = widget.NewLabel("")
	s.rangeHint.Wrapping = fyne.TextWrapWord
	s.register = widget.NewSelect(names, func(string) { s.showRangeField() })
	s.from = widget.NewEntry()
	s.to = widget.NewEntry()
	s.register.SetSelectedIndex(0)
	for _, e := range []*widget.Entry{s.from, s.to} {
		e.SetPlaceHolder("YYYY-MM-DD")
		e.Validator = func(t string) error {
			if t == "" {
				return nil
			}
			_, err := time.Parse("2006-01-02", t)
			return err
		}
	}
	s.format = widget.NewRadioGroup([]string{FormatXLSX, FormatCSV}, nil)
	s.format.Horizontal = true
	s.format.SetSelected(FormatXLSX)
	s.progress = widget.NewProgressBar()
	s.progress.Hide() // shown once an export starts
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.start = widget.NewButton(lang.L("Export…"), s.choose)
	s.start.Importance = widget.HighImportance
	s.cancel = widget.NewButton(lang.L("Cancel"), func() {
		if s.stop != nil {
			s.stop()
		}
	})
	s.cancel.Disable()
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Register"), s.register),
		widget.NewFormItem(lang.L("From"), s.from),
		widget.NewFormItem(lang.L("To"), s.to),
		widget.NewFormItem("", s.rangeHint),
		widget.NewFormItem(lang.L("Format"), s.format),
	)
	s.root = container.NewVBox(form, container.NewHBox(s.start, s.cancel), s.progress, s.status)
	return s
}

// showRangeField names the chosen register's date the range applies to.
func (s *ExportScreen) showRangeField() {
	i := s.register.SelectedIndex()
	if i < 0 || s.rangeHint == nil {
		return
	}
	s.rangeHint.SetText(fmt.Sprintf(lang.L("The dates apply to %s. Leave both empty to export every record."),
		export.RangeField(s.schemas[i].Name, s.d.Lang)))
}

// RangeHint returns the line naming the date the range applies to.
func (s *ExportScreen) RangeHint() string { return s.rangeHint.Text }

// CanvasObject returns the screen's content.
func (s *ExportScreen) CanvasObject() fyne.CanvasObject { return s.root }

// Request returns the export request of the form.
func (s *ExportScreen) Request() (export.Request, error) {
	i := s.register.SelectedIndex()
	if i < 0 {
		return export.Request{}, fmt.Errorf("%s", lang.L("Choose a register"))
	}
	req := export.Request{Register: s.schemas[i].Name, County: s.d.County, CountyName: s.d.CountyName,
		Lang: s.d.Lang, Now: s.d.now()}
	for _, p := range []struct {
		e *widget.Entry
		t *time.Time
	}{{s.from, &req.From}, {s.to, &req.To}} {
		if p.e.Text == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", p.e.Text, time.Local)
		if err != nil {
			return req, fmt.Errorf("%s: %s", lang.L("Dates are written YYYY-MM-DD"), p.e.Text)
		}
		*p.t = t
	}
	return req, nil
}

// choose asks for the file and starts the export.
func (s *ExportScreen) choose() {
	req, err := s.Request()
	if err != nil {
		showError(s.d, err)
		return
	}
	if s.d.Window == nil {
		return
	}
	ext := strings.ToLower(s.format.Selected)
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		s.Run(req, s.format.Selected, w)
	}, s.d.Window)
	sc, _ := model.Lookup(req.Register)
	d.SetFileName(fmt.Sprintf("%s-%s-%s.%s", s.d.CountyName, sc.Label.In(s.d.Lang), req.Now.Format("20060102"), ext))
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + ext}))
	d.Show()
}

// Run exports req in format (FormatXLSX or FormatCSV) to w off the UI
// goroutine, closing w at the end; progress and the result show on the
// screen.
func (s *ExportScreen) Run(req export.Request, format string, w io.WriteCloser) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.start.Disable()
	s.cancel.Enable()
	s.progress.SetValue(0)
	s.progress.Show()
	s.status.SetText(lang.L("Exporting…"))
	req.Progress = func(done, total int) {
		if total > 0 {
			post(s.d, func() { s.progress.SetValue(float64(done) / float64(total)) })
		}
	}
	var n, total int
	s.d.run(func() error {
		defer w.Close()
		var err error
		if total, err = export.Total(ctx, s.d.Store, req); err != nil {
			return err
		}
		if format == FormatCSV {
			n, err = export.CSV(ctx, s.d.Store, req, w)
		} else {
			n, err = export.XLSX(ctx, s.d.Store, req, w)
		}
		return err
	}, func(err error) {
		cancel()
		s.stop = nil
		s.start.Enable()
		s.cancel.Disable()
		switch {
		case errors.Is(err, context.Canceled):
			s.status.SetText(lang.L("Export cancelled"))
		case err != nil:
			s.status.SetText(err.Error())
			showError(s.d, err)
		default:
			s.progress.SetValue(1)
			s.status.SetText(fmt.Sprintf(lang.L("Exported %d of %d records"), n, total))
		}
	})
}

// Status returns the status line.
func (s *ExportScreen) Status() string { return s.status.Text }

// ShowExportDialog shows the export form in a dialog over d.Window.
func ShowExportDialog(d *Deps) *ExportScreen {
	s := NewExportScreen(d)
	if d.Window != nil {
		dl := dialog.NewCustom(ExportTitle(), lang.L("Close"), s.CanvasObject(), d.Window)
		dl.Resize(fyne.NewSize(520, 360))
		dl.Show()
	}
	return s
}
