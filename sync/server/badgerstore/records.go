package badgerstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
)

// indexVersion is the version of the indexes a store derives from its
// ops, kept under keyVersion: 1 adds the records' homes (r/). Open builds
// the indexes of a store at an older version from its stored ops.
const indexVersion = 1

// backfillChunk is how many stored ops one transaction of the record
// index's backfill reads.
const backfillChunk = 1000

func encodeHome(h server.RecordHome) []byte {
	b := binary.AppendUvarint(make([]byte, 0, 1+len(h.Register)+len(h.County)), uint64(len(h.Register)))
	b = append(b, h.Register...)
	return append(b, h.County...)
}

func decodeHome(b []byte) (server.RecordHome, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return server.RecordHome{}, fmt.Errorf("badgerstore: record home of %d bytes", len(b))
	}
	return server.RecordHome{Register: string(b[k : k+int(n)]), County: string(b[k+int(n):])}, nil
}

// readHome returns the stored home of record id, ok false when it has
// none.
func readHome(txn *badger.Txn, id uuid.UUID) (h server.RecordHome, ok bool, err error) {
	it, err := txn.Get(recordKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return h, false, nil
	} else if err != nil {
		return h, false, err
	}
	err = it.Value(func(b []byte) error {
		h, err = decodeHome(b)
		return err
	})
	return h, err == nil, err
}

// readHomes returns the stored homes of the applied entries' records.
func readHomes(txn *badger.Txn, entries []server.LogEntry) (map[uuid.UUID]server.RecordHome, error) {
	ids := server.AppliedRecords(entries)
	homes := make(map[uuid.UUID]server.RecordHome, len(ids))
	for _, id := range ids {
		h, ok, err := readHome(txn, id)
		if err != nil {
			return nil, err
		}
		if ok {
			homes[id] = h
		}
	}
	return homes, nil
}

// upgrade builds the indexes of a store made at an older indexVersion.
// Version 1 gives each record of the stored applied ops the home of its
// first (by server seq), as Append would have. Ops stored before that
// which move their record stay stored and served (they are counted in
// the log); an op whose bytes do not decode names no record and is
// skipped. The work is done in transactions of backfillChunk ops and the
// version written last, so a crash midway makes the next Open start
// again, to the same result.
func (s *Store) upgrade(log *slog.Logger) error {
	var v uint64
	err := s.db.View(func(txn *badger.Txn) (err error) {
		v, err = readU64(txn, keyVersion)
		return err
	})
	if err != nil || v >= indexVersion {
		return err
	}
	var after uint64
	var ops, records, moved, undecodable int
	for {
		type opHome struct {
			id   uuid.UUID
			home server.RecordHome
		}
		var chunk []opHome
		read := 0
		err := s.db.View(func(txn *badger.Txn) error {
			prefix := key(pOp)
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
			defer it.Close()
			for it.Seek(opKey(after + 1)); it.Valid() && read < backfillChunk; it.Next() {
				read++
				after = binary.BigEndian.Uint64(it.Item().Key()[len(prefix):])
				err := it.Item().Value(func(v []byte) error {
					var op oplog.Op
					if len(v) < opFixed || op.UnmarshalBinary(v[opFixed:]) != nil {
						undecodable++
						return nil
					}
					chunk = append(chunk, opHome{op.Record, server.RecordHome{Register: op.Register, County: op.County}})
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("badgerstore: record index: %w", err)
		}
		if read == 0 {
			break
		}
		ops += len(chunk)
		err = s.db.Update(func(txn *badger.Txn) error {
			for _, c := range chunk {
				h, ok, err := readHome(txn, c.id)
				if err != nil {
					return err
				}
				if !ok {
					records++
					if err := txn.Set(recordKey(c.id), encodeHome(c.home)); err != nil {
						return err
					}
				} else if model.KeepsRecord(h.Register, h.County, c.home.Register, c.home.County) != nil {
					moved++
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("badgerstore: record index: %w", err)
		}
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyVersion, u64(indexVersion)) }); err != nil {
		return err
	}
	if ops > 0 || undecodable > 0 {
		log.Info("badgerstore: record index built", "ops", ops, "records", records, "undecodable", undecodable)
	}
	if moved > 0 {
		log.Warn("badgerstore: stored ops move their record to another register or county; they stay served and devices refuse them",
			"ops", moved)
	}
	return nil
}
