package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// DeviceTamper writes devices into a backend's database directly, as
// someone with access to it (and not to the province's key) would.
type DeviceTamper interface {
	// PutDevice inserts d, or overwrites the device with d's id, with
	// every field as given (Statement included).
	PutDevice(t *testing.T, d server.Device)
}

// Vouch checks that verify.Run, given the province's public key, passes
// a store whose devices the province vouched for (server.VouchDevice)
// and names as unvouched, in Chinese and English, the ops of: a device
// inserted into the database without a statement, one inserted with
// another device's statement, a vouched device whose key was replaced in
// the database, and a revoked device's op made after its revocation.
// Without the province key the forged devices pass: the vouching is
// what catches them.
func Vouch(t *testing.T, s server.Storage, tamper DeviceTamper) {
	t.Helper()
	ctx := context.Background()
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	model.SetGazetteer(gaz)
	_, province, _ := ed25519.GenerateKey(nil)
	trusted := []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}
	const county = "130126"
	vouched := func(sg *signer) server.Device {
		t.Helper()
		d, err := s.Device(ctx, sg.id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := server.VouchDevice(ctx, s, province, d, time.Now()); err != nil {
			t.Fatal(err)
		}
		if d, err = s.Device(ctx, sg.id); err != nil || len(d.Statement) == 0 {
			t.Fatalf("device %s after vouching: statement %q, %v", sg.id, d.Statement, err)
		}
		return d
	}
	grid := enrollSigner(t, s, 11, model.RoleGrid, county)
	gridDev := vouched(grid)
	reviewer := enrollSigner(t, s, 12, model.RoleCounty, county)
	vouched(reviewer)
	leaver := enrollSigner(t, s, 13, model.RoleGrid, county)
	vouched(leaver)
	rec := uuid.Must(uuid.NewV7())
	set := facility(1)
	set[model.FieldStatus] = model.Str(initialOf(t, register))
	grid.push(t, s, rec, county, set)
	reviewer.push(t, s, rec, county, map[string]model.Value{model.FieldStatus: model.Str(reviewStatus(t, register, model.RoleCounty))})
	rec2 := uuid.Must(uuid.NewV7())
	leaver.at = time.Now().Add(-time.Hour)
	leaver.push(t, s, rec2, county, facility(2))

	run := func(keys []ed25519.PublicKey) *verify.Report {
		t.Helper()
		rep, err := verify.Run(ctx, server.VerifySource(s, gaz), verify.Options{Trusted: keys})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := run(trusted); !rep.OK() || !rep.Vouched || rep.Ops != 3 || rep.Devices != 3 {
		t.Fatalf("clean vouched store: %d ops, %d devices, vouched %v, problems %+v", rep.Ops, rep.Devices, rep.Vouched, rep.Problems)
	}
	unvouched := func(rep *verify.Report, dev uuid.UUID, n int, why string) {
		t.Helper()
		got := 0
		for _, p := range rep.Problems {
			if p.Kind == verify.KindUnvouched && p.OpText != "" && strings.HasPrefix(p.OpText, dev.String()) {
				if !strings.Contains(p.Msg.EN, "device not vouched by the province") || !strings.Contains(p.Msg.ZH, "设备未获省级担保") ||
					!strings.Contains(p.Msg.EN, why) {
					t.Errorf("op %s: message %+v; want it to say the device is not vouched, %s", p.OpText, p.Msg, why)
				}
				got++
			}
		}
		if got != n {
			t.Errorf("device %s: %d unvouched ops; want %d (problems %+v)", dev, got, n, rep.Problems)
		}
	}

	// The leaver is revoked an hour after its op (which stays vouched);
	// an op it signs after that is not.
	leaverDev, err := s.Device(ctx, leaver.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.RevokeDevice(ctx, s, province, leaver.id, false, time.Time{}, "", leaver.at.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Device(ctx, leaver.id); string(d.Statement) == string(leaverDev.Statement) {
		t.Fatal("revoking did not sign the statement again")
	}
	leaver.at = time.Time{}
	late := leaver.push(t, s, rec2, county, map[string]model.Value{"unit_count": model.Int(9)})
	rep := run(trusted)
	unvouched(rep, leaver.id, 1, "after the device was revoked")
	if len(rep.Problems) != 1 || rep.Problems[0].Op != late.ID() {
		t.Errorf("after a revoked device's op: problems %+v; want only %s", rep.Problems, late.ID())
	}

	// A county device inserted into the database, with no statement.
	forged := &signer{id: uuid.Must(uuid.NewV7())}
	pub, priv, _ := ed25519.GenerateKey(nil)
	forged.priv = priv
	tamper.PutDevice(t, server.Device{ID: forged.id, PublicKey: pub, Label: "伪造", Role: model.RoleCounty,
		Scope: protocol.Scope{Province: "130000", County: county}, TokenHash: sha256.Sum256(forged.id[:]), Enrolled: time.Now()})
	forged.push(t, s, rec, county, map[string]model.Value{"annual_coal_t": model.Decimal(0.1)})
	forged.push(t, s, rec, county, map[string]model.Value{"unit_count": model.Int(1)})
	if rep := run(nil); !rep.OK() || rep.Vouched {
		t.Fatalf("without the province key the forged device should pass unnoticed (what vouching adds); got vouched %v, %+v", rep.Vouched, rep.Problems)
	}
	unvouched(run(trusted), forged.id, 2, "no enrollment statement")

	// Another one carrying the grid device's statement.
	copied := &signer{id: uuid.Must(uuid.NewV7())}
	pub, copied.priv, _ = ed25519.GenerateKey(nil)
	tamper.PutDevice(t, server.Device{ID: copied.id, PublicKey: pub, Label: "冒用", Role: model.RoleCounty,
		Scope: protocol.Scope{Province: "130000", County: county}, TokenHash: sha256.Sum256(copied.id[:]), Enrolled: time.Now(),
		Statement: gridDev.Statement})
	copied.push(t, s, rec, county, map[string]model.Value{"unit_count": model.Int(3)})
	unvouched(run(trusted), copied.id, 1, "another device")

	// The grid device's key replaced in the database, its next op signed
	// with the new key.
	pub, grid.priv, _ = ed25519.GenerateKey(nil)
	swapped := gridDev
	swapped.PublicKey = pub
	tamper.PutDevice(t, swapped)
	grid.push(t, s, rec, county, map[string]model.Value{"unit_count": model.Int(4)})
	rep = run(trusted)
	unvouched(rep, grid.id, 2, "differs from the key the province vouched for")

	// A key the verifier does not trust vouches for nothing.
	_, other, _ := ed25519.GenerateKey(nil)
	rep = run([]ed25519.PublicKey{other.Public().(ed25519.PublicKey)})
	unvouched(rep, reviewer.id, 1, "not trusted")
}
