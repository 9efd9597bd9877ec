package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/server"
)

// The province's statements of the devices reach the devices with the
// keys of the ops they pull: a device builds the evidence pack of a
// record another device made from its own store, and the pack verifies
// against the province's public key.
func TestStatementsReachDevices(t *testing.T) {
	_, province, _ := ed25519.GenerateKey(nil)
	trusted := []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}
	e := newEnvWith(t, func(c *server.Config) { c.ProvinceKey = province })
	a := e.enroll("甲", fixture.County, model.RoleGrid, nil)
	b := e.enroll("乙", fixture.County, model.RoleGrid, nil)
	rec := fixture.Create(t, a.st, 1)
	settle(t, a, b)

	stored, err := b.st.GetMeta(vouch.MetaKey(a.st.Device()))
	if err != nil {
		t.Fatalf("b keeps no statement of a: %v", err)
	}
	sg, err := vouch.Parse(stored)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := sg.Check(trusted); err != nil || st.Device != a.st.Device() || !st.Key.Equal(a.st.PublicKey()) {
		t.Fatalf("b's statement of a: %+v, %v", st, err)
	}
	var buf bytes.Buffer
	if _, err := evidence.Build(context.Background(), &buf, b.st.EvidenceSource(), rec, evidence.Options{}); err != nil {
		t.Fatal(err)
	}
	if res := evidence.Verify(buf.Bytes(), trusted); !res.OK() || res.Checked == nil || res.Checked.Ops == 0 {
		t.Fatalf("b's pack of a's record: %+v, problems %+v", res.Checked, res.Problems)
	}
}
