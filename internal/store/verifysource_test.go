package store

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/model"
)

// verified builds two devices' stores, a (grid, enrolled) and b (grid),
// that create, edit and review records in a random schedule and exchange
// their ops; it returns a with what was made.
type verified struct {
	a, b    *Store
	fx      *fixture
	records []uuid.UUID
}

func newVerified(t *testing.T, seed uint64) *verified {
	t.Helper()
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	grid := Enrolled{Role: model.RoleGrid, County: fx.county}
	for _, s := range []*Store{a, b} {
		for _, o := range []*Store{a, b} {
			if err := s.RegisterDeviceAs(o.Device(), o.PublicKey(), "", grid); err != nil {
				t.Fatal(err)
			}
		}
	}
	v := &verified{a: a, b: b, fx: fx}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := range 40 {
		s := []*Store{a, b}[rng.IntN(2)]
		switch {
		case len(v.records) < 3 || rng.IntN(3) == 0:
			st, err := s.Append(ctx, fx.create(i))
			if err != nil {
				t.Fatal(err)
			}
			v.records = append(v.records, st.Record)
		default:
			rec := v.records[rng.IntN(len(v.records))]
			if _, err := s.Get(rec); err != nil {
				continue // the other device's record, not exchanged yet
			}
			key := fx.textKeys[rng.IntN(len(fx.textKeys))]
			if _, err := s.Append(ctx, Change{Record: rec, Author: "网格员", Role: model.RoleGrid,
				Set: map[string]model.Value{key: model.Str(fmt.Sprintf("第%d次", i))}}); err != nil {
				t.Fatal(err)
			}
		}
		if rng.IntN(5) == 0 {
			exchange(t, a, b)
		}
	}
	exchange(t, a, b)
	return v
}

func runVerify(t *testing.T, s *Store) *verify.Report {
	t.Helper()
	return runVerifyWith(t, s, verify.Options{})
}

