package pgstore_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// A server on PostgreSQL answers /healthz 200 while the database answers
// and 503 once it does not (here: its connections are gone), so that a
// load balancer sends requests to an instance that can serve them.
func TestHealthFollowsDatabase(t *testing.T) {
	st, err := pgstore.Open(context.Background(), freshURL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, Blobs: st.Blobs(0), Gazetteer: gaz})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	health := func() int {
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", protocol.PathHealth, nil))
		return w.Code
	}
	if got := health(); got != 200 {
		t.Fatalf("database up: got %d; want 200", got)
	}
	_ = st.Close()
	if err := st.Ping(context.Background()); err == nil {
		t.Fatal("Ping of a closed store: got nil; want an error")
	}
	if got := health(); got != 503 {
		t.Fatalf("database gone: got %d; want 503", got)
	}
}
