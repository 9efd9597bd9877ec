package county

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Point is one value of a chart: a bar, or a point of a line. Missing
// values (Has false) leave a gap.
type Point struct {
	Label string
	Value float64
	Has   bool
}

// ChartKind is how a chart draws its points.
type ChartKind int

// Chart kinds.
const (
	Bars ChartKind = iota
	Line
)

// Chart is a bar or line chart drawn with canvas primitives, with an
// optional limit line (the 7 t dustfall limit, a target).
type Chart struct {
	widget.BaseWidget
	Kind   ChartKind
	Title  string
	Points []Point
	// Limit draws a horizontal line at this value when LimitLabel is set.
	Limit      float64
	LimitLabel string
	// Counts marks a chart of counts (units, patrols, fire points): its
	// axis has whole-number ticks only.
	Counts bool
	min    fyne.Size
	// light draws with the theme's light colours whatever the app's
	// variant (charts saved for printed reports).
	light bool
}

// NewChart returns a chart of kind with title and points.
func NewChart(kind ChartKind, title string, points []Point) *Chart {
	c := &Chart{Kind: kind, Title: title, Points: points, min: fyne.NewSize(360, 220)}
	c.ExtendBaseWidget(c)
	return c
}

// SetPoints replaces the points and redraws.
func (c *Chart) SetPoints(points []Point) {
	c.Points = points
	c.Refresh()
}

// SetMinSize sets the smallest size the chart asks for.
func (c *Chart) SetMinSize(s fyne.Size) { c.min = s }

// Copy returns a new chart with the same data (for rendering apart from
// the window).
func (c *Chart) Copy() *Chart {
	d := NewChart(c.Kind, c.Title, append([]Point(nil), c.Points...))
	d.Limit, d.LimitLabel, d.Counts = c.Limit, c.LimitLabel, c.Counts
	return d
}

// Empty reports whether the chart has nothing to show: no point with a
// value other than zero.
func (c *Chart) Empty() bool {
	for _, p := range c.Points {
		if p.Has && p.Value != 0 {
			return false
		}
	}
	return true
}

// CreateRenderer draws the chart.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	r.build(c.min)
	return r
}

type chartRenderer struct {
	c    *Chart
	objs []fyne.CanvasObject
	size fyne.Size
}

func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) MinSize() fyne.Size           { return r.c.min }
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Layout(s fyne.Size)           { r.size = s; r.build(s) }
func (r *chartRenderer) Refresh() {
	r.build(r.size)
	canvas.Refresh(r.c)
}

// scaleMax is the value at the top of the plot: the largest value or
// limit, rounded up to 1, 2 or 5 times a power of ten. The axis is marked
// at 0, half the top and the top, so for counts the top is even (at
// least 2, and 2, 4, 6, 8 or 10 below ten): no mark falls between two
// whole numbers.
func scaleMax(points []Point, limit float64, counts bool) float64 {
	m := limit
	for _, p := range points {
		if p.Has && p.Value > m {
			m = p.Value
		}
	}
	if counts && m <= 10 {
		return max(2, 2*math.Ceil(m/2))
	}
	if m <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(m)))
	for _, f := range []float64{1, 2, 5, 10} {
		if m <= f*e {
			return f * e
		}
	}
	return 10 * e
}

