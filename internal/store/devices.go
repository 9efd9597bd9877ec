package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// RegisterDevice records the public key of another device (from the
// server or a bundle). Remote ops of devices never registered are refused
// with ErrUnknownDevice. Registering the same key again updates the label
// (an empty label keeps the old one); a different key for a known device
// is refused.
func (s *Store) RegisterDevice(id uuid.UUID, pub ed25519.PublicKey, label string) error {
	return s.RegisterDeviceAs(id, pub, label, Enrolled{})
}

// Enrolled is what a device was enrolled as: its role and the part of the
// province it may write. The zero value means not known (a server that
// does not say, a bundle).
type Enrolled struct {
	Role model.Role `json:"role"`
	// County is the one county the device may write, "" for a
	// province-wide device.
	County   string `json:"county,omitempty"`
	Province string `json:"province,omitempty"`
}

// RegisterDeviceAs is RegisterDevice that also records what the device
// was enrolled as, when en.Role is set (the zero Enrolled keeps what is
// known). Remote ops of a device whose role is known are admitted as made
// by that role within that scope (model.Admit); those of a device whose
// role is not known, by the rules that need no role.
func (s *Store) RegisterDeviceAs(id uuid.UUID, pub ed25519.PublicKey, label string, en Enrolled) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("store: register device %s: public key of %d bytes", id, len(pub))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		old, err := getValue(txn, deviceKey(id))
		write := true
		if err == nil {
			k, oldLabel := decodeDevice(old)
			if !k.Equal(pub) {
				return fmt.Errorf("store: register device %s: a different key is already registered", id)
			}
			write = label != "" && label != oldLabel
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if write {
			if err := txn.Set(deviceKey(id), encodeDevice(pub, label)); err != nil {
				return err
			}
		}
		if en.Role == "" {
			return nil
		}
		v, err := json.Marshal(en)
		if err != nil {
			return err
		}
		if cur, err := getValue(txn, enrolledKey(id)); err == nil && bytes.Equal(cur, v) {
			return nil
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return txn.Set(enrolledKey(id), v)
	})
}

// enrolledAs returns what dev was enrolled as, the zero Enrolled when not
// known.
func enrolledAs(txn *badger.Txn, dev uuid.UUID) (Enrolled, error) {
	v, err := getValue(txn, enrolledKey(dev))
	if errors.Is(err, ErrNotFound) {
		return Enrolled{}, nil
	}
	if err != nil {
		return Enrolled{}, err
	}
	var en Enrolled
	if err := json.Unmarshal(v, &en); err != nil {
		return Enrolled{}, fmt.Errorf("%w: enrolment of %s: %v", errCorrupt, dev, err)
	}
	return en, nil
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
