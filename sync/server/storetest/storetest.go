// Package storetest holds tests that every server.Storage backend must
// pass, called from each backend's own tests (sync/server/badgerstore,
// sync/server/pgstore).
package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// register is the register of the entries' records.
const register = "farm_coal_facility"

// entries makes n applied log entries of a new device's log for county
// (in province 130000), each on a record of its own.
func entries(n int, county string) []server.LogEntry {
	out := make([]server.LogEntry, n)
	for i := range out {
		seq := uint64(i + 1)
		var h oplog.Hash
		copy(h[:], fmt.Sprintf("hash-%s-%d", county, seq))
		out[i] = server.LogEntry{Seq: seq, Hash: h, Record: uuid.Must(uuid.NewV7()), Register: register, County: county, Province: "130000",
			Eff: hlc.Timestamp(seq), Raw: fmt.Appendf(nil, "op-%s-%d", county, seq)}
	}
	return out
}

// BlobCounties checks that s lists the counties of the applied entries
// that reference a blob, and that a refused entry's references count for
// nothing.
func BlobCounties(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	photo, other := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	a := entries(3, "130126")
	a[0].Blobs = []string{photo}
	a[1].Blobs = []string{photo, other} // the same county again
	a[2].Blobs = []string{other}
	a[2].Refused = true
	a[2].Refusal = &protocol.Receipt{Seq: 3, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, a); err != nil {
		t.Fatal(err)
	}
	b := entries(1, "130127")
	b[0].Blobs = []string{photo}
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, b); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{photo, []string{"130126", "130127"}},
		{other, []string{"130126"}},
		{strings.Repeat("ef", 32), nil},
	} {
		got, err := s.BlobCounties(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("BlobCounties(%s…): got %v; want %v", tt.id[:4], got, tt.want)
		}
	}
}

