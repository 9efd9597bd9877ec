package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func TestPullPaging(t *testing.T) {
	e := newEnv(t)
	a := e.enroll(hebei, county1, model.RoleGrid)
	b := e.enroll(hebei, county1, model.RoleGrid)
	reader := e.enroll(hebei, county1, model.RoleCounty)
	var sent []oplog.Op
	for i := 0; i < 5; i++ {
		for _, d := range []*device{a, b} {
			ops := d.ops(t, 10, county1, register(t).fields)
			e.push(d, ops)
			sent = append(sent, ops...)
		}
	}
	tests := []struct {
		name     string
		maxBytes int
		minPages int
	}{
		{"default page", 0, 1},
		{"small pages", 4000, 10},
		{"one op per page", 1, len(sent)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cursor uint64
			var got []oplog.Op
			pages := 0
			for {
				p := e.pull(reader, cursor, tt.maxBytes)
				pages++
				for _, o := range p.Ops {
					if o.ServerSeq <= cursor {
						t.Fatalf("op with server seq %d at or below cursor %d", o.ServerSeq, cursor)
					}
					cursor = o.ServerSeq
				}
				if p.Cursor != cursor {
					t.Fatalf("page cursor: got %d; want %d", p.Cursor, cursor)
				}
				keys := map[uuid.UUID]bool{}
				for _, k := range p.Keys {
					keys[k.Device] = true
				}
				for _, o := range p.Ops {
					if !keys[o.Device] {
						t.Errorf("page lacks the key of device %s", o.Device)
					}
					if err := o.VerifySig(keyOf(p.Keys, o.Device)); err != nil {
						t.Errorf("served op does not verify: %v", err)
					}
					if o.Eff == 0 {
						t.Errorf("served op %s has no effective time", o.ID())
					}
				}
				got = append(got, p.Ops...)
				if !p.More {
					break
				}
			}
			if pages < tt.minPages {
				t.Errorf("pages: got %d; want at least %d", pages, tt.minPages)
			}
			if err := sameOps(got, sent); err != nil {
				t.Error(err)
			}
			if p := e.pull(reader, cursor, tt.maxBytes); len(p.Ops) != 0 || p.More || p.Cursor != cursor {
				t.Errorf("pull at the end: got %d ops, more %v, cursor %d; want none, false, %d", len(p.Ops), p.More, p.Cursor, cursor)
			}
		})
	}
}

func keyOf(keys []protocol.DeviceKey, id uuid.UUID) []byte {
	for _, k := range keys {
		if k.Device == id {
			return k.Key
		}
	}
	return nil
}

// sameOps reports whether got holds exactly the ops of want, once each.
func sameOps(got, want []oplog.Op) error {
	seen := map[oplog.OpID]int{}
	for _, o := range got {
		seen[o.ID()]++
	}
	for _, o := range want {
		if seen[o.ID()] != 1 {
			return fmt.Errorf("op %s pulled %d times; want once", o.ID(), seen[o.ID()])
		}
		delete(seen, o.ID())
	}
	if len(seen) != 0 {
		return fmt.Errorf("%d ops pulled that were not pushed", len(seen))
	}
	return nil
}

