package server_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func statuses(rs []protocol.Receipt) string {
	s := ""
	for _, r := range rs {
		s += string(r.Status)
		if r.Code != "" {
			s += "/" + r.Code
		}
		s += " "
	}
	return s
}

func TestPushGoodReplayAndGap(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	batch := d.ops(t, 3, county1, nil)

	got := e.push(d, batch)
	if got.Acked != 3 || statuses(got.Receipts) != "applied applied applied " {
		t.Fatalf("good batch: got acked %d, %s; want 3, all applied", got.Acked, statuses(got.Receipts))
	}
	for i, r := range got.Receipts {
		if r.Seq != uint64(i+1) || r.ServerSeq != uint64(i+1) || r.Eff != batch[i].HLC {
			t.Errorf("receipt %d: got %+v; want seq %d server seq %d eff %v", i, r, i+1, i+1, batch[i].HLC)
		}
	}

	again := e.push(d, batch)
	if again.Acked != 3 || statuses(again.Receipts) != "duplicate duplicate duplicate " {
		t.Errorf("replay: got acked %d, %s; want 3, all duplicate", again.Acked, statuses(again.Receipts))
	}
	for i, r := range again.Receipts {
		if r.ServerSeq != got.Receipts[i].ServerSeq || r.Eff != got.Receipts[i].Eff {
			t.Errorf("replayed stamps %d: got %d/%v; want %d/%v", i, r.ServerSeq, r.Eff, got.Receipts[i].ServerSeq, got.Receipts[i].Eff)
		}
	}

	d.op(t, county1, nil) // seq 4 never sent
	r := e.pushOps(d, []oplog.Op{d.op(t, county1, nil)})
	pe := r.err()
	if r.status != 409 || !errors.Is(pe, protocol.ErrGap) || pe.Expected != 4 {
		t.Errorf("gap: got %d %v expected %d; want 409 gap expected 4", r.status, pe, pe.Expected)
	}
	if ops := e.pullAll(d, 0); len(ops) != 3 {
		t.Errorf("stored after gap: got %d ops; want 3", len(ops))
	}
}

func TestPushRejectsAndRefuses(t *testing.T) {
	_, otherKey, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name string
		// make builds a batch of 3 ops, tampering as the case needs.
		make      func(t *testing.T, d *device) []oplog.Op
		want      string
		wantAcked uint64
		served    int // ops served to the device afterwards
	}{
		{"forged op", func(t *testing.T, d *device) []oplog.Op {
			// Altered content signed with another key: the next op's
			// prev no longer names it, and its own signature fails.
			ops := d.ops(t, 3, county1, nil)
			ops[1].Set = map[string]model.Value{textField(t): model.Str("改过")}
			ops[1].Sign(otherKey)
			return ops
		}, "applied rejected/signature rejected/after_rejected ", 1, 1},
		{"forged signature on the last op", func(t *testing.T, d *device) []oplog.Op {
			ops := d.ops(t, 3, county1, nil)
			ops[2].Sign(otherKey)
			return ops
		}, "applied applied rejected/signature ", 2, 2},
		{"broken chain", func(t *testing.T, d *device) []oplog.Op {
			ops := d.ops(t, 3, county1, nil)
			ops[2].Prev = ops[0].Hash()
			ops[2].Sign(d.priv)
			return ops
		}, "applied applied rejected/chain ", 2, 2},
		{"tampered value", func(t *testing.T, d *device) []oplog.Op {
			ops := d.ops(t, 3, county1, nil)
			ops[0].Set = map[string]model.Value{textField(t): model.Str("改过")}
			return ops
		}, "rejected/signature rejected/after_rejected rejected/after_rejected ", 0, 0},
		{"cross-county op refused", func(t *testing.T, d *device) []oplog.Op {
			return []oplog.Op{d.op(t, county1, nil), d.op(t, county2, nil), d.op(t, county1, nil)}
		}, "applied refused/scope applied ", 3, 2},
		{"other province refused", func(t *testing.T, d *device) []oplog.Op {
			return []oplog.Op{d.op(t, county3, nil), d.op(t, county1, nil), d.op(t, county1, nil)}
		}, "refused/scope applied applied ", 3, 2},
		{"unknown register refused", func(t *testing.T, d *device) []oplog.Op {
			ops := d.ops(t, 1, county1, nil)
			o := d.op(t, county1, nil)
			o.Register = "no_such_register"
			o.Sign(d.priv)
			d.prev = o.Hash()
			return append(ops, o, d.op(t, county1, nil))
		}, "applied refused/schema applied ", 3, 2},
		{"invalid value refused", func(t *testing.T, d *device) []oplog.Op {
			return []oplog.Op{d.op(t, county1, map[string]model.Value{model.FieldDeleted: model.Str("maybe")}),
				d.op(t, county1, nil), d.op(t, county1, nil)}
		}, "refused/schema applied applied ", 3, 2},
		{"malformed op", func(t *testing.T, d *device) []oplog.Op {
			ops := d.ops(t, 3, county1, nil)
			ops[0].Set = map[string]model.Value{"": model.Str("x")}
			return ops
		}, "rejected/shape rejected/after_rejected rejected/after_rejected ", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.enroll(hebei, county1, model.RoleGrid)
			other := e.enroll(hebei, county2, model.RoleGrid)
			prov := e.enroll(hebei, "", model.RoleProvince)
			ops := tt.make(t, d)
			got := e.push(d, ops)
			if statuses(got.Receipts) != tt.want || got.Acked != tt.wantAcked {
				t.Errorf("got acked %d, %s; want %d, %s", got.Acked, statuses(got.Receipts), tt.wantAcked, tt.want)
			}
			for _, r := range got.Receipts {
				if r.Status == protocol.StatusRefused || r.Status == protocol.StatusRejected {
					if r.Msg == nil || r.Msg.ZH == "" || r.Msg.EN == "" {
						t.Errorf("receipt %d: got message %v; want both languages", r.Seq, r.Msg)
					}
				}
			}
			if n := len(e.pullAll(d, 0)); n != tt.served {
				t.Errorf("served to the device: got %d; want %d", n, tt.served)
			}
			if n := len(e.pullAll(prov, 0)); n != tt.served {
				t.Errorf("served to the province: got %d; want %d", n, tt.served)
			}
			if n := len(e.pullAll(other, 0)); n != 0 {
				t.Errorf("served to the other county: got %d; want 0", n)
			}
			// Replaying the batch answers the same for what was stored.
			again := e.push(d, ops)
			for i, r := range again.Receipts {
				if got.Receipts[i].Status == protocol.StatusRefused && (r.Status != protocol.StatusRefused || r.Code != got.Receipts[i].Code) {
					t.Errorf("replayed refused op %d: got %s/%s; want refused/%s", i, r.Status, r.Code, got.Receipts[i].Code)
				}
				if got.Receipts[i].Status == protocol.StatusApplied && r.Status != protocol.StatusDuplicate {
					t.Errorf("replayed applied op %d: got %s; want duplicate", i, r.Status)
				}
			}
		})
	}
}