// RecordHomes checks that s keeps every record in the register and county
// of its first applied entry (model.KeepsRecord), within a batch and
// across batches and devices: an entry naming others is stored refused
// with a scope refusal, marked so in the caller's entries, given no
// server seq and never served, while the device's log goes on after it.
// An entry refused already gives its record no home.
func RecordHomes(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	const c1, c2 = "130126", "130127"
	r1, r2, r3 := uuid.New(), uuid.New(), uuid.New()
	on := func(es []server.LogEntry, i int, rec uuid.UUID, reg, county string) {
		es[i].Record, es[i].Register, es[i].County = rec, reg, county
	}
	a := entries(8, c1)
	on(a, 0, r1, register, c1)         // creates r1 in c1
	on(a, 1, r1, register, c1)         // edits it
	on(a, 2, r1, register, c2)         // moves it to c2: refused
	on(a, 3, r1, "livestock_farm", c1) // to another register: refused
	on(a, 4, r2, register, c2)         // creates r2 in c2
	on(a, 5, r2, register, c2)         // the same batch sees it
	on(a, 6, r3, register, c1)         // refused already (content)
	a[6].Refused = true
	a[6].Refusal = &protocol.Receipt{Seq: 7, Status: protocol.StatusRefused, Code: protocol.RefusedSchema}
	on(a, 7, r3, register, c2) // so this one creates r3, in c2
	devA := uuid.New()
	sss, err := s.Append(ctx, devA, server.Head{}, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(sss), "[1 2 0 0 3 4 0 5]"; got != want {
		t.Errorf("server seqs: got %s; want %s", got, want)
	}
	for i, e := range a {
		wantCode := map[int]string{2: protocol.RefusedScope, 3: protocol.RefusedScope, 6: protocol.RefusedSchema}[i]
		gotCode := ""
		if e.Refused {
			if e.Refusal == nil {
				t.Fatalf("entry %d: refused without a receipt", i)
			}
			gotCode = e.Refusal.Code
			if e.Refusal.Status != protocol.StatusRefused || e.Refusal.Seq != e.Seq {
				t.Errorf("entry %d: got refusal %+v; want refused, seq %d", i, *e.Refusal, e.Seq)
			}
		}
		if gotCode != wantCode {
			t.Errorf("entry %d: got refusal %q; want %q", i, gotCode, wantCode)
		}
	}

	b := entries(3, c2)
	on(b, 0, r1, register, c2) // another device moving r1: refused
	on(b, 1, r3, register, c1) // r3 is in c2 since a[7]: refused
	on(b, 2, r1, register, c1) // and editing r1 where it is: applied
	devB := uuid.New()
	sss, err = s.Append(ctx, devB, server.Head{}, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(sss), "[0 0 6]"; got != want {
		t.Errorf("second device's server seqs: got %s; want %s", got, want)
	}
	if h, err := s.Head(ctx, devB); err != nil || h.Acked != 3 || h.Hash != b[2].Hash {
		t.Errorf("second device's head: got %+v, %v; want acked 3 after its refused entries", h, err)
	}
	logged, err := s.Log(ctx, devB, 1, 3)
	if err != nil || len(logged) != 3 {
		t.Fatalf("Log: got %d entries, %v; want 3", len(logged), err)
	}
	for i, e := range logged[:2] {
		if !e.Refused || e.Refusal == nil || e.Refusal.Code != protocol.RefusedScope || e.ServerSeq != 0 {
			t.Errorf("logged entry %d: got refused %v, refusal %+v, server seq %d; want a scope refusal", i+1, e.Refused, e.Refusal, e.ServerSeq)
		}
		if string(e.Raw) != string(b[i].Raw) {
			t.Errorf("logged entry %d: got raw %q; want %q", i+1, e.Raw, b[i].Raw)
		}
	}
	if logged[2].Refused || logged[2].ServerSeq != 6 {
		t.Errorf("logged entry 3: got refused %v, server seq %d; want applied at 6", logged[2].Refused, logged[2].ServerSeq)
	}
	for _, tt := range []struct {
		county string
		want   []uint64
	}{
		{c1, []uint64{1, 2, 6}},
		{c2, []uint64{3, 4, 5}},
	} {
		p, err := s.Pull(ctx, protocol.Scope{Province: "130000", County: tt.county}, 0, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, o := range p.Ops {
			got = append(got, o.ServerSeq)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("served in %s: got %v; want %v", tt.county, got, tt.want)
		}
	}
}

// RecordHomesConcurrent races pairs of devices appending an entry that
// creates one record, each in another county: in every round exactly one
// is applied and the other refused with a scope refusal.
func RecordHomesConcurrent(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	counties := []string{"130126", "130127"}
	for round := range 20 {
		rec := uuid.New()
		start := make(chan struct{})
		var wg sync.WaitGroup
		batches := make([][]server.LogEntry, len(counties))
		sss := make([][]uint64, len(counties))
		errs := make([]error, len(counties))
		for i, c := range counties {
			batches[i] = entries(2, c)
			batches[i][1].Record = rec
			wg.Go(func() {
				<-start
				sss[i], errs[i] = s.Append(ctx, uuid.New(), server.Head{}, batches[i])
			})
		}
		close(start)
		wg.Wait()
		applied := 0
		for i := range counties {
			if errs[i] != nil {
				t.Fatalf("round %d: Append in %s: %v", round, counties[i], errs[i])
			}
			e := batches[i][1]
			switch {
			case !e.Refused && sss[i][1] != 0:
				applied++
			case e.Refused && e.Refusal != nil && e.Refusal.Code == protocol.RefusedScope && sss[i][1] == 0:
			default:
				t.Errorf("round %d, %s: got refused %v, refusal %+v, server seq %d", round, counties[i], e.Refused, e.Refusal, sss[i][1])
			}
		}
		if applied != 1 {
			t.Fatalf("round %d: %d of the racing entries applied; want exactly 1", round, applied)
		}
	}
}

// Keys checks that s returns, for each enrolled device asked for, its
// public key with the role and scope it was enrolled with, in the order
// asked, leaving unknown devices out.
func Keys(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	type enrolled struct {
		scope protocol.Scope
		role  model.Role
	}
	devs := []enrolled{
		{protocol.Scope{Province: "130000", County: "130126"}, model.RoleGrid},
		{protocol.Scope{Province: "130000", County: "130127"}, model.RoleCounty},
		{protocol.Scope{Province: "130000"}, model.RoleProvince},
	}
	var ids []uuid.UUID
	var want []protocol.DeviceKey
	for i, d := range devs {
		code := sha256.Sum256([]byte(fmt.Sprint("code", i)))
		if err := s.CreateCode(ctx, server.Code{Hash: code, Scope: d.scope, Role: d.role, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		pub, _, _ := ed25519.GenerateKey(nil)
		id := uuid.New()
		dev := server.Device{ID: id, PublicKey: pub, Label: "测试平板", TokenHash: sha256.Sum256(id[:]), Enrolled: now}
		if _, err := s.Enroll(ctx, code, dev, now); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		want = append(want, protocol.DeviceKey{Device: id, Key: pub, Role: d.role, Scope: d.scope})
	}
	// Asked in another order, with a device never enrolled.
	got, err := s.Keys(ctx, []uuid.UUID{ids[2], uuid.New(), ids[0], ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	want = []protocol.DeviceKey{want[2], want[0], want[1]}
	if len(got) != len(want) {
		t.Fatalf("keys: got %d; want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Device != w.Device || !bytes.Equal(g.Key, w.Key) || g.Role != w.Role || g.Scope != w.Scope {
			t.Errorf("key %d: got %s %x %q %+v; want %s %x %q %+v", i, g.Device, g.Key[:4], g.Role, g.Scope, w.Device, w.Key[:4], w.Role, w.Scope)
		}
	}
}

// Reports checks that s keeps one report per op and reporter, only of
// ops applied in the reporter's scope, counts each op once however many
// reported it, and counts nothing for a device no one reported.
func Reports(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	dev, other, r1, r2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	a := entries(4, "130126")
	a[3].Refused = true
	a[3].Refusal = &protocol.Receipt{Seq: 4, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	if _, err := s.Append(ctx, dev, server.Head{}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, other, server.Head{}, entries(1, "130127")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	if got, err := s.ReportCounts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ReportCounts of an empty store: %v, %v; want none", got, err)
	}
	county := protocol.Scope{Province: "130000", County: "130126"}
	province := protocol.Scope{Province: "130000"}
	op := func(d uuid.UUID, seq uint64) protocol.ReportedOp {
		return protocol.ReportedOp{Device: d, Seq: seq, Code: protocol.RejectedSig}
	}
	steps := []struct {
		name     string
		reporter uuid.UUID
		scope    protocol.Scope
		ops      []protocol.ReportedOp
		want     int
	}{
		{"two ops", r1, county, []protocol.ReportedOp{op(dev, 2), op(dev, 3)}, 2},
		{"sent again", r1, county, []protocol.ReportedOp{op(dev, 2)}, 0},
		{"another reporter, an op twice", r2, province, []protocol.ReportedOp{op(dev, 2), op(other, 1), op(other, 1)}, 2},
		{"nothing", r2, province, nil, 0},
		{"another county's op", r1, county, []protocol.ReportedOp{op(other, 1)}, 0},
		{"another province", r1, protocol.Scope{Province: "140000"}, []protocol.ReportedOp{op(dev, 1)}, 0},
		{"refused, never served", r1, county, []protocol.ReportedOp{op(dev, 4)}, 0},
		{"not held", r1, county, []protocol.ReportedOp{op(dev, 9), op(uuid.New(), 1)}, 0},
	}
	for _, st := range steps {
		got, err := s.Report(ctx, st.reporter, st.scope, st.ops, at)
		if err != nil || len(got) != st.want {
			t.Errorf("%s: got %d new (%+v), %v; want %d", st.name, len(got), got, err, st.want)
		}
	}
	got, err := s.ReportCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[uuid.UUID]int{dev: 2, other: 1}; !maps.Equal(got, want) {
		t.Errorf("ReportCounts: got %v; want %v", got, want)
	}
}

// VouchedEnds checks that s stores nothing of a batch in which an entry
// vouched for by the next one's signature (LogEntry.Vouched) would be
// followed by one it refuses for moving a record, returning
// *server.UnverifiedEnds naming it, and that the same batch is stored,
// the move refused, once that entry is no longer vouched.
func VouchedEnds(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	home := entries(1, "130126")
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, home); err != nil {
		t.Fatal(err)
	}
	dev := uuid.New()
	a := entries(3, "130127")
	a[0].Vouched = true
	a[1].Record, a[1].County = home[0].Record, "130127" // moves it: refused
	_, err := s.Append(ctx, dev, server.Head{}, slices.Clone(a))
	var ue *server.UnverifiedEnds
	if !errors.As(err, &ue) || !slices.Equal(ue.Seqs, []uint64{1}) {
		t.Fatalf("Append with a vouched op before a move: got %v; want UnverifiedEnds [1]", err)
	}
	if h, err := s.Head(ctx, dev); err != nil || h != (server.Head{}) {
		t.Fatalf("head after the refused append: %+v, %v; want nothing stored", h, err)
	}
	a[0].Vouched = false
	sss, err := s.Append(ctx, dev, server.Head{}, a)
	if err != nil {
		t.Fatal(err)
	}
	if sss[0] == 0 || sss[1] != 0 || sss[2] == 0 || !a[1].Refused || a[1].Refusal.Code != protocol.RefusedScope {
		t.Errorf("Append once verified: server seqs %v, move refused %v; want the move alone refused for scope", sss, a[1].Refusal)
	}
}

// Withdraw checks that s stops serving a device's applied ops accepted
// after a time (every one without a time; entries without an acceptance
// time count as accepted at the zero time), keeps serving the others and
// other devices' ops in pages of any size, records each withdrawal once
// with the next withdrawal seq, and lists them after a seq.
func Withdraw(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	county := "130126"
	scope := protocol.Scope{Province: "130000", County: county}
	t1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(2 * time.Hour)
	code := sha256.Sum256([]byte("withdraw code"))
	if err := s.CreateCode(ctx, server.Code{Hash: code, Scope: scope, Role: model.RoleGrid, Expires: t2.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	x, y := uuid.New(), uuid.New()
	if _, err := s.Enroll(ctx, code, server.Device{ID: x, PublicKey: pub, Label: "被吊销的平板", TokenHash: sha256.Sum256(x[:]), Enrolled: t1}, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, server.Withdrawal{Device: uuid.New(), At: t2}); !errors.Is(err, protocol.ErrNotFound) {
		t.Errorf("Withdraw of an unknown device: %v; want not found", err)
	}
	// x: ops 1-2 stored without an acceptance time, 3-5 accepted at t2
	// (4 refused); y: two ops at t2 between x's.
	all := entries(5, county)
	for i := range all {
		copy(all[i].Hash[:], fmt.Sprintf("x-%d", i))
		all[i].Raw = fmt.Appendf(nil, "x-%d", i+1)
	}
	all[3].Refused = true
	all[3].Refusal = &protocol.Receipt{Seq: 4, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	ss := map[string]uint64{}
	appendAt := func(dev uuid.UUID, name string, from server.Head, es []server.LogEntry, at time.Time) {
		t.Helper()
		for i := range es {
			es[i].Accepted = at
		}
		got, err := s.Append(ctx, dev, from, es)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range got {
			ss[fmt.Sprintf("%s%d", name, es[i].Seq)] = n
		}
	}
	appendAt(x, "x", server.Head{}, all[:2], time.Time{})
	ye := entries(2, county)
	appendAt(y, "y", server.Head{}, ye[:1], t2)
	appendAt(x, "x", server.Head{Acked: 2, Hash: all[1].Hash}, all[2:], t2)
	appendAt(y, "y", server.Head{Acked: 1, Hash: ye[0].Hash}, ye[1:], t2)

	if log, err := s.Log(ctx, x, 1, 5); err != nil || len(log) != 5 || !log[0].Accepted.IsZero() || !log[2].Accepted.Equal(t2) {
		t.Fatalf("Log keeps the acceptance times: %+v, %v", log, err)
	}
	served := func(name string) []uint64 {
		t.Helper()
		var got []uint64
		for _, max := range []int{1 << 20, 1} { // one page, and a page per op
			got = got[:0]
			var cursor uint64
			for {
				pg, err := s.Pull(ctx, scope, cursor, max)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range pg.Ops {
					got = append(got, o.ServerSeq)
				}
				if pg.Cursor < cursor {
					t.Fatalf("%s: cursor went back from %d to %d", name, cursor, pg.Cursor)
				}
				cursor = pg.Cursor
				if !pg.More {
					break
				}
			}
		}
		return got
	}
	seqs := func(names ...string) []uint64 {
		var out []uint64
		for _, n := range names {
			out = append(out, ss[n])
		}
		slices.Sort(out)
		return out
	}
	if got, want := served("before"), seqs("x1", "x2", "x3", "x5", "y1", "y2"); !slices.Equal(got, want) {
		t.Fatalf("served before withdrawing: %v; want %v", got, want)
	}

	reason := model.Text{ZH: "设备已被吊销", EN: "device revoked"}
	at := t2.Add(time.Hour)
	w1, err := s.Withdraw(ctx, server.Withdrawal{Device: x, Since: t1.Add(time.Minute), At: at, Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	wantOps := []server.WithdrawnOp{{Seq: 3, ServerSeq: ss["x3"], County: county, Province: "130000"}, {Seq: 5, ServerSeq: ss["x5"], County: county, Province: "130000"}}
	if w1.Seq != 1 || !slices.Equal(w1.Ops, wantOps) || w1.Device != x || w1.Reason != reason {
		t.Fatalf("Withdraw since t1: %+v; want seq 1, ops %+v", w1, wantOps)
	}
	if got, want := served("after since"), seqs("x1", "x2", "y1", "y2"); !slices.Equal(got, want) {
		t.Fatalf("served after withdrawing since t1: %v; want %v", got, want)
	}
	if w, err := s.Withdraw(ctx, server.Withdrawal{Device: x, Since: t1.Add(time.Minute), At: at, Reason: reason}); err != nil || w.Seq != 0 || len(w.Ops) != 0 {
		t.Fatalf("Withdraw again: %+v, %v; want nothing", w, err)
	}
	w2, err := s.Withdraw(ctx, server.Withdrawal{Device: x, At: at.Add(time.Minute), Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	if w2.Seq != 2 || len(w2.Ops) != 2 || w2.Ops[0].Seq != 1 || w2.Ops[1].Seq != 2 {
		t.Fatalf("Withdraw all: %+v; want seq 2, ops 1 and 2", w2)
	}
	if got, want := served("after all"), seqs("y1", "y2"); !slices.Equal(got, want) {
		t.Fatalf("served after withdrawing all: %v; want %v", got, want)
	}
	ws, last, err := s.Withdrawals(ctx, 0)
	if err != nil || last != 2 || len(ws) != 2 {
		t.Fatalf("Withdrawals(0): %+v, %d, %v; want 2", ws, last, err)
	}
	for i, want := range []server.Withdrawal{w1, w2} {
		g := ws[i]
		if g.Seq != want.Seq || g.Device != x || !g.Since.Equal(want.Since) || !g.At.Equal(want.At) || g.Reason != reason || !slices.Equal(g.Ops, want.Ops) {
			t.Errorf("withdrawal %d: %+v; want %+v", i+1, g, want)
		}
	}
	if ws, last, err := s.Withdrawals(ctx, 1); err != nil || last != 2 || len(ws) != 1 || ws[0].Seq != 2 {
		t.Errorf("Withdrawals(1): %+v, %d, %v; want withdrawal 2", ws, last, err)
	}
	if ws, last, err := s.Withdrawals(ctx, 2); err != nil || last != 2 || len(ws) != 0 {
		t.Errorf("Withdrawals(2): %+v, %d, %v; want none", ws, last, err)
	}
}
