package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/lantian-tz/lantian/internal/demo"
	"github.com/lantian-tz/lantian/internal/procmem"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// benchRecords is the size of BenchmarkApp200k's store.
const benchRecords = 200000

// benchChildEnv names the store folder of the measuring child process.
const benchChildEnv = "LANTIAN_BENCH_STORE"

// benchFigures is what the child process measures.
type benchFigures struct {
	StartMS, ListMS, FilterMS, StatusMS float64
	Rows, Filtered                      int
	VmHWMMB                             float64
	// HWM after each step, for finding what costs memory.
	OpenMB, StartMB, ListMB float64
	// The resident set at the end: anonymous memory, and file pages
	// (Badger's memory-mapped tables, the binary).
	RssAnonMB, RssFileMB float64
}

// BenchmarkApp200k measures, over an on-disk store of 200,000 demo records
// (about 400,000 ops), the cold start to a usable home screen (open the
// store, sign in, home sections loaded), opening a register list (first
// page and count), applying a village filter and a status filter, and the
// peak RSS. The store is built once (LANTIAN_BENCH_DIR keeps it between
// runs); the measuring runs in a fresh process so that building the store
// does not count towards its RSS. The UI runs on Fyne's test driver: the
// figures are the app's own work, not GPU drawing.
func BenchmarkApp200k(b *testing.B) {
	dir := os.Getenv("LANTIAN_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "store")
	}
	if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
		buildBenchStore(b, dir, benchRecords)
	}
	var f benchFigures
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), benchChildEnv+"="+dir, "XDG_CACHE_HOME="+b.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("child: %v\n%s", err, out)
		}
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		found := false
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "BENCH "); ok {
				if err := json.Unmarshal([]byte(line), &f); err != nil {
					b.Fatal(err)
				}
				found = true
			}
		}
		if !found {
			b.Fatalf("child printed no figures:\n%s", out)
		}
	}
	b.ReportMetric(f.StartMS, "ms-start")
	b.ReportMetric(f.ListMS, "ms-list")
	b.ReportMetric(f.FilterMS, "ms-filter")
	b.ReportMetric(f.StatusMS, "ms-status-filter")
	b.ReportMetric(f.VmHWMMB, "MB-VmHWM")
	b.ReportMetric(float64(f.Rows), "rows")
}

// buildBenchStore writes n demo records into an on-disk store at dir, as
// ops made on a scratch in-memory store and applied in batches.
func buildBenchStore(b *testing.B, dir string, n int) {
	b.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := store.Open(store.Options{InMemory: true, Logger: quiet, GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	scratch := &App{st: src}
	seeds := demo.Records(rand.New(rand.NewPCG(3, 4)), DemoCounty, n)
	made := 0
	for _, sd := range seeds {
		if _, err := scratch.seedOne(sd, "演示网格员", "演示审核员"); err == nil {
			made++
		}
	}
	dst, err := store.Open(store.Options{Dir: dir, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	if err := dst.RegisterDevice(src.Device(), src.PublicKey(), "bench"); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for after := uint64(0); ; {
		ops, err := src.Ops(src.Device(), after, 2000)
		if err != nil {
			b.Fatal(err)
		}
		if len(ops) == 0 {
			break
		}
		if _, err := dst.Apply(ctx, ops); err != nil {
			b.Fatal(err)
		}
		after = ops[len(ops)-1].Seq
	}
	book := newUserBook(dst)
	if err := book.save(User{Name: "演示网格员", Role: model.RoleGrid, Township: "演示镇1", Village: "演示村1"}, demoPIN); err != nil {
		b.Fatal(err)
	}
	if err := dst.SetMeta(metaCounty, []byte(DemoCounty)); err != nil {
		b.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ready"), []byte(strconv.Itoa(made)), 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("built a store of %d records (%d seeds refused)", made, n-made)
}

// TestBenchChild is BenchmarkApp200k's measuring process; it does nothing
// unless started by the benchmark.
func TestBenchChild(t *testing.T) {
	dir := os.Getenv(benchChildEnv)
	if dir == "" {
		t.Skip("run by BenchmarkApp200k")
	}
	setMemoryLimit() // as Main does
	fa := test.NewTempApp(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var f benchFigures
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

	start := time.Now()
	a := New(fa, Options{DataDir: dir, inline: true, Logger: quiet})
	a.Start()
	if a.st == nil {
		t.Fatal("store did not open")
	}
	f.OpenMB = vmHWM()
	u, ok := a.users.find("演示网格员")
	if !ok {
		t.Fatal("no bench user")
	}
	a.signIn(u) // builds home and loads its sections
	f.StartMS = ms(time.Since(start))
	f.StartMB = vmHWM()
	defer a.Close()

	sc, _ := model.Lookup("straw_patrol")
	start = time.Now()
	list := newListScreen(a, sc)
	a.shell.push(list)
	f.ListMS = ms(time.Since(start))
	f.Rows = list.total
	f.ListMB = vmHWM()

	start = time.Now()
	list.village.SetText("演示村7")
	f.FilterMS = ms(time.Since(start))
	f.Filtered = list.total

	start = time.Now()
	list.status.SetSelectedIndex(2)
	f.StatusMS = ms(time.Since(start))

	f.VmHWMMB = vmHWM()
	f.RssAnonMB, f.RssFileMB = procMB("RssAnon:"), procMB("RssFile:")
	out, _ := json.Marshal(f)
	fmt.Println("BENCH " + string(out))
}

// vmHWM is the process's peak resident set in MB (Linux), 0 elsewhere.
func vmHWM() float64 { return procMB("VmHWM:") }

// procMB reads a kB figure of /proc/self/status in MB.
func procMB(key string) float64 { return procmem.MiB(strings.TrimSuffix(key, ":")) }
