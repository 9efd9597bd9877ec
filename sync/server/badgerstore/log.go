package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

const (
	flagRefused  = 1
	flagAccepted = 2              // the acceptance time follows the fixed part
	logFixed     = 1 + 8 + 8 + 32 // flags, server seq, eff, hash
	opFixed      = 8 + 16 + 8 + 8 // eff, device, prevProvince, prevCounty
)

// encodeLogValue is flags ss eff hash, then (flagAccepted; entries
// stored before they were recorded have neither) the acceptance time in
// Unix milliseconds (8 bytes, 0 when unknown) and the county
// (length-prefixed), then for refused entries the refusal as
// JSON (length-prefixed) and the raw op.
func encodeLogValue(e server.LogEntry) ([]byte, error) {
	b := make([]byte, 0, logFixed+8)
	var flags byte
	if e.Refused {
		flags |= flagRefused
	}
	flags |= flagAccepted
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, e.ServerSeq)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Eff))
	b = append(b, e.Hash[:]...)
	var accepted uint64 // 0: unknown
	if !e.Accepted.IsZero() {
		accepted = uint64(e.Accepted.UnixMilli())
	}
	b = binary.BigEndian.AppendUint64(b, accepted)
	b = binary.AppendUvarint(b, uint64(len(e.County)))
	b = append(b, e.County...)
	if e.Refused {
		j, err := json.Marshal(e.Refusal)
		if err != nil {
			return nil, err
		}
		b = binary.AppendUvarint(b, uint64(len(j)))
		b = append(b, j...)
		b = append(b, e.Raw...)
	}
	return b, nil
}

func decodeLogValue(seq uint64, b []byte) (server.LogEntry, error) {
	if len(b) < logFixed {
		return server.LogEntry{}, fmt.Errorf("badgerstore: log entry %d: %d bytes", seq, len(b))
	}
	e := server.LogEntry{Seq: seq, Refused: b[0]&flagRefused != 0,
		ServerSeq: binary.BigEndian.Uint64(b[1:]), Eff: hlc.Timestamp(binary.BigEndian.Uint64(b[9:]))}
	copy(e.Hash[:], b[17:49])
	fixed := logFixed
	if b[0]&flagAccepted != 0 {
		if len(b) < logFixed+8 {
			return server.LogEntry{}, fmt.Errorf("badgerstore: log entry %d: %d bytes", seq, len(b))
		}
		if ms := binary.BigEndian.Uint64(b[logFixed:]); ms != 0 {
			e.Accepted = time.UnixMilli(int64(ms)).UTC()
		}
		fixed += 8
		n, k := binary.Uvarint(b[fixed:])
		if k <= 0 || uint64(len(b)-fixed-k) < n {
			return server.LogEntry{}, fmt.Errorf("badgerstore: log entry %d: bad county", seq)
		}
		e.County = string(b[fixed+k : fixed+k+int(n)])
		fixed += k + int(n)
	}
	if e.Refused {
		n, k := binary.Uvarint(b[fixed:])
		if k <= 0 || uint64(len(b)-fixed-k) < n {
			return server.LogEntry{}, fmt.Errorf("badgerstore: log entry %d: bad refusal", seq)
		}
		start := fixed + k
		e.Refusal = new(protocol.Receipt)
		if err := json.Unmarshal(b[start:start+int(n)], e.Refusal); err != nil {
			return server.LogEntry{}, fmt.Errorf("badgerstore: log entry %d: %w", seq, err)
		}
		e.Raw = append([]byte(nil), b[start+int(n):]...)
	}
	return e, nil
}

func readHead(txn *badger.Txn, id uuid.UUID) (server.Head, error) {
	var h server.Head
	it, err := txn.Get(headKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return h, nil
	} else if err != nil {
		return h, err
	}
	err = it.Value(func(b []byte) error {
		if len(b) != 40 {
			return fmt.Errorf("badgerstore: head of %s: %d bytes", id, len(b))
		}
		h.Acked = binary.BigEndian.Uint64(b)
		copy(h.Hash[:], b[8:])
		return nil
	})
	return h, err
}

