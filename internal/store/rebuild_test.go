package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/lantian-tz/lantian/model"
)

func TestRebuildAndCheck(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a, b := openMem(t), openMem(t)
	introduce(t, a, b)
	makeOps(t, a, fx, 20)
	makeOps(t, b, fx, 10)
	exchange(t, a, b)
	before := states(t, a)
	if err := a.Check(ctx); err != nil {
		t.Fatalf("Check before rebuild: %v", err)
	}
	if err := a.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got := states(t, a); !reflect.DeepEqual(got, before) {
		t.Fatalf("states after rebuild differ:\ngot  %v\nwant %v", got, before)
	}
	if err := a.Check(ctx); err != nil {
		t.Fatalf("Check after rebuild: %v", err)
	}

	var some []byte
	for _, st := range before {
		some = stateKey(st.Record)
		break
	}
	corruptions := []struct {
		name string
		do   func(txn *badger.Txn) error
	}{
		{"changed value", func(txn *badger.Txn) error {
			st, err := getState(txn, uuidOf(some))
			if err != nil {
				return err
			}
			f := st.Fields[fx.sc.TitleField]
			f.Value = model.Str("篡改")
			st.Fields[fx.sc.TitleField] = f
			return txn.Set(some, encodeState(&st))
		}},
		{"changed value, older codec", func(txn *badger.Txn) error {
			st, err := getState(txn, uuidOf(some))
			if err != nil {
				return err
			}
			f := st.Fields[fx.sc.TitleField]
			f.Value = model.Str("篡改")
			st.Fields[fx.sc.TitleField] = f
			return txn.Set(some, encodeStateV1(&st))
		}},
		{"garbage state", func(txn *badger.Txn) error { return txn.Set(some, []byte{1, 2, 3}) }},
		{"missing state", func(txn *badger.Txn) error { return txn.Delete(some) }},
		{"stray index entry", func(txn *badger.Txn) error {
			return txn.Set(append(indexPrefix(idxAll), make([]byte, 24)...), nil)
		}},
		{"missing index entry", func(txn *badger.Txn) error {
			st, err := getState(txn, uuidOf(some))
			if err != nil {
				return err
			}
			return txn.Delete(indexKeys(st.Record, summarize(&st, fx.sc))[2])
		}},
	}
	for _, c := range corruptions {
		t.Run(c.name, func(t *testing.T) {
			if err := a.db.Update(c.do); err != nil {
				t.Fatal(err)
			}
			if err := a.Check(ctx); !errors.Is(err, ErrCheck) {
				t.Fatalf("Check = %v; want %v", err, ErrCheck)
			} else {
				t.Log(err)
			}
			if err := a.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			if err := a.Check(ctx); err != nil {
				t.Fatalf("Check after rebuild: %v", err)
			}
		})
	}
}

// TestCheckOlderStateCodec: states written by the previous state codec
// read back the same and pass Check.
func TestCheckOlderStateCodec(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	a := openMem(t)
	makeOps(t, a, fx, 12)
	want := states(t, a)
	err := a.db.Update(func(txn *badger.Txn) error {
		for _, st := range want {
			if err := txn.Set(stateKey(st.Record), encodeStateV1(&st)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(t, a); !reflect.DeepEqual(got, want) {
		t.Fatalf("states read from the older codec differ:\ngot  %v\nwant %v", got, want)
	}
	if err := a.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenFinishesInterruptedRebuild(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	dir := t.TempDir()
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	makeOps(t, s, fx, 9)
	want := states(t, s)
	// A rebuild that crashed after dropping the states and indexes.
	if err := s.update(func(txn *badger.Txn) error { return txn.Set(metaKeyOf(metaRebuilding), []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	if err := s.db.DropPrefix([]byte{pfxState}, []byte{pfxIndex}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := states(t, s); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen: %d records; want %d", len(got), len(want))
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}
