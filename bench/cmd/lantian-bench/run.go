package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lantian-tz/lantian/internal/procmem"
)

// config is what runBench was asked to do.
type config struct {
	n, runs          int
	serverBin        string
	pouchDir         string
	out, work, node  string
	self             string
	profile          bool
	pullBytes        int
	profileOut       string
	tree             string // treeState when the run began
	seedDir, docs    string
	payload, opCount int
	editKey, editVal string
}

// metrics of one run of one system, by name (seconds, bytes, kB).
type metrics map[string]float64

func runBench(args []string) error {
	fl := flag.NewFlagSet("lantian-bench", flag.ContinueOnError)
	c := &config{}
	fl.IntVar(&c.n, "n", 100000, "records")
	fl.IntVar(&c.runs, "runs", 3, "runs of each system")
	fl.StringVar(&c.serverBin, "server", "bin/lantian-server", "lantian-server binary")
	fl.StringVar(&c.pouchDir, "pouchdb", "bench/pouchdb", "directory of the PouchDB peer (npm ci done)")
	fl.StringVar(&c.out, "out", "BENCHMARKS.md", "report file")
	fl.StringVar(&c.work, "work", "", "scratch directory (a new temporary one when empty; removed at the end)")
	fl.StringVar(&c.node, "node", "node", "node binary")
	fl.BoolVar(&c.profile, "profile", true, "after the runs, a profiling pass of Lantian (server and devices CPU-profiled)")
	fl.StringVar(&c.profileOut, "profile-out", "", "also keep the profiling pass's pprof files in this directory")
	fl.IntVar(&c.pullBytes, "pull-bytes", 0, "pull page size Lantian's devices ask for (0: the client's default, client.DefaultPullBytes)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	c.tree = treeState() // bench.sh built the binaries just before
	var err error
	if c.self, err = os.Executable(); err != nil {
		return err
	}
	for _, p := range []*string{&c.serverBin, &c.pouchDir, &c.out} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	if _, err := exec.LookPath(c.node); err != nil {
		return fmt.Errorf("node is required for the PouchDB peer: %w", err)
	}
	if _, err := os.Stat(filepath.Join(c.pouchDir, "node_modules", "express-pouchdb")); err != nil {
		return fmt.Errorf("run npm ci in %s first: %w", c.pouchDir, err)
	}
	if c.work == "" {
		if c.work, err = os.MkdirTemp("", "lantian-bench-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(c.work, 0o700); err != nil {
		return err
	}
	defer os.RemoveAll(c.work)
	// The seed store lives on tmpfs when there is one (its fsyncs are
	// free) and is copied to disk for every run.
	seedRoot := c.work
	if d, err := os.MkdirTemp("/dev/shm", "lantian-bench-seed-"); err == nil {
		seedRoot = d
		defer os.RemoveAll(d)
	}
	c.seedDir = filepath.Join(seedRoot, "device-a")
	c.docs = filepath.Join(c.work, "docs.json")

	logf("seeding %d records", c.n)
	t0 := time.Now()
	out, err := exec.Command(c.self, "seed", "--dir", c.seedDir, "--docs", c.docs, "--n", strconv.Itoa(c.n)).Output()
	if err != nil {
		return fmt.Errorf("seed: %w", exitErr(err))
	}
	var stats seedStats
	if err := json.Unmarshal(out, &stats); err != nil {
		return err
	}
	logf("seeded in %s: %+v", time.Since(t0).Round(time.Millisecond), stats)
	ops, err := opBytes(c.seedDir)
	if err != nil {
		return err
	}
	c.opCount = len(ops)
	for _, b := range ops {
		c.payload += len(b)
	}
	if c.editKey, c.editVal, err = firstEdit(c.seedDir); err != nil {
		return err
	}

	rep := &report{cfg: c, seed: stats, profiles: map[string]string{}}
	for run := 1; run <= c.runs; run++ {
		logf("run %d/%d: Lantian", run, c.runs)
		m, err := c.lantian(run, nil)
		if err != nil {
			return fmt.Errorf("run %d, Lantian: %w", run, err)
		}
		rep.lantian = append(rep.lantian, m)
		logf("run %d/%d: PouchDB", run, c.runs)
		if m, err = c.pouch(run); err != nil {
			return fmt.Errorf("run %d, PouchDB: %w", run, err)
		}
		rep.pouch = append(rep.pouch, m)
		logf("run %d/%d: limit", run, c.runs)
		if m, err = c.limit(run, ops); err != nil {
			return fmt.Errorf("run %d, limit: %w", run, err)
		}
		rep.limit = append(rep.limit, m)
	}
	if c.profile {
		logf("profiling pass: Lantian with CPU profiles of the server and both devices")
		if _, err := c.lantian(0, rep); err != nil {
			return fmt.Errorf("profiling pass: %w", err)
		}
	}
	return rep.write()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lantian-bench %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// exitErr adds a failed command's stderr to its error.
func exitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}

// proc is a child process speaking the step protocol: a line on its
// stdin starts a step, a JSON line on its stdout reports it.
type proc struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	// anon is the largest RssAnon (kB) seen by sampling the child every
	// anonEvery: its memory without the files it maps (Badger's tables
	// and logs, which are page cache and count in VmHWM).
	anon atomic.Int64
	stop chan struct{}
}

// anonEvery is how often a child's anonymous RSS is sampled.
const anonEvery = 20 * time.Millisecond

func start(name string, cmd *exec.Cmd) (*proc, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	p := &proc{name: name, cmd: cmd, in: in, out: sc, stop: make(chan struct{})}
	go p.sampleAnon()
	return p, nil
}

// sampleAnon keeps p.anon up to date until p.stop closes.
func (p *proc) sampleAnon() {
	t := time.NewTicker(anonEvery)
	defer t.Stop()
	for {
		if kb := statusKB(p.cmd.Process.Pid, "RssAnon"); int64(kb) > p.anon.Load() {
			p.anon.Store(int64(kb))
		}
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// read returns the next JSON line of the child.
func (p *proc) read(v any) error {
	if !p.out.Scan() {
		err := p.out.Err()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return json.Unmarshal(p.out.Bytes(), v)
}

// step runs one step and returns its report.
func (p *proc) step(want string) (stepResult, error) {
	var r stepResult
	if _, err := io.WriteString(p.in, "go\n"); err != nil {
		return r, fmt.Errorf("%s: %w", p.name, err)
	}
	if err := p.read(&r); err != nil {
		return r, err
	}
	if r.Step != want {
		return r, fmt.Errorf("%s: step %q; want %q", p.name, r.Step, want)
	}
	return r, nil
}

// finish lets the child exit and returns its peak RSS in kB (VmHWM, read
// while it still runs: ru_maxrss would count the harness's own RSS, which
// a child forked from it inherits into its rusage), the largest anonymous
// RSS sampled (kB) and the CPU seconds it used.
func (p *proc) finish() (rss, anon, cpu float64, err error) {
	rss = hwm(p.cmd.Process.Pid)
	close(p.stop)
	anon = float64(p.anon.Load())
	io.WriteString(p.in, "bye\n")
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		return 0, 0, 0, fmt.Errorf("%s: %w", p.name, err)
	}
	cpu = (p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()).Seconds()
	return rss, anon, cpu, nil
}

func (p *proc) kill() {
	if p != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

// hwm reads a process's peak RSS (VmHWM, kB).
func hwm(pid int) float64 { return statusKB(pid, "VmHWM") }

// statusKB reads a kB line of a process's /proc status (0 when unknown).
func statusKB(pid int, name string) float64 { return procmem.KB(pid, name) }

// resetHWM sets a process's peak RSS back to its current RSS, so the next
// hwm is the peak of what follows (false where the kernel does not allow).
func resetHWM(pid int) bool { return procmem.ResetPeak(pid) }

// copyDir copies a closed Badger store directory.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
