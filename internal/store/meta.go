package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// GetMeta returns the app setting key (users, PIN hashes, server URL), or
// ErrNotFound.
func (s *Store) GetMeta(key string) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		v, err = getValue(txn, userKey(key))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: meta %q", ErrNotFound, key)
	}
	return v, err
}

// SetMeta stores the app setting key durably; a nil v deletes it.
func (s *Store) SetMeta(key string, v []byte) error {
	return s.update(func(txn *badger.Txn) error {
		if v == nil {
			return txn.Delete(userKey(key))
		}
		return txn.Set(userKey(key), append([]byte(nil), v...))
	})
}

// getValue returns a copy of the value at k, or ErrNotFound.
func getValue(txn *badger.Txn, k []byte) ([]byte, error) {
	it, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return it.ValueCopy(nil)
}
