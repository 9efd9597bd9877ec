package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// Withdrawn is the code (QuarantinedOp.Code) of a received op the server
// withdrew after revoking its device (Withdraw).
const Withdrawn = "withdrawn"

// metaWithdrawals is the last withdrawal seq saved (Withdraw).
const metaWithdrawals = "withdrawals"

// Withdrawal is a set of ops of a revoked device that the server stopped
// serving (protocol.Withdrawal).
type Withdrawal struct {
	Device uuid.UUID
	Seqs   []uint64
	Reason model.Text
}

// WithdrawalCursor returns the last withdrawal seq saved by Withdraw (0
// at first).
func (s *Store) WithdrawalCursor() (uint64, error) { return s.metaUint(metaWithdrawals) }

// Withdraw applies withdrawals and saves cursor, the last withdrawal seq
// they bring, in one transaction. Each listed op stored here leaves the
// log and its record and is held among the received changes with the
// withdrawal's reason (Code Withdrawn; Quarantined lists it, and the
// server is not told of it: it knows); a listed op held waiting for its
// predecessor is dropped; an op never received stays unknown here. The
// device's head goes back to its last op left in the log (a withdrawal
// is a suffix of a revoked device's ops: nothing of it follows). Each
// touched record is merged again from its remaining ops as Rebuild
// would, and a record left without ops is removed. This device's own ops
// are never withdrawn here. It returns how many ops were held.
func (s *Store) Withdraw(ctx context.Context, ws []Withdrawal, cursor uint64) (int, error) {
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return 0, ErrClosed
	}
	held := 0
	touched := map[uuid.UUID]bool{}
	err := s.update(func(txn *badger.Txn) error {
		held = 0
		clear(touched)
		devs := map[uuid.UUID]bool{}
		now := s.opts.Now().UTC()
		for _, w := range ws {
			if w.Device == s.device {
				continue
			}
			for _, seq := range w.Seqs {
				if err := ctx.Err(); err != nil {
					return err
				}
				id := oplog.OpID{Device: w.Device, Seq: seq}
				if err := deleteIfAny(txn, pendingKey(id)); err != nil {
					return err
				}
				v, err := getValue(txn, logKey(id))
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				op, err := decodeOp(v)
				if err != nil {
					return fmt.Errorf("store: withdraw op %s/%d: %w", id.Device, id.Seq, err)
				}
				h := op.Hash()
				e, err := json.Marshal(receivedEntry{Reason: w.Reason, Code: Withdrawn, At: now, Op: v, Hash: h[:], Reported: true})
				if err != nil {
					return err
				}
				for _, k := range [][]byte{logKey(id), recordOpKey(op.Record, id), gapKey(id)} {
					if err := txn.Delete(k); err != nil {
						return err
					}
				}
				if err := txn.Set(receivedKey(id), e); err != nil {
					return err
				}
				held++
				touched[op.Record] = true
				devs[w.Device] = true
			}
		}
		for dev := range devs {
			if err := resetHead(txn, dev); err != nil {
				return err
			}
		}
		for rec := range touched {
			if err := remergeLeft(txn, rec); err != nil {
				return err
			}
		}
		return txn.Set(metaKeyOf(metaWithdrawals), binary.BigEndian.AppendUint64(nil, cursor))
	})
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if held > 0 {
		s.log.Warn("store: withdrawn ops held", "ops", held, "records", len(touched))
		recs := make([]uuid.UUID, 0, len(touched))
		for rec := range touched {
			recs = append(recs, rec)
		}
		s.emit(Event{Kind: Applied, Records: recs})
	}
	return held, nil
}

// deleteIfAny deletes k when it is stored.
func deleteIfAny(txn *badger.Txn, k []byte) error {
	_, err := getValue(txn, k)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return txn.Delete(k)
}

// resetHead sets dev's head to its last op in the log (none: no head).
func resetHead(txn *badger.Txn, dev uuid.UUID) error {
	pfx := devicePrefix(pfxLog, dev)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: pfx, Reverse: true})
	defer it.Close()
	it.Seek(append(append([]byte(nil), pfx...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if !it.Valid() {
		return txn.Delete(headKey(dev))
	}
	v, err := it.Item().ValueCopy(nil)
	if err != nil {
		return err
	}
	op, err := decodeOp(v)
	if err != nil {
		return fmt.Errorf("store: op %s/%d: %w", dev, opIDFromKey(it.Item().Key()).Seq, err)
	}
	return txn.Set(headKey(dev), head{Seq: op.Seq, Hash: op.Hash()}.encode())
}

// remergeLeft recomputes rec's state from the ops it has left in txn
// (oplog.Merge, as Apply and Rebuild do), or removes the state and its
// index entries when none are left.
func remergeLeft(txn *badger.Txn, rec uuid.UUID) error {
	ops, err := recordOps(txn, rec)
	if err != nil {
		return err
	}
	if len(ops) > 0 {
		st := oplog.Merge(ops)
		return putState(txn, &st)
	}
	old, err := oldIndexKeys(txn, rec)
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return deleteIfAny(txn, stateKey(rec))
}
