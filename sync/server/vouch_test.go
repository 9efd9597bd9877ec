package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// A server with a province key vouches for each device it enrolls: the
// device gets its statement in the enrollment response, the store keeps
// it, and a revocation signs it again with the time of revocation.
func TestEnrollVouched(t *testing.T) {
	_, province, _ := ed25519.GenerateKey(nil)
	trusted := []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}
	e := newEnvWith(t, badgerstore.Options{InMemory: true}, func(c *server.Config) { c.ProvinceKey = province })
	d := newDevice()
	r := e.doJSON("POST", protocol.PathEnroll, "", protocol.EnrollRequest{Code: e.code(protocol.Scope{County: county1}, model.RoleGrid, time.Hour),
		Device: d.id, PublicKey: d.pub, Label: "灵寿 平板1"})
	if r.status != 200 {
		t.Fatalf("enroll: %d %s", r.status, r.body)
	}
	var resp protocol.EnrollResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatal(err)
	}
	check := func(b []byte) vouch.Statement {
		t.Helper()
		sg, err := vouch.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		st, err := sg.Check(trusted)
		if err != nil {
			t.Fatalf("statement %s: %v", b, err)
		}
		return st
	}
	st := check(resp.Statement)
	if st.Device != d.id || !st.Key.Equal(d.pub) || st.Role != model.RoleGrid || st.County != county1 || st.Province != hebei ||
		!st.Enrolled.Equal(e.clock.Now()) || !st.Revoked.IsZero() {
		t.Errorf("statement %+v; want device %s, its key, grid of %s/%s enrolled %s, not revoked", st, d.id, hebei, county1, e.clock.Now())
	}
	stored, err := e.store.Device(context.Background(), d.id)
	if err != nil || string(stored.Statement) != string(resp.Statement) {
		t.Errorf("stored statement %s, %v; want the one sent", stored.Statement, err)
	}

	e.clock.Add(time.Hour)
	if r := e.do("POST", protocol.PathAdminDevices+"/"+d.id.String()+"/revoke", adminToken, "", nil); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	stored, _ = e.store.Device(context.Background(), d.id)
	if st := check(stored.Statement); !st.Revoked.Equal(e.clock.Now()) || st.Device != d.id {
		t.Errorf("after revocation: statement %+v; want revoked at %s", st, e.clock.Now())
	}
}
