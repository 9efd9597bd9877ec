package pgstore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

const adminToken = "admin-token-for-tests-0123456789"

// instance is one server over a pgstore, behind httptest.
type instance struct {
	t     *testing.T
	store *pgstore.Store
	ts    *httptest.Server
}

// newInstance starts a server over its own store on database u, as one
// of several instances behind a load balancer.
func newInstance(t *testing.T, u string, gaz *model.Gazetteer, now func() time.Time) *instance {
	t.Helper()
	st := openURL(t, u)
	srv, err := server.New(server.Config{Store: st, Blobs: st.Blobs(0), Gazetteer: gaz, Now: now, AdminTokenHash: server.HashToken(adminToken)})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Shutdown(context.Background())
	})
	return &instance{t: t, store: st, ts: ts}
}

// do sends a request and returns the status and decoded body.
func (in *instance) do(path, token, ctype string, body []byte) (int, []byte) {
	in.t.Helper()
	req, err := http.NewRequest("POST", in.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept-Encoding", protocol.AcceptEncoding)
	resp, err := in.ts.Client().Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := protocol.ReadBody(resp.Body, resp.Header.Get("Content-Encoding"), 64<<20)
	if err != nil {
		in.t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (in *instance) doJSON(path, token string, v any) (int, []byte) {
	in.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		in.t.Fatal(err)
	}
	return in.do(path, token, protocol.ContentTypeJSON, b)
}

// device is a test device making signed, chained ops.
type device struct {
	id    uuid.UUID
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	token string
	seq   uint64
	prev  oplog.Hash
}

// enroll enrolls a new device with code through in.
func (in *instance) enroll(code string) (*device, int) {
	in.t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	d := &device{id: uuid.Must(uuid.NewV7()), priv: priv, pub: pub}
	st, b := in.doJSON(protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, Device: d.id, PublicKey: pub, Label: "测试平板"})
	if st == http.StatusOK {
		var resp protocol.EnrollResponse
		if err := json.Unmarshal(b, &resp); err != nil {
			in.t.Fatal(err)
		}
		d.token = resp.Token
	}
	return d, st
}

// ops makes the device's next n ops on a new record of register reg in
// county.
func (d *device) ops(n int, reg, county string) []oplog.Op {
	return d.opsOn(uuid.Must(uuid.NewV7()), n, reg, county)
}

// opsOn makes the device's next n ops on record rec of register reg in
// county.
func (d *device) opsOn(rec uuid.UUID, n int, reg, county string) []oplog.Op {
	out := make([]oplog.Op, n)
	for i := range out {
		d.seq++
		o := oplog.Op{Device: d.id, Seq: d.seq, HLC: hlc.Make(time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC).UnixMilli(), uint16(d.seq)),
			Record: rec, Register: reg, County: county, Author: "张三",
			Set: map[string]model.Value{model.FieldRemarks: model.Str("已核查")}, Prev: d.prev}
		o.Sign(d.priv)
		d.prev = o.Hash()
		out[i] = o
	}
	return out
}

func (in *instance) push(d *device, ops []oplog.Op) (int, protocol.PushResponse) {
	in.t.Helper()
	b, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: ops})
	if err != nil {
		in.t.Fatal(err)
	}
	st, body := in.do(protocol.PathPush, d.token, protocol.ContentTypeOps, b)
	var resp protocol.PushResponse
	if st == http.StatusOK {
		if resp, err = protocol.DecodePushResponse(body); err != nil {
			in.t.Fatal(err)
		}
	}
	return st, resp
}

// pullAll pulls every page from cursor 0 in pages of maxBytes.
func (in *instance) pullAll(d *device, maxBytes int) []oplog.Op {
	in.t.Helper()
	var out []oplog.Op
	var cursor uint64
	for {
		st, b := in.doJSON(protocol.PathPull, d.token, protocol.PullRequest{Cursor: cursor, MaxBytes: maxBytes})
		if st != http.StatusOK {
			in.t.Fatalf("pull: got %d %s; want 200", st, b)
		}
		p, err := protocol.DecodePull(b)
		if err != nil {
			in.t.Fatal(err)
		}
		out = append(out, p.Ops...)
		cursor = p.Cursor
		if !p.More {
			return out
		}
	}
}