// Head returns the device's acknowledged seq and chain head (zero for a
// device that never pushed).
func (s *Store) Head(_ context.Context, id uuid.UUID) (server.Head, error) {
	var h server.Head
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		h, err = readHead(txn, id)
		return err
	})
	return h, err
}

// Log returns the device's entries for seqs from..to that exist.
func (s *Store) Log(_ context.Context, id uuid.UUID, from, to uint64) ([]server.LogEntry, error) {
	var out []server.LogEntry
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := key(pLog, id[:])
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Seek(logKey(id, from)); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[len(prefix):])
			if seq > to {
				break
			}
			var e server.LogEntry
			err := it.Item().Value(func(b []byte) error {
				var err error
				e, err = decodeLogValue(seq, b)
				return err
			})
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Append stores a verified batch in one transaction (see server.Storage).
// The homes of the batch's records are read and written in the same
// transaction, under appendMu, so two batches giving one record
// different homes are decided one after the other.
func (s *Store) Append(ctx context.Context, dev uuid.UUID, from server.Head, entries []server.LogEntry) ([]uint64, error) {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	sss := make([]uint64, len(entries))
	var moved []*protocol.Receipt
	err := s.update(ctx, func(txn *badger.Txn) error {
		h, err := readHead(txn, dev)
		if err != nil {
			return err
		}
		if h != from {
			return server.ErrStaleHead
		}
		homes, err := readHomes(txn, entries)
		if err != nil {
			return err
		}
		var created map[uuid.UUID]server.RecordHome
		moved, created = server.CheckRecords(entries, homes)
		if err := server.CheckEnds(entries, moved); err != nil {
			return err
		}
		for id, home := range created {
			if err := txn.Set(recordKey(id), encodeHome(home)); err != nil {
				return err
			}
		}
		last, err := readCounter(txn)
		if err != nil {
			return err
		}
		// The seq of the device's previous applied op, overall (all in
		// one province) and per county, is kept with each op so a pull
		// can tell receivers which of the device's ops their scope got
		// before it (protocol.PageOp.ScopePrev).
		prevAll, err := readU64(txn, key(pApplied, dev[:]))
		if err != nil {
			return err
		}
		prevCounty := map[string]uint64{}
		for i, e := range entries {
			if want := from.Acked + 1 + uint64(i); e.Seq != want {
				return fmt.Errorf("badgerstore: append %s: entry seq %d; want %d", dev, e.Seq, want)
			}
			sss[i] = 0
			if moved[i] != nil {
				e.Refuse(moved[i])
			}
			if !e.Refused {
				last++
				e.ServerSeq = last
				sss[i] = last
				pc, ok := prevCounty[e.County]
				if !ok {
					if pc, err = readU64(txn, key(pAppliedC, dev[:], []byte(e.County))); err != nil {
						return err
					}
				}
				v := make([]byte, 0, opFixed+len(e.Raw))
				v = binary.BigEndian.AppendUint64(v, uint64(e.Eff))
				v = append(v, dev[:]...)
				v = binary.BigEndian.AppendUint64(v, prevAll)
				v = binary.BigEndian.AppendUint64(v, pc)
				v = append(v, e.Raw...)
				prevAll, prevCounty[e.County] = e.Seq, e.Seq
				ss := u64(last)
				if err := txn.Set(opKey(last), v); err != nil {
					return err
				}
				if err := txn.Set(append(scopeIndexPrefix(pCounty, e.County), ss...), nil); err != nil {
					return err
				}
				if err := txn.Set(append(scopeIndexPrefix(pProvince, e.Province), ss...), nil); err != nil {
					return err
				}
				for _, b := range e.Blobs {
					if err := txn.Set(append(blobRefPrefix(b), e.County...), nil); err != nil {
						return err
					}
				}
			}
			lv, err := encodeLogValue(e)
			if err != nil {
				return err
			}
			if err := txn.Set(logKey(dev, e.Seq), lv); err != nil {
				return err
			}
			h = server.Head{Acked: e.Seq, Hash: e.Hash}
		}
		if err := txn.Set(keySeq, u64(last)); err != nil {
			return err
		}
		if err := txn.Set(key(pApplied, dev[:]), u64(prevAll)); err != nil {
			return err
		}
		for c, seq := range prevCounty {
			if err := txn.Set(key(pAppliedC, dev[:], []byte(c)), u64(seq)); err != nil {
				return err
			}
		}
		hv := binary.BigEndian.AppendUint64(make([]byte, 0, 40), h.Acked)
		return txn.Set(headKey(dev), append(hv, h.Hash[:]...))
	})
	if err != nil {
		return nil, err
	}
	for i, r := range moved {
		if r != nil {
			entries[i].Refuse(r)
		}
	}
	return sss, nil
}

