package pgstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// benchBatch is the server's largest push.
const benchBatch = 1000

// benchEntries is entries with raw ops of a typical size (300 bytes):
// each on a new record (the most work for the record homes), or all on
// one record of the device (oneRecord, not Nil) as when a batch edits.
func benchEntries(head server.Head, county string, oneRecord uuid.UUID) []server.LogEntry {
	es := entries(head, benchBatch, county)
	for i := range es {
		es[i].Raw = bytes.Repeat([]byte{byte(i)}, 300)
		if oneRecord != uuid.Nil {
			es[i].Record = oneRecord
		}
	}
	return es
}

// benchRecords runs a benchmark with records=each (every op creates a
// record) and records=one (every op edits one record).
func benchRecords(b *testing.B, fn func(b *testing.B, oneRecord bool)) {
	for _, records := range []string{"each", "one"} {
		b.Run("records="+records, func(b *testing.B) { fn(b, records == "one") })
	}
}

// BenchmarkAppend appends batches of 1000 ops for one device, one batch
// per iteration.
func BenchmarkAppend(b *testing.B) {
	benchRecords(b, func(b *testing.B, oneRecord bool) {
		ctx := context.Background()
		s := openStore(b)
		dev := uuid.New()
		var rec uuid.UUID
		if oneRecord {
			rec = uuid.Must(uuid.NewV7())
		}
		var head server.Head
		for b.Loop() {
			es := benchEntries(head, county1, rec)
			if _, err := s.Append(ctx, dev, head, es); err != nil {
				b.Fatal(err)
			}
			last := es[len(es)-1]
			head = server.Head{Acked: last.Seq, Hash: last.Hash}
		}
		b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "ops/s")
	})
}

// BenchmarkAppendParallel appends batches of 1000 ops from several
// devices at once, as several instances would: server seq assignment
// serialises their commits.
func BenchmarkAppendParallel(b *testing.B) {
	benchRecords(b, benchAppendParallel)
}

func benchAppendParallel(b *testing.B, oneRecord bool) {
	ctx := context.Background()
	s := openStore(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		dev := uuid.New()
		var rec uuid.UUID
		if oneRecord {
			rec = uuid.Must(uuid.NewV7())
		}
		var head server.Head
		for pb.Next() {
			es := benchEntries(head, county1, rec)
			if _, err := s.Append(ctx, dev, head, es); err != nil {
				b.Error(err)
				return
			}
			n.Add(benchBatch)
			last := es[len(es)-1]
			head = server.Head{Acked: last.Seq, Hash: last.Hash}
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkBlobs writes and reads photos of the largest size allowed
// through the PostgreSQL blob storage, beside the file storage of the
// Badger backend, one photo per iteration.
func BenchmarkBlobs(b *testing.B) {
	const size = protocol.MaxBlobBytes
	data := make([]byte, size)
	_, _ = rand.Read(data)
	stores := []struct {
		name string
		open func(b *testing.B) server.BlobStorage
	}{
		{"pg", func(b *testing.B) server.BlobStorage { return openStore(b).Blobs(0) }},
		{"file", func(b *testing.B) server.BlobStorage {
			bl, err := badgerstore.OpenBlobs(b.TempDir(), 0)
			if err != nil {
				b.Fatal(err)
			}
			return bl
		}},
	}
	for _, st := range stores {
		// write stores a new photo (its first bytes made distinct by n).
		write := func(b *testing.B, bl server.BlobStorage, n int) string {
			b.StopTimer()
			binary.BigEndian.PutUint64(data, uint64(n))
			sum := sha256.Sum256(data)
			id := hex.EncodeToString(sum[:])
			b.StartTimer()
			if _, done, err := bl.Write(id, 0, size, bytes.NewReader(data), server.Upload{}); err != nil || !done {
				b.Fatalf("Write: %v %v", done, err)
			}
			return id
		}
		b.Run("store="+st.name+"/op=write", func(b *testing.B) {
			bl := st.open(b)
			b.SetBytes(size)
			n := 0
			for b.Loop() {
				n++
				write(b, bl, n)
			}
		})
		b.Run("store="+st.name+"/op=read", func(b *testing.B) {
			bl := st.open(b)
			id := write(b, bl, 0)
			b.SetBytes(size)
			for b.Loop() {
				f, _, err := bl.Open(id)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, f); err != nil {
					b.Fatal(err)
				}
				_ = f.Close()
			}
		})
	}
}
