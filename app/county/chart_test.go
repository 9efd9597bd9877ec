package county

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/model"
)

// chartTexts lays c out at 400×240 and returns the texts it draws.
func chartTexts(t *testing.T, c *Chart) []string {
	t.Helper()
	r := test.TempWidgetRenderer(t, c)
	r.Layout(fyne.NewSize(400, 240))
	var out []string
	for _, o := range r.Objects() {
		if x, ok := o.(*canvas.Text); ok {
			out = append(out, x.Text)
		}
	}
	return out
}

// TestChartCountAxisWholeNumbers: a chart of counts never marks its axis
// between two whole numbers (2.50 fire points).
func TestChartCountAxisWholeNumbers(t *testing.T) {
	setup(t, model.RoleCounty)
	for top := 1; top <= 40; top++ {
		c := NewChart(Bars, "火点", []Point{{Label: "城关镇", Value: float64(top), Has: true}, {Label: "慈峪镇", Value: 1, Has: true}})
		c.Counts = true
		for _, s := range chartTexts(t, c) {
			if strings.Contains(s, ".") {
				t.Errorf("largest count %d: the chart draws %q; want whole numbers only", top, s)
			}
		}
		if m := scaleMax(c.Points, 0, true); m/2 != math.Trunc(m/2) || m < float64(top) {
			t.Errorf("largest count %d: axis top %v; want a whole half above it", top, m)
		}
	}
}

// TestChartEmptySaysNoData: a chart with nothing to show says so.
func TestChartEmptySaysNoData(t *testing.T) {
	setup(t, model.RoleCounty)
	for name, pts := range map[string][]Point{
		"no points":   nil,
		"all missing": {{Label: "10", Has: false}},
		"all zero":    {{Label: "城关镇", Value: 0, Has: true}},
	} {
		c := NewChart(Bars, "火点", pts)
		if got := chartTexts(t, c); !slices.Contains(got, lang.L("No data")) {
			t.Errorf("%s: the chart draws %q; want %q", name, got, lang.L("No data"))
		}
	}
	c := NewChart(Bars, "火点", []Point{{Label: "城关镇", Value: 3, Has: true}})
	if got := chartTexts(t, c); slices.Contains(got, lang.L("No data")) {
		t.Errorf("with a value: the chart draws %q; want no %q", got, lang.L("No data"))
	}
}

// TestDashboardWithoutRanking: a month without dustfall readings says
// there is no ranking yet rather than an empty one, and no mean rather
// than a unit after "no data".
func TestDashboardWithoutRanking(t *testing.T) {
	_, d := setup(t, model.RoleCounty)
	scr := NewDashboardScreen(d)
	text := scr.Text()
	for _, bad := range []string{fmt.Sprintf(lang.L("Ranking:%s."), ""), "排名：。", "Ranking:."} {
		if strings.Contains(text, bad) {
			t.Errorf("figures hold an empty ranking %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{lang.L("No ranking yet: no dustfall readings this month."), lang.L("Mean dustfall: no readings this month.")} {
		if !strings.Contains(text, want) {
			t.Errorf("figures: %q missing from\n%s", want, text)
		}
	}
}
