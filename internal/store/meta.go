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

// metaSetChunk bounds the members one transaction of a meta set adds or
// removes.
const metaSetChunk = 1000

// metaSetPrefix is the key prefix of the members of meta set name.
func metaSetPrefix(name string) []byte { return userKey(name + "\x00") }

// AddToMetaSet adds members to the meta set name (a set of strings kept as
// one key each, so that adding costs what is added, not the set's size).
func (s *Store) AddToMetaSet(name string, members []string) error {
	return s.chunkMetaSet(name, members, func(txn *badger.Txn, k []byte) error { return txn.Set(k, nil) })
}

// RemoveFromMetaSet removes members from the meta set name.
func (s *Store) RemoveFromMetaSet(name string, members []string) error {
	return s.chunkMetaSet(name, members, func(txn *badger.Txn, k []byte) error { return txn.Delete(k) })
}

func (s *Store) chunkMetaSet(name string, members []string, fn func(*badger.Txn, []byte) error) error {
	for len(members) > 0 {
		n := min(len(members), metaSetChunk)
		err := s.update(func(txn *badger.Txn) error {
			for _, m := range members[:n] {
				if err := fn(txn, append(metaSetPrefix(name), m...)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		members = members[n:]
	}
	return nil
}

// MetaSet returns the members of the meta set name, sorted.
func (s *Store) MetaSet(name string) ([]string, error) {
	var out []string
	pfx := metaSetPrefix(name)
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: pfx})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			out = append(out, string(it.Item().Key()[len(pfx):]))
		}
		return nil
	})
	return out, err
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
