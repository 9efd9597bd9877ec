package app

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/model"
)

// Every demo seed walks its register's lifecycle: none is refused.
func TestDemoSeedsAllAccepted(t *testing.T) {
	a := newTestApp(t, LangZH, nil)
	seeds := demo.Records(rand.New(rand.NewPCG(1, 2)), testCounty, 400)
	refused := map[string]int{}
	for _, sd := range seeds {
		if _, err := a.seedOne(sd, demoGridUser, demoReviewerUser); err != nil {
			refused[sd.Register]++
			if refused[sd.Register] == 1 {
				t.Errorf("seed %s %s refused: %v", sd.Register, sd.ID, err)
			}
		}
	}
	if len(refused) > 0 {
		t.Errorf("got refused seeds %v of %d; want none", refused, len(seeds))
	}
}

func TestDemoUserName(t *testing.T) {
	for _, tt := range []struct{ opt, want string }{
		{"", demoGridUser},
		{"grid", demoGridUser},
		{"county", demoReviewerUser},
		{demoReviewerUser, demoReviewerUser},
	} {
		a := &App{opts: Options{DemoUser: tt.opt}}
		if got := demoUserName(a); got != tt.want {
			t.Errorf("demoUserName(%q): got %q; want %q", tt.opt, got, tt.want)
		}
	}
}

// With --demo the forms and the county screens run on one clock, the
// demo's today: a new patrol is dated the day the dashboard and the
// review queue count from.
func TestDemoOneClock(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fa := test.NewTempApp(t)
	wall := time.Date(2026, 12, 6, 8, 0, 0, 0, model.Beijing)
	var log bytes.Buffer
	a := New(fa, Options{Demo: true, DemoRecords: 60, DemoUser: "county", InMemory: true, inline: true,
		Now: func() time.Time { return wall }, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	t.Cleanup(func() { a.Close() })
	a.Start()
	if a.user == nil {
		t.Fatal("demo user not signed in")
	}
	if strings.Contains(log.String(), "refused") {
		t.Errorf("demo records refused on the demo clock:\n%s", log.String())
	}
	day := func(t time.Time) string { return t.In(model.Beijing).Format(model.LayoutDate) }
	sc, _ := model.Lookup("straw_patrol")
	form, _ := a.defaults(sc)[sc.DateField].AsText()
	countyDay := day(a.countyDeps().Now())
	if form != countyDay || form != day(demo.Today()) {
		t.Errorf("new patrol dated %s, county screens on %s; want both %s", form, countyDay, day(demo.Today()))
	}
}
