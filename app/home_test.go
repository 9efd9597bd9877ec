package app

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"github.com/lantian-tz/lantian/internal/review"
	"github.com/lantian-tz/lantian/model"
)

// Home and the fire point screen count the same fire points: a grid
// worker's township on both.
func TestHomeFireCountMatchesFireScreen(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "fire_point", 40)
	a.shell.goHome()
	home := a.shell.current().(*homeScreen)
	fires := newFirePoints(a).(*firePointsScreen)
	county, err := firesToCheck(a, "", a.opts.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(county) == len(fires.items) {
		t.Fatalf("all %d fire points to check are in %s; want some elsewhere for the test to mean something", len(county), a.user.Township)
	}
	want := fmt.Sprintf("（%d）", len(fires.items))
	if got := home.firesHead.Text; !strings.HasSuffix(got, want) || !strings.Contains(got, a.user.Township) {
		t.Errorf("home heading %q; want the fire screen's count %s in %s", got, want, a.user.Township)
	}
}

// A county reviewer's home shows the review queue's count and the
// county's fire points, not the grid worker's patrol buttons.
func TestCountyHome(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seed(t, a, "", 120)
	signInAs(t, a, "李审核", model.RoleCounty)
	a.shell.goHome()
	home, ok := a.shell.current().(*countyHome)
	if !ok {
		t.Fatalf("reviewer's home is %T; want the county home", a.shell.current())
	}
	if button(a, lang.L("Log a patrol")) != nil {
		t.Error("reviewer's home offers to log a patrol")
	}
	items, err := review.Queue(a.st, review.Filter{County: a.county}, a.opts.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 || home.nQueue != len(items) {
		t.Errorf("home counts %d awaiting review; want %d (non-zero)", home.nQueue, len(items))
	}
	if !strings.Contains(home.reviewBtn.Text, fmt.Sprint(len(items))) {
		t.Errorf("review link %q lacks the count %d", home.reviewBtn.Text, len(items))
	}
	fires, _ := firesToCheck(a, "", a.opts.Now())
	if home.nFires != len(fires) {
		t.Errorf("home counts %d fire points; want the county's %d", home.nFires, len(fires))
	}
}
