package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// rechain signs ops again with priv, each naming the hash of the one
// before it (the first keeps its Prev): a device's key holder rewriting
// its log.
func rechain(priv ed25519.PrivateKey, ops []oplog.Op) []oplog.Op {
	out := make([]oplog.Op, len(ops))
	for i, op := range ops {
		if i > 0 {
			op.Prev = out[i-1].Hash()
		}
		op.Sign(priv)
		out[i] = op
	}
	return out
}

// withSet returns op setting k to v too.
func withSet(op oplog.Op, k string, v model.Value) oplog.Op {
	set := make(map[string]model.Value, len(op.Set)+1)
	for f, x := range op.Set {
		set[f] = x
	}
	set[k] = v
	op.Set = set
	return op
}

// wrongPrev returns op naming another previous hash.
func wrongPrev(op oplog.Op) oplog.Op {
	op.Prev[0] ^= 1
	return op
}

// A pull page with one bad op of a device is not refused: the bad op is
// set aside with its reason, the device's later ops wait behind it, and
// the rest of the page (the device's ops before it, another device's
// ops) is stored with the cursor.
func TestApplyPageSetsAsideBadOp(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, c := openMem(t), openMem(t)
	ops := makeOps(t, a, fx, 4) // 1 creates a record, 2 and 3 edit it
	opsC := makeOps(t, c, fx, 3)
	badSig := func(op oplog.Op) oplog.Op {
		op.Sig = bytes.Clone(op.Sig)
		op.Sig[0] ^= 1
		return op
	}
	tests := []struct {
		name string
		// before is applied first; page is a's part of the page under
		// test; bad is the index in page of the op set aside, and the
		// ops of page after it are held.
		before, page []oplog.Op
		bad          int
		code         string
		kind         model.ErrorKind
		grid         bool // b knows a as a grid device of fx.county
	}{
		{name: "signature of the run's last op", page: []oplog.Op{ops[0], badSig(ops[1])}, bad: 1,
			code: RefusedSignature, kind: model.ErrSignature},
		{name: "broken chain inside the page", bad: 1, code: RefusedChain, kind: model.ErrChain,
			page: append([]oplog.Op{ops[0]}, rechain(a.priv, append([]oplog.Op{wrongPrev(ops[1])}, ops[2:]...))...)},
		{name: "broken chain to the stored head", before: ops[:1], bad: 0, code: RefusedChain, kind: model.ErrChain,
			page: rechain(a.priv, append([]oplog.Op{wrongPrev(ops[1])}, ops[2:]...))},
		{name: "record moved to another county", bad: 1, code: RefusedScope, kind: model.ErrScope,
			page: append([]oplog.Op{ops[0]}, rechain(a.priv, append([]oplog.Op{func() oplog.Op { o := ops[1]; o.County = "130104"; return o }()}, ops[2:]...))...)},
		{name: "unknown register", bad: 1, code: RefusedSchema, kind: model.ErrSchema,
			page: append([]oplog.Op{ops[0]}, rechain(a.priv, append([]oplog.Op{func() oplog.Op { o := ops[1]; o.Register = "no_such_register"; return o }()}, ops[2:]...))...)},
		{name: "reviewer's field by a grid device", grid: true, bad: 1, code: RefusedRole, kind: model.ErrForbidden,
			page: append([]oplog.Op{ops[0]}, rechain(a.priv, append([]oplog.Op{withSet(ops[1], model.FieldReviewComment, model.Str("已审"))}, ops[2:]...))...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := openMem(t)
			introduce(t, a, b, c)
			if tt.grid {
				if err := b.RegisterDeviceAs(a.Device(), a.PublicKey(), "", Enrolled{Role: model.RoleGrid, County: fx.county}); err != nil {
					t.Fatal(err)
				}
			}
			if len(tt.before) > 0 {
				if _, err := b.ApplyPage(ctx, tt.before, 1); err != nil {
					t.Fatal(err)
				}
			}
			page := append(append([]oplog.Op{}, tt.page...), opsC...)
			res, err := b.ApplyPage(ctx, page, 7)
			if err != nil {
				t.Fatalf("ApplyPage = %v; want the bad op set aside", err)
			}
			held := len(tt.page) - tt.bad - 1
			want := ApplyResult{Applied: tt.bad + len(opsC), Held: held, Quarantined: 1}
			if res != want {
				t.Errorf("result %+v; want %+v", res, want)
			}
			if cur, err := b.Cursor(); err != nil || cur != 7 {
				t.Errorf("cursor %d, %v; want 7", cur, err)
			}
			vv, err := b.VersionVector()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := vv[a.Device()], tt.page[tt.bad].Seq-1; got != want {
				t.Errorf("a's ops stored up to %d; want %d (before the bad one)", got, want)
			}
			if got := vv[c.Device()]; got != uint64(len(opsC)) {
				t.Errorf("c's ops stored up to %d; want all %d", got, len(opsC))
			}
			q, err := b.Quarantined()
			if err != nil || len(q) != 1 {
				t.Fatalf("held changes %+v, %v; want the bad op", q, err)
			}
			g := q[0]
			if !g.Received || g.Code != tt.code || g.Op.ID() != tt.page[tt.bad].ID() || g.Op.Hash() != tt.page[tt.bad].Hash() ||
				g.Reason.ZH == "" || g.Reason.EN == "" {
				t.Errorf("held %+v; want op %v received, code %s, with a reason in both languages", g, tt.page[tt.bad].ID(), tt.code)
			}
			if err := b.Check(ctx); err != nil {
				t.Errorf("Check: %v", err)
			}
			// The same op refuses a batch that is not a page, with its
			// kind.
			d := openMem(t)
			introduce(t, a, d)
			if tt.grid {
				if err := d.RegisterDeviceAs(a.Device(), a.PublicKey(), "", Enrolled{Role: model.RoleGrid, County: fx.county}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Apply(ctx, append(append([]oplog.Op{}, tt.before...), tt.page...)); model.KindOf(err) != tt.kind {
				t.Errorf("Apply = %v (kind %v); want kind %v", err, model.KindOf(err), tt.kind)
			}

			// The page again: nothing new, the op not set aside twice.
			res, err = b.ApplyPage(ctx, page, 8)
			if err != nil {
				t.Fatal(err)
			}
			if res.Quarantined != 0 || res.Applied != 0 {
				t.Errorf("page again: %+v; want nothing applied or set aside", res)
			}
			if q, _ := b.Quarantined(); len(q) != 1 {
				t.Errorf("%d held changes after the page again; want 1", len(q))
			}
			// The device's later ops wait behind the bad one.
			if rest := ops[len(tt.before)+len(tt.page):]; len(rest) > 0 {
				res, err = b.ApplyPage(ctx, rest, 9)
				if err != nil || res.Applied != 0 {
					t.Errorf("later ops: %+v, %v; want them held", res, err)
				}
			}
		})
	}
}

// A device whose role is not known here (an older server) has its ops
// admitted as before: a reviewer's field is left to the server.
func TestApplyPageRoleUnknown(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	ops := makeOps(t, a, fx, 2)
	page := append([]oplog.Op{ops[0]}, rechain(a.priv, []oplog.Op{withSet(ops[1], model.FieldReviewComment, model.Str("已审"))})...)
	res, err := b.ApplyPage(ctx, page, 1)
	if err != nil || res.Applied != 2 || res.Quarantined != 0 {
		t.Fatalf("ApplyPage = %+v, %v; want both applied", res, err)
	}
	// A registration without a role keeps the role once known.
	if err := b.RegisterDeviceAs(a.Device(), a.PublicKey(), "", Enrolled{Role: model.RoleCounty, County: fx.county}); err != nil {
		t.Fatal(err)
	}
	if err := b.RegisterDevice(a.Device(), a.PublicKey(), "甲"); err != nil {
		t.Fatal(err)
	}
	var en Enrolled
	err = b.view(func(txn *badger.Txn) error {
		var err error
		en, err = enrolledAs(txn, a.Device())
		return err
	})
	if err != nil || en.Role != model.RoleCounty {
		t.Errorf("enrolled as %+v, %v; want the county role kept", en, err)
	}
}

// Ops of a device never registered are set aside in a page (the server
// sent no key for them) and refuse a batch that is not a page.
func TestApplyPageUnknownDevice(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b, c := openMem(t), openMem(t), openMem(t)
	introduce(t, b, c)
	ops, opsC := makeOps(t, a, fx, 2), makeOps(t, c, fx, 2)
	res, err := b.ApplyPage(ctx, append(append([]oplog.Op{}, ops...), opsC...), 3)
	if err != nil {
		t.Fatalf("ApplyPage = %v", err)
	}
	if want := (ApplyResult{Applied: 2, Quarantined: 2}); res != want {
		t.Errorf("result %+v; want %+v", res, want)
	}
	q, err := b.Quarantined()
	if err != nil || len(q) != 2 || q[0].Code != RefusedDevice {
		t.Errorf("held %+v, %v; want a's two ops, unknown device", q, err)
	}
	if _, err := b.Apply(ctx, ops); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("Apply = %v; want ErrUnknownDevice", err)
	}
}

// The received ops set aside are reported once: Unreported lists them
// until MarkReported; Release drops one.
func TestUnreportedAndRelease(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	ops := makeOps(t, a, fx, 2)
	bad := ops[1]
	bad.Sig = bytes.Clone(bad.Sig)
	bad.Sig[0] ^= 1
	if _, err := b.ApplyPage(ctx, []oplog.Op{ops[0], bad}, 1); err != nil {
		t.Fatal(err)
	}
	un, err := b.Unreported(0)
	if err != nil || len(un) != 1 || un[0].ID != bad.ID() || un[0].Code != RefusedSignature {
		t.Fatalf("Unreported = %+v, %v; want op %v, signature", un, err, bad.ID())
	}
	if err := b.MarkReported([]oplog.OpID{bad.ID(), {Device: uuid.Must(uuid.NewV7()), Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	if un, err := b.Unreported(0); err != nil || len(un) != 0 {
		t.Errorf("Unreported after MarkReported = %+v, %v; want none", un, err)
	}
	if q, err := b.Quarantined(); err != nil || len(q) != 1 {
		t.Errorf("held %+v, %v; want the op still held", q, err)
	}
	if err := b.Release(bad.ID()); err != nil {
		t.Fatal(err)
	}
	if q, err := b.Quarantined(); err != nil || len(q) != 0 {
		t.Errorf("held %+v, %v after Release; want none", q, err)
	}
	if err := b.Release(bad.ID()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Release again = %v; want ErrNotFound", err)
	}
}

// A page whose bad op is set aside in its first transaction, cut by a
// crash before its last, is applied again after reopening: the op is not
// set aside twice, the cursor comes with the last transaction, and the
// store matches its log.
func TestApplyPageSetAsideCrashBetweenChunks(t *testing.T) {
	dev, pub, ops, recs := bigPageOps(t)
	dir := t.TempDir()
	s := openReceiver(t, dir, dev, pub)
	// A device sorting before dev, so that its op is in the first chunk.
	bpub, bpriv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := ops[0]
	bad.Device = uuid.UUID{15: 1}
	bad.Sign(bpriv)
	bad.Sig = bytes.Clone(bad.Sig)
	bad.Sig[0] ^= 1
	if err := s.RegisterDevice(bad.Device, bpub, ""); err != nil {
		t.Fatal(err)
	}
	page := append([]oplog.Op{bad}, ops...)
	crash := errors.New("crash")
	s.afterChunk = func() error { return crash }
	if _, err := s.ApplyPage(context.Background(), page, 77); !errors.Is(err, crash) {
		t.Fatalf("ApplyPage: %v, want the crash", err)
	}
	if c, err := s.Cursor(); err != nil || c != 0 {
		t.Fatalf("cursor %d, %v after a crash inside the page; want 0", c, err)
	}
	if q, err := s.Quarantined(); err != nil || len(q) != 1 {
		t.Fatalf("held %+v, %v after the first chunk; want the bad op", q, err)
	}
	s.Close()
	s, err = openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.ApplyPage(context.Background(), page, 77)
	if err != nil {
		t.Fatalf("ApplyPage again: %v", err)
	}
	if res.Quarantined != 0 {
		t.Errorf("result %+v; want the bad op not set aside again", res)
	}
	if c, err := s.Cursor(); err != nil || c != 77 {
		t.Fatalf("cursor %d, %v; want 77", c, err)
	}
	if q, err := s.Quarantined(); err != nil || len(q) != 1 || q[0].Op.ID() != bad.ID() {
		t.Fatalf("held %+v, %v; want the bad op once", q, err)
	}
	checkLike(t, s, dev, ops, recs)
}

// A page still fails for what is not a bad op: a cancelled context, a
// closed store.
func TestApplyPageRealErrors(t *testing.T) {
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	ops := makeOps(t, a, fx, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.ApplyPage(ctx, ops, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("ApplyPage with a cancelled context = %v; want context.Canceled", err)
	}
	if c, _ := b.Cursor(); c != 0 {
		t.Errorf("cursor %d; want 0", c)
	}
	b.Close()
	if _, err := b.ApplyPage(context.Background(), ops, 1); !errors.Is(err, ErrClosed) {
		t.Errorf("ApplyPage on a closed store = %v; want ErrClosed", err)
	}
}
