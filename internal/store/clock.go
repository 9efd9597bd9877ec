package store

import (
	"encoding/binary"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"github.com/lantian-tz/lantian/internal/hlc"
)

// clockPersister keeps the HLC in the store's meta keyspace so that it
// never runs backwards across restarts. Saves are made durable by the
// next synced commit (they precede the op that uses the reading).
type clockPersister struct{ s *Store }

// Load returns the saved clock, or zero for a new store.
func (p clockPersister) Load() (hlc.Timestamp, error) {
	var ts hlc.Timestamp
	err := p.s.db.View(func(txn *badger.Txn) error {
		v, err := getValue(txn, metaKeyOf(metaClock))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(v) == 8 {
			ts = hlc.Timestamp(binary.BigEndian.Uint64(v))
		}
		return nil
	})
	return ts, err
}

// Save records ts.
func (p clockPersister) Save(ts hlc.Timestamp) error {
	return p.s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(metaKeyOf(metaClock), binary.BigEndian.AppendUint64(nil, uint64(ts)))
	})
}
