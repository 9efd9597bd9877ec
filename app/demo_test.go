package app

import (
	"math/rand/v2"
	"testing"

	"github.com/lantian-tz/lantian/internal/demo"
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
