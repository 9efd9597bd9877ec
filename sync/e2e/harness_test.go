package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/faultproxy"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

var (
	gazOnce sync.Once
	gaz     *model.Gazetteer
)

func gazetteer(t testing.TB) *model.Gazetteer {
	gazOnce.Do(func() {
		g, err := model.LoadGazetteer(assets.ScopeJSON)
		if err != nil {
			panic(err)
		}
		model.SetGazetteer(g)
		gaz = g
	})
	return gaz
}

// env is a provincial server on real Badger storage behind an httptest
// server, optionally behind a fault proxy.
type env struct {
	t     testing.TB
	store *badgerstore.Store
	blobs *badgerstore.Blobs
	srv   *server.Server
	ts    *httptest.Server
	proxy *faultproxy.Proxy

	mu       sync.Mutex
	requests map[string]int // "POST /v1/push" → count
}

// count wraps h to count the requests by method and route.
func (e *env) count(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.URL.Path
		if strings.HasPrefix(route, protocol.PathBlobs) {
			route = protocol.PathBlobs
		}
		e.mu.Lock()
		e.requests[r.Method+" "+route]++
		e.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// requestCount returns how many requests of method and route ("POST",
// protocol.PathPush) the server received, and resets the count.
func (e *env) requestCount(method, route string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.requests[method+" "+route]
	delete(e.requests, method+" "+route)
	return n
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the server's config adjusted by cfg (when
// not nil).
func newEnvWith(t testing.TB, cfg func(*server.Config)) *env {
	t.Helper()
	g := gazetteer(t)
	dir := t.TempDir()
	st, err := badgerstore.Open(badgerstore.Options{Dir: dir + "/db", Logger: fixture.Logger(t)})
	if err != nil {
		t.Fatal(err)
	}
	bl, err := badgerstore.OpenBlobs(dir+"/blobs", 0)
	if err != nil {
		t.Fatal(err)
	}
	sc := server.Config{Store: st, Blobs: bl, Gazetteer: g, Logger: fixture.Logger(t)}
	if cfg != nil {
		cfg(&sc)
	}
	srv, err := server.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, blobs: bl, srv: srv, requests: map[string]int{}}
	e.ts = httptest.NewServer(e.count(srv.Handler()))
	t.Cleanup(func() {
		if e.proxy != nil {
			e.proxy.Close()
		}
		e.ts.Close()
		st.Close()
	})
	return e
}

// withProxy puts a fault proxy between the devices enrolled from now on
// and the server.
func (e *env) withProxy() *faultproxy.Proxy {
	e.t.Helper()
	p, err := faultproxy.New(strings.TrimPrefix(e.ts.URL, "http://"), fixture.Logger(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	e.proxy = p
	return p
}

func (e *env) url() string {
	if e.proxy != nil {
		return e.proxy.URL()
	}
	return e.ts.URL
}

// device is an enrolled device with its store and client.
type device struct {
	name string
	st   *store.Store
	c    *client.Client
}

// enroll creates a device store, issues a code for county (role grid) and
// enrolls the device. cfg, when not nil, adjusts the client's config.
func (e *env) enroll(name, county string, role model.Role, cfg func(*client.Config)) *device {
	e.t.Helper()
	sc := protocol.Scope{County: county}
	if role == model.RoleProvince {
		sc = protocol.Scope{Province: county}
	}
	return e.enrollStore(name, sc, role, fixture.Store(e.t), cfg)
}

// enrollStore enrolls the device of st in sc with role.
func (e *env) enrollStore(name string, sc protocol.Scope, role model.Role, st *store.Store, cfg func(*client.Config)) *device {
	e.t.Helper()
	ctx := context.Background()
	code, err := server.IssueCode(ctx, e.store, gazetteer(e.t), sc, role, time.Hour, 0, time.Now())
	if err != nil {
		e.t.Fatalf("issue code: %v", err)
	}
	d := e.device(name, st, "", cfg)
	if _, err := d.c.Enroll(ctx, code.Code, name); err != nil {
		e.t.Fatalf("enroll %s: %v", name, err)
	}
	return d
}

// device is a device of st with a client using token.
func (e *env) device(name string, st *store.Store, token string, cfg func(*client.Config)) *device {
	c := client.Config{
		BaseURL: e.url(), Token: token, Store: st, Logger: fixture.Logger(e.t),
		HTTPClient: &http.Client{Transport: &http.Transport{}},
		Timeout:    5 * time.Second, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
	}
	if cfg != nil {
		cfg(&c)
	}
	return &device{name: name, st: st, c: client.New(c)}
}

// sync runs one Sync of d and fails the test on error.
func (d *device) sync(t testing.TB) client.Result {
	t.Helper()
	res, err := d.c.Sync(context.Background(), nil)
	if err != nil {
		t.Fatalf("sync %s: %v", d.name, err)
	}
	return res
}

// settle syncs every device twice in turn, so that each has everything
// the others pushed.
func settle(t testing.TB, devs ...*device) {
	t.Helper()
	for range 2 {
		for _, d := range devs {
			d.sync(t)
		}
	}
}

// records returns every record of st (deleted ones included), failing on
// a record listed twice.
func records(t testing.TB, st *store.Store) map[uuid.UUID]oplog.State {
	t.Helper()
	out := map[uuid.UUID]oplog.State{}
	q := store.Query{IncludeDeleted: true, Limit: 500}
	for {
		p, err := st.List(q)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, r := range p.Records {
			if _, dup := out[r.Record]; dup {
				t.Errorf("record %s listed twice", r.Record)
			}
			full, err := st.Get(r.Record)
			if err != nil {
				t.Fatalf("get %s: %v", r.Record, err)
			}
			out[r.Record] = full
		}
		if p.Next == "" {
			return out
		}
		q.After = p.Next
	}
}

// sameRecords fails unless every device holds the same records in the
// same state (conflicts included) as want.
func sameRecords(t testing.TB, want map[uuid.UUID]oplog.State, devs ...*device) {
	t.Helper()
	for _, d := range devs {
		got := records(t, d.st)
		if len(got) != len(want) {
			t.Errorf("%s has %d records; want %d", d.name, len(got), len(want))
		}
		for id, w := range want {
			g, ok := got[id]
			if !ok {
				t.Errorf("%s lacks record %s", d.name, id)
				continue
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s record %s:\n got %+v\nwant %+v", d.name, id, g, w)
			}
		}
	}
}

// serverOps returns the number of ops the server holds (the sum of the
// devices' acknowledged seqs).
func (e *env) serverOps(t testing.TB) uint64 {
	t.Helper()
	ds, err := e.store.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, d := range ds {
		n += d.Head.Acked
	}
	return n
}

// noLossNoDup checks that the server holds exactly the devices' ops and
// that every device is fully acknowledged.
func noLossNoDup(t testing.TB, e *env, devs ...*device) {
	t.Helper()
	var sum uint64
	for _, d := range devs {
		sum += d.st.LocalSeq()
		if a, _ := d.st.Acked(); a != d.st.LocalSeq() {
			t.Errorf("%s acked %d; want its local seq %d", d.name, a, d.st.LocalSeq())
		}
	}
	if got := e.serverOps(t); got != sum {
		t.Errorf("server holds %d ops; want the sum of device seqs %d", got, sum)
	}
}

// ids returns the keys of m, sorted.
func ids(m map[uuid.UUID]oplog.State) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}
