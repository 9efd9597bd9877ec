package storetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// Tamper changes a backend's stored ops directly, as someone with
// access to its database (and not to the devices' keys) would.
type Tamper interface {
	// SetRaw replaces the stored bytes of the applied op (dev, seq).
	SetRaw(t *testing.T, dev uuid.UUID, seq uint64, raw []byte)
	// Remove deletes the applied op (dev, seq) from what is served.
	Remove(t *testing.T, dev uuid.UUID, seq uint64)
}

// signer is an enrolled device whose ops the test signs and appends
// straight to the store, past the server's checks.
type signer struct {
	id   uuid.UUID
	priv ed25519.PrivateKey
	head server.Head
	seq  uint64
	ops  []oplog.Op
	at   time.Time // the time of its ops (now when zero)
}

func enrollSigner(t testing.TB, s server.Storage, n int, role model.Role, county string) *signer {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	code := sha256.Sum256(fmt.Appendf(nil, "verify-code-%d", n))
	sc := protocol.Scope{Province: "130000", County: county}
	if err := s.CreateCode(ctx, server.Code{Hash: code, Scope: sc, Role: role, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := uuid.Must(uuid.NewV7())
	if _, err := s.Enroll(ctx, code, server.Device{ID: id, PublicKey: pub, Label: "核验", TokenHash: sha256.Sum256(id[:]), Enrolled: now}, now); err != nil {
		t.Fatal(err)
	}
	return &signer{id: id, priv: priv}
}

// push signs an op of sg setting set on record rec and appends it.
func (sg *signer) push(t testing.TB, s server.Storage, rec uuid.UUID, county string, set map[string]model.Value) oplog.Op {
	t.Helper()
	sg.seq++
	at := sg.at
	if at.IsZero() {
		at = time.Now()
	}
	o := oplog.Op{Device: sg.id, Seq: sg.seq, HLC: hlc.Make(at.UnixMilli(), uint16(sg.seq)), Record: rec,
		Register: register, County: county, Author: "核验", Set: set, Prev: sg.head.Hash}
	o.Sign(sg.priv)
	raw, h, err := o.AppendBinaryHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	e := server.LogEntry{Seq: o.Seq, Hash: h, Record: rec, Register: register, County: county, Province: "130000",
		Eff: o.HLC, Raw: raw}
	if _, err := s.Append(context.Background(), sg.id, sg.head, []server.LogEntry{e}); err != nil {
		t.Fatal(err)
	}
	sg.head = server.Head{Acked: o.Seq, Hash: h}
	sg.ops = append(sg.ops, o)
	return o
}

// facility is a farm-coal facility's fields, as a grid device sends them.
func facility(n int) map[string]model.Value {
	return map[string]model.Value{
		"facility_no":    model.Str(fmt.Sprintf("130126-NYSM-%04d", n)),
		"operator_name":  model.Str(fmt.Sprintf("核验种植户%d", n)),
		"operator_type":  model.Str("household"),
		"contact_name":   model.Str("王建国"),
		"contact_phone":  model.Str("13803110000"),
		"township":       model.Str("灵寿镇"),
		"village":        model.Str("王家庄村"),
		"use_category":   model.Str("greenhouse"),
		"equipment_type": model.Str("stove"),
		"unit_count":     model.Int(1),
		"annual_coal_t":  model.Decimal(3.5),
		"coal_basis":     model.Str("last_year_actual"),
		"location":       model.GPS(model.Point{Lat: 38.3, Lon: 114.4}),
	}
}

// Verify checks that verify.Run over s (server.VerifySource) finds a
// clean history clean, and names each kind of tampering made directly in
// the backend's database with tamper: an op's content changed, an op
// removed from the middle of a device's chain, an op re-signed with
// another device's key, and a review op of a grid device slipped in
// past the server's checks.
func Verify(t *testing.T, s server.Storage, tamper Tamper) {
	t.Helper()
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	model.SetGazetteer(gaz)
	const county = "130126"
	grid := enrollSigner(t, s, 1, model.RoleGrid, county)
	grid2 := enrollSigner(t, s, 2, model.RoleGrid, county)
	reviewer := enrollSigner(t, s, 3, model.RoleCounty, county)
	var recs []uuid.UUID
	for i := range 4 {
		rec := uuid.Must(uuid.NewV7())
		recs = append(recs, rec)
		set := facility(i)
		set[model.FieldStatus] = model.Str(initialOf(t, register))
		grid.push(t, s, rec, county, set)
		grid2.push(t, s, rec, county, map[string]model.Value{"unit_count": model.Int(int64(2 + i))})
	}
	approved := reviewStatus(t, register, model.RoleCounty)
	reviewer.push(t, s, recs[0], county, map[string]model.Value{model.FieldStatus: model.Str(approved)})

	run := func() *verify.Report {
		t.Helper()
		rep, err := verify.Run(context.Background(), server.VerifySource(s, gaz), verify.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	want := func(rep *verify.Report, kind string, id oplog.OpID) {
		t.Helper()
		for _, p := range rep.Problems {
			if p.Kind == kind && p.Op == id && p.Msg.ZH != "" && p.Msg.EN != "" {
				return
			}
		}
		t.Errorf("no %s problem on %s; problems: %+v", kind, id, rep.Problems)
	}
	if rep := run(); !rep.OK() || rep.Ops != 9 || rep.Devices != 3 || rep.Records != 4 {
		t.Fatalf("clean store: %d ops, %d devices, %d records, problems %+v; want 9, 3, 4 and none", rep.Ops, rep.Devices, rep.Records, rep.Problems)
	}

	// A grid device's approval, appended past the server's checks.
	forged := grid.push(t, s, recs[1], county, map[string]model.Value{model.FieldStatus: model.Str(approved)})
	rep := run()
	want(rep, verify.KindAdmission, forged.ID())
	if len(rep.Problems) != 1 {
		t.Errorf("after a forged review: problems %+v; want that one", rep.Problems)
	}

	// An op's content changed in the database.
	changed := grid.ops[1]
	changed.Set = map[string]model.Value{}
	for k, v := range grid.ops[1].Set {
		changed.Set[k] = v
	}
	changed.Set["annual_coal_t"] = model.Decimal(0.5)
	raw, err := changed.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	tamper.SetRaw(t, grid.id, 2, raw)
	rep = run()
	want(rep, verify.KindSignature, changed.ID())
	want(rep, verify.KindChain, grid.ops[2].ID())

	// An op removed from the middle of a chain.
	tamper.Remove(t, grid2.id, 2)
	want(run(), verify.KindGap, grid2.ops[2].ID())

	// An op re-signed with another device's key.
	resigned := reviewer.ops[0]
	resigned.Sign(grid.priv)
	if raw, err = resigned.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	tamper.SetRaw(t, reviewer.id, 1, raw)
	want(run(), verify.KindSignature, resigned.ID())
}

func initialOf(t testing.TB, reg string) string {
	t.Helper()
	sc, ok := model.Lookup(reg)
	if !ok {
		t.Fatalf("no register %s", reg)
	}
	return sc.Initial
}

// reviewStatus is a status role may move a new record of reg to that
// grid staff may not.
func reviewStatus(t testing.TB, reg string, role model.Role) string {
	t.Helper()
	sc, _ := model.Lookup(reg)
	for _, tr := range sc.Transitions {
		if _, err := sc.Transition(sc.Initial, tr.To, role); err != nil {
			continue
		}
		if _, err := sc.Transition(sc.Initial, tr.To, model.RoleGrid); err != nil {
			return tr.To
		}
	}
	t.Fatalf("%s: no status %s may set from %s that grid staff may not", reg, role, sc.Initial)
	return ""
}
