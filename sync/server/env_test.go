package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// Counties of the tests: two of Shijiazhuang (Hebei) and one of Shanxi.
const (
	hebei   = "130000"
	county1 = "130126" // 灵寿县
	county2 = "130127" // 高邑县
	shanxi  = "140000"
	county3 = "140105" // 太原市小店区
)

var (
	gazOnce sync.Once
	gaz     *model.Gazetteer
)

func gazetteer(t testing.TB) *model.Gazetteer {
	t.Helper()
	gazOnce.Do(func() {
		b, err := os.ReadFile("../../assets/scope.json")
		if err != nil {
			t.Fatalf("gazetteer: %v", err)
		}
		if gaz, err = model.LoadGazetteer(b); err != nil {
			t.Fatalf("gazetteer: %v", err)
		}
	})
	return gaz
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a server over an in-memory store behind httptest.
type env struct {
	t     testing.TB
	srv   *server.Server
	ts    *httptest.Server
	store *badgerstore.Store
	clock *clock
	admin string
}

const adminToken = "admin-token-for-tests-0123456789"

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, badgerstore.Options{InMemory: true})
}

// newEnvWith is newEnv with the given store options; cfgs adjust the
// server's config.
func newEnvWith(t testing.TB, opts badgerstore.Options, cfgs ...func(*server.Config)) *env {
	t.Helper()
	st, err := badgerstore.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := badgerstore.OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)}
	cfg := server.Config{Store: st, Blobs: bl, Gazetteer: gazetteer(t), Now: c.Now,
		AdminTokenHash: server.HashToken(adminToken)}
	for _, f := range cfgs {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Shutdown(context.Background())
		_ = st.Close()
	})
	return &env{t: t, srv: srv, ts: ts, store: st, clock: c, admin: adminToken}
}

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// err decodes the reply's error body.
func (r reply) err() *protocol.Error { return protocol.DecodeError(r.status, r.body) }

func (e *env) do(method, path, token, ctype string, body []byte, hdr ...string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.Header.Set("Accept-Encoding", protocol.AcceptEncoding)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := protocol.ReadBody(resp.Body, resp.Header.Get("Content-Encoding"), 64<<20)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) doJSON(method, path, token string, v any) reply {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(method, path, token, protocol.ContentTypeJSON, b)
}

// code issues an enrollment code directly on the store.
func (e *env) code(sc protocol.Scope, role model.Role, ttl time.Duration) string {
	e.t.Helper()
	c, err := server.IssueCode(context.Background(), e.store, gazetteer(e.t), sc, role, ttl, 0, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Code
}

// device is an enrolled test device that makes signed, chained ops.
type device struct {
	id    uuid.UUID
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	token string
	scope protocol.Scope
	seq   uint64
	prev  oplog.Hash
	hlc   hlc.Timestamp
	// records holds the record the device's ops edit in each county (a
	// record keeps its county for life).
	records map[string]uuid.UUID
	// newRecords makes each op create a record of its own.
	newRecords bool
}

func newDevice() *device {
	pub, priv, _ := ed25519.GenerateKey(nil)
	return &device{id: uuid.Must(uuid.NewV7()), pub: pub, priv: priv, records: map[string]uuid.UUID{}}
}

// recordIn returns the record the device's ops edit in county, made on
// first use (a new one for every op with newRecords).
func (d *device) recordIn(county string) uuid.UUID {
	rec, ok := d.records[county]
	if !ok || d.newRecords {
		rec = uuid.Must(uuid.NewV7())
		d.records[county] = rec
	}
	return rec
}

// enroll registers a new device with a fresh code for county (or the
// whole province when county is "") and role.
func (e *env) enroll(province, county string, role model.Role) *device {
	e.t.Helper()
	d := newDevice()
	code := e.code(protocol.Scope{Province: province, County: county}, role, time.Hour)
	r := e.doJSON("POST", protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, Device: d.id, PublicKey: d.pub, Label: "test"})
	if r.status != 200 {
		e.t.Fatalf("enroll: got %d %s; want 200", r.status, r.body)
	}
	var resp protocol.EnrollResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		e.t.Fatal(err)
	}
	d.token, d.scope = resp.Token, resp.Scope
	return d
}

