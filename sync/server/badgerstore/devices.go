package badgerstore

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// deviceRecord is a device's stored form.
type deviceRecord struct {
	PublicKey []byte         `json:"pk"`
	Label     string         `json:"label"`
	Scope     protocol.Scope `json:"scope"`
	Role      model.Role     `json:"role"`
	TokenHash []byte         `json:"token"`
	Enrolled  int64          `json:"enrolled"`
	Revoked   bool           `json:"revoked,omitempty"`
	Statement []byte         `json:"statement,omitempty"`
}

// codeRecord is an enrollment code's stored form.
type codeRecord struct {
	Scope   protocol.Scope `json:"scope"`
	Role    model.Role     `json:"role"`
	Expires int64          `json:"expires"`
	Used    bool           `json:"used,omitempty"`
	Device  uuid.UUID      `json:"device,omitzero"`
}

func toRecord(d server.Device) deviceRecord {
	return deviceRecord{PublicKey: d.PublicKey, Label: d.Label, Scope: d.Scope, Role: d.Role,
		TokenHash: d.TokenHash[:], Enrolled: d.Enrolled.UnixMilli(), Revoked: d.Revoked, Statement: d.Statement}
}

func fromRecord(id uuid.UUID, r deviceRecord) server.Device {
	d := server.Device{ID: id, PublicKey: ed25519.PublicKey(r.PublicKey), Label: r.Label, Scope: r.Scope,
		Role: r.Role, Enrolled: time.UnixMilli(r.Enrolled), Revoked: r.Revoked, Statement: r.Statement}
	copy(d.TokenHash[:], r.TokenHash)
	return d
}

func getJSON(txn *badger.Txn, k []byte, v any) error {
	it, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return protocol.ErrNotFound
	}
	if err != nil {
		return err
	}
	return it.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

func setJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(k, b)
}

// CreateCode stores a one-time enrollment code by its hash.
func (s *Store) CreateCode(ctx context.Context, c server.Code) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		return setJSON(txn, key(pCode, c.Hash[:]), codeRecord{Scope: c.Scope, Role: c.Role, Expires: c.Expires.UnixMilli()})
	})
}

// Enroll uses a code to register d, in one transaction.
func (s *Store) Enroll(ctx context.Context, codeHash [32]byte, d server.Device, now time.Time) (server.Code, error) {
	var code server.Code
	err := s.update(ctx, func(txn *badger.Txn) error {
		var c codeRecord
		ck := key(pCode, codeHash[:])
		if err := getJSON(txn, ck, &c); errors.Is(err, protocol.ErrNotFound) {
			return protocol.ErrEnrollUnknown
		} else if err != nil {
			return err
		}
		switch {
		case c.Used:
			return protocol.ErrEnrollUsed
		case now.UnixMilli() >= c.Expires:
			return protocol.ErrEnrollExpired
		}
		if _, err := txn.Get(deviceKey(d.ID)); err == nil {
			return protocol.ErrDeviceExists
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		c.Used, c.Device = true, d.ID
		d.Scope, d.Role = c.Scope, c.Role
		if err := setJSON(txn, ck, c); err != nil {
			return err
		}
		if err := setJSON(txn, deviceKey(d.ID), toRecord(d)); err != nil {
			return err
		}
		code = server.Code{Hash: codeHash, Scope: c.Scope, Role: c.Role, Expires: time.UnixMilli(c.Expires), Used: true, Device: d.ID}
		return txn.Set(key(pToken, d.TokenHash[:]), d.ID[:])
	})
	if err != nil {
		return server.Code{}, err
	}
	return code, nil
}

// Device returns an enrolled device.
func (s *Store) Device(_ context.Context, id uuid.UUID) (server.Device, error) {
	var d server.Device
	err := s.db.View(func(txn *badger.Txn) error {
		var r deviceRecord
		if err := getJSON(txn, deviceKey(id), &r); err != nil {
			return err
		}
		d = fromRecord(id, r)
		return nil
	})
	return d, err
}

// DeviceByToken returns the device whose token hashes to hash.
func (s *Store) DeviceByToken(_ context.Context, hash [32]byte) (server.Device, error) {
	var d server.Device
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key(pToken, hash[:]))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return protocol.ErrNotFound
		} else if err != nil {
			return err
		}
		b, err := it.ValueCopy(nil)
		if err != nil {
			return err
		}
		id, err := uuid.FromBytes(b)
		if err != nil {
			return fmt.Errorf("badgerstore: token index: %w", err)
		}
		var r deviceRecord
		if err := getJSON(txn, deviceKey(id), &r); err != nil {
			return err
		}
		d = fromRecord(id, r)
		return nil
	})
	return d, err
}

// Devices lists every enrolled device with its head.
func (s *Store) Devices(_ context.Context) ([]server.DeviceHead, error) {
	var out []server.DeviceHead
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := key(pDevice)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			id, err := uuid.FromBytes(it.Item().Key()[len(prefix):])
			if err != nil {
				return fmt.Errorf("badgerstore: device key: %w", err)
			}
			var r deviceRecord
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
				return err
			}
			h, err := readHead(txn, id)
			if err != nil {
				return err
			}
			out = append(out, server.DeviceHead{Device: fromRecord(id, r), Head: h})
		}
		return nil
	})
	return out, err
}

// Revoke marks a device revoked.
func (s *Store) Revoke(ctx context.Context, id uuid.UUID) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		var r deviceRecord
		if err := getJSON(txn, deviceKey(id), &r); err != nil {
			return err
		}
		r.Revoked = true
		return setJSON(txn, deviceKey(id), r)
	})
}

// Vouch stores the device's enrollment statement.
func (s *Store) Vouch(ctx context.Context, id uuid.UUID, statement []byte) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		var r deviceRecord
		if err := getJSON(txn, deviceKey(id), &r); err != nil {
			return err
		}
		r.Statement = statement
		return setJSON(txn, deviceKey(id), r)
	})
}

// Keys returns the public keys of the given devices with the role and
// scope each was enrolled with (unknown ones are left out).
func (s *Store) Keys(_ context.Context, ids []uuid.UUID) ([]protocol.DeviceKey, error) {
	out := make([]protocol.DeviceKey, 0, len(ids))
	err := s.db.View(func(txn *badger.Txn) error {
		for _, id := range ids {
			var r deviceRecord
			err := getJSON(txn, deviceKey(id), &r)
			if errors.Is(err, protocol.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, protocol.DeviceKey{Device: id, Key: r.PublicKey, Role: r.Role, Scope: r.Scope, Statement: r.Statement})
		}
		return nil
	})
	return out, err
}