func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e9 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// build lays the chart out in size s.
func (r *chartRenderer) build(s fyne.Size) {
	if s.Width <= 0 || s.Height <= 0 {
		s = r.c.min
	}
	th := fyne.CurrentApp().Settings().Theme()
	variant := fyne.CurrentApp().Settings().ThemeVariant()
	if r.c.light {
		variant = theme.VariantLight
	}
	col := func(n fyne.ThemeColorName) color.Color { return th.Color(n, variant) }
	fg := col(theme.ColorNameForeground)
	primary := col(theme.ColorNamePrimary)
	danger := col(theme.ColorNameError)
	grid := col(theme.ColorNameSeparator)
	textSize := th.Size(theme.SizeNameText)
	small := textSize * 0.85

	var objs []fyne.CanvasObject
	bg := canvas.NewRectangle(col(theme.ColorNameBackground))
	bg.Resize(s)
	objs = append(objs, bg)
	title := canvas.NewText(r.c.Title, fg)
	title.TextStyle.Bold = true
	title.TextSize = textSize
	title.Move(fyne.NewPos(8, 4))
	objs = append(objs, title)

	const left, right = 52, 12
	top := textSize + 16
	bottom := small + 14
	plotW := s.Width - left - right
	plotH := s.Height - top - bottom
	if plotW < 10 || plotH < 10 {
		r.objs = objs
		return
	}
	if r.c.Empty() {
		// Nothing to plot: say so instead of an empty axis.
		t := canvas.NewText(lang.L("No data"), col(theme.ColorNamePlaceHolder))
		t.TextSize = textSize
		t.Alignment = fyne.TextAlignCenter
		t.Move(fyne.NewPos(left, top+plotH/2-textSize/2))
		t.Resize(fyne.NewSize(plotW, textSize))
		r.objs = append(objs, t)
		return
	}
	max := scaleMax(r.c.Points, r.c.Limit, r.c.Counts)
	y := func(v float64) float32 { return top + plotH - float32(v/max)*plotH }

	// Grid lines and axis labels at 0, ½ and the top.
	for _, v := range []float64{0, max / 2, max} {
		l := canvas.NewLine(grid)
		l.Position1 = fyne.NewPos(left, y(v))
		l.Position2 = fyne.NewPos(left+plotW, y(v))
		objs = append(objs, l)
		t := canvas.NewText(formatValue(v), fg)
		t.TextSize = small
		t.Alignment = fyne.TextAlignTrailing
		t.Move(fyne.NewPos(0, y(v)-small*0.7))
		t.Resize(fyne.NewSize(left-4, small))
		objs = append(objs, t)
	}

	n := len(r.c.Points)
	if n > 0 {
		slot := plotW / float32(n)
		var prev *fyne.Position
		for i, p := range r.c.Points {
			cx := left + slot*float32(i) + slot/2
			lbl := canvas.NewText(p.Label, fg)
			lbl.TextSize = small
			lbl.Alignment = fyne.TextAlignCenter
			lbl.Move(fyne.NewPos(left+slot*float32(i), top+plotH+4))
			lbl.Resize(fyne.NewSize(slot, small))
			objs = append(objs, lbl)
			if !p.Has {
				prev = nil
				continue
			}
			fill := primary
			if r.c.LimitLabel != "" && p.Value > r.c.Limit {
				fill = danger
			}
			switch r.c.Kind {
			case Bars:
				w := slot * 0.6
				bar := canvas.NewRectangle(fill)
				bar.Move(fyne.NewPos(cx-w/2, y(p.Value)))
				bar.Resize(fyne.NewSize(w, y(0)-y(p.Value)))
				objs = append(objs, bar)
			case Line:
				pos := fyne.NewPos(cx, y(p.Value))
				if prev != nil {
					seg := canvas.NewLine(primary)
					seg.StrokeWidth = 2
					seg.Position1, seg.Position2 = *prev, pos
					objs = append(objs, seg)
				}
				dot := canvas.NewCircle(fill)
				dot.Move(pos.SubtractXY(3, 3))
				dot.Resize(fyne.NewSize(6, 6))
				objs = append(objs, dot)
				prev = &pos
			}
			val := canvas.NewText(formatValue(p.Value), fg)
			val.TextSize = small
			val.Alignment = fyne.TextAlignCenter
			val.Move(fyne.NewPos(cx-slot/2, y(p.Value)-small-4))
			val.Resize(fyne.NewSize(slot, small))
			objs = append(objs, val)
		}
	}
	if r.c.LimitLabel != "" {
		l := canvas.NewLine(danger)
		l.StrokeWidth = 1.5
		l.Position1 = fyne.NewPos(left, y(r.c.Limit))
		l.Position2 = fyne.NewPos(left+plotW, y(r.c.Limit))
		t := canvas.NewText(r.c.LimitLabel, danger)
		t.TextSize = small
		t.Alignment = fyne.TextAlignTrailing
		t.Move(fyne.NewPos(left, y(r.c.Limit)-small-2))
		t.Resize(fyne.NewSize(plotW, small))
		objs = append(objs, l, t)
	}
	r.objs = objs
}

// ChartPNG renders a copy of c at size with the current theme's light
// colours (for printed reports) and returns it as PNG.
func ChartPNG(c *Chart, size fyne.Size) ([]byte, error) {
	cp := c.Copy()
	cp.SetMinSize(size)
	cp.light = true
	th := fyne.CurrentApp().Settings().Theme()
	img := software.Render(cp, th)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}
