package e2e

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
)

// work makes n random offline changes on d: creates, edits of records it
// knows (its own and pulled ones, so devices edit the same records) and
// deletes. next numbers new records.
func work(t *testing.T, rng *rand.Rand, d *device, n int, next *int) {
	t.Helper()
	for range n {
		live := liveRecords(t, d)
		switch a := rng.IntN(10); {
		case a < 3 || len(live) == 0:
			*next++
			fixture.Create(t, d.st, *next)
		case a < 9:
			id := live[rng.IntN(len(live))]
			fields := []map[string]model.Value{
				{"unit_count": model.Int(int64(1 + rng.IntN(50)))},
				{"annual_coal_t": model.Decimal(float64(rng.IntN(400)) / 4)},
				{"remarks": model.Str(fmt.Sprintf("%s 第%d次核查", d.name, rng.IntN(100)))},
				{"unit_count": model.Int(int64(1 + rng.IntN(50))), "remarks": model.Str(d.name)},
			}
			fixture.Edit(t, d.st, id, fields[rng.IntN(len(fields))])
		default:
			fixture.Edit(t, d.st, live[rng.IntN(len(live))], map[string]model.Value{model.FieldDeleted: model.Bool(true)})
		}
	}
}

// liveRecords lists the records d holds that are not deleted.
func liveRecords(t *testing.T, d *device) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	recs := records(t, d.st)
	for _, id := range ids(recs) {
		if !recs[id].Deleted {
			out = append(out, id)
		}
	}
	return out
}

func TestThreeDevicesConverge(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			e := newEnv(t)
			devs := []*device{
				e.enroll("甲", fixture.County, model.RoleGrid, nil),
				e.enroll("乙", fixture.County, model.RoleGrid, nil),
				e.enroll("丙", fixture.County, model.RoleGrid, nil),
			}
			next := 0
			for range 8 {
				for _, d := range devs {
					work(t, rng, d, rng.IntN(5), &next)
				}
				for _, i := range rng.Perm(len(devs))[:1+rng.IntN(len(devs))] {
					devs[i].sync(t)
				}
			}
			settle(t, devs...)
			fresh := e.enroll("新设备", fixture.County, model.RoleGrid, nil)
			fresh.sync(t)

			want := records(t, devs[0].st)
			if len(want) == 0 {
				t.Fatal("no records made")
			}
			sameRecords(t, want, devs[1], devs[2], fresh)
			noLossNoDup(t, e, devs...)
			var conflicts, deleted int
			for _, s := range want {
				conflicts += len(s.Conflicts)
				if s.Deleted {
					deleted++
				}
			}
			t.Logf("%d records, %d deleted, %d conflicts, %d ops on the server", len(want), deleted, conflicts, e.serverOps(t))
		})
	}
}
