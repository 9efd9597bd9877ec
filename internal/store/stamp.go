package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sort"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
)

// Stamp is the server's stamp of an accepted op: its effective time (see
// DESIGN.md, bounded skew) and server sequence number.
type Stamp struct {
	ID        oplog.OpID
	Eff       hlc.Timestamp
	ServerSeq uint64
}

// Stamp records server stamps on stored (or held) ops and re-merges the
// records whose ops changed, in one durable transaction. Stamps of ops
// not stored are ignored: the ops will arrive stamped.
func (s *Store) Stamp(ctx context.Context, stamps []Stamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	recs := map[uuid.UUID][]oplog.Op{}
	s.mu.Lock()
	err := s.update(func(txn *badger.Txn) error {
		for _, st := range stamps {
			for _, key := range [][]byte{logKey(st.ID), pendingKey(st.ID)} {
				v, err := getValue(txn, key)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if len(v) < 16 {
					return errCorrupt
				}
				if hlc.Timestamp(binary.BigEndian.Uint64(v[0:8])) == st.Eff && binary.BigEndian.Uint64(v[8:16]) == st.ServerSeq {
					break
				}
				binary.BigEndian.PutUint64(v[0:8], uint64(st.Eff))
				binary.BigEndian.PutUint64(v[8:16], st.ServerSeq)
				if err := txn.Set(key, v); err != nil {
					return err
				}
				if key[0] == pfxLog {
					op, err := decodeOp(v)
					if err != nil {
						return err
					}
					recs[op.Record] = append(recs[op.Record], op)
				}
				break
			}
		}
		rtxn := s.db.NewTransaction(false)
		defer rtxn.Discard()
		for rec, fresh := range recs {
			if _, err := remerge(txn, rtxn, rec, fresh); err != nil {
				return err
			}
		}
		return nil
	})
	s.mu.Unlock()
	if err != nil {
		return err
	}
	list := make([]uuid.UUID, 0, len(recs))
	for r := range recs {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i][:], list[j][:]) < 0 })
	s.emit(Event{Kind: Stamped, Records: list})
	return nil
}
