package server_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/procmem"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// benchEnv is newEnv with the store on disk (fsync per commit) unless
// memory is set; cfgs adjust the server's config.
func benchEnv(b *testing.B, memory bool, cfgs ...func(*server.Config)) *env {
	if memory {
		return newEnvWith(b, badgerstore.Options{InMemory: true}, cfgs...)
	}
	return newEnvWith(b, badgerstore.Options{Dir: b.TempDir()}, cfgs...)
}

// BenchmarkIngest stores batches of 1000 signed ops of 20 fields through
// Server.Ingest: verification (shape, hash, signature, chain, scope,
// schema) and one Badger transaction per batch. verify=serial verifies
// on one goroutine, verify=parallel on GOMAXPROCS (the default).
// MB-VmHWM is the process's peak RSS during the sub-benchmark (reset at
// its start where the kernel allows); run one sub-benchmark per process,
// e.g. -benchtime 100x for 100k ops, to read it for one configuration.
// records=one edits one record in every op; records=each creates a record
// per op, the most work for the record index (a lookup and an insert per
// op).
func BenchmarkIngest(b *testing.B) {
	for _, store := range []string{"memory", "disk"} {
		for _, verify := range []string{"serial", "parallel"} {
			for _, records := range []string{"one", "each"} {
				b.Run("store="+store+"/verify="+verify+"/records="+records, func(b *testing.B) {
					benchIngest(b, store == "memory", verify == "serial", records == "each")
				})
			}
		}
	}
}

// benchIngest is one configuration of BenchmarkIngest.
func benchIngest(b *testing.B, memory, serial, newRecords bool) {
	resetPeakRSS()
	e := benchEnv(b, memory, func(c *server.Config) {
		if serial {
			c.Workers = 1
		}
	})
	d := e.enroll(hebei, county1, model.RoleGrid)
	d.newRecords = newRecords
	fields := register(b).fields
	const batch = 1000
	b.ResetTimer()
	var work time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ops := d.ops(b, batch, county1, fields)
		b.StartTimer()
		t0 := time.Now()
		resp, err := e.srv.Ingest(context.Background(), d.id, ops)
		work += time.Since(t0)
		if err != nil || resp.Acked != ops[batch-1].Seq {
			b.Fatalf("Ingest: acked %d, %v", resp.Acked, err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/work.Seconds(), "ops/s")
	if mb := peakRSSMB(); mb > 0 {
		b.ReportMetric(mb, "MB-VmHWM")
	}
}

// BenchmarkIngestDevices is BenchmarkIngest on disk with several devices
// pushing at once, as a provincial server sees them: each iteration
// ingests one batch of 1000 ops from each device concurrently. A single
// device's batches wait for one another's fsync; concurrent batches share
// Badger's commits.
func BenchmarkIngestDevices(b *testing.B) {
	for _, n := range []int{1, 4} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			resetPeakRSS()
			e := benchEnv(b, false)
			devs := make([]*device, n)
			for i := range devs {
				devs[i] = e.enroll(hebei, county1, model.RoleGrid)
			}
			fields := register(b).fields
			const batch = 1000
			b.ResetTimer()
			var work time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batches := make([][]oplog.Op, n)
				for j, d := range devs {
					batches[j] = d.ops(b, batch, county1, fields)
				}
				b.StartTimer()
				t0 := time.Now()
				var wg sync.WaitGroup
				errs := make([]error, n)
				for j, d := range devs {
					wg.Go(func() {
						resp, err := e.srv.Ingest(context.Background(), d.id, batches[j])
						if err == nil && resp.Acked != batches[j][batch-1].Seq {
							err = fmt.Errorf("acked %d; want %d", resp.Acked, batches[j][batch-1].Seq)
						}
						errs[j] = err
					})
				}
				wg.Wait()
				work += time.Since(t0)
				if err := errors.Join(errs...); err != nil {
					b.Fatalf("Ingest: %v", err)
				}
			}
			b.ReportMetric(float64(b.N*n*batch)/work.Seconds(), "ops/s")
			if mb := peakRSSMB(); mb > 0 {
				b.ReportMetric(mb, "MB-VmHWM")
			}
		})
	}
}

