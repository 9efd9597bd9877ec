package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
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
	"github.com/lantian-tz/lantian/internal/procmem"
	"github.com/lantian-tz/lantian/model"
)

// benchCounties are the counties of generated records.
var benchCounties = []string{"130102", "130104", "130105", "130107"}

// opGen makes the signed, chained ops of a device outside any store,
// batch by batch (so that benchmarks hold only a batch in memory). Each op
// creates a record of about 20 fields, spread over benchCounties and the
// register's statuses.
type opGen struct {
	fx    *fixture
	dev   uuid.UUID
	pub   ed25519.PublicKey
	priv  ed25519.PrivateKey
	seq   uint64
	prev  oplog.Hash
	start int64
}

func newOpGen(tb testing.TB, fx *fixture) *opGen {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return &opGen{fx: fx, dev: uuid.Must(uuid.NewV7()), pub: pub, priv: priv,
		start: time.Date(2024, 10, 1, 8, 0, 0, 0, time.UTC).UnixMilli()}
}

// next returns the device's next n ops.
func (g *opGen) next(n int) []oplog.Op {
	fx := g.fx
	ops := make([]oplog.Op, n)
	for k := range ops {
		g.seq++
		i := int(g.seq)
		set := fx.fields(i)
		set[fx.textKeys[0]] = model.Str("石家庄市长安区某村某组 " + strconv.Itoa(i))
		set[fx.textKeys[1]] = model.Str("备注 " + strconv.Itoa(i))
		set[model.FieldStatus] = model.Str(fx.sc.Statuses[i%len(fx.sc.Statuses)].Key)
		op := oplog.Op{
			Device: g.dev, Seq: g.seq, HLC: hlc.Make(g.start+int64(i)*1000, 0),
			Record: uuid.Must(uuid.NewV7()), Register: fx.sc.Name, County: benchCounties[(i/len(fx.sc.Statuses))%len(benchCounties)],
			Author: "网格员", Set: set, Prev: g.prev,
		}
		op.Sign(g.priv)
		g.prev = op.Hash()
		ops[k] = op
	}
	return ops
}

// applyGen applies n ops of g to s in batches of 1000 and returns each
// batch's latency; with b set, the making of the ops is not timed.
func applyGen(tb testing.TB, b *testing.B, s *Store, g *opGen, n int) []time.Duration {
	tb.Helper()
	var lat []time.Duration
	for done := 0; done < n; done += 1000 {
		if b != nil {
			b.StopTimer()
		}
		ops := g.next(min(1000, n-done))
		if b != nil {
			b.StartTimer()
		}
		t0 := time.Now()
		if _, err := s.Apply(context.Background(), ops); err != nil {
			tb.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	return lat
}

// reportPercentiles reports the p50 and p99 of lat in unit.
func reportPercentiles(b *testing.B, lat []time.Duration, unit time.Duration, name string) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2])/float64(unit), name+"-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100])/float64(unit), name+"-p99")
}

var bench struct {
	once sync.Once
	fx   *fixture
	dir  string // a store holding 200k records
	err  error
}

// benchFixtureEnv names the directory TestBenchFixtureChild fills.
const benchFixtureEnv = "LANTIAN_STORE_BENCH_FIXTURE"

// TestBenchFixtureChild fills the store in $LANTIAN_STORE_BENCH_FIXTURE
// with 200k records; benchmarks run it in a child process so that their
// peak RSS is the store's, not the fixture builder's.
func TestBenchFixtureChild(t *testing.T) {
	dir := os.Getenv(benchFixtureEnv)
	if dir == "" {
		t.Skip("run by the benchmarks")
	}
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	g := newOpGen(t, newFixture(t))
	if err := s.RegisterDevice(g.dev, g.pub, "bench"); err != nil {
		t.Fatal(err)
	}
	applyGen(t, nil, s, g, 200_000)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// benchFixture makes a store of 200k records, once per run.
func benchFixture(b *testing.B) {
	bench.once.Do(func() {
		bench.fx = newFixture(b)
		bench.dir, bench.err = os.MkdirTemp("", "lantian-store-bench-*")
		if bench.err != nil {
			return
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchFixtureChild$")
		cmd.Env = append(os.Environ(), benchFixtureEnv+"="+bench.dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			bench.err = fmt.Errorf("building the fixture: %v\n%s", err, out)
		}
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
func resetPeakRSS() { procmem.ResetPeak(procmem.Self) }

// peakRSSMB returns VmHWM in MB (0 where unknown).
func peakRSSMB() float64 { return procStatusMB("VmHWM:") }

// anonRSSMB returns RssAnon in MB: the resident memory not backed by
// files (Badger maps its tables and logs; those pages are page cache).
func anonRSSMB() float64 { return procStatusMB("RssAnon:") }

// procStatusMB returns a kB line of /proc/self/status in MB.
func procStatusMB(name string) float64 { return procmem.MiB(strings.TrimSuffix(name, ":")) }

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
	reportPercentiles(b, lat, time.Microsecond, "µs")
	b.ReportMetric(peakRSSMB(), "MB-rss")
	b.ReportMetric(anonRSSMB(), "MB-anon")
}

func BenchmarkApply100k(b *testing.B) {
	fx := newFixture(b)
	var lat []time.Duration
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := openDir(b, filepath.Join(b.TempDir(), fmt.Sprint(i)), "")
		if err != nil {
			b.Fatal(err)
		}
		g := newOpGen(b, fx)
		if err := s.RegisterDevice(g.dev, g.pub, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		lat = append(lat, applyGen(b, b, s, g, 100_000)...)
		b.StopTimer()
		s.Close()
	}
	reportPercentiles(b, lat, time.Millisecond, "ms/batch")
	b.ReportMetric(peakRSSMB(), "MB-rss")
	b.ReportMetric(anonRSSMB(), "MB-anon")
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
	b.ReportMetric(anonRSSMB(), "MB-anon")
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
	b.ReportMetric(anonRSSMB(), "MB-anon")
}

func BenchmarkListSearch(b *testing.B) {
	benchFixture(b)
	s, err := openDir(b, bench.dir, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A title substring in one county: a scan of its 50k index entries.
		q := Query{Register: bench.fx.sc.Name, County: benchCounties[2], Search: "记录 1234", Limit: 50}
		p, err := s.List(q)
		if err != nil || len(p.Records) == 0 {
			b.Fatalf("List = %d records, %v; want some", len(p.Records), err)
		}
	}
	b.ReportMetric(peakRSSMB(), "MB-rss")
	b.ReportMetric(anonRSSMB(), "MB-anon")
}
