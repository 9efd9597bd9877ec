package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// bigPage is a pull page too big for one Badger transaction: creates of
// bigPageRecords records and a later edit of the first bigPageEdits of
// them (so records have ops in different chunks), all of one device.
const (
	bigPageRecords = 14000
	bigPageEdits   = 2500
)

var bigPage struct {
	once sync.Once
	dev  uuid.UUID
	pub  ed25519.PublicKey
	ops  []oplog.Op
	recs []uuid.UUID
	err  error
}

func bigPageOps(t *testing.T) (uuid.UUID, ed25519.PublicKey, []oplog.Op, []uuid.UUID) {
	t.Helper()
	bigPage.once.Do(func() {
		fx := newFixture(t)
		src, err := Open(Options{InMemory: true, Logger: quietLogger()})
		if err != nil {
			bigPage.err = err
			return
		}
		defer src.Close()
		ctx := context.Background()
		for i := 0; i < bigPageRecords; i++ {
			st, err := src.Append(ctx, fx.create(i))
			if err != nil {
				bigPage.err = err
				return
			}
			bigPage.recs = append(bigPage.recs, st.Record)
		}
		for _, rec := range bigPage.recs[:bigPageEdits] {
			if _, err := src.Append(ctx, fx.advance(rec)); err != nil {
				bigPage.err = err
				return
			}
		}
		bigPage.dev, bigPage.pub = src.Device(), src.PublicKey()
		bigPage.ops, bigPage.err = src.Ops(src.Device(), 0, 0)
	})
	if bigPage.err != nil {
		t.Fatal(bigPage.err)
	}
	return bigPage.dev, bigPage.pub, bigPage.ops, bigPage.recs
}