// resetPeakRSS resets the process's VmHWM to its current RSS (Linux; a
// no-op where /proc/self/clear_refs is not writable).
func resetPeakRSS() { procmem.ResetPeak(procmem.Self) }

// peakRSSMB is the process's VmHWM in MB (10^6 bytes), 0 when unknown.
func peakRSSMB() float64 { return procmem.KB(procmem.Self, "VmHWM") * 1024 / 1e6 }

// BenchmarkAppend is the storage part of ingest alone: batches of 1000
// verified entries in one transaction.
func BenchmarkAppend(b *testing.B) {
	for _, store := range []string{"memory", "disk"} {
		b.Run("store="+store, func(b *testing.B) {
			st, err := badgerstore.Open(badgerstore.Options{Dir: b.TempDir(), InMemory: store == "memory"})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			d := newDevice()
			o := d.op(b, county1, register(b).fields)
			raw, _ := o.MarshalBinary()
			dev := uuid.New()
			var head server.Head
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				es := make([]server.LogEntry, 1000)
				for j := range es {
					es[j] = server.LogEntry{Seq: head.Acked + uint64(j) + 1, Record: uuid.Must(uuid.NewV7()), Register: o.Register, County: county1, Province: hebei, Eff: 1, Raw: raw}
					es[j].Hash[0] = byte(j)
				}
				if _, err := st.Append(context.Background(), dev, head, es); err != nil {
					b.Fatal(err)
				}
				head = server.Head{Acked: es[999].Seq, Hash: es[999].Hash}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkPull pulls full pages (2 MiB) of 20-field ops over HTTP with
// zstd, reporting ops/s and compressed wire bytes per op.
func BenchmarkPull(b *testing.B) {
	e := benchEnv(b, true)
	d := e.enroll(hebei, county1, model.RoleGrid)
	reader := e.enroll(hebei, county1, model.RoleCounty)
	fields := register(b).fields
	const total = 10000
	for i := 0; i < total/1000; i++ {
		if _, err := e.srv.Ingest(context.Background(), d.id, d.ops(b, 1000, county1, fields)); err != nil {
			b.Fatal(err)
		}
	}
	body := mustJSON(b, protocol.PullRequest{Cursor: 0})
	b.ResetTimer()
	ops, wire := 0, 0
	for i := 0; i < b.N; i++ {
		r := e.do("POST", protocol.PathPull, reader.token, protocol.ContentTypeJSON, body)
		b.StopTimer()
		if r.status != 200 {
			b.Fatalf("pull: %d", r.status)
		}
		p, err := protocol.DecodePull(r.body)
		if err != nil {
			b.Fatal(err)
		}
		ops += len(p.Ops)
		wire += wireLen(r)
		b.StartTimer()
	}
	b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(wire)/float64(ops), "wire-bytes/op")
}

// wireLen is the compressed length of a reply's body.
func wireLen(r reply) int {
	n, enc := len(r.body), r.header.Get("Content-Encoding")
	if enc != "" {
		c, _ := protocol.Compress(enc, r.body)
		n = len(c)
	}
	return n
}

// BenchmarkOneFieldEdit pushes edits of one field of an existing record
// (one parent version) one at a time over HTTP: latency, and the request
// body's bytes on the wire (frame, after compression when it pays).
func BenchmarkOneFieldEdit(b *testing.B) {
	e := benchEnv(b, true)
	d := e.enroll(hebei, county1, model.RoleGrid)
	first := d.op(b, county1, nil)
	e.push(d, []oplog.Op{first})
	var wire int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o := d.op(b, county1, map[string]model.Value{textField(b): model.Str("已整改")})
		o.Parent = map[string][]oplog.OpID{textField(b): {{Device: d.id, Seq: o.Seq - 1}}}
		o.Sign(d.priv)
		d.prev = o.Hash()
		frame, err := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: []oplog.Op{o}})
		if err != nil {
			b.Fatal(err)
		}
		body, enc := protocol.Compress(protocol.EncodingZstd, frame)
		wire = len(body)
		b.StartTimer()
		r := e.pushRaw(d, body, "Content-Encoding", enc)
		if r.status != 200 {
			b.Fatalf("push: %d %s", r.status, r.body)
		}
	}
	b.ReportMetric(float64(wire), "wire-bytes")
}

