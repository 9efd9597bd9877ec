package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// metaRebuilding marks a Rebuild in progress; Open finishes an
// interrupted one.
const metaRebuilding = "rebuilding"

// Rebuild drops every state and index entry and recomputes them from the
// log, and tells subscribers that every record may have changed. An
// interrupted Rebuild is finished by the next Open.
func (s *Store) Rebuild(ctx context.Context) error {
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return ErrClosed
	}
	err := s.rebuild(ctx)
	s.mu.Unlock()
	if err == nil {
		s.emit(Event{Kind: Rebuilt, All: true})
	}
	return err
}

func (s *Store) rebuild(ctx context.Context) error {
	if err := s.update(func(txn *badger.Txn) error {
		return txn.Set(metaKeyOf(metaRebuilding), []byte{1})
	}); err != nil {
		return err
	}
	if err := s.db.DropPrefix([]byte{pfxState}, []byte{pfxIndex}); err != nil {
		return fmt.Errorf("store: rebuild: %w", err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.view(func(txn *badger.Txn) error {
		return eachRecord(ctx, txn, func(rec uuid.UUID, ops []oplog.Op) error {
			st := oplog.Merge(ops)
			if err := wb.Set(stateKey(rec), encodeState(&st)); err != nil {
				return err
			}
			sm := summarize(&st, lookupSchema(st.Register))
			val := sm.encode()
			for _, k := range indexKeys(rec, sm) {
				if err := wb.Set(k, val); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("store: rebuild: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("store: rebuild: %w", err)
	}
	return s.update(func(txn *badger.Txn) error { return txn.Delete(metaKeyOf(metaRebuilding)) })
}

// resumeRebuild finishes a Rebuild interrupted by a crash.
func (s *Store) resumeRebuild() error {
	var pending bool
	err := s.view(func(txn *badger.Txn) error {
		_, err := getValue(txn, metaKeyOf(metaRebuilding))
		pending = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || !pending {
		return err
	}
	s.log.Warn("store: finishing an interrupted rebuild")
	return s.rebuild(context.Background())
}

// eachRecord calls fn with every record that has ops, and its ops.
func eachRecord(ctx context.Context, txn *badger.Txn, fn func(uuid.UUID, []oplog.Op) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxRecordOp}})
	defer it.Close()
	var cur uuid.UUID
	var ops []oplog.Op
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		rec, id := recordOpFromKey(it.Item().Key())
		if rec != cur && len(ops) > 0 {
			if err := fn(cur, ops); err != nil {
				return err
			}
			ops = ops[:0:0]
		}
		cur = rec
		op, err := getOp(txn, id)
		if err != nil {
			return fmt.Errorf("op %s/%d of record %s: %w", id.Device, id.Seq, rec, err)
		}
		ops = append(ops, op)
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if len(ops) > 0 {
		return fn(cur, ops)
	}
	return nil
}

// Check verifies the store against its log: every device's log is a
// gap-free hash chain up to its head with valid signatures, every op is
// indexed under its record, every record's state equals the merge of its
// ops, no state exists without ops, and the index entries are exactly
// those of the states. The error (wrapping ErrCheck) describes the first
// difference.
func (s *Store) Check(ctx context.Context) error {
	return s.view(func(txn *badger.Txn) error {
		if err := checkLogs(ctx, txn); err != nil {
			return err
		}
		records, indexEntries := 0, 0
		err := eachRecord(ctx, txn, func(rec uuid.UUID, ops []oplog.Op) error {
			records++
			want := oplog.Merge(ops)
			wantEnc := encodeState(&want)
			got, err := getValue(txn, stateKey(rec))
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: record %s has %d ops but no state", ErrCheck, rec, len(ops))
			}
			if err != nil {
				return err
			}
			if !bytes.Equal(got, wantEnc) {
				// A state written by an older codec version differs in
				// bytes, not in content.
				gotSt, derr := decodeState(got)
				older := derr == nil && got[0] != wantEnc[0] && reflect.DeepEqual(gotSt, want)
				if !older {
					return fmt.Errorf("%w: record %s: stored state differs from the merge of its %d ops: %s",
						ErrCheck, rec, len(ops), stateDiff(gotSt, derr, want))
				}
			}
			sm := summarize(&want, lookupSchema(want.Register))
			val := sm.encode()
			for _, k := range indexKeys(rec, sm) {
				indexEntries++
				v, err := getValue(txn, k)
				if errors.Is(err, ErrNotFound) {
					return fmt.Errorf("%w: record %s: index entry %q missing", ErrCheck, rec, k)
				}
				if err != nil {
					return err
				}
				if !bytes.Equal(v, val) {
					return fmt.Errorf("%w: record %s: index entry %q is stale", ErrCheck, rec, k)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := countPrefix(txn, []byte{pfxState}); n != records {
			return fmt.Errorf("%w: %d states for %d records with ops", ErrCheck, n, records)
		}
		if n := countPrefix(txn, []byte{pfxIndex}); n != indexEntries {
			return fmt.Errorf("%w: %d index entries; want %d", ErrCheck, n, indexEntries)
		}
		return nil
	})
}

// checkLogs verifies every device's log: decodes, chains, signatures,
// record index, head.
func checkLogs(ctx context.Context, txn *badger.Txn) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxLog}, PrefetchValues: true})
	defer it.Close()
	var dev uuid.UUID
	var prev head
	var pub []byte
	finishDevice := func() error {
		if prev.Seq == 0 {
			return nil
		}
		hd, err := getHead(txn, dev)
		if err != nil {
			return err
		}
		if hd != prev {
			return fmt.Errorf("%w: device %s: head %d; log ends at %d", ErrCheck, dev, hd.Seq, prev.Seq)
		}
		return nil
	}
	for it.Rewind(); it.Valid(); it.Next() {
		id := opIDFromKey(it.Item().Key())
		if id.Device != dev || prev.Seq == 0 {
			if err := finishDevice(); err != nil {
				return err
			}
			dev, prev = id.Device, head{}
			k, err := deviceKeyOf(txn, dev)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrCheck, err)
			}
			pub = k
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		op, err := decodeOp(v)
		if err != nil {
			return fmt.Errorf("%w: op %s/%d: %w", ErrCheck, id.Device, id.Seq, err)
		}
		if op.ID() != id {
			return fmt.Errorf("%w: op stored at %s/%d is %s/%d", ErrCheck, id.Device, id.Seq, op.Device, op.Seq)
		}
		if id.Seq != prev.Seq+1 {
			// Only a scope gap recorded by ApplyPageScoped.
			g, err := getValue(txn, gapKey(id))
			if err != nil || len(g) != 8 || binary.BigEndian.Uint64(g) != prev.Seq {
				return fmt.Errorf("%w: device %s: seq %d follows %d", ErrCheck, dev, id.Seq, prev.Seq)
			}
		} else if err := oplog.CheckLink(oplog.Link{Device: dev, Seq: prev.Seq, Hash: prev.Hash}, &op); err != nil {
			return fmt.Errorf("%w: op %s/%d: %w", ErrCheck, dev, id.Seq, err)
		}
		if err := op.VerifySig(pub); err != nil {
			return fmt.Errorf("%w: op %s/%d: %w", ErrCheck, dev, id.Seq, err)
		}
		if _, err := getValue(txn, recordOpKey(op.Record, id)); err != nil {
			return fmt.Errorf("%w: op %s/%d not indexed under record %s: %w", ErrCheck, dev, id.Seq, op.Record, err)
		}
		prev = head{Seq: id.Seq, Hash: op.Hash()}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := finishDevice(); err != nil {
		return err
	}
	if n, m := countPrefix(txn, []byte{pfxRecordOp}), countPrefix(txn, []byte{pfxLog}); n != m {
		return fmt.Errorf("%w: %d record-op entries for %d ops", ErrCheck, n, m)
	}
	return nil
}

func countPrefix(txn *badger.Txn, pfx []byte) int {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfx})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	return n
}

// stateDiff describes the first difference between a stored and a merged
// state.
func stateDiff(got oplog.State, decodeErr error, want oplog.State) string {
	if decodeErr != nil {
		return decodeErr.Error()
	}
	switch {
	case got.Register != want.Register || got.County != want.County:
		return fmt.Sprintf("register/county %s/%s; want %s/%s", got.Register, got.County, want.Register, want.County)
	case got.Deleted != want.Deleted:
		return fmt.Sprintf("deleted %v; want %v", got.Deleted, want.Deleted)
	case got.Ops != want.Ops:
		return fmt.Sprintf("%d ops; want %d", got.Ops, want.Ops)
	case len(got.Conflicts) != len(want.Conflicts):
		return fmt.Sprintf("%d conflicts; want %d", len(got.Conflicts), len(want.Conflicts))
	}
	for k, w := range want.Fields {
		if g, ok := got.Fields[k]; !ok || g != w {
			return fmt.Sprintf("field %s = %s (%v); want %s (%v)", k, g.Value, g.Version, w.Value, w.Version)
		}
	}
	for k, g := range got.Fields {
		if _, ok := want.Fields[k]; !ok {
			return fmt.Sprintf("field %s = %s; want no value", k, g.Value)
		}
	}
	return "times, authors or conflicts differ"
}