// TestPushRunAuthenticatedByItsLastSignature checks that a batch is
// authenticated by its chain and its last op's signature: an interior op
// whose own signature does not verify, but whose content the next op's
// prev names, is accepted, and is stored with the signature it came with,
// which an audit (oplog.VerifyEach) still finds.
func TestPushRunAuthenticatedByItsLastSignature(t *testing.T) {
	_, otherKey, _ := ed25519.GenerateKey(nil)
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	ops := d.ops(t, 3, county1, nil)
	ops[1].Sign(otherKey) // the signature is not part of the hash: the chain holds
	if err := ops[1].VerifySig(d.priv.Public().(ed25519.PublicKey)); err == nil {
		t.Fatal("op 2's signature verifies; the test needs one that does not")
	}
	got := e.push(d, ops)
	if want := "applied applied applied "; statuses(got.Receipts) != want || got.Acked != 3 {
		t.Errorf("got acked %d, %s; want 3, %s", got.Acked, statuses(got.Receipts), want)
	}
	stored := e.pullAll(d, 0)
	if len(stored) != 3 {
		t.Fatalf("served: got %d ops; want 3", len(stored))
	}
	if !bytes.Equal(stored[1].Sig, ops[1].Sig) {
		t.Errorf("stored signature of op 2: got %x; want the pushed %x", stored[1].Sig, ops[1].Sig)
	}
	err := oplog.VerifyEach(d.priv.Public().(ed25519.PublicKey), nil, stored)
	var re *oplog.RunError
	if !errors.As(err, &re) || re.Op.Seq != 2 || !errors.Is(err, oplog.ErrBadSignature) {
		t.Errorf("audit of the stored run: got %v; want op 2's bad signature", err)
	}
}

