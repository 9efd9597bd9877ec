package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// replica is a device store that pulls from the server as the sync
// client does: it registers each page's keys and applies the page with
// its scope links.
type replica struct {
	t      *testing.T
	st     *store.Store
	cursor uint64
}

func newReplica(t *testing.T) *replica {
	t.Helper()
	st, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.DiscardHandler), GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &replica{t: t, st: st}
}

// sync pulls every page for d after the replica's cursor and applies it,
// failing the test if the store refuses a page; it returns the ops
// served and the ops the store applied.
func (r *replica) sync(e *env, d *device) (served, applied int) {
	r.t.Helper()
	ctx := context.Background()
	for {
		p := e.pull(d, r.cursor, 2000)
		for _, k := range p.Keys {
			if err := r.st.RegisterDevice(k.Device, ed25519.PublicKey(k.Key), ""); err != nil {
				r.t.Fatal(err)
			}
		}
		var res store.ApplyResult
		var err error
		if p.ScopePrev == nil {
			res, err = r.st.ApplyPage(ctx, p.Ops, p.Cursor)
		} else {
			res, err = r.st.ApplyPageScoped(ctx, p.Ops, p.ScopePrev, p.Cursor)
		}
		if err != nil {
			r.t.Fatalf("the device store refuses a page it pulled (cursor %d): %v", r.cursor, err)
		}
		served += len(p.Ops)
		applied += res.Applied
		r.cursor = p.Cursor
		if !p.More {
			return served, applied
		}
	}
}

// TestPushRecordKeepsItsCounty is the finding of a county grid device
// that pushed an edit of another county's record, labelling the op with
// its own county: the server applied it, and from then on every province
// device failed every pull, its store refusing the op that moved the
// record ("record … is <register>/<county B>, op says …/<county A>"). The
// server now refuses such an op with a scope refusal, whoever signs it,
// and goes on with the device's log after it.
func TestPushRecordKeepsItsCounty(t *testing.T) {
	e := newEnv(t)
	a := e.enroll(hebei, county1, model.RoleGrid)
	b := e.enroll(hebei, county2, model.RoleGrid)
	prov := e.enroll(hebei, "", model.RoleProvince)
	other := e.enroll(hebei, county2, model.RoleCounty)

	if got := e.push(b, []oplog.Op{b.op(t, county2, nil)}); statuses(got.Receipts) != "applied " {
		t.Fatalf("county B creates its record: got %s", statuses(got.Receipts))
	}
	theirs := b.recordIn(county2)

	// County A's device edits county B's record under its own county,
	// then a record of its own.
	a.records[county1] = theirs
	moves := a.ops(t, 2, county1, nil)
	a.records[county1] = uuid.Must(uuid.NewV7())
	batch := append(moves, a.op(t, county1, nil))
	got := e.push(a, batch)
	if want := "refused/scope refused/scope applied "; statuses(got.Receipts) != want || got.Acked != 3 {
		t.Errorf("county A moving county B's record: got acked %d, %s; want 3, %s", got.Acked, statuses(got.Receipts), want)
	}
	for _, r := range got.Receipts[:2] {
		if r.Msg == nil || r.Msg.ZH == "" || r.Msg.EN == "" || r.ServerSeq != 0 {
			t.Errorf("refusal %d: got message %v, server seq %d; want both languages and no server seq", r.Seq, r.Msg, r.ServerSeq)
		}
	}
	if again := e.push(a, batch); statuses(again.Receipts) != "refused/scope refused/scope duplicate " {
		t.Errorf("the batch resent: got %s; want the same refusals, then duplicate", statuses(again.Receipts))
	}
	// A province device may write either county, but not move a record.
	prov.records[county1] = theirs
	if got := e.push(prov, []oplog.Op{prov.op(t, county1, nil)}); statuses(got.Receipts) != "refused/scope " {
		t.Errorf("province device moving the record: got %s; want refused/scope ", statuses(got.Receipts))
	}

	// Every device pulls cleanly: the province sees B's record and A's
	// own, county B only its record.
	for _, tt := range []struct {
		name   string
		reader *device
		want   int
	}{
		{"province", prov, 2},
		{"county B", other, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			served, applied := newReplica(t).sync(e, tt.reader)
			if served != tt.want || applied != tt.want {
				t.Errorf("got %d ops served, %d applied; want %d, %d", served, applied, tt.want, tt.want)
			}
		})
	}
}

