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
)

// reportKey is the key of reporter's report of op (device, seq).
func reportKey(device uuid.UUID, seq uint64, reporter uuid.UUID) []byte {
	return key(pReport, device[:], u64(seq), reporter[:])
}

// Report records the ops that reporter received and set aside, once per
// op and reporter; the value is the code and the time in Unix
// milliseconds.
func (s *Store) Report(ctx context.Context, reporter uuid.UUID, reports []protocol.ReportedOp, at time.Time) (int, error) {
	var n int
	err := s.update(ctx, func(txn *badger.Txn) error {
		n = 0
		for _, r := range reports {
			k := reportKey(r.Device, r.Seq, reporter)
			_, err := txn.Get(k)
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
			n++
		}
		return nil
	})
	return n, err
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
