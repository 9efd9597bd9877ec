package e2e

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/faultproxy"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// small makes a client send many small requests, so that random byte
// offsets land in every kind of request and response; one attempt per
// request, so that a fault fails the sync and the next one must recover.
func small(c *client.Config) {
	c.BatchSize = 2
	c.PullBytes = 1500
	c.ChunkBytes = 16
	c.Attempts = 1
}

// expectedFailure fails the test unless err is nil or what a broken
// connection may cause: a network error, a 5xx, or an answer cut short.
func expectedFailure(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if errors.Is(err, model.ErrNetwork) {
		return
	}
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Status >= 500 {
		return
	}
	t.Fatalf("sync failed with %v; want only network failures", err)
}

func TestFaultsLoseNothing(t *testing.T) {
	const wantCuts = 120
	e := newEnv(t)
	p := e.withProxy()
	rng := rand.New(rand.NewPCG(42, 1))
	devs := []*device{
		e.enroll("甲", fixture.County, model.RoleGrid, small),
		e.enroll("乙", fixture.County, model.RoleGrid, small),
		e.enroll("丙", fixture.County, model.RoleGrid, small),
	}
	ctx := context.Background()
	next := 0
	cuts, replays, failures := 0, 0, 0
	for i := 0; cuts < wantCuts; i++ {
		d := devs[rng.IntN(len(devs))]
		work(t, rng, d, rng.IntN(3), &next)
		before := p.Fired()
		switch k := rng.IntN(20); {
		case k == 0:
			p.Arm(faultproxy.DropResponse("POST /v1/push"))
		case k == 1:
			p.Arm(faultproxy.DropResponse("PUT /v1/blobs/"))
		case k == 2:
			p.Arm(faultproxy.DropResponse("POST /v1/pull"))
		default:
			dir := faultproxy.Request
			if rng.IntN(2) == 0 {
				dir = faultproxy.Response
			}
			p.Arm(faultproxy.Fault{Dir: dir, After: rng.Int64N(3000)})
		}
		_, err := d.c.Sync(ctx, nil)
		expectedFailure(t, err)
		if err != nil {
			failures++
		}
		if p.Fired() > before {
			cuts++
		}
		p.Disarm() // a fault the sync never reached
		if i%10 == 9 {
			// Replay the last push as a late duplicate: harmless.
			if raw, ok := p.FindRequest("POST /v1/push"); ok {
				opsBefore := e.serverOps(t)
				code, body, err := p.Replay(ctx, raw)
				if err != nil || code != http.StatusOK {
					t.Fatalf("replayed push = %d %s %v; want 200", code, body, err)
				}
				if got := e.serverOps(t); got != opsBefore {
					t.Fatalf("replayed push changed the server's ops from %d to %d", opsBefore, got)
				}
				replays++
			}
			p.ClearCaptures()
		}
	}
	settle(t, devs...)
	fresh := e.enroll("新设备", fixture.County, model.RoleGrid, nil)
	fresh.sync(t)
	want := records(t, devs[0].st)
	sameRecords(t, want, devs[1], devs[2], fresh)
	noLossNoDup(t, e, devs...)
	for _, d := range devs {
		if q, _ := d.st.Quarantined(); len(q) != 0 {
			t.Errorf("%s quarantined %d ops; want none", d.name, len(q))
		}
	}
	t.Logf("%d faults fired, %d syncs failed, %d replays; %d records, %d ops", cuts, failures, replays, len(want), e.serverOps(t))
}

func TestDelayBeyondTimeout(t *testing.T) {
	e := newEnv(t)
	p := e.withProxy()
	d := e.enroll("甲", fixture.County, model.RoleGrid, func(c *client.Config) {
		c.Timeout = 300 * time.Millisecond
		c.Attempts = 3
	})
	for i := range 3 {
		fixture.Create(t, d.st, i+1)
	}
	// The first answer to a push is held longer than the request
	// timeout: the client gives up on it, retries, and gets duplicates.
	p.Arm(faultproxy.Fault{Dir: faultproxy.Response, Action: faultproxy.Delay, After: 0, Match: "POST /v1/push", Delay: time.Second})
	res := d.sync(t)
	if p.Fired() != 1 {
		t.Fatalf("fired %d; want 1", p.Fired())
	}
	if res.Pushed != 3 {
		t.Errorf("pushed %d; want 3", res.Pushed)
	}
	noLossNoDup(t, e, d)
}
