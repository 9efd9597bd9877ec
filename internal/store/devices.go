package store

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
)

// RegisterDevice records the public key of another device (from the
// server or a bundle). Remote ops of devices never registered are refused
// with ErrUnknownDevice. Registering the same key again updates the label
// (an empty label keeps the old one); a different key for a known device
// is refused.
func (s *Store) RegisterDevice(id uuid.UUID, pub ed25519.PublicKey, label string) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("store: register device %s: public key of %d bytes", id, len(pub))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		old, err := getValue(txn, deviceKey(id))
		if err == nil {
			k, oldLabel := decodeDevice(old)
			if !k.Equal(pub) {
				return fmt.Errorf("store: register device %s: a different key is already registered", id)
			}
			if label == "" || label == oldLabel {
				return nil
			}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		return txn.Set(deviceKey(id), encodeDevice(pub, label))
	})
}

// deviceKeyOf returns the registered public key of dev, or
// ErrUnknownDevice.
func deviceKeyOf(txn *badger.Txn, dev uuid.UUID) (ed25519.PublicKey, error) {
	v, err := getValue(txn, deviceKey(dev))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w %s", ErrUnknownDevice, dev)
	}
	if err != nil {
		return nil, err
	}
	pub, _ := decodeDevice(v)
	return pub, nil
}

func encodeDevice(pub ed25519.PublicKey, label string) []byte {
	return append(append([]byte{}, pub...), label...)
}

func decodeDevice(v []byte) (ed25519.PublicKey, string) {
	if len(v) < ed25519.PublicKeySize {
		return nil, ""
	}
	return ed25519.PublicKey(v[:ed25519.PublicKeySize]), string(v[ed25519.PublicKeySize:])
}
