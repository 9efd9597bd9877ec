package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lantian-tz/lantian/sync/client"
)

// report gathers the runs and writes the markdown.
type report struct {
	cfg      *config
	seed     seedStats
	lantian  []metrics
	pouch    []metrics
	limit    []metrics
	profiles map[string]string
}

// stat is a median with its spread.
type stat struct{ med, lo, hi float64 }

func summarize(xs []float64) stat {
	if len(xs) == 0 {
		return stat{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med, s[0], s[len(s)-1]}
}

// col returns key of every run of ms; f, when not nil, combines a run
// with the same run of others (for ratios).
func col(ms []metrics, key string) []float64 {
	out := make([]float64, len(ms))
	for i, m := range ms {
		out[i] = m[key]
	}
	return out
}

func ratio(a, b []float64) []float64 {
	out := make([]float64, 0, len(a))
	for i := range a {
		if i < len(b) && b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}

// unit renders values of a kind.
type unit struct {
	scale  float64
	suffix string
	prec   int
}

var (
	secs  = unit{1, " s", 3}
	msecs = unit{1000, " ms", 2}
	kb    = unit{1.0 / 1000, " kB", 1}
	mb    = unit{1.0 / 1e6, " MB", 2}
	byt   = unit{1, " B", 0}
	rssMB = unit{1.0 / 1024, " MB", 0} // from kB
	times = unit{1, "×", 2}
)

func (u unit) f(x float64) string {
	return fmt.Sprintf("%.*f%s", u.prec, x*u.scale, u.suffix)
}

func (u unit) stat(xs []float64) string {
	if len(xs) == 0 {
		return "—"
	}
	s := summarize(xs)
	if len(xs) == 1 || s.lo == s.hi {
		return u.f(s.med)
	}
	return fmt.Sprintf("%s (%s–%s)", u.f(s.med), fmt.Sprintf("%.*f", u.prec, s.lo*u.scale),
		fmt.Sprintf("%.*f", u.prec, s.hi*u.scale))
}

// row is one figure of the results table.
type row struct {
	name     string
	u        unit
	key      string // in lantian and pouch
	limitKey string // in limit ("" none)
	limitVal float64
	aim      string
	// met judges the aim on the medians (nil: no aim).
	met func(l, p, lim float64) bool
}

func (r *report) write() error {
	c := r.cfg
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	limPayload := float64(c.payload)
	rows := []row{
		{"push: time (device A sync)", secs, "push_s", "badger_s", 0, "≥ 10× faster than PouchDB, ≤ 2× Badger",
			func(l, p, lim float64) bool { return p/l >= 10 && l/lim <= 2 }},
		{"push: bytes device → server", mb, "push_up", "", limPayload, "≤ 25 MB", func(l, _, _ float64) bool { return l <= 25e6 }},
		{"push: bytes server → device", mb, "push_down", "", 0, "", nil},
		{"pull: time (fresh device B sync)", secs, "pull_s", "badger_s", 0, "≥ 10× faster than PouchDB, ≤ 2× Badger",
			func(l, p, lim float64) bool { return p/l >= 10 && l/lim <= 2 }},
		{"pull: bytes device → server", mb, "pull_up", "", 0, "", nil},
		{"pull: bytes server → device", mb, "pull_down", "", limPayload, "≤ 25 MB", func(l, _, _ float64) bool { return l <= 25e6 }},
		{"push: server CPU time", secs, "push_srv_cpu", "", 0, "", nil},
		{"pull: server CPU time", secs, "pull_srv_cpu", "", 0, "", nil},
		{"device A CPU time (whole process)", secs, "cli_cpu_a", "", 0, "", nil},
		{"device B CPU time (whole process)", secs, "cli_cpu_b", "", 0, "", nil},
		{"server peak RSS (VmHWM, any phase)", rssMB, "srv_rss", "", 0, "≤ 300 MB", func(l, _, _ float64) bool { return l/1024 <= 300 }},
		{"server peak RSS during push", rssMB, "push_srv_rss", "", 0, "", nil},
		{"server peak RSS during pull", rssMB, "pull_srv_rss", "", 0, "", nil},
		{"device A peak RSS (whole process)", rssMB, "cli_rss_a", "", 0, "", nil},
		{"device B peak RSS (whole process)", rssMB, "cli_rss_b", "", 0, "", nil},
		{"device A peak anonymous RSS (sampled)", rssMB, "cli_anon_a", "", 0, "", nil},
		{"device B peak anonymous RSS (sampled)", rssMB, "cli_anon_b", "", 0, "", nil},
		{"one-field edit: bytes device → server", byt, "edit_up", "", 0, "≤ 100 B", func(l, _, _ float64) bool { return l <= 100 }},
		{"one-field edit: bytes server → device", byt, "edit_down", "", 0, "", nil},
		{"one-field edit: time (append + sync)", msecs, "edit_s", "", 0, "", nil},
		{"edit received by B: bytes device → server", byt, "recv_up", "", 0, "", nil},
		{"edit received by B: bytes server → device", byt, "recv_down", "", 0, "", nil},
		{"edit received by B: time", msecs, "recv_s", "", 0, "", nil},
		{"sync with nothing new (B): time", msecs, "noop_s", "", 0, "", nil},
		{"sync with nothing new (B): bytes device → server", byt, "noop_up", "", 0, "", nil},
		{"sync with nothing new (B): bytes server → device", byt, "noop_down", "", 0, "", nil},
	}

	w("# Lantian sync benchmarks\n\n")
	w("Written by `make bench N=%d` (`packaging/scripts/bench.sh`, harness `bench/cmd/lantian-bench`) on %s.\n",
		c.n, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	w("Measured tree: %s.\n", c.tree)
	w("Every figure is the median of %d runs with the spread (min–max) in brackets; ratios are medians of the per-run ratios.\n\n", len(r.lantian))
	w("## Machine\n\n")
	w("| | |\n| --- | --- |\n")
	w("| CPU | %s, %d cores (load average at the end: %s) |\n", cpuModel(), runtime.NumCPU(), loadavg())
	w("| memory | %s |\n", memTotal())
	w("| kernel | %s |\n", firstLine("/proc/sys/kernel/osrelease"))
	w("| Go | %s |\n", runtime.Version())
	w("| Node | %s, npm %s |\n", cmdOut(c.node, "--version"), cmdOut("npm", "--version"))
	w("| PouchDB peer | %s |\n\n", pinned(c.pouchDir))

	w("## What runs\n\n")
	w("- **Data**: %d records of county %s from `internal/demo` (16 registers, %.1f fields each on average, %d field values in all), "+
		"created offline on device A as %d signed ops (%d created in their register's initial status because the demo status is not one step from it; %d demo seeds the store refused were skipped). "+
		"The ops' binary encodings (`oplog.Op.MarshalBinary`) total **%s**. "+
		"Photo fields keep their length but point at a pool of %d small photos, so the runs move records, not photos. "+
		"PouchDB gets the same records as documents (same ids and field values, plus register, county and author): %s of JSON.\n",
		r.seed.Records, benchCounty, float64(r.seed.Fields)/float64(max(r.seed.Records, 1)), r.seed.Fields,
		c.opCount, r.seed.Unstated, r.seed.Skipped, mb.f(float64(c.payload)), photoPool, mb.f(float64(fileSize(c.docs))))
	w("- **Lantian**: a real `lantian-server` process (CGO_ENABLED=0, Badger on disk) on 127.0.0.1; device A (a copy of the seeded store, enrolled with role county) runs one `client.Sync` (push, then pull, then photos); a fresh device B enrolls and runs one `Sync`. "+
		"Then A edits one field (`%s`) of one record and syncs, B syncs to receive it, and B syncs with nothing new. Each device is a child process of the harness (`lantian-bench device`). "+
		"Devices push batches of up to %d ops (`client.DefaultBatchSize`) and ask for pull pages of %s (`client.Config.PullBytes`).\n", c.editKey, client.DefaultBatchSize, pageSize(c.pullBytes))
	w("- **PouchDB**: PouchDB 9 (pouchdb-core with the memory, http and replication plugins) in node, replicating to express-pouchdb 4.2 on express 4 on 127.0.0.1. " +
		"**Every PouchDB database is in memory** (pouchdb-adapter-memory, on both devices and the server): it pays no disk writes, unlike Lantian. " +
		"Device A loads the documents with `bulkDocs` before the clock starts, then `PouchDB.replicate(local, remote)` with default options; B does `replicate(remote, local)`; the same edit, receipt and empty sync follow. Each device and the server are node child processes.\n")
	w("- **Limit**: one Badger `WriteBatch` of the ops' encoded bytes (keys: an 8-byte seq) into a fresh directory, flushed and synced (default options); and one plain `net/http` POST and one GET of as many bytes between Go's client and a trivial handler.\n")
	w("- **Measured**: times are of the sync call inside the device process (store open and process start excluded); bytes are counted on the wire (HTTP headers included) by a TCP proxy in the harness that sits between every client and its server, the limit's transfers included; " +
		"server peak RSS is `VmHWM` of the server process, reset before each phase through `/proc/PID/clear_refs`; device peak RSS is the child's `VmHWM` read just before it exits (for PouchDB A that includes its in-memory database of all documents), and its peak anonymous RSS the largest `RssAnon` sampled every 20 ms (memory without the files a process maps: Badger's tables and logs are mapped and count in `VmHWM` as page cache); CPU times are user + system seconds from `/proc/PID/stat` (server, per phase) and from the child's exit status (devices, whole process).\n\n")

	w("## Results\n\n")
	w("| figure | Lantian | PouchDB | Lantian / PouchDB | limit | Lantian / limit | aim (N = 100k) |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	lim := func(rw row) ([]float64, string) {
		if rw.limitKey != "" {
			return col(r.limit, rw.limitKey), "Badger WriteBatch"
		}
		if rw.limitVal > 0 {
			xs := make([]float64, len(r.lantian))
			for i := range xs {
				xs[i] = rw.limitVal
			}
			return xs, "encoded ops"
		}
		return nil, ""
	}
	for _, rw := range rows {
		l, p := col(r.lantian, rw.key), col(r.pouch, rw.key)
		ls, lname := lim(rw)
		limCell, limRatio := "—", "—"
		if ls != nil {
			limCell = rw.u.stat(ls) + " (" + lname + ")"
			limRatio = times.stat(ratio(l, ls))
		}
		aim := "—"
		if rw.met != nil {
			var lm float64
			if ls != nil {
				lm = summarize(ls).med
			}
			verdict := "**missed**"
			if rw.met(summarize(l).med, summarize(p).med, lm) {
				verdict = "met"
			}
			aim = rw.aim + ": " + verdict
		}
		w("| %s | %s | %s | %s | %s | %s | %s |\n", rw.name, rw.u.stat(l), rw.u.stat(p), times.stat(ratio(l, p)), limCell, limRatio, aim)
	}
	w("\nPouchDB / Lantian speed-up: push %s, pull %s (aim ≥ 10×).\n",
		times.stat(ratio(col(r.pouch, "push_s"), col(r.lantian, "push_s"))),
		times.stat(ratio(col(r.pouch, "pull_s"), col(r.lantian, "pull_s"))))
	w("Lantian's device A sync splits into push %s, pull of its own ops back %s and photos %s; device B's into push %s, pull %s, photos %s (progress reports).\n",
		secs.stat(col(r.lantian, "push_phase_push_s")), secs.stat(col(r.lantian, "push_phase_pull_s")), secs.stat(col(r.lantian, "push_phase_blobs_s")),
		secs.stat(col(r.lantian, "pull_phase_push_s")), secs.stat(col(r.lantian, "pull_phase_pull_s")), secs.stat(col(r.lantian, "pull_phase_blobs_s")))
	w("Lantian's edit op alone is %s in binary form (before framing, compression and HTTP headers).\n",
		byt.stat(col(r.lantian, "edit_op_bytes")))
	w("Lantian server's Badger directory after a run: %s.\n\n", mb.stat(col(r.lantian, "srv_disk")))

	w("### The limit\n\n| figure | median (min–max) |\n| --- | --- |\n")
	w("| Badger WriteBatch of %s (%d ops) | %s |\n", mb.f(float64(c.payload)), c.opCount, secs.stat(col(r.limit, "badger_s")))
	w("| HTTP POST of as many bytes | %s, %s on the wire |\n", secs.stat(col(r.limit, "http_up_s")), mb.stat(col(r.limit, "http_up_bytes")))
	w("| HTTP GET of as many bytes | %s, %s on the wire |\n", secs.stat(col(r.limit, "http_down_s")), mb.stat(col(r.limit, "http_down_bytes")))
	w("\nLantian / HTTP limit: push %s, pull %s.\n\n",
		times.stat(ratio(col(r.lantian, "push_s"), col(r.limit, "http_up_s"))),
		times.stat(ratio(col(r.lantian, "pull_s"), col(r.limit, "http_down_s"))))

	w("## Findings\n\n%s\n\n", r.findings())

	if len(r.profiles) > 0 {
		w("## CPU profiles\n\n")
		w("From a profiling pass after the measured runs, same flow, with the server run as `lantian-bench serve` (lantian-server's store, blobs and handler, plus `runtime/pprof`) and both devices profiled; `go tool pprof -top`, sorted by flat time.\n\n")
		keys := make([]string, 0, len(r.profiles))
		for k := range r.profiles {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			_, title, _ := strings.Cut(k, " ")
			w("### %s\n\n```\n%s```\n\n", title, trimProfile(r.profiles[k]))
		}
	}

	w("## Every run\n\n")
	for i := range r.lantian {
		lj, _ := json.Marshal(r.lantian[i])
		pj, _ := json.Marshal(r.pouch[i])
		mj, _ := json.Marshal(r.limit[i])
		w("Run %d (seconds, bytes, kB):\n\n- Lantian `%s`\n- PouchDB `%s`\n- limit `%s`\n\n", i+1, lj, pj, mj)
	}
	return os.WriteFile(c.out, b.Bytes(), 0o644)
}

// Markers of the hand-written findings kept from the previous report.
const (
	findingsStart = "<!-- findings: kept by lantian-bench across runs -->"
	findingsEnd   = "<!-- /findings -->"
)

// findings returns the hand-written findings of the existing report (so a
// new run keeps them), or a placeholder.
func (r *report) findings() string {
	old, err := os.ReadFile(r.cfg.out)
	if err == nil {
		s := string(old)
		i, j := strings.Index(s, findingsStart), strings.Index(s, findingsEnd)
		if i >= 0 && j > i {
			return s[i : j+len(findingsEnd)]
		}
	}
	return findingsStart + "\n(No findings written yet: read the profiles below.)\n" + findingsEnd
}

// trimProfile drops pprof's header lines about the file and build.
func trimProfile(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "File:") || strings.HasPrefix(l, "Build ID:") || strings.HasPrefix(l, "Type:") ||
			strings.HasPrefix(l, "Time:") || strings.HasPrefix(l, "Dropped ") || strings.HasPrefix(l, "Active filters") || strings.HasPrefix(l, "   show=") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// treeState names the commit the harness ran on, and whether the work
// tree had uncommitted changes (bench.sh builds from the work tree).
func treeState() string {
	head := cmdOut("git", "rev-parse", "--short", "HEAD")
	if head == "unknown" {
		return "not a git checkout"
	}
	st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(bytes.TrimSpace(st)) > 0 {
		return fmt.Sprintf("commit %s plus uncommitted changes to %d files", head, len(strings.Split(strings.TrimSpace(string(st)), "\n")))
	}
	return "commit " + head
}

func pageSize(n int) string {
	if n == 0 {
		n = client.DefaultPullBytes
	}
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	if m := regexp.MustCompile(`model name\s*:\s*(.+)`).FindSubmatch(b); m != nil {
		return strings.TrimSpace(string(m[1]))
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	if m := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindSubmatch(b); m != nil {
		var kb float64
		fmt.Sscan(string(m[1]), &kb)
		return fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	return "unknown"
}

func loadavg() string {
	f := strings.Fields(firstLine("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func firstLine(path string) string {
	b, _ := os.ReadFile(path)
	s, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(s)
}

func cmdOut(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// pinned lists the PouchDB peer's direct dependencies as installed.
func pinned(dir string) string {
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil || json.Unmarshal(b, &lock) != nil {
		return "unknown"
	}
	var out []string
	for _, p := range []string{"pouchdb-core", "pouchdb-adapter-memory", "pouchdb-adapter-http", "pouchdb-replication", "express-pouchdb", "express"} {
		out = append(out, p+" "+lock.Packages["node_modules/"+p].Version)
	}
	return strings.Join(out, ", ")
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