func runVerifyWith(t *testing.T, s *Store, opt verify.Options) *verify.Report {
	t.Helper()
	rep, err := verify.Run(context.Background(), s.VerifySource(), opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// rewrite replaces the stored op id of s with what change makes of it.
func rewrite(t *testing.T, s *Store, id oplog.OpID, change func(*oplog.Op)) {
	t.Helper()
	err := s.update(func(txn *badger.Txn) error {
		op, err := getOp(txn, id)
		if err != nil {
			return err
		}
		change(&op)
		b, err := encodeOp(&op)
		if err != nil {
			return err
		}
		return txn.Set(logKey(id), b)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// has reports whether rep has a problem of kind about op id.
func has(rep *verify.Report, kind string, id oplog.OpID) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind && (id == (oplog.OpID{}) || p.Op == id) {
			return p.Msg.ZH != "" && p.Msg.EN != ""
		}
	}
	return false
}

// verify on stores made by random schedules of two devices is clean and
// counts every op, record and device; each kind of tampering made
// directly in Badger is found and named, with the op it concerns.
func TestVerifyStore(t *testing.T) {
	for seed := range uint64(3) {
		v := newVerified(t, seed)
		for _, s := range []*Store{v.a, v.b} {
			rep := runVerify(t, s)
			if !rep.OK() {
				t.Fatalf("seed %d: clean store: %d problems, first %+v", seed, len(rep.Problems), rep.Problems[0])
			}
			vv, _ := s.VersionVector()
			ops := 0
			for _, n := range vv {
				ops += int(n)
			}
			if rep.Ops != ops || rep.Records != len(v.records) || rep.Devices != 2 {
				t.Errorf("seed %d: checked %d ops, %d records, %d devices; want %d, %d, 2", seed, rep.Ops, rep.Records, rep.Devices, ops, len(v.records))
			}
		}
	}

	mid := func(t *testing.T, s *Store) oplog.OpID {
		t.Helper()
		vv, _ := s.VersionVector()
		if vv[s.Device()] < 3 {
			t.Fatalf("device has %d ops; want 3 or more", vv[s.Device()])
		}
		return oplog.OpID{Device: s.Device(), Seq: vv[s.Device()] / 2}
	}
	t.Run("value changed", func(t *testing.T) {
		v := newVerified(t, 7)
		id := mid(t, v.a)
		rewrite(t, v.a, id, func(o *oplog.Op) { o.Author = "冒名者" })
		rep := runVerify(t, v.a)
		if !has(rep, verify.KindSignature, id) || !has(rep, verify.KindChain, oplog.OpID{Device: id.Device, Seq: id.Seq + 1}) {
			t.Errorf("problems %+v; want a bad signature on %s and a broken chain after it", rep.Problems, id)
		}
	})
	t.Run("op removed from a chain", func(t *testing.T) {
		v := newVerified(t, 8)
		id := mid(t, v.a)
		err := v.a.update(func(txn *badger.Txn) error {
			op, err := getOp(txn, id)
			if err != nil {
				return err
			}
			if err := txn.Delete(logKey(id)); err != nil {
				return err
			}
			return txn.Delete(recordOpKey(op.Record, id))
		})
		if err != nil {
			t.Fatal(err)
		}
		rep := runVerify(t, v.a)
		if !has(rep, verify.KindGap, oplog.OpID{Device: id.Device, Seq: id.Seq + 1}) {
			t.Errorf("problems %+v; want a gap before %d", rep.Problems, id.Seq+1)
		}
	})
	// The op's content is still vouched for by the next op's signature
	// (the hash chain); checking each signature names the bad one.
	t.Run("op re-signed with another device's key", func(t *testing.T) {
		v := newVerified(t, 9)
		id := mid(t, v.a)
		rewrite(t, v.a, id, func(o *oplog.Op) { o.SignWith(v.b.Sign) })
		rep := runVerifyWith(t, v.a, verify.Options{EachSignature: true})
		if !has(rep, verify.KindSignature, id) || has(rep, verify.KindChain, oplog.OpID{}) {
			t.Errorf("problems %+v; want a bad signature on %s only (the signature is not hashed)", rep.Problems, id)
		}
	})
	t.Run("ops of a device never enrolled", func(t *testing.T) {
		v := newVerified(t, 10)
		_, priv, _ := ed25519.GenerateKey(nil)
		forged := oplog.Op{Device: uuid.Must(uuid.NewV7()), Seq: 1, HLC: 1 << 20, Record: v.records[0],
			Register: v.fx.sc.Name, County: v.fx.county, Author: "伪造", Set: map[string]model.Value{v.fx.textKeys[0]: model.Str("伪造")}}
		forged.Sign(priv)
		insert(t, v.a, forged)
		rep := runVerify(t, v.a)
		if !has(rep, verify.KindDevice, forged.ID()) {
			t.Errorf("problems %+v; want the forged device's op named", rep.Problems)
		}
	})
	t.Run("review by a grid role", func(t *testing.T) {
		v := newVerified(t, 11)
		vv, _ := v.a.VersionVector()
		set := map[string]model.Value{}
		for k, val := range v.fx.nextSet {
			set[k] = val
		}
		prev, err := v.a.Ops(v.a.Device(), vv[v.a.Device()]-1, 1)
		if err != nil || len(prev) != 1 {
			t.Fatalf("last op: %v", err)
		}
		review := oplog.Op{Device: v.a.Device(), Seq: vv[v.a.Device()] + 1, HLC: prev[0].HLC + 1, Record: v.records[0],
			Register: v.fx.sc.Name, County: v.fx.county, Author: "网格员", Set: set, Prev: prev[0].Hash()}
		review.SignWith(v.a.Sign)
		insert(t, v.a, review)
		rep := runVerify(t, v.a)
		if !has(rep, verify.KindAdmission, review.ID()) || rep.ByKind[verify.KindSignature] != 0 {
			t.Errorf("problems %+v; want the grid device's review refused by admission, its signature good", rep.Problems)
		}
	})
	t.Run("state edited without an op", func(t *testing.T) {
		v := newVerified(t, 12)
		rec := v.records[1]
		st, err := v.a.Get(rec)
		if err != nil {
			t.Fatal(err)
		}
		fs := st.Fields[v.fx.sc.TitleField]
		fs.Value = model.Str("改过的名称")
		st.Fields[v.fx.sc.TitleField] = fs
		if err := v.a.update(func(txn *badger.Txn) error { return txn.Set(stateKey(rec), encodeState(&st)) }); err != nil {
			t.Fatal(err)
		}
		rep := runVerify(t, v.a)
		if len(rep.Problems) != 1 || rep.Problems[0].Kind != verify.KindState || rep.Problems[0].Record != rec {
			t.Errorf("problems %+v; want one: record %s's state", rep.Problems, rec)
		}
	})
}

// insert writes op into s's log and record index, as a tampered store
// would hold it.
func insert(t *testing.T, s *Store, op oplog.Op) {
	t.Helper()
	err := s.update(func(txn *badger.Txn) error {
		b, err := encodeOp(&op)
		if err != nil {
			return err
		}
		if err := txn.Set(logKey(op.ID()), b); err != nil {
			return err
		}
		return txn.Set(recordOpKey(op.Record, op.ID()), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}
