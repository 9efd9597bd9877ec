package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// QuarantinedOp is a local op the server refused, kept for the user to
// fix (the op stays in the log; the quarantine is a to-do list).
type QuarantinedOp struct {
	Op     oplog.Op
	Reason model.Text
	At     time.Time
}

type quarantineEntry struct {
	Reason model.Text `json:"reason"`
	At     time.Time  `json:"at"`
}

// Quarantine records that the server refused op id for reason.
func (s *Store) Quarantine(id oplog.OpID, reason model.Text) error {
	v, err := json.Marshal(quarantineEntry{Reason: reason, At: s.opts.Now().UTC()})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		if _, err := getValue(txn, logKey(id)); err != nil {
			return fmt.Errorf("store: quarantine op %s/%d: %w", id.Device, id.Seq, err)
		}
		return txn.Set(quarantineKey(id), v)
	})
}

// Quarantined returns the quarantined ops in (device, seq) order.
func (s *Store) Quarantined() ([]QuarantinedOp, error) {
	var out []QuarantinedOp
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxQuarantine}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			id := opIDFromKey(it.Item().Key())
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var e quarantineEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: quarantine entry: %v", errCorrupt, err)
			}
			op, err := getOp(txn, id)
			if err != nil {
				return fmt.Errorf("store: quarantined op %s/%d: %w", id.Device, id.Seq, err)
			}
			out = append(out, QuarantinedOp{Op: op, Reason: e.Reason, At: e.At})
		}
		return nil
	})
	return out, err
}

// Release removes op id from the quarantine.
func (s *Store) Release(id oplog.OpID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		if _, err := getValue(txn, quarantineKey(id)); err != nil {
			return fmt.Errorf("store: release op %s/%d: %w", id.Device, id.Seq, err)
		}
		return txn.Delete(quarantineKey(id))
	})
}
