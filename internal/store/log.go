package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// head is the highest contiguous op stored of a device.
type head struct {
	Seq  uint64
	Hash oplog.Hash
}

func (h head) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 40), h.Seq)
	return append(b, h.Hash[:]...)
}

// getHead returns the head of dev (zero when nothing is stored).
func getHead(txn *badger.Txn, dev uuid.UUID) (head, error) {
	v, err := getValue(txn, headKey(dev))
	if errors.Is(err, ErrNotFound) {
		return head{}, nil
	}
	if err != nil {
		return head{}, err
	}
	return decodeHead(dev, v)
}

// decodeHead decodes the stored head v of dev (nil: none).
func decodeHead(dev uuid.UUID, v []byte) (head, error) {
	if v == nil {
		return head{}, nil
	}
	if len(v) != 40 {
		return head{}, fmt.Errorf("%w: head of %s", errCorrupt, dev)
	}
	h := head{Seq: binary.BigEndian.Uint64(v)}
	copy(h.Hash[:], v[8:])
	return h, nil
}

func (s *Store) headSeq(dev uuid.UUID) (uint64, error) {
	var h head
	err := s.view(func(txn *badger.Txn) error {
		var err error
		h, err = getHead(txn, dev)
		return err
	})
	return h.Seq, err
}

// getOp reads the stored op id from the log, or ErrNotFound.
func getOp(txn *badger.Txn, id oplog.OpID) (oplog.Op, error) {
	v, err := getValue(txn, logKey(id))
	if err != nil {
		return oplog.Op{}, err
	}
	return decodeOp(v)
}

// Ops returns up to limit ops of device with seq > afterSeq in seq order
// (pushing, bundles). limit <= 0 means no limit.
func (s *Store) Ops(device uuid.UUID, afterSeq uint64, limit int) ([]oplog.Op, error) {
	var ops []oplog.Op
	err := s.view(func(txn *badger.Txn) error {
		pfx := devicePrefix(pfxLog, device)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfx, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(logKey(oplog.OpID{Device: device, Seq: afterSeq + 1})); it.Valid(); it.Next() {
			if limit > 0 && len(ops) >= limit {
				break
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			op, err := decodeOp(v)
			if err != nil {
				return fmt.Errorf("op %v: %w", opIDFromKey(it.Item().Key()), err)
			}
			ops = append(ops, op)
		}
		return nil
	})
	return ops, err
}

// LocalSeq returns the seq of this device's latest op (0 before the
// first).
func (s *Store) LocalSeq() uint64 { return s.localSeq.Load() }

// VersionVector returns, for every device with ops stored, the highest
// seq up to which all its ops are stored (held ops beyond a gap do not
// count; scope gaps accepted by ApplyPageScoped do).
func (s *Store) VersionVector() (map[uuid.UUID]uint64, error) {
	vv := map[uuid.UUID]uint64{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxHead}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var dev uuid.UUID
			copy(dev[:], it.Item().Key()[1:])
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) != 40 {
				return fmt.Errorf("%w: head of %s", errCorrupt, dev)
			}
			vv[dev] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return vv, err
}

// Acked returns the server's acknowledged seq of this device's ops.
func (s *Store) Acked() (uint64, error) { return s.metaUint(metaAcked) }

// SetAcked records the server's acknowledged seq of this device's ops. It
// never moves backwards and never beyond LocalSeq.
func (s *Store) SetAcked(seq uint64) error {
	if seq > s.LocalSeq() {
		return fmt.Errorf("store: acked seq %d beyond local seq %d", seq, s.LocalSeq())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		cur, err := metaUintTxn(txn, metaAcked)
		if err != nil || seq <= cur {
			return err
		}
		return txn.Set(metaKeyOf(metaAcked), binary.BigEndian.AppendUint64(nil, seq))
	})
}

// LostAfter records that the server holds this device's ops only up to
// seq (it was restored from an earlier backup): the acknowledged seq goes
// back to seq when past it, so that the ops after it are pending again.
func (s *Store) LostAfter(seq uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		cur, err := metaUintTxn(txn, metaAcked)
		if err != nil || seq >= cur {
			return err
		}
		return txn.Set(metaKeyOf(metaAcked), binary.BigEndian.AppendUint64(nil, seq))
	})
}

// Pending returns the number of local ops the server has not acknowledged.
func (s *Store) Pending() (int, error) {
	a, err := s.Acked()
	if err != nil {
		return 0, err
	}
	return int(s.LocalSeq() - a), nil
}

// SyncStatus reports whether all of this device's ops on record are
// acknowledged by the server.
func (s *Store) SyncStatus(record uuid.UUID) (bool, error) {
	synced := true
	err := s.view(func(txn *badger.Txn) error {
		acked, err := metaUintTxn(txn, metaAcked)
		if err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: recordOpPrefix(record)})
		defer it.Close()
		found := false
		for it.Rewind(); it.Valid(); it.Next() {
			found = true
			_, id := recordOpFromKey(it.Item().Key())
			if id.Device == s.device && id.Seq > acked {
				synced = false
			}
		}
		if !found {
			return fmt.Errorf("%w: record %s", ErrNotFound, record)
		}
		return nil
	})
	return synced, err
}

// Cursor returns the pull cursor (the server seq of the last page saved).
func (s *Store) Cursor() (uint64, error) { return s.metaUint(metaCursor) }

func (s *Store) metaUint(name string) (uint64, error) {
	var n uint64
	err := s.view(func(txn *badger.Txn) error {
		var err error
		n, err = metaUintTxn(txn, name)
		return err
	})
	return n, err
}

func metaUintTxn(txn *badger.Txn, name string) (uint64, error) {
	v, err := getValue(txn, metaKeyOf(name))
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: meta %s", errCorrupt, name)
	}
	return binary.BigEndian.Uint64(v), nil
}
