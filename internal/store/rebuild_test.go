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
