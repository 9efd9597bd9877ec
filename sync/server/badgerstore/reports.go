package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// reportKey is the key of reporter's report of op (device, seq).
func reportKey(device uuid.UUID, seq uint64, reporter uuid.UUID) []byte {
	return key(pReport, device[:], u64(seq), reporter[:])
}

// Report records the applied ops of scope that reporter received and set
// aside, once per op and reporter; the value is the time in Unix
// milliseconds and the code.
func (s *Store) Report(ctx context.Context, reporter uuid.UUID, scope protocol.Scope, reports []protocol.ReportedOp, at time.Time) ([]protocol.ReportedOp, error) {
	var out []protocol.ReportedOp
	err := s.update(ctx, func(txn *badger.Txn) error {
		out = out[:0]
		for _, r := range reports {
			ok, err := appliedIn(txn, scope, r.Device, r.Seq)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			k := reportKey(r.Device, r.Seq, reporter)
			_, err = txn.Get(k)
			if err == nil {
				continue
			}
			if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			v := binary.BigEndian.AppendUint64(nil, uint64(at.UnixMilli()))
			if err := txn.Set(k, append(v, r.Code...)); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// appliedIn reports whether op (device, seq) was applied in scope: its
// log entry has a server seq that scope's index holds.
func appliedIn(txn *badger.Txn, scope protocol.Scope, device uuid.UUID, seq uint64) (bool, error) {
	it, err := txn.Get(logKey(device, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var e server.LogEntry
	if err := it.Value(func(b []byte) error {
		var err error
		e, err = decodeLogValue(seq, b)
		return err
	}); err != nil {
		return false, err
	}
	if e.Refused || e.ServerSeq == 0 {
		return false, nil
	}
	idx := scopeIndexPrefix(pProvince, scope.Province)
	if !scope.Whole() {
		idx = scopeIndexPrefix(pCounty, scope.County)
	}
	_, err = txn.Get(append(idx, u64(e.ServerSeq)...))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ReportCounts returns, by device, how many of its ops were reported set
// aside (each op once).
func (s *Store) ReportCounts(_ context.Context) (map[uuid.UUID]int, error) {
	out := map[uuid.UUID]int{}
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := key(pReport)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		var last []byte // device and seq of the last op counted
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()[len(prefix):]
			if len(k) != 16+8+16 {
				return fmt.Errorf("badgerstore: report key of %d bytes", len(k))
			}
			if last != nil && string(last) == string(k[:24]) {
				continue
			}
			last = append(last[:0], k[:24]...)
			id, _ := uuid.FromBytes(k[:16])
			out[id]++
		}
		return nil
	})
	return out, err
}
