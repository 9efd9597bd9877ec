package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
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
	// Another device's record makes a's sync pull after its push.
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	fixture.Create(t, b.st, 100)
	b.sync(t)
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
		client.PhaseBlobs: {Phase: client.PhaseBlobs, Ops: 12, Total: 12}, // 10 up, b's 2 down
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

// countRequests counts a client's requests by path.
type countRequests struct {
	mu sync.Mutex
	n  map[string]int
	rt http.RoundTripper
}

func (c *countRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n[r.URL.Path]++
	c.mu.Unlock()
	return c.rt.RoundTrip(r)
}

func (c *countRequests) take(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n[path]
	c.n = map[string]int{}
	return n
}

// A sync that only has the device's own changes to send makes no pull
// request: the push's answer says there is nothing else, and the device
// moves its cursor as the pull would have. Anything new from others is
// still pulled.
func TestPushSparesEmptyPull(t *testing.T) {
	e := newEnv(t)
	reqs := &countRequests{n: map[string]int{}, rt: http.DefaultTransport}
	a := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) {
		c.HTTPClient = &http.Client{Transport: reqs}
		c.BatchSize = 2
	})
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	for i := range 5 {
		fixture.Create(t, a.st, i+1)
	}
	reqs.take("")
	a.sync(t)
	if n := reqs.take(protocol.PathPull); n != 0 {
		t.Errorf("sync of own changes only: %d pull requests; want 0", n)
	}
	cur, err := a.st.Cursor()
	if err != nil || cur != uint64(e.serverOps(t)) {
		t.Errorf("cursor %d (%v); want %d, past the device's own ops", cur, err, e.serverOps(t))
	}

	fromB := fixture.Create(t, b.st, 50)
	b.sync(t)
	fixture.Create(t, a.st, 6)
	res := a.sync(t)
	if n := reqs.take(protocol.PathPull); n == 0 || res.Pulled != 1 {
		t.Errorf("with a record of b's waiting: %d pull requests, %d pulled; want a pull of 1", n, res.Pulled)
	}
	if _, err := a.st.Get(fromB); err != nil {
		t.Errorf("b's record not on a: %v", err)
	}
	a.sync(t)
	if n := reqs.take(protocol.PathPull); n != 1 {
		t.Errorf("sync with nothing to push: %d pull requests; want 1", n)
	}
	b.sync(t)
	sameRecords(t, records(t, a.st), b)
}