// TestPullNeverSkipsConcurrentPushes pulls repeatedly while several
// devices push: every committed op must be pulled exactly once, in
// server-seq order, whatever the interleaving.
func TestPullNeverSkipsConcurrentPushes(t *testing.T) {
	e := newEnv(t)
	reader := e.enroll(hebei, "", model.RoleProvince)
	const writers, batches, perBatch = 4, 15, 7
	devs := make([]*device, writers)
	for i := range devs {
		devs[i] = e.enroll(hebei, []string{county1, county2}[i%2], model.RoleGrid)
	}
	var mu sync.Mutex
	var sent []oplog.Op
	var wg sync.WaitGroup
	done := make(chan struct{})
	for _, d := range devs {
		wg.Go(func() {
			for b := 0; b < batches; b++ {
				ops := d.ops(t, perBatch, d.scope.County, nil)
				resp := e.push(d, ops)
				if resp.Acked != ops[len(ops)-1].Seq {
					t.Errorf("acked: got %d; want %d", resp.Acked, ops[len(ops)-1].Seq)
				}
				mu.Lock()
				sent = append(sent, ops...)
				mu.Unlock()
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	var got []oplog.Op
	var cursor uint64
	pull := func() {
		p := e.pull(reader, cursor, 600) // a few ops per page
		for _, o := range p.Ops {
			if o.ServerSeq <= cursor {
				t.Errorf("server seq %d at or below cursor %d", o.ServerSeq, cursor)
			}
			cursor = o.ServerSeq
		}
		got = append(got, p.Ops...)
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			pull()
		}
	}
	for { // drain what committed after the last pull
		before := len(got)
		pull()
		if len(got) == before {
			break
		}
	}
	if len(sent) != writers*batches*perBatch {
		t.Fatalf("sent: got %d; want %d", len(sent), writers*batches*perBatch)
	}
	if err := sameOps(got, sent); err != nil {
		t.Error(err)
	}
}

// TestPullScopePrev checks the links that let receivers apply a device's
// ops across the ones their scope does not get (other counties, refused).
func TestPullScopePrev(t *testing.T) {
	e := newEnv(t)
	prov := e.enroll(hebei, "", model.RoleProvince)
	grid := e.enroll(hebei, county1, model.RoleGrid)
	c1 := e.enroll(hebei, county1, model.RoleCounty)
	e.push(prov, []oplog.Op{prov.op(t, county1, nil), prov.op(t, county2, nil), prov.op(t, county1, nil), prov.op(t, county2, nil)})
	e.push(grid, []oplog.Op{grid.op(t, county1, nil), grid.op(t, county3, nil), grid.op(t, county1, nil)}) // seq 2 refused
	links := func(p protocol.PullResponse, dev *device) string {
		s := ""
		for i, o := range p.Ops {
			if o.Device == dev.id {
				s += fmt.Sprintf("%d<-%d ", o.Seq, p.ScopePrev[i])
			}
		}
		return s
	}
	tests := []struct {
		name   string
		reader *device
		dev    *device
		want   string
	}{
		{"county reader, province device", c1, prov, "1<-0 3<-1 "},
		{"province reader, province device", prov, prov, "1<-0 2<-1 3<-2 4<-3 "},
		{"county reader, device with a refused op", c1, grid, "1<-0 3<-1 "},
		{"province reader, device with a refused op", prov, grid, "1<-0 3<-1 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := links(e.pull(tt.reader, 0, 0), tt.dev); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

func TestPullCursorAhead(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	e.push(d, d.ops(t, 3, county1, nil))
	other := e.enroll(hebei, county2, model.RoleGrid)
	tests := []struct {
		name   string
		dev    *device
		cursor uint64
		want   *protocol.Error
	}{
		{"at the end", d, 3, nil},
		{"past the end", d, 4, protocol.ErrCursorAhead},
		{"other county, at the end of all", other, 3, nil},
		{"other county, past the end", other, 100, protocol.ErrCursorAhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doJSON("POST", protocol.PathPull, tt.dev.token, protocol.PullRequest{Cursor: tt.cursor})
			if tt.want == nil {
				if r.status != 200 {
					t.Errorf("got %d %s; want 200", r.status, r.body)
				}
				return
			}
			if pe := r.err(); r.status != tt.want.Status || !errors.Is(pe, tt.want) || pe.Expected != 3 {
				t.Errorf("got %d %v expected %d; want %d %v expected 3", r.status, pe, pe.Expected, tt.want.Status, tt.want)
			}
		})
	}
}

// plainStore is a backend that neither links pages nor knows the last
// server seq.
type plainStore struct{ *badgerstore.Store }

func (p plainStore) Pull(ctx context.Context, sc protocol.Scope, after uint64, max int) (server.Page, error) {
	pg, err := p.Store.Pull(ctx, sc, after, max)
	for i := range pg.Ops {
		pg.Ops[i].ScopePrev = 0
	}
	pg.Links, pg.Last, pg.LastKnown = false, 0, false
	return pg, err
}

func TestPullFromABackendWithoutLinks(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	e.push(d, d.ops(t, 2, county1, nil))
	bl, _ := badgerstore.OpenBlobs(t.TempDir(), 0)
	srv, err := server.New(server.Config{Store: plainStore{e.store}, Blobs: bl, Gazetteer: gazetteer(t), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	plain := *e
	plain.ts = httptest.NewServer(srv.Handler())
	defer plain.ts.Close()
	if p := plain.pull(d, 0, 0); len(p.Ops) != 2 || p.ScopePrev != nil {
		t.Errorf("got %d ops, scope prev %v; want 2 ops, nil", len(p.Ops), p.ScopePrev)
	}
	if p := e.pull(d, 0, 0); len(p.ScopePrev) != 2 {
		t.Errorf("linked backend: got scope prev %v; want 2 entries", p.ScopePrev)
	}
	if p := plain.pull(d, 100, 0); len(p.Ops) != 0 {
		t.Errorf("cursor past the end without LastKnown: got %d ops; want 0 and no error", len(p.Ops))
	}
}

// TestPullLeavesOutOwnOps checks that a device's own ops up to the seq
// it says it holds are left out of its pages, while the cursor passes
// them and the other devices' ops and links stay.
func TestPullLeavesOutOwnOps(t *testing.T) {
	e := newEnv(t)
	prov := e.enroll(hebei, "", model.RoleProvince)
	grid := e.enroll(hebei, county1, model.RoleGrid)
	e.push(prov, []oplog.Op{prov.op(t, county1, nil), prov.op(t, county2, nil)}) // server seqs 1, 2
	e.push(grid, grid.ops(t, 2, county1, nil))                                   // 3, 4
	e.push(prov, []oplog.Op{prov.op(t, county1, nil)})                           // 5
	e.push(grid, grid.ops(t, 1, county1, nil))                                   // 6
	describe := func(p protocol.PullResponse) string {
		s := ""
		for i, o := range p.Ops {
			who := "p"
			if o.Device == grid.id {
				who = "g"
			}
			s += fmt.Sprintf("%s%d<-%d ", who, o.Seq, p.ScopePrev[i])
		}
		return fmt.Sprintf("%scursor %d more %v keys %d", s, p.Cursor, p.More, len(p.Keys))
	}
	tests := []struct {
		name   string
		reader *device
		cursor uint64
		own    uint64
		max    int
		want   string
	}{
		{"all own ops held", grid, 0, 3, 0, "p1<-0 p3<-1 cursor 6 more false keys 1"},
		{"own ops above the seq held are sent", grid, 0, 1, 0, "p1<-0 g2<-1 p3<-1 g3<-2 cursor 6 more false keys 2"},
		{"own 0 sends them all", grid, 0, 0, 0, "p1<-0 g1<-0 g2<-1 p3<-1 g3<-2 cursor 6 more false keys 2"},
		{"a page of own ops only still moves the cursor", grid, 2, 3, 1, "cursor 3 more true keys 0"},
		{"last page of own ops only", grid, 5, 3, 0, "cursor 6 more false keys 0"},
		{"province reader", prov, 0, 3, 0, "g1<-0 g2<-1 g3<-2 cursor 6 more false keys 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doJSON("POST", protocol.PathPull, tt.reader.token, protocol.PullRequest{Cursor: tt.cursor, MaxBytes: tt.max, Own: tt.own})
			if r.status != 200 {
				t.Fatalf("pull: got %d %s; want 200", r.status, r.body)
			}
			p, err := protocol.DecodePull(r.body)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(p); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

// A push with the device's pull cursor answers where that pull would end
// when the scope holds nothing new but the device's own ops, and nothing
// otherwise.
func TestPushAnswersPullCursor(t *testing.T) {
	e := newEnv(t)
	a := e.enroll(hebei, county1, model.RoleGrid)
	b := e.enroll(hebei, county1, model.RoleGrid)
	push := func(d *device, cursor string) protocol.PushResponse {
		t.Helper()
		body, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: d.ops(t, 2, county1, nil)})
		if err != nil {
			t.Fatal(err)
		}
		hdr := []string{}
		if cursor != "" {
			hdr = append(hdr, protocol.HeaderPullCursor, cursor)
		}
		r := e.pushRaw(d, body, hdr...)
		if r.status != 200 {
			t.Fatalf("push: %d %s", r.status, r.body)
		}
		resp, err := protocol.DecodePushResponse(r.body)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if got := push(a, "0").PullCursor; got == nil || *got != 2 {
		t.Fatalf("only a's own ops: pull cursor %v; want 2", got)
	}
	if got := push(b, "").PullCursor; got != nil {
		t.Errorf("without the header: pull cursor %d; want none", *got)
	}
	if got := push(a, "2").PullCursor; got != nil {
		t.Errorf("b's ops waiting: pull cursor %d; want none (pull)", *got)
	}
	if got := push(a, "99").PullCursor; got != nil {
		t.Errorf("cursor ahead of the server: pull cursor %d; want none (pull, which says so)", *got)
	}
	// a's ops are 1-2, 5-6 and 7-8, b's 3-4 and now 9-10: after 8, b's
	// own only.
	if got := push(b, "8").PullCursor; got == nil || *got != 10 {
		t.Errorf("b's own ops after its cursor: pull cursor %v; want 10", got)
	}
}

// TestPullKeysCarryRoleAndScope checks that a page's keys carry the role
// and scope each device was enrolled with, for receivers that judge ops
// by their author's role.
func TestPullKeysCarryRoleAndScope(t *testing.T) {
	e := newEnv(t)
	grid := e.enroll(hebei, county1, model.RoleGrid)
	reviewer := e.enroll(hebei, county1, model.RoleCounty)
	prov := e.enroll(hebei, "", model.RoleProvince)
	for _, d := range []*device{grid, reviewer, prov} {
		if got := e.push(d, []oplog.Op{d.op(t, county1, nil)}); statuses(got.Receipts) != "applied " {
			t.Fatalf("push: got %s; want applied", statuses(got.Receipts))
		}
	}
	reader := e.enroll(hebei, county1, model.RoleCounty)
	p := e.pull(reader, 0, 0)
	if len(p.Ops) != 3 || len(p.Keys) != 3 {
		t.Fatalf("page: got %d ops, %d keys; want 3, 3", len(p.Ops), len(p.Keys))
	}
	want := map[uuid.UUID]protocol.DeviceKey{
		grid.id:     {Role: model.RoleGrid, Scope: protocol.Scope{Province: hebei, County: county1}},
		reviewer.id: {Role: model.RoleCounty, Scope: protocol.Scope{Province: hebei, County: county1}},
		prov.id:     {Role: model.RoleProvince, Scope: protocol.Scope{Province: hebei}},
	}
	for _, k := range p.Keys {
		w, ok := want[k.Device]
		if !ok {
			t.Errorf("key of an unexpected device %s", k.Device)
			continue
		}
		if k.Role != w.Role || k.Scope != w.Scope {
			t.Errorf("key of %s: got role %q scope %+v; want %q %+v", k.Device, k.Role, k.Scope, w.Role, w.Scope)
		}
	}
}
