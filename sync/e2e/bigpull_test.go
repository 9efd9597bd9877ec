package e2e

import (
	"context"
	"testing"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// A fresh device's first sync pulls a county of 12,000 ops, with the
// client's default page size and with the largest page the server gives
// (more than one store transaction holds).
func TestFreshDevicePullsManyOps(t *testing.T) {
	if testing.Short() {
		t.Skip("12,000 ops")
	}
	const recs, edits = 120, 99
	e := newEnv(t)
	src := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	for i := range recs {
		id := fixture.Create(t, src.st, i+1)
		for j := range edits {
			fixture.Edit(t, src.st, id, map[string]model.Value{"unit_count": model.Int(int64(2 + j))})
		}
	}
	src.sync(t)
	const total = recs * (1 + edits)
	if got := e.serverOps(t); got != total {
		t.Fatalf("server holds %d ops; want %d", got, total)
	}
	want := records(t, src.st)
	for _, tc := range []struct {
		name string
		cfg  func(*client.Config)
	}{
		{"default", nil},
		{"largest", func(c *client.Config) { c.PullBytes = protocol.MaxPullBytes }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := e.enroll("新"+tc.name, fixture.County, model.RoleGrid, tc.cfg)
			res := d.sync(t)
			if res.Pulled != total {
				t.Fatalf("pulled %d ops; want %d", res.Pulled, total)
			}
			if err := d.st.Check(context.Background()); err != nil {
				t.Fatalf("check: %v", err)
			}
			sameRecords(t, want, d)
			if res := d.sync(t); res.Pulled != 0 {
				t.Fatalf("second sync pulled %d ops", res.Pulled)
			}
		})
	}
}