// TestServerEndToEnd runs sync/server over pgstore as two instances on one
// database: enroll, push, duplicate push, refused op, pull and revoke
// through different instances, as a load balancer would route them.
func TestServerEndToEnd(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	var reg string
	for _, s := range model.Registers() {
		if s.ValidateValue(model.FieldRemarks, model.Str("已核查")) == nil {
			reg = s.Name
			break
		}
	}
	if reg == "" {
		t.Fatal("no register takes remarks")
	}
	now := func() time.Time { return time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC) }
	a, b := newInstance(t, u, gaz, now), newInstance(t, u, gaz, now)

	issue := func(sc protocol.Scope, role model.Role) string {
		c, err := server.IssueCode(ctx, a.store, gaz, sc, role, time.Hour, 0, now())
		if err != nil {
			t.Fatalf("IssueCode: %v", err)
		}
		return c.Code
	}
	gridCode := issue(protocol.Scope{Province: hebei, County: county1}, model.RoleGrid)
	grid, st := a.enroll(gridCode)
	if st != http.StatusOK {
		t.Fatalf("enroll through A: got %d; want 200", st)
	}
	if _, st := b.enroll(gridCode); st != http.StatusForbidden {
		t.Errorf("enroll with a used code through B: got %d; want 403", st)
	}
	prov, st := b.enroll(issue(protocol.Scope{Province: hebei}, model.RoleProvince))
	if st != http.StatusOK {
		t.Fatalf("enroll province device through B: got %d; want 200", st)
	}

	ops := grid.ops(5, reg, county1)
	st, first := a.push(grid, ops)
	if st != http.StatusOK || first.Acked != 5 {
		t.Fatalf("push through A: got %d acked %d; want 200 acked 5", st, first.Acked)
	}
	st, again := b.push(grid, ops)
	if st != http.StatusOK || again.Acked != 5 {
		t.Fatalf("push again through B: got %d acked %d; want 200 acked 5", st, again.Acked)
	}
	for i := range ops {
		f, g := first.Receipts[i], again.Receipts[i]
		if f.Status != protocol.StatusApplied || g.Status != protocol.StatusDuplicate || f.ServerSeq != g.ServerSeq || f.ServerSeq == 0 {
			t.Errorf("receipt %d: got %s/%d then %s/%d; want applied then duplicate with the same server seq",
				i, f.Status, f.ServerSeq, g.Status, g.ServerSeq)
		}
	}
	outside := grid.ops(1, reg, county3)
	st, ref := b.push(grid, outside)
	if st != http.StatusOK || len(ref.Receipts) != 1 || ref.Receipts[0].Status != protocol.StatusRefused || ref.Receipts[0].Code != protocol.RefusedScope {
		t.Fatalf("push of another province's op: got %d %+v; want 200 refused %s", st, ref.Receipts, protocol.RefusedScope)
	}
	st, ref2 := a.push(grid, outside)
	if st != http.StatusOK || ref2.Receipts[0].Status != protocol.StatusRefused {
		t.Errorf("refused op resent through A: got %d %+v; want refused again", st, ref2.Receipts)
	}

	for _, in := range []*instance{a, b} {
		got := in.pullAll(prov, 200)
		if len(got) != len(ops) {
			t.Fatalf("pulled: got %d ops; want %d", len(got), len(ops))
		}
		for i, o := range got {
			if o.Hash() != ops[i].Hash() || o.ServerSeq != first.Receipts[i].ServerSeq || o.Eff != first.Receipts[i].Eff {
				t.Errorf("pulled op %d: got seq %d server seq %d; want seq %d server seq %d", i, o.Seq, o.ServerSeq, ops[i].Seq, first.Receipts[i].ServerSeq)
			}
		}
	}

	st, body := b.do(protocol.PathAdminDevices+"/"+grid.id.String()+"/revoke", adminToken, protocol.ContentTypeJSON, nil)
	if st != http.StatusOK {
		t.Fatalf("revoke through B: got %d %s; want 200", st, body)
	}
	if st, _ := a.push(grid, grid.ops(1, reg, county1)); st != http.StatusForbidden {
		t.Errorf("push of a revoked device through A: got %d; want 403", st)
	}
}

