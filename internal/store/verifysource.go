package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"reflect"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/internal/vouch"
)

// VerifySource is the store as a verify.StateSource: the devices it has
// registered (its own included) with what each was enrolled as, every
// device's log with the scope gaps recorded when pages were applied, and
// every record's ops with its stored state. Each method reads one
// snapshot of the store.
func (s *Store) VerifySource() verify.StateSource { return storeSource{s} }

type storeSource struct{ s *Store }

func (src storeSource) Devices(ctx context.Context) (map[uuid.UUID]verify.Device, error) {
	s := src.s
	out := map[uuid.UUID]verify.Device{}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxDevice}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 17 {
				continue
			}
			id := uuid.UUID(k[1:])
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			pub, _ := decodeDevice(v)
			en, err := enrolledAs(txn, id)
			if err != nil {
				return err
			}
			out[id] = verify.Device{ID: id, Key: pub, Role: en.Role, County: en.County, Province: en.Province}
		}
		if _, ok := out[s.device]; !ok {
			en, err := enrolledAs(txn, s.device)
			if err != nil {
				return err
			}
			out[s.device] = verify.Device{ID: s.device, Key: s.PublicKey(), Role: en.Role, County: en.County, Province: en.Province}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The enrollment statements the device keeps (its own, from its
	// enrollment).
	for id, d := range out {
		b, err := s.GetMeta(vouch.MetaKey(id))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		d.Statement = b
		out[id] = d
	}
	return out, nil
}

func (src storeSource) Logs(ctx context.Context, fn func(verify.Log) error) error {
	return src.s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxLog}, PrefetchValues: true})
		defer it.Close()
		var l verify.Log
		flush := func() error {
			if len(l.Ops) == 0 {
				return nil
			}
			err := fn(l)
			l = verify.Log{}
			return err
		}
		for it.Rewind(); it.Valid(); it.Next() {
			id := opIDFromKey(it.Item().Key())
			if id.Device != l.Device {
				if err := flush(); err != nil {
					return err
				}
				l.Device = id.Device
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			op, err := decodeOp(v)
			if err != nil {
				// Kept in the log as what it claims to be, so that the
				// check reports it malformed.
				op = oplog.Op{Device: id.Device, Seq: id.Seq}
			}
			after := id.Seq - 1
			if g, err := getValue(txn, gapKey(id)); err == nil && len(g) == 8 {
				after = binary.BigEndian.Uint64(g)
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			l.Ops = append(l.Ops, op)
			l.After = append(l.After, after)
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return flush()
	})
}

func (src storeSource) Records(ctx context.Context, fn func(verify.Record) error) error {
	return src.s.view(func(txn *badger.Txn) error {
		seen := map[uuid.UUID]bool{}
		err := eachRecord(ctx, txn, func(rec uuid.UUID, ops []oplog.Op) error {
			seen[rec] = true
			r := verify.Record{ID: rec, Ops: ops}
			got, err := getValue(txn, stateKey(rec))
			if errors.Is(err, ErrNotFound) {
				return fn(r)
			}
			if err != nil {
				return err
			}
			st, derr := decodeState(got)
			r.Stored = &st
			r.Equal = func(want *oplog.State) bool {
				wantEnc := encodeState(want)
				if bytes.Equal(got, wantEnc) {
					return true
				}
				// A state written by an older codec version differs in
				// bytes, not in content.
				return derr == nil && got[0] != wantEnc[0] && reflect.DeepEqual(&st, want)
			}
			return fn(r)
		})
		if err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxState}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 17 {
				continue
			}
			if rec := uuid.UUID(k[1:]); !seen[rec] {
				if err := fn(verify.Record{ID: rec}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