// testRegister is a register and some fields that accept simple values.
type testRegister struct {
	name   string
	fields map[string]model.Value
}

var (
	regOnce sync.Once
	reg     testRegister
)

// register finds a register with at least 20 fields that accept one of a
// few simple values, so the tests do not depend on one schema's details.
func register(t testing.TB) testRegister {
	regOnce.Do(func() {
		candidates := []model.Value{model.Str("测试"), model.Int(1), model.Decimal(1.5), model.Bool(true)}
		for _, s := range model.Registers() {
			fs := map[string]model.Value{}
			for _, f := range s.Fields {
				if f.Computed || len(f.EditRoles) > 0 {
					continue
				}
				for _, v := range candidates {
					if s.ValidateValue(f.Key, v) == nil {
						fs[f.Key] = v
						break
					}
				}
				if len(fs) == 20 {
					break
				}
			}
			if len(fs) > len(reg.fields) {
				reg = testRegister{name: s.Name, fields: fs}
			}
			if len(fs) == 20 {
				return
			}
		}
	})
	if len(reg.fields) == 0 {
		t.Fatal("no register with simple fields")
	}
	return reg
}

// textField is a text field of the test register that grid staff may
// set (the first in key order).
func textField(t testing.TB) string {
	keys := make([]string, 0, len(register(t).fields))
	for k, v := range register(t).fields {
		if v == model.Str("测试") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		t.Fatal("the test register has no text field")
	}
	slices.Sort(keys)
	return keys[0]
}

// op makes the device's next op, signed and chained, setting fields (one
// simple field when nil) of the device's record of the test register in
// county (recordIn).
func (d *device) op(t testing.TB, county string, fields map[string]model.Value) oplog.Op {
	t.Helper()
	if fields == nil {
		fields = map[string]model.Value{textField(t): model.Str("已核查")}
	}
	d.seq++
	d.hlc = max(d.hlc+1, hlc.Make(time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC).UnixMilli(), 0))
	o := oplog.Op{Device: d.id, Seq: d.seq, HLC: d.hlc, Record: d.recordIn(county), Register: register(t).name,
		County: county, Author: "张三", Set: fields, Prev: d.prev}
	o.Sign(d.priv)
	d.prev = o.Hash()
	return o
}

// ops makes n ops of the device.
func (d *device) ops(t testing.TB, n int, county string, fields map[string]model.Value) []oplog.Op {
	out := make([]oplog.Op, n)
	for i := range out {
		out[i] = d.op(t, county, fields)
	}
	return out
}

func (e *env) pushRaw(d *device, body []byte, hdr ...string) reply {
	e.t.Helper()
	return e.do("POST", protocol.PathPush, d.token, protocol.ContentTypeOps, body, hdr...)
}

// push sends ops and decodes a 200 answer (failing the test otherwise).
func (e *env) push(d *device, ops []oplog.Op) protocol.PushResponse {
	e.t.Helper()
	r := e.pushOps(d, ops)
	if r.status != 200 {
		e.t.Fatalf("push: got %d %s; want 200", r.status, r.body)
	}
	resp, err := protocol.DecodePushResponse(r.body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func (e *env) pushOps(d *device, ops []oplog.Op) reply {
	e.t.Helper()
	b, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: ops})
	if err != nil {
		e.t.Fatal(err)
	}
	c, enc := protocol.Compress(protocol.EncodingZstd, b)
	return e.pushRaw(d, c, "Content-Encoding", enc)
}

// pull fetches one page.
func (e *env) pull(d *device, cursor uint64, maxBytes int) protocol.PullResponse {
	e.t.Helper()
	r := e.doJSON("POST", protocol.PathPull, d.token, protocol.PullRequest{Cursor: cursor, MaxBytes: maxBytes})
	if r.status != 200 {
		e.t.Fatalf("pull: got %d %s; want 200", r.status, r.body)
	}
	resp, err := protocol.DecodePull(r.body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// pullAll pulls every page from cursor 0 and returns the ops.
func (e *env) pullAll(d *device, maxBytes int) []oplog.Op {
	e.t.Helper()
	var out []oplog.Op
	var cursor uint64
	for {
		p := e.pull(d, cursor, maxBytes)
		out = append(out, p.Ops...)
		cursor = p.Cursor
		if !p.More {
			return out
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var _ = io.Discard