// TestServerPullLinksAndCursorAhead checks what a pgstore gives pull
// pages: scope links, and cursor_ahead for a cursor past the last seq.
func TestServerPullLinksAndCursorAhead(t *testing.T) {
	ctx := context.Background()
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC) }
	in := newInstance(t, freshURL(t), gaz, now)
	c, err := server.IssueCode(ctx, in.store, gaz, protocol.Scope{Province: hebei, County: county1}, model.RoleGrid, time.Hour, 0, now())
	if err != nil {
		t.Fatal(err)
	}
	d, st := in.enroll(c.Code)
	if st != http.StatusOK {
		t.Fatalf("enroll: got %d; want 200", st)
	}
	reg := ""
	for _, s := range model.Registers() {
		if s.ValidateValue(model.FieldRemarks, model.Str("已核查")) == nil {
			reg = s.Name
			break
		}
	}
	if st, _ := in.push(d, append(d.ops(2, reg, county1), d.ops(1, reg, county3)...)); st != http.StatusOK {
		t.Fatalf("push: got %d; want 200", st)
	}
	if st, _ := in.push(d, d.ops(1, reg, county1)); st != http.StatusOK {
		t.Fatalf("push: got %d; want 200", st)
	}
	tests := []struct {
		name       string
		cursor     uint64
		wantStatus int
		wantLinks  string
	}{
		{"from the start", 0, http.StatusOK, "[0 1 2]"},
		{"at the end", 3, http.StatusOK, "[]"},
		{"past the end", 4, http.StatusConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, b := in.doJSON(protocol.PathPull, d.token, protocol.PullRequest{Cursor: tt.cursor})
			if st != tt.wantStatus {
				t.Fatalf("status: got %d %s; want %d", st, b, tt.wantStatus)
			}
			if st != http.StatusOK {
				var pe protocol.Error
				if err := json.Unmarshal(b, &pe); err != nil || pe.Code != protocol.CodeCursorAhead || pe.Expected != 3 {
					t.Errorf("error: got %s; want %s expected 3", b, protocol.CodeCursorAhead)
				}
				return
			}
			p, err := protocol.DecodePull(b)
			if err != nil {
				t.Fatal(err)
			}
			if p.ScopePrev == nil {
				p.ScopePrev = []uint64{}
			}
			if got := fmt.Sprint(p.ScopePrev); got != tt.wantLinks {
				t.Errorf("scope links: got %s; want %s", got, tt.wantLinks)
			}
		})
	}
}

// TestServerRacingCreatorsOfOneRecord pushes, through two instances at
// once, ops of devices of two counties creating the same record id, each
// in its own county: in every round one is applied and the other refused
// with a scope refusal, however the two transactions interleave.
func TestServerRacingCreatorsOfOneRecord(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC) }
	ins := []*instance{newInstance(t, u, gaz, now), newInstance(t, u, gaz, now)}
	counties := []string{county1, county2}
	devs := make([]*device, len(counties))
	for i, c := range counties {
		code, err := server.IssueCode(ctx, ins[0].store, gaz, protocol.Scope{Province: hebei, County: c}, model.RoleGrid, time.Hour, 0, now())
		if err != nil {
			t.Fatal(err)
		}
		var st int
		if devs[i], st = ins[i].enroll(code.Code); st != http.StatusOK {
			t.Fatalf("enroll: got %d; want 200", st)
		}
	}
	for round := range 10 {
		rec := uuid.Must(uuid.NewV7())
		bodies := make([][]byte, len(devs))
		for i, d := range devs {
			b, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: d.opsOn(rec, 1, "farm_coal_facility", counties[i])})
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
				resps[i], errs[i] = ins[i].postPush(d.token, bodies[i])
			})
		}
		close(start)
		wg.Wait()
		applied := 0
		for i := range devs {
			if errs[i] != nil {
				t.Fatalf("round %d: push through instance %d: %v", round, i, errs[i])
			}
			switch r := resps[i].Receipts[0]; {
			case r.Status == protocol.StatusApplied:
				applied++
			case r.Status != protocol.StatusRefused || r.Code != protocol.RefusedScope:
				t.Errorf("round %d, %s: got %s/%s; want applied or refused/scope", round, counties[i], r.Status, r.Code)
			}
		}
		if applied != 1 {
			t.Fatalf("round %d: %d of the racing ops applied; want exactly 1", round, applied)
		}
	}
}

// postPush pushes a push frame with token, for use off the test's
// goroutine (it reports failures instead of ending the test).
func (in *instance) postPush(token string, body []byte) (protocol.PushResponse, error) {
	req, err := http.NewRequest("POST", in.ts.URL+protocol.PathPush, bytes.NewReader(body))
	if err != nil {
		return protocol.PushResponse{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", protocol.ContentTypeOps)
	resp, err := in.ts.Client().Do(req)
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