// openReceiver opens an on-disk store (the real options) that knows dev.
func openReceiver(t *testing.T, dir string, dev uuid.UUID, pub ed25519.PublicKey) *Store {
	t.Helper()
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.RegisterDevice(dev, pub, ""); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkLike checks that s has every op of ops and the same states as
// the records of recs merged from ops.
func checkLike(t *testing.T, s *Store, dev uuid.UUID, ops []oplog.Op, recs []uuid.UUID) {
	t.Helper()
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	got, err := s.Ops(dev, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ops) {
		t.Fatalf("%d ops stored, want %d", len(got), len(ops))
	}
	byRec := map[uuid.UUID][]oplog.Op{}
	for _, op := range ops {
		byRec[op.Record] = append(byRec[op.Record], op)
	}
	for _, i := range []int{0, 1, bigPageEdits - 1, bigPageEdits, len(recs) - 1} {
		st, err := s.Get(recs[i])
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		want := oplog.Merge(byRec[recs[i]])
		if !bytes.Equal(encodeState(&st), encodeState(&want)) {
			t.Fatalf("record %d: state differs from the merge of its ops", i)
		}
	}
}

func TestApplyPageOverOneTransaction(t *testing.T) {
	dev, pub, ops, recs := bigPageOps(t)
	s := openReceiver(t, t.TempDir(), dev, pub)
	chunks := 1
	s.afterChunk = func() error { chunks++; return nil }
	res, err := s.ApplyPage(context.Background(), ops, 77)
	if err != nil {
		t.Fatalf("ApplyPage of %d ops: %v", len(ops), err)
	}
	if chunks < 2 {
		t.Fatalf("the page went in %d transaction; the test needs a page bigger than one", chunks)
	}
	if res.Applied != len(ops) || res.Duplicates != 0 || res.Held != 0 {
		t.Fatalf("result %+v, want %d applied", res, len(ops))
	}
	if c, err := s.Cursor(); err != nil || c != 77 {
		t.Fatalf("cursor %d, %v; want 77", c, err)
	}
	checkLike(t, s, dev, ops, recs)
}

func TestApplyPageCrashBetweenChunks(t *testing.T) {
	dev, pub, ops, recs := bigPageOps(t)
	dir := t.TempDir()
	s := openReceiver(t, dir, dev, pub)
	crash := errors.New("crash")
	s.afterChunk = func() error { return crash }
	if _, err := s.ApplyPage(context.Background(), ops, 77); !errors.Is(err, crash) {
		t.Fatalf("ApplyPage: %v, want the crash", err)
	}
	if c, err := s.Cursor(); err != nil || c != 0 {
		t.Fatalf("cursor %d, %v after a crash inside the page; want 0", c, err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("Check after the first chunk: %v", err)
	}
	first, err := s.Ops(dev, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 || len(first) >= len(ops) {
		t.Fatalf("%d of %d ops stored by the first chunk", len(first), len(ops))
	}
	// Reopen, as after the crash, and pull the page again.
	s.Close()
	s, err = openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.ApplyPage(context.Background(), ops, 77)
	if err != nil {
		t.Fatalf("ApplyPage again: %v", err)
	}
	if res.Duplicates != len(first) || res.Applied != len(ops)-len(first) {
		t.Fatalf("result %+v; want %d duplicates and %d applied", res, len(first), len(ops)-len(first))
	}
	if c, err := s.Cursor(); err != nil || c != 77 {
		t.Fatalf("cursor %d, %v; want 77", c, err)
	}
	checkLike(t, s, dev, ops, recs)
}

// An op refused at its turn (here an equivocation, seen only against the
// stored copy) after the first chunk's worth stores nothing of a batch;
// a pull page sets it aside and stores the rest.
func TestApplyBigRefused(t *testing.T) {
	dev, pub, ops, _ := bigPageOps(t)
	// A second device, made after the first (UUIDv7: its ops sort after
	// the page's), whose chain forks at seq 2.
	fx := newFixture(t)
	ctx := context.Background()
	dirB := t.TempDir()
	b, err := openDir(t, dirB, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append(ctx, fx.create(0)); err != nil {
		t.Fatal(err)
	}
	b.Close()
	dirB2 := t.TempDir()
	if err := os.CopyFS(dirB2, os.DirFS(dirB)); err != nil {
		t.Fatal(err)
	}
	fork := func(dir string, i int) (*Store, []oplog.Op) {
		st, err := openDir(t, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Append(ctx, fx.create(i)); err != nil {
			t.Fatal(err)
		}
		o, err := st.Ops(st.Device(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return st, o
	}
	b, opsB := fork(dirB, 1)
	_, opsB2 := fork(dirB2, 2)
	if b.Device().String() <= dev.String() || len(opsB) != 2 || len(opsB2) != 2 || opsB[1].Hash() == opsB2[1].Hash() {
		t.Fatalf("bad fork: %s after %s, %d and %d ops", b.Device(), dev, len(opsB), len(opsB2))
	}

	s := openReceiver(t, t.TempDir(), dev, pub)
	if err := s.RegisterDevice(b.Device(), b.PublicKey(), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyPage(ctx, opsB, 5); err != nil {
		t.Fatal(err)
	}
	page := append(append([]oplog.Op(nil), ops...), opsB2[1])
	_, err = s.Apply(ctx, page)
	var oe *OpError
	if !errors.Is(err, ErrEquivocation) || !errors.As(err, &oe) || oe.ID != opsB2[1].ID() {
		t.Fatalf("Apply: %v, want an equivocation of %v", err, opsB2[1].ID())
	}
	if got, err := s.Ops(dev, 0, 0); err != nil || len(got) != 0 {
		t.Fatalf("%d ops of the refused batch stored (%v)", len(got), err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}

	chunks := 1
	s.afterChunk = func() error { chunks++; return nil }
	res, err := s.ApplyPage(ctx, page, 77)
	if err != nil {
		t.Fatalf("ApplyPage: %v; want the equivocation set aside", err)
	}
	if chunks < 2 {
		t.Fatalf("the page went in %d transaction; the test needs more", chunks)
	}
	if res.Applied != len(ops) || res.Quarantined != 1 {
		t.Fatalf("result %+v; want %d applied, 1 set aside", res, len(ops))
	}
	if c, err := s.Cursor(); err != nil || c != 77 {
		t.Fatalf("cursor %d, %v; want 77", c, err)
	}
	q, err := s.Quarantined()
	if err != nil || len(q) != 1 || !q[0].Received || q[0].Op.ID() != opsB2[1].ID() || q[0].Code != RefusedEquivocation {
		t.Fatalf("held changes %+v, %v; want the equivocation, received", q, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

// Ops held for a missing predecessor are released across chunks when it
// arrives, and scope gaps at any place of a big page are recorded.
func TestApplyPageHeldAndScopedOverChunks(t *testing.T) {
	dev, pub, ops, recs := bigPageOps(t)
	ctx := context.Background()
	s := openReceiver(t, t.TempDir(), dev, pub)
	const missing = 10
	res, err := s.ApplyPage(ctx, ops[missing:], 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Held != len(ops)-missing || res.Applied != 0 {
		t.Fatalf("first page %+v; want all held", res)
	}
	chunks := 1
	s.afterChunk = func() error { chunks++; return nil }
	res, err = s.ApplyPage(ctx, ops[:missing], 2)
	if err != nil {
		t.Fatal(err)
	}
	if chunks < 2 {
		t.Fatalf("the release went in %d transaction; the test needs more", chunks)
	}
	if res.Applied != len(ops) || res.Held != 0 {
		t.Fatalf("second page %+v; want %d applied", res, len(ops))
	}
	if c, err := s.Cursor(); err != nil || c != 2 {
		t.Fatalf("cursor %d, %v; want 2", c, err)
	}
	checkLike(t, s, dev, ops, recs)

	// Scoped: every 997th op is out of this device's scope.
	s2 := openReceiver(t, t.TempDir(), dev, pub)
	var page []oplog.Op
	var prev []uint64
	var last uint64
	for i, op := range ops {
		if i%997 == 500 {
			continue
		}
		page = append(page, op)
		prev = append(prev, last)
		last = op.Seq
	}
	if _, err := s2.ApplyPageScoped(ctx, page, prev, 9); err != nil {
		t.Fatal(err)
	}
	if c, err := s2.Cursor(); err != nil || c != 9 {
		t.Fatalf("cursor %d, %v; want 9", c, err)
	}
	if err := s2.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
	got, err := s2.Ops(dev, 0, 0)
	if err != nil || len(got) != len(page) {
		t.Fatalf("%d ops stored (%v), want %d", len(got), err, len(page))
	}
}
