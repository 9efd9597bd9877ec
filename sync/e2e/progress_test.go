package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

func TestClockWarning(t *testing.T) {
	tests := []struct {
		name string
		skew time.Duration
		want bool
	}{
		{"on time", 0, false},
		{"two hours ahead", 2 * time.Hour, true},
		{"a day behind", -24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) {
				c.Now = func() time.Time { return time.Now().Add(tt.skew) }
			})
			fixture.Create(t, d.st, 1)
			res := d.sync(t)
			if got := res.ClockWarning(); got != tt.want {
				t.Errorf("warning = %v (offset %v); want %v", got, res.ClockOffset, tt.want)
			}
			if s := res.Summary(); strings.Contains(s.EN, "clock") != tt.want || strings.Contains(s.ZH, "时钟") != tt.want {
				t.Errorf("summary %q / %q; want the clock mentioned: %v", s.ZH, s.EN, tt.want)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	e := newEnv(t)
	a := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) { c.BatchSize = 2 })
	for i := range 5 {
		fixture.Create(t, a.st, i+1)
	}
	var got []client.Progress
	if _, err := a.c.Sync(context.Background(), func(p client.Progress) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	order := map[client.Phase]int{client.PhasePush: 0, client.PhasePull: 1, client.PhaseBlobs: 2}
	seen := map[client.Phase]client.Progress{}
	last := 0
	for _, p := range got {
		if order[p.Phase] < last {
			t.Errorf("phase %s after a later phase", p.Phase)
		}
		last = order[p.Phase]
		if prev, ok := seen[p.Phase]; ok && (p.Ops < prev.Ops || p.Bytes < prev.Bytes) {
			t.Errorf("%s progress went back: %+v after %+v", p.Phase, p, prev)
		}
		if p.Total != 0 && p.Ops > p.Total {
			t.Errorf("%s progress %d beyond total %d", p.Phase, p.Ops, p.Total)
		}
		seen[p.Phase] = p
	}
	want := map[client.Phase]client.Progress{
		client.PhasePush:  {Phase: client.PhasePush, Ops: 5, Total: 5},
		client.PhaseBlobs: {Phase: client.PhaseBlobs, Ops: 10, Total: 10},
	}
	for ph, w := range want {
		g := seen[ph]
		if g.Ops != w.Ops || g.Total != w.Total || g.Bytes == 0 {
			t.Errorf("last %s progress %+v; want %d of %d with bytes", ph, g, w.Ops, w.Total)
		}
	}
	if seen[client.PhasePull].Bytes == 0 {
		t.Errorf("no pull progress")
	}
}
