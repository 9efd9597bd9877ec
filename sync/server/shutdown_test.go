package server_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// gatedStore holds every Append until released, to catch a push in flight.
type gatedStore struct {
	*badgerstore.Store
	entered chan struct{}
	release chan struct{}
}

func (g *gatedStore) Append(ctx context.Context, dev uuid.UUID, from server.Head, es []server.LogEntry) ([]uint64, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Store.Append(ctx, dev, from, es)
}

func TestShutdownFinishesBatchesInFlight(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	gate := &gatedStore{Store: e.store, entered: make(chan struct{}), release: make(chan struct{})}
	srv, err := server.New(server.Config{Store: gate, Blobs: nil, Gazetteer: gazetteer(t), Now: e.clock.Now})
	if err == nil {
		t.Fatal("New without Blobs: got nil error; want one")
	}
	bl, _ := badgerstore.OpenBlobs(t.TempDir(), 0)
	srv, err = server.New(server.Config{Store: gate, Blobs: bl, Gazetteer: gazetteer(t), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	gated := *e
	gated.ts = httptest.NewServer(srv.Handler())
	defer gated.ts.Close()

	pushed := make(chan int)
	go func() { pushed <- gated.pushOps(d, d.ops(t, 2, county1, nil)).status }()
	<-gate.entered // the batch is being stored
	stopped := make(chan error)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v while a batch was in flight", err)
	case status := <-pushed:
		t.Fatalf("push answered %d before its batch was stored", status)
	default:
	}
	close(gate.release)
	if status := <-pushed; status != 200 {
		t.Errorf("push in flight: got %d; want 200", status)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: got %v; want nil", err)
	}
	if h, _ := e.store.Head(context.Background(), d.id); h.Acked != 2 {
		t.Errorf("acked after shutdown: got %d; want 2", h.Acked)
	}
}
