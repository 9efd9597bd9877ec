package pgstore_test

import (
	"bytes"
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/server"
)

// benchBatch is the server's largest push.
const benchBatch = 1000

// benchEntries is entries with raw ops of a typical size (300 bytes).
func benchEntries(head server.Head, county string) []server.LogEntry {
	es := entries(head, benchBatch, county)
	for i := range es {
		es[i].Raw = bytes.Repeat([]byte{byte(i)}, 300)
	}
	return es
}

// BenchmarkAppend appends batches of 1000 ops for one device, one batch
// per iteration.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	dev := uuid.New()
	var head server.Head
	for b.Loop() {
		es := benchEntries(head, county1)
		if _, err := s.Append(ctx, dev, head, es); err != nil {
			b.Fatal(err)
		}
		last := es[len(es)-1]
		head = server.Head{Acked: last.Seq, Hash: last.Hash}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkAppendParallel appends batches of 1000 ops from several
// devices at once, as several instances would: server seq assignment
// serialises their commits.
func BenchmarkAppendParallel(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		dev := uuid.New()
		var head server.Head
		for pb.Next() {
			es := benchEntries(head, county1)
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