// TestPushServedRunEndsVerified checks that an op ending a run as some
// receiver is served it (the next op of the batch refused, or of another
// county) is accepted only when its own signature verifies, though the
// batch's chain and last signature verify: no receiver is served an op
// whose run it cannot authenticate. An interior op whose successor every
// receiver of it gets is still authenticated by the chain.
func TestPushServedRunEndsVerified(t *testing.T) {
	_, otherKey, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name     string
		role     model.Role
		county   string // of the device; "" for the province
		counties []string
		bad      int // op whose own signature fails
		want     string
		served   map[string]int // ops served to a county device
	}{
		{"next refused", model.RoleGrid, county1, []string{county1, county2, county1}, 0,
			"rejected/signature rejected/after_rejected rejected/after_rejected ", map[string]int{county1: 0}},
		{"next of another county", model.RoleProvince, "", []string{county1, county2, county2}, 0,
			"rejected/signature rejected/after_rejected rejected/after_rejected ", map[string]int{county1: 0, county2: 0}},
		{"after the county changes", model.RoleProvince, "", []string{county1, county1, county2, county2}, 1,
			"applied rejected/signature rejected/after_rejected rejected/after_rejected ", map[string]int{county1: 1, county2: 0}},
		{"next of the same county", model.RoleProvince, "", []string{county1, county1, county2}, 0,
			"applied applied applied ", map[string]int{county1: 2, county2: 1}},
		{"refused op itself", model.RoleGrid, county1, []string{county1, county2, county1}, 1,
			"applied refused/scope applied ", map[string]int{county1: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			d := e.enroll(hebei, tt.county, tt.role)
			var ops []oplog.Op
			for _, c := range tt.counties {
				ops = append(ops, d.op(t, c, nil))
			}
			ops[tt.bad].Sign(otherKey) // not part of the hash: the chain holds
			got := e.push(d, ops)
			if s := statuses(got.Receipts); s != tt.want {
				t.Errorf("got %s; want %s", s, tt.want)
			}
			for c, n := range tt.served {
				r := e.enroll(hebei, c, model.RoleGrid)
				ops := e.pullAll(r, 0)
				if len(ops) != n {
					t.Errorf("served to county %s: got %d ops; want %d", c, len(ops), n)
				}
				// What a county is served authenticates as its runs
				// (consecutive seqs), as a receiver checks it.
				for lo := 0; lo < len(ops); {
					hi := lo + 1
					for hi < len(ops) && ops[hi].Seq == ops[hi-1].Seq+1 {
						hi++
					}
					if err := oplog.VerifyRun(d.pub, nil, ops[lo:hi]); err != nil {
						t.Errorf("county %s: served run of seqs %d..%d does not verify: %v", c, ops[lo].Seq, ops[hi-1].Seq, err)
					}
					lo = hi
				}
			}
		})
	}
}

func TestPushProvinceDeviceWritesAnyCountyOfItsProvince(t *testing.T) {
	e := newEnv(t)
	prov := e.enroll(hebei, "", model.RoleProvince)
	c1 := e.enroll(hebei, county1, model.RoleCounty)
	got := e.push(prov, []oplog.Op{prov.op(t, county1, nil), prov.op(t, county2, nil), prov.op(t, county3, nil)})
	if want := "applied applied refused/scope "; statuses(got.Receipts) != want {
		t.Errorf("got %s; want %s", statuses(got.Receipts), want)
	}
	if n := len(e.pullAll(c1, 0)); n != 1 {
		t.Errorf("served to county %s: got %d; want 1", county1, n)
	}
}

func TestPushAuth(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	other := e.enroll(hebei, county1, model.RoleGrid)
	revoked := e.enroll(hebei, county1, model.RoleGrid)
	if r := e.do("POST", "/v1/admin/devices/"+revoked.id.String()+"/revoke", e.admin, "", nil); r.status != 200 {
		t.Fatalf("revoke: got %d %s", r.status, r.body)
	}
	body, _ := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: d.ops(t, 1, county1, nil)})
	tests := []struct {
		name  string
		token string
		want  *protocol.Error
	}{
		{"missing token", "", protocol.ErrUnauthorized},
		{"wrong token", "lt1_not-a-token", protocol.ErrUnauthorized},
		{"revoked device", revoked.token, protocol.ErrRevoked},
		{"another device's batch", other.token, protocol.ErrDeviceMismatch},
		{"admin token is not a device", e.admin, protocol.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", protocol.PathPush, tt.token, protocol.ContentTypeOps, body)
			if got := r.err(); r.status != tt.want.Status || !errors.Is(got, tt.want) || got.Msg.ZH == "" {
				t.Errorf("got %d %v; want %d %v", r.status, got, tt.want.Status, tt.want)
			}
		})
	}
	if r := e.do("POST", protocol.PathPull, revoked.token, protocol.ContentTypeJSON, []byte(`{}`)); r.status != 403 {
		t.Errorf("pull by revoked device: got %d; want 403", r.status)
	}
}

