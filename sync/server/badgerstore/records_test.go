package badgerstore

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// rawOp is the binary form of an op of dev on record rec.
func rawOp(t *testing.T, dev uuid.UUID, seq uint64, rec uuid.UUID, county string) []byte {
	t.Helper()
	o := oplog.Op{Device: dev, Seq: seq, HLC: hlc.Make(1764392000000, uint16(seq)), Record: rec, Register: "farm_coal_facility",
		County: county, Author: "张三", Set: map[string]model.Value{model.FieldRemarks: model.Str("已核查")}}
	b, err := o.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenBuildsRecordIndex opens a store made before records had homes
// (no r/ keys, no index version), holding ops of two records, an op that
// moved a record (stored before the rule existed) and one whose bytes do
// not decode: Open gives each record the home of its first op, says how
// many stored ops move their record, and from then on Append refuses an
// op that moves one.
func TestOpenBuildsRecordIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dev := uuid.New()
	r1, r2 := uuid.New(), uuid.New()
	es := entries(server.Head{}, 3, "130126")
	for i, rc := range []struct {
		rec    uuid.UUID
		county string
	}{{r1, "130126"}, {r2, "130127"}, {r1, "130126"}} {
		es[i].Record, es[i].County = rc.rec, rc.county
		es[i].Raw = rawOp(t, dev, es[i].Seq, rc.rec, rc.county)
	}
	if _, err := s.Append(ctx, dev, server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	// Back to the store's shape before record homes, with two more ops
	// as an older server stored them.
	err = s.db.Update(func(txn *badger.Txn) error {
		for _, id := range []uuid.UUID{r1, r2} {
			if err := txn.Delete(recordKey(id)); err != nil {
				return err
			}
		}
		if err := txn.Delete(keyVersion); err != nil {
			return err
		}
		for ss, raw := range map[uint64][]byte{4: rawOp(t, uuid.New(), 1, r1, "130127"), 5: []byte("not an op")} {
			if err := txn.Set(opKey(ss), append(make([]byte, opFixed), raw...)); err != nil {
				return err
			}
		}
		return txn.Set(keySeq, u64(5))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	var logged bytes.Buffer
	s, err = Open(Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	err = s.db.View(func(txn *badger.Txn) error {
		for rec, county := range map[uuid.UUID]string{r1: "130126", r2: "130127"} {
			h, ok, err := readHome(txn, rec)
			if err != nil {
				return err
			}
			if want := (server.RecordHome{Register: "farm_coal_facility", County: county}); !ok || h != want {
				t.Errorf("home of %s: got %+v, %v; want %+v", rec, h, ok, want)
			}
		}
		if v, err := readU64(txn, keyVersion); err != nil || v != indexVersion {
			t.Errorf("index version: got %d, %v; want %d", v, err, indexVersion)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"ops=4 records=2 undecodable=1", "level=WARN", "move their record", "ops=1"} {
		if !strings.Contains(logged.String(), w) {
			t.Errorf("log %q does not say %q", logged.String(), w)
		}
	}

	next := entries(server.Head{Acked: 3}, 2, "130126")
	next[0].Record = r2 // in 130127
	next[1].Record = r1
	sss, err := s.Append(ctx, dev, server.Head{Acked: 3, Hash: es[2].Hash}, next)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sss) != "[0 6]" || !next[0].Refused || next[0].Refusal.Code != protocol.RefusedScope {
		t.Errorf("append after the upgrade: got server seqs %v, first entry refused %v; want [0 6], refused/scope", sss, next[0].Refused)
	}
}