// TestPushRacingCreatorsOfOneRecord pushes, from devices of two counties
// at once, an op creating the same record id in each one's county: one
// is applied, the other refused, in every round, and a province device
// pulls all of it cleanly.
func TestPushRacingCreatorsOfOneRecord(t *testing.T) {
	e := newEnv(t)
	devs := []*device{e.enroll(hebei, county1, model.RoleGrid), e.enroll(hebei, county2, model.RoleGrid)}
	prov := e.enroll(hebei, "", model.RoleProvince)
	const rounds = 10
	for round := range rounds {
		rec := uuid.Must(uuid.NewV7())
		bodies := make([][]byte, len(devs))
		for i, d := range devs {
			d.records[d.scope.County] = rec
			b, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: []oplog.Op{d.op(t, d.scope.County, nil)}})
			if err != nil {
				t.Fatal(err)
			}
			bodies[i] = b
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		resps := make([]protocol.PushResponse, len(devs))
		errs := make([]error, len(devs))
		for i, d := range devs {
			wg.Go(func() {
				<-start
				resps[i], errs[i] = postPush(e, d.token, bodies[i])
			})
		}
		close(start)
		wg.Wait()
		var got []string
		for i := range devs {
			if errs[i] != nil {
				t.Fatalf("round %d: push: %v", round, errs[i])
			}
			got = append(got, statuses(resps[i].Receipts))
		}
		if got := fmt.Sprint(got); got != "[applied  refused/scope ]" && got != "[refused/scope  applied ]" {
			t.Fatalf("round %d: got %s; want one applied and one refused/scope", round, got)
		}
	}
	served, applied := newReplica(t).sync(e, prov)
	if served != rounds || applied != rounds {
		t.Errorf("province pull: got %d ops served, %d applied; want %d, %d", served, applied, rounds, rounds)
	}
}

// postPush pushes a push frame with token, for use off the test's
// goroutine (it reports failures instead of ending the test).
func postPush(e *env, token string, body []byte) (protocol.PushResponse, error) {
	req, err := http.NewRequest("POST", e.ts.URL+protocol.PathPush, bytes.NewReader(body))
	if err != nil {
		return protocol.PushResponse{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", protocol.ContentTypeOps)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		return protocol.PushResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return protocol.PushResponse{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return protocol.PushResponse{}, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return protocol.DecodePushResponse(b)
}

// TestPushHijackDoesNotVouch is the poisoned run (an op whose own
// signature is broken, vouched for by the signature of the op after it)
// where the op after it is refused only when stored, for moving another
// county's record: the broken op must not be stored and served alone.
// The run is rejected from the broken op on; a run with a sound first op
// stores it and refuses the hijack.
func TestPushHijackDoesNotVouch(t *testing.T) {
	e := newEnv(t)
	a := e.enroll(hebei, county1, model.RoleGrid)
	b := e.enroll(hebei, county2, model.RoleGrid)
	prov := e.enroll(hebei, "", model.RoleProvince)
	if got := e.push(b, []oplog.Op{b.op(t, county2, nil)}); statuses(got.Receipts) != "applied " {
		t.Fatalf("county B creates its record: got %s", statuses(got.Receipts))
	}
	theirs := b.recordIn(county2)

	// seq 1: a record of A's own, its signature broken after signing
	// (the chain still names its true hash); seq 2: an edit of B's
	// record labelled county A, correctly signed.
	own := a.op(t, county1, nil)
	own.Sig = bytes.Clone(own.Sig)
	own.Sig[0] ^= 0xff
	a.records[county1] = theirs
	hijack := a.op(t, county1, nil)
	got := e.push(a, []oplog.Op{own, hijack})
	if want := "rejected/signature rejected/after_rejected "; statuses(got.Receipts) != want || got.Acked != 0 {
		t.Errorf("broken op vouched for by a hijack: got acked %d, %s; want 0, %s", got.Acked, statuses(got.Receipts), want)
	}

	// The device sends the run again, the first op now sound.
	a2 := e.enroll(hebei, county1, model.RoleGrid)
	a2.records[county1] = uuid.Must(uuid.NewV7())
	sound := a2.op(t, county1, nil)
	a2.records[county1] = theirs
	got = e.push(a2, []oplog.Op{sound, a2.op(t, county1, nil)})
	if want := "applied refused/scope "; statuses(got.Receipts) != want || got.Acked != 2 {
		t.Errorf("sound op before a hijack: got acked %d, %s; want 2, %s", got.Acked, statuses(got.Receipts), want)
	}
	served, applied := newReplica(t).sync(e, prov)
	if served != 2 || applied != 2 {
		t.Errorf("province pulls %d ops, applies %d; want 2, 2 (B's record and A's sound op)", served, applied)
	}
}
