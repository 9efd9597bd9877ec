package server_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// pingStore is a store whose reachability the test sets.
type pingStore struct {
	*badgerstore.Store
	down atomic.Bool
}

func (p *pingStore) Ping(context.Context) error {
	if p.down.Load() {
		return errors.New("connection refused")
	}
	return nil
}

// /healthz answers 200 while the server takes requests and its store
// answers, and 503 (a load balancer then sends requests elsewhere) while
// the store is unreachable and once the server drains.
func TestHealthReadiness(t *testing.T) {
	st, err := badgerstore.Open(badgerstore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bl, err := badgerstore.OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	ps := &pingStore{Store: st}
	srv, err := server.New(server.Config{Store: ps, Blobs: bl, Gazetteer: gazetteer(t)})
	if err != nil {
		t.Fatal(err)
	}
	health := func() (int, string) {
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", protocol.PathHealth, nil))
		return w.Code, w.Body.String()
	}
	if code, body := health(); code != 200 || body != "ok\n" {
		t.Fatalf("store up: got %d %q; want 200 ok", code, body)
	}
	ps.down.Store(true)
	if code, body := health(); code != 503 || !errors.Is(protocol.DecodeError(code, []byte(body)), protocol.ErrUnavailable) {
		t.Fatalf("store unreachable: got %d %q; want 503 %s", code, body, protocol.CodeUnavailable)
	}
	ps.down.Store(false)
	if code, _ := health(); code != 200 {
		t.Fatalf("store back: got %d; want 200", code)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, _ := health(); code != 503 {
		t.Fatalf("draining: got %d; want 503", code)
	}
}