// BenchmarkEmptySync is a device's sync when nothing is new on either
// side: an empty push and a pull at the current cursor, over HTTP.
func BenchmarkEmptySync(b *testing.B) {
	e := benchEnv(b, false)
	d := e.enroll(hebei, county1, model.RoleGrid)
	e.push(d, d.ops(b, 100, county1, nil))
	cursor := e.pull(d, 0, 0).Cursor
	empty, _ := protocol.EncodePush(protocol.PushRequest{Device: d.id})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.pushRaw(d, empty); r.status != 200 {
			b.Fatalf("push: %d", r.status)
		}
		if p := e.pull(d, cursor, 0); len(p.Ops) != 0 {
			b.Fatalf("pull: %d ops", len(p.Ops))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/sync")
}

// BenchmarkConcurrentPushBodies sends 32 push bodies of 8 MiB (the
// largest a push may have) at once, each on its own connection, and
// reports the process's resident set before (MB-RSS-before) and its peak
// RSS during them (MB-VmHWM; run with -count 1 per process
// to read it for one configuration) and how many were refused busy.
func BenchmarkConcurrentPushBodies(b *testing.B) {
	resetPeakRSS()
	e := benchEnv(b, true)
	d := e.enroll(hebei, county1, model.RoleGrid)
	body := bodyOf(b, d, protocol.MaxBodyBytes)
	const n = 32
	busy := 0
	base := procmem.KB(procmem.Self, "VmRSS") * 1024 / 1e6
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		busy += sendBodies(b, e, d, body, n)
	}
	b.ReportMetric(float64(busy)/float64(b.N), "busy/op")
	b.ReportMetric(base, "MB-RSS-before")
	if mb := peakRSSMB(); mb > 0 {
		b.ReportMetric(mb, "MB-VmHWM")
	}
}

// BenchmarkIngestRunEnds measures what the served-run-end rule costs at
// ingest: a province device pushes batches of 1000 signed ops of 20
// fields, in memory. ends=none: every op is of one county, so the batch
// is one run as every receiver is served it and one signature is
// checked. ends=10: the ops change county every 10 ops, so 99 ops end a
// run as their county's receivers are served it and each has its own
// signature checked too. ends=1: the county changes at every op, the
// worst case (999 extra checks per batch).
func BenchmarkIngestRunEnds(b *testing.B) {
	for _, every := range []int{0, 10, 1} {
		name := "none"
		if every > 0 {
			name = fmt.Sprint(every)
		}
		b.Run("ends="+name, func(b *testing.B) {
			e := benchEnv(b, true)
			d := e.enroll(hebei, "", model.RoleProvince)
			fields := register(b).fields
			const batch = 1000
			var work time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ops := make([]oplog.Op, batch)
				for j := range ops {
					county := county1
					if every > 0 && (j/every)%2 == 1 {
						county = county2
					}
					ops[j] = d.op(b, county, fields)
				}
				b.StartTimer()
				t0 := time.Now()
				resp, err := e.srv.Ingest(context.Background(), d.id, ops)
				work += time.Since(t0)
				if err != nil || resp.Acked != ops[batch-1].Seq {
					b.Fatalf("Ingest: acked %d, %v", resp.Acked, err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/work.Seconds(), "ops/s")
		})
	}
}
