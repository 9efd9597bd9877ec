package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// introduce registers each store's device with every other.
func introduce(t tester, stores ...*Store) {
	t.Helper()
	for _, a := range stores {
		for _, b := range stores {
			if a != b {
				if err := a.RegisterDevice(b.Device(), b.PublicKey(), "peer"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// allOps returns every op stored in s, device by device.
func allOps(t tester, s *Store) []oplog.Op {
	t.Helper()
	vv, err := s.VersionVector()
	if err != nil {
		t.Fatal(err)
	}
	var out []oplog.Op
	for dev := range vv {
		ops, err := s.Ops(dev, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ops...)
	}
	return out
}

// makeOps appends n edits (creating a few records) to s and returns its
// log.
func makeOps(t testing.TB, s *Store, fx *fixture, n int) []oplog.Op {
	t.Helper()
	ctx := context.Background()
	var recs []oplog.State
	for i := 0; i < n; i++ {
		if i%3 == 0 {
			st, err := s.Append(ctx, fx.create(i))
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, st)
			continue
		}
		r := recs[i%len(recs)]
		if _, err := s.Append(ctx, Change{Record: r.Record, Role: model.RoleGrid,
			Set: map[string]model.Value{fx.textKeys[i%2]: model.Str(string(rune('甲' + i)))}}); err != nil {
			t.Fatal(err)
		}
	}
	ops, err := s.Ops(s.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// states returns every record's state in s, by record id.
func states(t testing.TB, s *Store) map[string]oplog.State {
	t.Helper()
	out := map[string]oplog.State{}
	q := Query{IncludeDeleted: true, Limit: 1000}
	for {
		p, err := s.List(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range p.Records {
			out[st.Record.String()] = st
		}
		if p.Next == "" {
			return out
		}
		q.After = p.Next
	}
}

func TestApplyIdempotentAnyOrder(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b, c := openMem(t), openMem(t), openMem(t)
	introduce(t, a, b, c)
	ops := makeOps(t, a, fx, 12)

	res, err := b.Apply(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ApplyResult{Applied: len(ops)}); res != want {
		t.Fatalf("first apply = %+v; want %+v", res, want)
	}
	res, err = b.Apply(ctx, ops)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ApplyResult{Duplicates: len(ops)}); res != want {
		t.Fatalf("replay = %+v; want %+v", res, want)
	}
	want := states(t, a)
	if got := states(t, b); !reflect.DeepEqual(got, want) {
		t.Fatalf("states after replay differ:\ngot  %v\nwant %v", got, want)
	}

	// Shuffled, in small batches, with duplicates: same states.
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := append(append([]oplog.Op{}, ops...), ops[:4]...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := 0; i < len(shuffled); i += 5 {
		if _, err := c.Apply(ctx, shuffled[i:min(i+5, len(shuffled))]); err != nil {
			t.Fatal(err)
		}
	}
	if got := states(t, c); !reflect.DeepEqual(got, want) {
		t.Fatalf("states after shuffled apply differ:\ngot  %v\nwant %v", got, want)
	}
	for _, s := range []*Store{b, c} {
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestApplyHoldsOutOfOrder(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	ops := makeOps(t, a, fx, 5)

	steps := []struct {
		batch  []oplog.Op
		want   ApplyResult
		wantVV uint64
	}{
		{[]oplog.Op{ops[3], ops[2]}, ApplyResult{Held: 2}, 0},
		{[]oplog.Op{ops[3]}, ApplyResult{Duplicates: 1}, 0},
		{[]oplog.Op{ops[0]}, ApplyResult{Applied: 1}, 1},
		{[]oplog.Op{ops[4], ops[1]}, ApplyResult{Applied: 4}, 5},
	}
	for i, st := range steps {
		res, err := b.Apply(ctx, st.batch)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res != st.want {
			t.Fatalf("step %d: got %+v; want %+v", i, res, st.want)
		}
		vv, err := b.VersionVector()
		if err != nil {
			t.Fatal(err)
		}
		if vv[a.Device()] != st.wantVV {
			t.Fatalf("step %d: version of a = %d; want %d", i, vv[a.Device()], st.wantVV)
		}
	}
	if got, want := states(t, b), states(t, a); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v; want %v", got, want)
	}
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestApplyRefusesBadBatch(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a := openMem(t)
	ops := makeOps(t, a, fx, 4)
	resign := func(op oplog.Op) oplog.Op {
		op.Sign(a.priv)
		return op
	}
	cloneOp := func(op oplog.Op) oplog.Op {
		b, err := op.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var c oplog.Op
		if err := c.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		return c
	}
	forged := cloneOp(ops[1])
	forged.Sig[3] ^= 0x10
	broken := cloneOp(ops[1])
	broken.Prev[0] ^= 1
	broken = resign(broken)
	unknownField := cloneOp(ops[1])
	unknownField.Set["no_such_field"] = model.Str("x")
	unknownField = resign(unknownField)
	badValue := cloneOp(ops[1])
	badValue.Set[fx.textKeys[0]] = model.Int(5)
	badValue = resign(badValue)
	twin := cloneOp(ops[0])
	twin.Author = "冒名"
	twin = resign(twin)
	// An interior op of a run with tampered content but its original
	// signature: the next op's Prev no longer matches.
	tampered := cloneOp(ops[1])
	tampered.Author = "冒名"
	// … and with its successor re-chained to it: the successor's
	// signature no longer verifies.
	rechained := cloneOp(ops[2])
	rechained.Prev = tampered.Hash()

	tests := []struct {
		name     string
		register bool
		first    []oplog.Op // applied before, successfully
		batch    []oplog.Op
		want     error
	}{
		{"forged signature", true, nil, []oplog.Op{ops[0], forged}, ErrBadSignature},
		{"broken chain", true, nil, []oplog.Op{ops[0], broken}, ErrBrokenChain},
		{"interior op tampered", true, nil, []oplog.Op{ops[0], tampered, ops[2], ops[3]}, ErrBrokenChain},
		{"interior op tampered after the stored head", true, []oplog.Op{ops[0]}, []oplog.Op{tampered, ops[2], ops[3]}, ErrBrokenChain},
		{"interior op tampered in a held run", true, nil, []oplog.Op{tampered, ops[2], ops[3]}, ErrBrokenChain},
		{"interior op tampered and re-chained", true, nil, []oplog.Op{ops[0], tampered, rechained, ops[3]}, ErrBrokenChain},
		{"tampered op re-chained at the end", true, nil, []oplog.Op{ops[0], tampered, rechained}, ErrBadSignature},
		{"first op tampered", true, nil, []oplog.Op{func() oplog.Op { o := cloneOp(ops[0]); o.Author = "冒名"; return o }(), ops[1]}, ErrBrokenChain},
		{"unknown device", false, nil, []oplog.Op{ops[0]}, ErrUnknownDevice},
		{"unknown field", true, nil, []oplog.Op{ops[0], unknownField}, ErrBadOp},
		{"wrong type", true, nil, []oplog.Op{ops[0], badValue}, ErrBadOp},
		{"equivocation", true, []oplog.Op{ops[0]}, []oplog.Op{twin, ops[1]}, ErrEquivocation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := openMem(t)
			if tt.register {
				introduce(t, a, b)
			}
			if tt.first != nil {
				if _, err := b.Apply(ctx, tt.first); err != nil {
					t.Fatal(err)
				}
			}
			before := snapshot(t, b, a)
			_, err := b.Apply(ctx, tt.batch)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
			var oe *OpError
			if !errors.As(err, &oe) {
				t.Fatalf("got %T; want an *OpError naming the op", err)
			}
			if want, ok := tt.want.(*model.Error); ok && (!errors.Is(err, want.Kind) || model.KindOf(err) != want.Kind) {
				t.Errorf("kind of %v: got %v; want %v", err, model.KindOf(err), want.Kind)
			}
			if after := snapshot(t, b, a); !reflect.DeepEqual(after, before) {
				t.Fatalf("store changed by a refused batch: got %+v; want %+v", after, before)
			}
		})
	}
}

// TestApplyInteriorSignature: Apply checks one signature per run of a
// device's ops (the hash chain carries it over the run), so a run whose
// content is intact but whose interior op carries an invalid signature of
// its own — which only the device's key holder can produce — is stored;
// Check, which verifies every signature, reports it.
func TestApplyInteriorSignature(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a := openMem(t)
	ops := makeOps(t, a, fx, 3)
	bad := ops[1]
	bad.Sig = append([]byte(nil), bad.Sig...)
	bad.Sig[0] ^= 1
	b := openMem(t)
	introduce(t, a, b)
	res, err := b.Apply(ctx, []oplog.Op{ops[0], bad, ops[2]})
	if err != nil {
		t.Fatalf("Apply = %v; want the run accepted on its last signature", err)
	}
	if res.Applied != 3 {
		t.Fatalf("got %+v; want 3 applied", res)
	}
	if err := b.Check(ctx); !errors.Is(err, ErrCheck) || !errors.Is(err, oplog.ErrBadSignature) {
		t.Fatalf("Check = %v; want ErrCheck naming the bad signature", err)
	}
	// Alone (the last op of its run), the same op is refused.
	c := openMem(t)
	introduce(t, a, c)
	if _, err := c.Apply(ctx, []oplog.Op{ops[0], bad}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Apply = %v; want ErrBadSignature", err)
	}
}

func TestApplyRefusesFlippedBits(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a := openMem(t)
	ops := makeOps(t, a, fx, 2)
	enc, err := ops[1].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := openMem(t)
	introduce(t, a, b)
	before := snapshot(t, b, a)
	refused, decoded := 0, 0
	for bit := 0; bit < len(enc)*8; bit += 7 {
		bad := append([]byte(nil), enc...)
		bad[bit/8] ^= 1 << (bit % 8)
		var op oplog.Op
		if err := op.UnmarshalBinary(bad); err != nil {
			refused++
			continue
		}
		decoded++
		if _, err := b.Apply(ctx, []oplog.Op{ops[0], op}); err == nil {
			t.Fatalf("bit %d flipped: Apply = nil; want an error", bit)
		}
		refused++
		if after := snapshot(t, b, a); !reflect.DeepEqual(after, before) {
			t.Fatalf("bit %d flipped: store changed: got %+v; want %+v", bit, after, before)
		}
	}
	if refused == 0 {
		t.Fatalf("no flipped op tried")
	}
	t.Logf("%d flipped encodings refused, %d of them by Apply after decoding", refused, decoded)
}

// storeSnapshot is what a refused batch must leave unchanged.
type storeSnapshot struct {
	Count int
	Ops   int
	VV    map[string]uint64
}

func snapshot(t testing.TB, s, author *Store) storeSnapshot {
	t.Helper()
	ops, err := s.Ops(author.Device(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	vv, err := s.VersionVector()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]uint64{}
	for d, n := range vv {
		m[d.String()] = n
	}
	return storeSnapshot{Count: countAll(t, s), Ops: len(ops), VV: m}
}

func TestApplyPageScoped(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	ops := makeOps(t, a, fx, 6)
	steps := []struct {
		name   string
		page   []oplog.Op
		prev   []uint64
		want   ApplyResult
		wantVV uint64
	}{
		{"beyond a missed page: held", []oplog.Op{ops[5]}, []uint64{5}, ApplyResult{Held: 1}, 0},
		// 1, 2 and 5 (whose scope predecessor is 2), and the held 6 that
		// follows 5 in the chain.
		{"scope gaps", []oplog.Op{ops[0], ops[1], ops[4]}, []uint64{0, 1, 2}, ApplyResult{Applied: 4}, 6},
		{"empty page", []oplog.Op{}, []uint64{}, ApplyResult{}, 6},
		{"ops inside the gap ignored", []oplog.Op{ops[2], ops[3]}, nil, ApplyResult{Duplicates: 2}, 6},
		{"replayed page", []oplog.Op{ops[4], ops[5]}, []uint64{2, 5}, ApplyResult{Duplicates: 2}, 6},
	}
	for i, st := range steps {
		var res ApplyResult
		var err error
		if st.prev == nil {
			res, err = b.Apply(ctx, st.page)
		} else {
			res, err = b.ApplyPageScoped(ctx, st.page, st.prev, uint64(i+1))
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res != st.want {
			t.Fatalf("%s: got %+v; want %+v", st.name, res, st.want)
		}
		vv, err := b.VersionVector()
		if err != nil {
			t.Fatal(err)
		}
		if vv[a.Device()] != st.wantVV {
			t.Fatalf("%s: version of a = %d; want %d", st.name, vv[a.Device()], st.wantVV)
		}
		if err := b.Check(ctx); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	if _, err := b.ApplyPageScoped(ctx, ops[:2], []uint64{0}, 10); err == nil {
		t.Fatalf("mismatched scope links: got nil error; want an error")
	}
}

// A held edit released by the arrival of an op of another record is
// merged with its record's earlier ops.
func TestApplyReleasedEditMergesWithStoredOps(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	r, err := a.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, fx.create(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, Change{Record: r.Record, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str("后改")}}); err != nil {
		t.Fatal(err)
	}
	ops := allOps(t, a)
	for _, batch := range [][]oplog.Op{{ops[0]}, {ops[2]}, {ops[1]}} {
		if _, err := b.Apply(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := a.Get(r.Record)
	got, err := b.Get(r.Record)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	if err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
