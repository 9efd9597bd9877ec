package main

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// TestLoadConverges runs the load harness against an in-process server
// (Badger on disk, real HTTP on loopback): every device's sync succeeds,
// the server applies every op, and each device ends with exactly the ops
// of its county, none twice and none of another county.
func TestLoadConverges(t *testing.T) {
	if err := installGazetteer(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := badgerstore.Open(badgerstore.Options{Dir: dir + "/db", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bl, err := badgerstore.OpenBlobs(dir+"/blobs", 0)
	if err != nil {
		t.Fatal(err)
	}
	const admin = "load-test-admin-token-0123456789"
	srv, err := server.New(server.Config{Store: st, Blobs: bl, Gazetteer: model.DefaultGazetteer(), Logger: quietLogger(),
		AdminTokenHash: server.HashToken(admin)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	c := loadConfig{Devices: 24, Counties: 4, Ops: 5, Rounds: 2, Seed: 7}
	res, err := loadRun(context.Background(), ts.URL, admin, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("%d devices failed, first: %s", len(res.Errors), res.Errors[0])
	}
	if want := c.Devices * c.Rounds * c.Ops; res.Pushed != want {
		t.Errorf("server applied %d ops; want %d", res.Pushed, want)
	}
	// Each device receives every op of its county, its own included.
	if want := c.Devices * (c.Devices / c.Counties) * c.Rounds * c.Ops; res.Served != want {
		t.Errorf("devices received %d ops in all; want %d", res.Served, want)
	}
	if res.Missing != 0 || res.Extra != 0 {
		t.Errorf("%d ops missing and %d extra on the devices", res.Missing, res.Extra)
	}
	if len(res.Syncs) != c.Devices*c.Rounds {
		t.Errorf("%d syncs timed; want %d", len(res.Syncs), c.Devices*c.Rounds)
	}
}
