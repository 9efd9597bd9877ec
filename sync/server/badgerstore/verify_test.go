package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

// badgerTamper edits the database under a Store, past its API.
type badgerTamper struct{ s *Store }

// serverSeq is the server seq of the applied op (dev, seq).
func (bt badgerTamper) serverSeq(t *testing.T, txn *badger.Txn, dev uuid.UUID, seq uint64) uint64 {
	t.Helper()
	it, err := txn.Get(logKey(dev, seq))
	if err != nil {
		t.Fatal(err)
	}
	v, err := it.ValueCopy(nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := decodeLogValue(seq, v)
	if err != nil || e.ServerSeq == 0 {
		t.Fatalf("op %s/%d: %v (server seq %d)", dev, seq, err, e.ServerSeq)
	}
	return e.ServerSeq
}

func (bt badgerTamper) SetRaw(t *testing.T, dev uuid.UUID, seq uint64, raw []byte) {
	t.Helper()
	err := bt.s.db.Update(func(txn *badger.Txn) error {
		k := opKey(bt.serverSeq(t, txn, dev, seq))
		it, err := txn.Get(k)
		if err != nil {
			return err
		}
		v, err := it.ValueCopy(nil)
		if err != nil {
			return err
		}
		const fixed = 8 + 16 + 8 + 8 // eff, device, prevProvince, prevCounty
		return txn.Set(k, append(v[:fixed:fixed], raw...))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (bt badgerTamper) Remove(t *testing.T, dev uuid.UUID, seq uint64) {
	t.Helper()
	err := bt.s.db.Update(func(txn *badger.Txn) error {
		ss := bt.serverSeq(t, txn, dev, seq)
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		var del [][]byte
		for _, p := range []byte{pProvince, pCounty} {
			prefix := []byte{p, '/'}
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				k := it.Item().KeyCopy(nil)
				if len(k) >= 8 && binary.BigEndian.Uint64(k[len(k)-8:]) == ss {
					del = append(del, k)
				}
			}
		}
		it.Close()
		for _, k := range append(del, opKey(ss)) {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVerify(t *testing.T) {
	s := openMem(t)
	storetest.Verify(t, s, badgerTamper{s})
}

func (bt badgerTamper) PutDevice(t *testing.T, d server.Device) {
	t.Helper()
	if err := bt.s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, deviceKey(d.ID), toRecord(d)) }); err != nil {
		t.Fatal(err)
	}
}

func TestVouch(t *testing.T) {
	s := openMem(t)
	storetest.Vouch(t, s, badgerTamper{s})
}

// An evidence pack of a record with 3 photos verifies, and fails with
// any one byte changed (every byte outside the photos' contents and
// every 16th byte of those).
func TestEvidencePack(t *testing.T) {
	s := openMem(t)
	blobs, err := OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.EvidencePack(t, s, blobs, 16<<10, nil)
	n := storetest.EveryByteChanged(t, p, 16)
	t.Logf("pack of %d bytes: %d byte positions changed every one refused", len(p.Bytes), n)
}

// BenchmarkEvidencePack measures building, and verifying, the evidence
// pack of a record with 3 photos of 2 MiB each (a phone's JPEGs).
func BenchmarkEvidencePack(b *testing.B) {
	s := openMem(b)
	blobs, err := OpenBlobs(b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	p := storetest.EvidencePack(b, s, blobs, 2<<20, nil)
	gaz, _ := model.LoadGazetteer(assets.ScopeJSON)
	src := server.EvidenceSource(s, blobs, gaz)
	b.Run("build", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if _, err := evidence.Build(context.Background(), &buf, src, p.Record, evidence.Options{Trusted: p.Trusted}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "pack-bytes")
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if res := evidence.Verify(p.Bytes, p.Trusted); !res.OK() {
				b.Fatal(res.Problems)
			}
		}
	})
}
