package e2e

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// pushRaw sends ops as d's push batch, past its client, and returns the
// server's answer.
func (e *env) pushRaw(t *testing.T, d *device, ops []oplog.Op) protocol.PushResponse {
	t.Helper()
	return e.pushAs(t, d.st.Device(), d.c.Token(), ops)
}

// pushAs sends ops as the push batch of device id with its token.
func (e *env) pushAs(t *testing.T, id uuid.UUID, token string, ops []oplog.Op) protocol.PushResponse {
	t.Helper()
	body, err := protocol.EncodePush(protocol.PushRequest{Device: id, Ops: ops})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+protocol.PathPush, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", protocol.ContentTypeOps)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := protocol.ReadBody(resp.Body, resp.Header.Get("Content-Encoding"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push: got %d %s; want 200", resp.StatusCode, b)
	}
	pr, err := protocol.DecodePushResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// A grid device that pushes a run of two ops, the first for its own
// county with its own signature broken and the second signed but refused
// (another county), must not get the first stored and served: every
// receiver would meet it alone, without the successor whose signature
// vouches for it. Fresh and existing county devices and the province
// device all keep syncing and converge.
func TestPoisonedRunNotServed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.enroll("旧", fixture.County, model.RoleGrid, nil)
	prov := e.enroll("省", fixture.Province, model.RoleProvince, nil)
	bad := e.enroll("坏", fixture.County, model.RoleGrid, nil)
	fixture.Create(t, old.st, 1)
	fixture.Create(t, bad.st, 2)
	settle(t, old, prov, bad)

	// The poisoning run: seq 2 (own county, signature broken), seq 3
	// (signed, another county of the province: refused for scope).
	// The device's store writes only its own county, so the second op
	// is relabelled and signed again with the device's key, as a
	// tampered device would.
	fixture.Create(t, bad.st, 3)
	if _, err := bad.st.Append(ctx, store.Change{Register: fixture.Register, County: fixture.County, Author: "grid",
		Role: model.RoleGrid, Set: fixture.Facility(4, fixture.Photo(t, bad.st, "p4a"), fixture.Photo(t, bad.st, "p4b"))}); err != nil {
		t.Fatal(err)
	}
	ops, err := bad.st.Ops(bad.st.Device(), 1, 0)
	if err != nil || len(ops) != 2 {
		t.Fatalf("ops = %d, %v; want 2", len(ops), err)
	}
	ops[0].Sig = bytes.Clone(ops[0].Sig)
	ops[0].Sig[0] ^= 0xff
	ops[1].County = "130125"
	ops[1].SignWith(bad.st.Sign)
	pr := e.pushRaw(t, bad, ops)
	if pr.Acked != 1 {
		t.Errorf("acked %d after the poisoned run; want 1 (nothing of it stored)", pr.Acked)
	}
	if len(pr.Receipts) != 2 || pr.Receipts[0].Code != protocol.RejectedSig || pr.Receipts[1].Code != protocol.RejectedAfter {
		t.Errorf("receipts %+v; want the first rejected for its signature, the second after it", pr.Receipts)
	}
	pg, err := e.store.Pull(ctx, protocol.Scope{Province: fixture.Province, County: fixture.County}, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range pg.Ops {
		if id, _ := oplog.PeekID(o.Raw); id == ops[0].ID() {
			t.Errorf("the op with the broken signature is served (server seq %d)", o.ServerSeq)
		}
	}

	// Work goes on after the poisoning push.
	fixture.Create(t, old.st, 5)
	fresh := e.enroll("新", fixture.County, model.RoleGrid, nil)
	for _, d := range []*device{old, prov, fresh, old, prov, fresh} {
		d.sync(t)
	}
	want := records(t, old.st)
	if len(want) != 3 {
		t.Errorf("%s holds %d records; want 3 (two of its own, one of the poisoning device)", old.name, len(want))
	}
	sameRecords(t, want, prov, fresh)
	for _, d := range []*device{old, prov, fresh} {
		if q, err := d.st.Quarantined(); err != nil || len(q) != 0 {
			t.Errorf("%s holds back %v (%v); want nothing (nothing bad was served)", d.name, q, err)
		}
	}
}

// A bad op that a server serves anyway (stored before the server checked
// served run ends) blocks no receiver: each sets it aside with its
// reason, holds the poisoning device's later ops behind it, takes
// everything else, and reports it; the server counts it for the device.
func TestServedBadOpSetAside(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.enroll("旧", fixture.County, model.RoleGrid, nil)
	prov := e.enroll("省", fixture.Province, model.RoleProvince, nil)
	bad := e.enroll("坏", fixture.County, model.RoleGrid, nil)
	fixture.Create(t, bad.st, 1)
	settle(t, old, prov, bad)

	// Seq 2 goes into the server's log with its signature broken, as an
	// older server would have kept it.
	fixture.Create(t, bad.st, 2)
	ops, err := bad.st.Ops(bad.st.Device(), 1, 0)
	if err != nil || len(ops) != 1 {
		t.Fatalf("ops = %d, %v; want 1", len(ops), err)
	}
	op := ops[0]
	op.Sig = bytes.Clone(op.Sig)
	op.Sig[0] ^= 0xff
	op.Eff, op.ServerSeq = 0, 0
	raw, err := op.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	head, err := e.store.Head(ctx, op.Device)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Append(ctx, op.Device, head, []server.LogEntry{{Seq: op.Seq, Hash: op.Hash(), County: op.County,
		Province: fixture.Province, Eff: op.HLC, Raw: raw}}); err != nil {
		t.Fatal(err)
	}
	fixture.Create(t, old.st, 4)
	fresh := e.enroll("新", fixture.County, model.RoleGrid, nil)
	for _, d := range []*device{old, prov, fresh} {
		res := d.sync(t)
		if res.SetAside != 1 {
			t.Errorf("%s set aside %d; want 1", d.name, res.SetAside)
		}
		q, err := d.st.Quarantined()
		if err != nil || len(q) != 1 || !q[0].Received || q[0].Op.ID() != op.ID() || q[0].Code != store.RefusedSignature {
			t.Errorf("%s holds %+v, %v; want seq 2 of the poisoning device, received, signature", d.name, q, err)
		}
	}
	// The poisoning device goes on (its own copy of seq 2 is good: a
	// duplicate to the server); its later op waits behind the bad one.
	later := fixture.Create(t, bad.st, 3)
	bad.sync(t)
	for _, d := range []*device{old, prov, fresh} {
		d.sync(t)
		if _, err := d.st.Get(later); err == nil {
			t.Errorf("%s applied the poisoning device's op after the bad one; want it held behind it", d.name)
		}
	}
	sameRecords(t, records(t, old.st), prov, fresh)
	if n := len(records(t, old.st)); n != 2 {
		t.Errorf("%d records; want 2 (the old device's, the poisoning device's first)", n)
	}
	counts, err := e.store.ReportCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts[bad.st.Device()] != 1 || len(counts) != 1 {
		t.Errorf("reported set aside by device: %v; want 1 op of the poisoning device", counts)
	}
	// Nothing more to report, nothing fails.
	for _, d := range []*device{old, prov, fresh} {
		if res := d.sync(t); res.SetAside != 0 {
			t.Errorf("%s set aside %d on the next sync; want 0", d.name, res.SetAside)
		}
	}
}
