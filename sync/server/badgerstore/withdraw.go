package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/server"
)

// Withdraw moves the device's served ops accepted after w.Since from o/
// to w/ and records the withdrawal (see server.Storage). It runs under
// appendMu, so withdrawal seqs are committed in order.
func (s *Store) Withdraw(ctx context.Context, w server.Withdrawal) (server.Withdrawal, error) {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	var out server.Withdrawal
	err := s.update(ctx, func(txn *badger.Txn) error {
		out = w
		out.Seq, out.Ops = 0, nil
		var d deviceRecord
		if err := getJSON(txn, deviceKey(w.Device), &d); err != nil {
			return err
		}
		prefix := key(pLog, w.Device[:])
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[len(prefix):])
			var e server.LogEntry
			if err := it.Item().Value(func(b []byte) error {
				var err error
				e, err = decodeLogValue(seq, b)
				return err
			}); err != nil {
				return err
			}
			if e.Refused || e.ServerSeq == 0 || !e.Accepted.After(w.Since) && !w.Since.IsZero() {
				continue
			}
			item, err := txn.Get(opKey(e.ServerSeq))
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue // withdrawn before
			}
			if err != nil {
				return err
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) < opFixed {
				return fmt.Errorf("badgerstore: op %d: %d bytes", e.ServerSeq, len(v))
			}
			if e.County == "" {
				// Stored before log entries kept their county.
				var op oplog.Op
				if err := op.UnmarshalBinary(v[opFixed:]); err != nil {
					return fmt.Errorf("badgerstore: op %d: %w", e.ServerSeq, err)
				}
				e.County = op.County
			}
			if err := txn.Set(key(pWithdrawn, u64(e.ServerSeq)), v); err != nil {
				return err
			}
			if err := txn.Delete(opKey(e.ServerSeq)); err != nil {
				return err
			}
			out.Ops = append(out.Ops, server.WithdrawnOp{Seq: seq, ServerSeq: e.ServerSeq, County: e.County, Province: d.Scope.Province})
		}
		if len(out.Ops) == 0 {
			return nil
		}
		last, err := readU64(txn, keyWSeq)
		if err != nil {
			return err
		}
		out.Seq = last + 1
		if err := setJSON(txn, key(pWithdrawal, u64(out.Seq)), out); err != nil {
			return err
		}
		return txn.Set(keyWSeq, u64(out.Seq))
	})
	if err != nil {
		return server.Withdrawal{}, err
	}
	return out, nil
}

// Withdrawals returns the withdrawals after seq after and the last
// withdrawal seq.
func (s *Store) Withdrawals(_ context.Context, after uint64) ([]server.Withdrawal, uint64, error) {
	var out []server.Withdrawal
	var last uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		if last, err = readU64(txn, keyWSeq); err != nil || last <= after {
			return err
		}
		prefix := key(pWithdrawal)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Seek(key(pWithdrawal, u64(after+1))); it.Valid(); it.Next() {
			var w server.Withdrawal
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &w) }); err != nil {
				return err
			}
			if !bytes.Equal(it.Item().Key()[len(prefix):], u64(w.Seq)) {
				return fmt.Errorf("badgerstore: withdrawal %d under key %q", w.Seq, it.Item().Key())
			}
			out = append(out, w)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, last, nil
}
