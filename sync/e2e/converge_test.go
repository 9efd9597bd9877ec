package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// hostile is a tampered device of the honest devices' county (a) and a
// device of another county (b), both enrolled, pushing past any client.
type hostile struct {
	a, b *maker
	logs map[*maker][]oplog.Op // each one's ops the server holds
}

// push sends ops as m's batch and continues m's chain after what the
// server acknowledged (a rejected op and those after it are not kept).
func (h *hostile) push(t *testing.T, e *env, m *maker, ops []oplog.Op) string {
	t.Helper()
	pr := e.pushAs(t, m.id, m.token, ops)
	log := append(h.logs[m], ops...)[:pr.Acked]
	h.logs[m] = log
	m.seq, m.prev = pr.Acked, oplog.Hash{}
	if len(log) > 0 {
		m.prev = log[len(log)-1].Hash()
	}
	return statuses(pr.Receipts)
}

// statuses is the receipts' status/code, space-separated.
func statuses(rs []protocol.Receipt) string {
	var b bytes.Buffer
	for _, r := range rs {
		b.WriteString(string(r.Status))
		if r.Code != "" {
			b.WriteString("/" + r.Code)
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// round makes the hostile devices push, against one of the records the
// honest devices hold: a run whose first op's signature is broken and
// whose second is refused (another county); an op refused alone (unknown
// field); edits with the clock at 1970 and 7 days ahead; and an edit of
// the record labelled with another county (a record hijack).
func (h *hostile) round(t *testing.T, e *env, rec uuid.UUID) {
	t.Helper()
	a, b := h.a, h.b
	bad := a.op(rec, fixture.Register, fixture.County, map[string]model.Value{"remarks": model.Str("投毒")})
	bad.Sig = bytes.Clone(bad.Sig)
	bad.Sig[0] ^= 0xff
	other := a.op(uuid.Must(uuid.NewV7()), fixture.Register, agreeScope.Other, fixture.Facility(900))
	if got, want := h.push(t, e, a, []oplog.Op{bad, other}), "rejected/signature rejected/after_rejected "; got != want {
		t.Errorf("poisoned run: got %s; want %s", got, want)
	}
	now := time.Now()
	ops := []oplog.Op{
		a.op(rec, fixture.Register, fixture.County, map[string]model.Value{"no_such_field": model.Str("x")}),
		a.opAt(hlc.Make(time.Date(1970, 1, 1, 8, 0, 5, 0, model.Beijing).UnixMilli(), 0), rec, fixture.Register, fixture.County,
			map[string]model.Value{"remarks": model.Str("时钟1970")}),
		a.opAt(hlc.Make(now.Add(7*24*time.Hour).UnixMilli(), 0), rec, fixture.Register, fixture.County,
			map[string]model.Value{"unit_count": model.Int(99)}),
	}
	if got, want := h.push(t, e, a, ops), "refused/schema applied applied "; got != want {
		t.Errorf("refused op and skewed clocks: got %s; want %s", got, want)
	}
	hijack := b.op(rec, fixture.Register, agreeScope.Other, map[string]model.Value{"remarks": model.Str("劫持")})
	if got, want := h.push(t, e, b, []oplog.Op{hijack}), "refused/scope "; got != want {
		t.Errorf("record hijack: got %s; want %s", got, want)
	}
}

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

// TestThreeDevicesConverge: three honest devices work offline and sync in
// random order, with hostile devices pushing between their syncs (see
// hostile.round); every sync succeeds, nothing bad is served (no receiver
// sets anything aside), and the honest devices and a fresh one converge
// to identical state with nothing of theirs lost or duplicated.
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
			h := &hostile{a: e.makerIn(t, model.RoleGrid, fixture.County), b: e.makerIn(t, model.RoleGrid, agreeScope.Other), logs: map[*maker][]oplog.Op{}}
			next := 0
			for range 8 {
				for _, d := range devs {
					work(t, rng, d, rng.IntN(5), &next)
				}
				// A record the server holds (ids of records not yet
				// synced cannot be known elsewhere: UUIDv7).
				devs[0].sync(t)
				if live := liveRecords(t, devs[0]); len(live) > 0 {
					h.round(t, e, live[rng.IntN(len(live))])
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
			var honest uint64
			for _, d := range devs {
				honest += d.st.LocalSeq()
				if a, _ := d.st.Acked(); a != d.st.LocalSeq() {
					t.Errorf("%s acked %d; want its local seq %d", d.name, a, d.st.LocalSeq())
				}
				if q, err := d.st.Quarantined(); err != nil || len(q) != 0 {
					t.Errorf("%s holds back %d changes (%v); want none: nothing bad is served", d.name, len(q), err)
				}
			}
			if got, want := e.serverOps(t), honest+h.a.seq+h.b.seq; got != want {
				t.Errorf("server holds %d ops; want the honest devices' %d and the hostile ones' %d", got, honest, h.a.seq+h.b.seq)
			}
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