func TestPushEffectiveTimeAndOffset(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	now := e.clock.Now()
	d.hlc = hlc.Make(now.Add(72*time.Hour).UnixMilli(), 0) // three days ahead
	got := e.push(d, d.ops(t, 1, county1, nil))
	wantEff := oplog.EffectiveTime(d.hlc, now, protocol.ClockTolerance)
	if got.Receipts[0].Eff != wantEff || wantEff >= d.hlc {
		t.Errorf("eff: got %v; want %v (< hlc %v)", got.Receipts[0].Eff, wantEff, d.hlc)
	}
	if want := (72 * time.Hour).Milliseconds() + 1; got.ClockOffset < want-2 || got.ClockOffset > want {
		t.Errorf("offset from ops: got %d; want about %d", got.ClockOffset, want)
	}
	body, _ := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: d.ops(t, 1, county1, nil)})
	r := e.pushRaw(d, body, protocol.HeaderDeviceTime, fmt.Sprint(now.UnixMilli()-1500))
	resp, _ := protocol.DecodePushResponse(r.body)
	if resp.ClockOffset != -1500 {
		t.Errorf("offset from header: got %d; want -1500", resp.ClockOffset)
	}
}

func TestPushIgnoresStampsFromTheDevice(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	o := d.op(t, county1, nil)
	o.Eff, o.ServerSeq = 1, 999 // claims an early effective time
	got := e.push(d, []oplog.Op{o})
	if r := got.Receipts[0]; r.Status != protocol.StatusApplied || r.Eff != o.HLC || r.ServerSeq != 1 {
		t.Errorf("receipt: got %+v; want applied, eff %v, server seq 1", r, o.HLC)
	}
	r := e.doJSON("POST", protocol.PathPull, d.token, protocol.PullRequest{})
	page, err := protocol.ParsePageFrame(r.body)
	if err != nil || len(page.Ops) != 1 {
		t.Fatalf("pull: got %d ops, %v; want 1", len(page.Ops), err)
	}
	var stored oplog.Op
	if err := stored.UnmarshalBinary(page.Ops[0].Raw); err != nil {
		t.Fatal(err)
	}
	if stored.Eff != 0 || stored.ServerSeq != 0 || page.Ops[0].Eff != o.HLC || page.Ops[0].ServerSeq != 1 {
		t.Errorf("served: got op stamps %v/%d, frame stamps %v/%d; want none in the op, %v/1 in the frame",
			stored.Eff, stored.ServerSeq, page.Ops[0].Eff, page.Ops[0].ServerSeq, o.HLC)
	}
}

func TestPushForkedLogIsRejected(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	e.push(d, d.ops(t, 2, county1, nil))
	restored := *d // the same key and id, its log restored from before seq 2
	restored.seq, restored.prev = 1, e.pullAll(d, 0)[0].Hash()
	fork := restored.op(t, county1, map[string]model.Value{textField(t): model.Str("另一个版本")})
	got := e.push(d, []oplog.Op{fork, restored.op(t, county1, nil)})
	if want := "rejected/fork rejected/after_rejected "; statuses(got.Receipts) != want || got.Acked != 2 {
		t.Errorf("got acked %d, %s; want 2, %s", got.Acked, statuses(got.Receipts), want)
	}
}

// TestPushLargeBatchVerdicts checks that the verdicts of a batch verified
// on several goroutines land on their own ops: a refused op and an
// altered op deep in a large batch are answered where they are.
func TestPushLargeBatchVerdicts(t *testing.T) {
	for _, workers := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			e := newEnvWith(t, badgerstore.Options{InMemory: true}, func(c *server.Config) { c.Workers = workers })
			d := e.enroll(hebei, county1, model.RoleGrid)
			var ops []oplog.Op
			for i := range 300 {
				c := county1
				if i == 100 {
					c = county2
				}
				ops = append(ops, d.op(t, c, nil))
			}
			// Altered content: op 251's prev no longer names op 250, and
			// op 250's own signature fails.
			ops[250].Set = map[string]model.Value{textField(t): model.Str("改过")}
			got := e.push(d, ops)
			want := ""
			for i := range ops {
				switch {
				case i == 100:
					want += "refused/" + protocol.RefusedScope + " "
				case i == 250:
					want += "rejected/" + protocol.RejectedSig + " "
				case i > 250:
					want += "rejected/" + protocol.RejectedAfter + " "
				default:
					want += "applied "
				}
			}
			if s := statuses(got.Receipts); s != want || got.Acked != 250 {
				t.Errorf("got acked %d, %s; want acked 250, %s", got.Acked, s, want)
			}
		})
	}
}