func readCounter(txn *badger.Txn) (uint64, error) { return readU64(txn, keySeq) }

// readU64 reads a big-endian uint64 value, 0 when the key is absent.
func readU64(txn *badger.Txn, k []byte) (uint64, error) {
	it, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var n uint64
	err = it.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("badgerstore: %q: %d bytes", k, len(b))
		}
		n = binary.BigEndian.Uint64(b)
		return nil
	})
	return n, err
}

// Pull returns a page of applied ops in scope after cursor.
func (s *Store) Pull(_ context.Context, scope protocol.Scope, after uint64, maxBytes int) (server.Page, error) {
	page := server.Page{Cursor: after, Links: true, LastKnown: true}
	prefix := scopeIndexPrefix(pProvince, scope.Province)
	if scope.County != "" {
		prefix = scopeIndexPrefix(pCounty, scope.County)
	}
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		if page.Last, err = readCounter(txn); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		size := 0
		for it.Seek(append(bytes.Clone(prefix), u64(after+1)...)); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != len(prefix)+8 {
				return fmt.Errorf("badgerstore: index key %q", k)
			}
			ss := binary.BigEndian.Uint64(k[len(prefix):])
			item, err := txn.Get(opKey(ss))
			if errors.Is(err, badger.ErrKeyNotFound) {
				// Withdrawn: never served again.
				if _, err := txn.Get(key(pWithdrawn, u64(ss))); err != nil {
					return fmt.Errorf("badgerstore: op %d: %w", ss, err)
				}
				page.Cursor = ss
				continue
			}
			if err != nil {
				return fmt.Errorf("badgerstore: op %d: %w", ss, err)
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) < opFixed {
				return fmt.Errorf("badgerstore: op %d: %d bytes", ss, len(v))
			}
			op := protocol.PageOp{ServerSeq: ss, Eff: hlc.Timestamp(binary.BigEndian.Uint64(v)), Raw: v[opFixed:],
				ScopePrev: binary.BigEndian.Uint64(v[24:32])}
			if scope.County != "" {
				op.ScopePrev = binary.BigEndian.Uint64(v[32:40])
			}
			size += protocol.PageOpSize(op)
			if size > maxBytes && len(page.Ops) > 0 {
				page.More = true
				break
			}
			dev, _ := uuid.FromBytes(v[8:24])
			page.Ops = append(page.Ops, op)
			page.Devices = append(page.Devices, dev)
			page.Cursor = ss
		}
		return nil
	})
	if err != nil {
		return server.Page{}, err
	}
	return page, nil
}

// BlobCounties returns the counties of the applied ops that reference
// blob id.
func (s *Store) BlobCounties(ctx context.Context, id string) ([]string, error) {
	var out []string
	pfx := blobRefPrefix(id)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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

// SkipSeqs moves the server seq counter n past its value and returns the
// new last seq. After a restore from a backup, devices may hold pull
// cursors up to what the server had handed out before; numbering the ops
// stored from now on above those keeps every device from passing over
// them.
func (s *Store) SkipSeqs(ctx context.Context, n uint64) (uint64, error) {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	var last uint64
	err := s.update(ctx, func(txn *badger.Txn) error {
		c, err := readCounter(txn)
		if err != nil {
			return err
		}
		last = c + n
		return txn.Set(keySeq, u64(last))
	})
	return last, err
}
