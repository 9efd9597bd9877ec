package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/vouch"
)

// EvidenceSource is the device store as an evidence.Source, for the
// evidence pack a record's detail screen exports: the record's ops this
// device holds (their signed bytes, verbatim), the enrollment statements
// it keeps (meta vouch.MetaKey: its own, saved at enrollment) and the
// photos it holds.
func (s *Store) EvidenceSource() evidence.Source { return evidenceSource{s} }

type evidenceSource struct{ s *Store }

func (e evidenceSource) RecordOps(_ context.Context, record uuid.UUID) ([][]byte, error) {
	var out [][]byte
	err := e.s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: recordOpPrefix(record)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			_, id := recordOpFromKey(it.Item().Key())
			v, err := getValue(txn, logKey(id))
			if err != nil {
				return fmt.Errorf("op %s of record %s: %w", id, record, err)
			}
			if len(v) < 16 {
				return fmt.Errorf("%w: op %s of %d bytes", errCorrupt, id, len(v))
			}
			out = append(out, v[16:]) // after the server's stamps: the op as signed
		}
		return nil
	})
	return out, err
}

func (e evidenceSource) Statements(_ context.Context, devices []uuid.UUID) (map[uuid.UUID][]byte, error) {
	out := map[uuid.UUID][]byte{}
	for _, id := range devices {
		b, err := e.s.GetMeta(vouch.MetaKey(id))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(b) > 0 {
			out[id] = b
		}
	}
	return out, nil
}

func (e evidenceSource) Photo(_ context.Context, id string) ([]byte, error) {
	r, err := e.s.OpenBlob(id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
