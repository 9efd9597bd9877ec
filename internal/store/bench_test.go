package store

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// benchCounties are the counties of generated records.
var benchCounties = []string{"130102", "130104", "130105", "130107"}

// remoteDevice is a device that makes ops outside any store (benchmarks).
type remoteDevice struct {
	id   uuid.UUID
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

// genOps makes n signed, chained ops of a new device, each creating a
// record of about 20 fields spread over benchCounties and the register's
// statuses.
func genOps(tb testing.TB, fx *fixture, n int) (remoteDevice, []oplog.Op) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	dev := remoteDevice{id: uuid.Must(uuid.NewV7()), pub: pub, priv: priv}
	ops := make([]oplog.Op, n)
	var prev oplog.Hash
	start := time.Date(2024, 10, 1, 8, 0, 0, 0, time.UTC).UnixMilli()
	for i := range ops {
		set := fx.fields(i)
		set[fx.textKeys[0]] = model.Str("石家庄市长安区某村某组 " + strconv.Itoa(i))
		set[fx.textKeys[1]] = model.Str("备注 " + strconv.Itoa(i))
		set[model.FieldStatus] = model.Str(fx.sc.Statuses[i%len(fx.sc.Statuses)].Key)
		op := oplog.Op{
			Device: dev.id, Seq: uint64(i + 1), HLC: hlc.Make(start+int64(i)*1000, 0),
			Record: uuid.Must(uuid.NewV7()), Register: fx.sc.Name, County: benchCounties[i%len(benchCounties)],
			Author: "网格员", Set: set, Parent: map[string][]oplog.OpID{}, Prev: prev,
		}
		op.Sign(priv)
		prev = op.Hash()
		ops[i] = op
	}
	return dev, ops
}

// applyAll applies ops to s in batches of 1000.
func applyAll(tb testing.TB, s *Store, ops []oplog.Op) {
	tb.Helper()
	for i := 0; i < len(ops); i += 1000 {
		if _, err := s.Apply(context.Background(), ops[i:min(i+1000, len(ops))]); err != nil {
			tb.Fatal(err)
		}
	}
}

var bench struct {
	once sync.Once
	fx   *fixture
	dev  remoteDevice
	ops  []oplog.Op // 200k
	dir  string     // a store holding ops
	err  error
}

// benchFixture generates 200k ops and a store holding them, once per run.
func benchFixture(b *testing.B) {
	bench.once.Do(func() {
		bench.fx = newFixture(b)
		bench.dev, bench.ops = genOps(b, bench.fx, 200_000)
		bench.dir, bench.err = os.MkdirTemp("", "lantian-store-bench-*")
		if bench.err != nil {
			return
		}
		s, err := openDir(b, bench.dir, "")
		if err != nil {
			bench.err = err
			return
		}
		if err := s.RegisterDevice(bench.dev.id, bench.dev.pub, "bench"); err != nil {
			bench.err = err
			return
		}
		applyAll(b, s, bench.ops)
		bench.err = s.Close()
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

// cleanupBench removes the benchmark fixture.
func cleanupBench() {
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMB returns VmHWM in MB (0 where unknown).
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

func BenchmarkAppend(b *testing.B) {
	fx := newFixture(b)
	s, err := openDir(b, b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	var last uuid.UUID
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ch := fx.create(i)
		if i%2 == 1 {
			ch = Change{Record: last, Role: model.RoleGrid, Set: map[string]model.Value{fx.textKeys[0]: model.Str(strconv.Itoa(i))}}
		}
		t0 := time.Now()
		st, err := s.Append(ctx, ch)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		last = st.Record
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "µs-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "µs-p99")
	b.ReportMetric(peakRSSMB(), "MB-rss")
}

func BenchmarkApply100k(b *testing.B) {
	benchFixture(b)
	ops := bench.ops[:100_000]
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := openDir(b, filepath.Join(b.TempDir(), fmt.Sprint(i)), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.RegisterDevice(bench.dev.id, bench.dev.pub, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		applyAll(b, s, ops)
		b.StopTimer()
		s.Close()
	}
	b.ReportMetric(peakRSSMB(), "MB-rss")
}

// listQuery is a county + status filter over the fixture.
func listQuery() Query {
	return Query{Register: bench.fx.sc.Name, County: benchCounties[1], Status: bench.fx.sc.Statuses[1].Key, Limit: 50}
}

func BenchmarkOpen200k(b *testing.B) {
	benchFixture(b)
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := openDir(b, bench.dir, "")
		if err != nil {
			b.Fatal(err)
		}
		p, err := s.List(listQuery())
		if err != nil || len(p.Records) != 50 {
			b.Fatalf("List = %d records, %v; want 50", len(p.Records), err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakRSSMB(), "MB-rss")
}

func BenchmarkListPage(b *testing.B) {
	benchFixture(b)
	s, err := openDir(b, bench.dir, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := listQuery()
		// Alternate the first page and a page deep in the list.
		if i%2 == 1 {
			q.Status = bench.fx.sc.Statuses[3].Key
		}
		p, err := s.List(q)
		if err != nil || len(p.Records) != 50 {
			b.Fatalf("List = %d records, %v; want 50", len(p.Records), err)
		}
	}
	b.ReportMetric(peakRSSMB(), "MB-rss")
}
