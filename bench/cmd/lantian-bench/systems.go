package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lantian-tz/lantian/internal/faultproxy"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// firstEdit returns the one-field edit of the first record both systems
// make: the field and its new value as JSON.
func firstEdit(dir string) (string, string, error) {
	st, err := store.Open(store.Options{Dir: dir, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	ops, err := st.Ops(st.Device(), 0, 1)
	if err != nil || len(ops) == 0 {
		return "", "", fmt.Errorf("no first op: %v", err)
	}
	sc, _ := model.Lookup(ops[0].Register)
	k, v, ok := editField(sc, ops[0].Set)
	if !ok {
		return "", "", errors.New("no field to edit in " + ops[0].Register)
	}
	return k, string(v), nil
}

// srvProc is a server child process; lines carries its stdout after the
// line announcing its address.
type srvProc struct {
	cmd   *exec.Cmd
	log   *os.File
	lines chan string
}

func (s *srvProc) pid() int { return s.cmd.Process.Pid }

// profile asks a "lantian-bench serve" child to start its next CPU
// profile (ending the current one) and waits until it has.
func (s *srvProc) profile() error {
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return err
	}
	select {
	case l := <-s.lines:
		if !strings.HasPrefix(l, "profile ") {
			return fmt.Errorf("profiling server said %q", l)
		}
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("profiling server did not answer SIGUSR1")
	}
}

func (s *srvProc) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		err = <-done
	}
	s.log.Close()
	return err
}

// startServer starts cmd and returns it with the first line of its
// stdout matched by re (the listening address); the rest is discarded.
func startServer(cmd *exec.Cmd, logPath string, re *regexp.Regexp) (*srvProc, string, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = lf
	out, err := cmd.StdoutPipe()
	if err != nil {
		lf.Close()
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, "", err
	}
	s := &srvProc{cmd: cmd, log: lf, lines: make(chan string, 16)}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() {
				for sc.Scan() {
					select {
					case s.lines <- sc.Text():
					default:
					}
				}
			}()
			return s, m[1], nil
		}
	}
	s.stop()
	b, _ := os.ReadFile(logPath)
	return nil, "", fmt.Errorf("%s did not start: %s", cmd.Path, b)
}

var (
	codeRE    = regexp.MustCompile(`enrollment code: (\S+)`)
	lantianRE = regexp.MustCompile(`serving protocol \S+ on http://(\S+)`)
	pouchRE   = regexp.MustCompile(`"port":(\d+)`)
)

// phases runs the steps of one system's run on its device children a
// and b, measuring the wire through p and the server's peak RSS.
func (c *config) phases(a, b *proc, p *faultproxy.Proxy, srvPID int, before func(step string) error) (metrics, error) {
	m := metrics{}
	p.TakeBytes()
	type stepSpec struct {
		dev        *proc
		step, name string
		docs       int // ops or documents the step must move; -1 any
	}
	for _, s := range []stepSpec{
		{a, "push", "push", c.opCount},
		{b, "pull", "pull", c.opCount},
		{a, "edit", "edit", 1},
		{b, "edit", "recv", 1},
		{a, "noop", "noop_a", 0},
		{b, "noop", "noop", 0},
	} {
		if before != nil {
			if err := before(s.name); err != nil {
				return nil, err
			}
		}
		resetHWM(srvPID)
		cpu0 := cpuSeconds(srvPID)
		r, err := s.dev.step(s.step)
		if err != nil {
			return nil, err
		}
		up, down := p.TakeBytes()
		m[s.name+"_srv_cpu"] = cpuSeconds(srvPID) - cpu0
		if s.docs >= 0 && r.Docs != s.docs {
			return nil, fmt.Errorf("%s %s moved %d ops or documents; want %d", s.dev.name, s.step, r.Docs, s.docs)
		}
		m[s.name+"_s"] = r.MS / 1000
		if r.PushMS+r.PullMS+r.BlobsMS > 0 && (s.name == "push" || s.name == "pull") {
			m[s.name+"_phase_push_s"] = r.PushMS / 1000
			m[s.name+"_phase_pull_s"] = r.PullMS / 1000
			m[s.name+"_phase_blobs_s"] = r.BlobsMS / 1000
		}
		m[s.name+"_up"] = float64(up)
		m[s.name+"_down"] = float64(down)
		m[s.name+"_srv_rss"] = hwm(srvPID)
		m["srv_rss"] = max(m["srv_rss"], m[s.name+"_srv_rss"])
		if s.name == "edit" && r.OpBytes > 0 {
			m["edit_op_bytes"] = float64(r.OpBytes)
		}
	}
	var err error
	if before != nil {
		if err := before("end"); err != nil {
			return nil, err
		}
	}
	if m["cli_rss_a"], m["cli_anon_a"], m["cli_cpu_a"], err = a.finish(); err != nil {
		return nil, err
	}
	if m["cli_rss_b"], m["cli_anon_b"], m["cli_cpu_b"], err = b.finish(); err != nil {
		return nil, err
	}
	return m, nil
}

// lantian runs device A → lantian-server → device B once. With rep (the
// profiling pass) the server is "lantian-bench serve" instead of the
// lantian-server binary, and the server and both devices are
// CPU-profiled during push and pull; their top functions go to rep.
func (c *config) lantian(run int, rep *report) (metrics, error) {
	dir := filepath.Join(c.work, "lantian-"+strconv.Itoa(run))
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "server")
	var codes []string
	for range 2 {
		out, err := exec.Command(c.serverBin, "code", "--data", data, "--county", benchCounty, "--role", "county").Output()
		if err != nil {
			return nil, fmt.Errorf("enrollment code: %w", exitErr(err))
		}
		m := codeRE.FindSubmatch(out)
		if m == nil {
			return nil, fmt.Errorf("no enrollment code in %q", out)
		}
		codes = append(codes, string(m[1]))
	}
	if err := copyDir(c.seedDir, filepath.Join(dir, "a")); err != nil {
		return nil, err
	}
	srvCmd := exec.Command(c.serverBin, "--data", data, "--listen", "127.0.0.1:0")
	srvProf := filepath.Join(c.work, "server")
	if rep != nil {
		srvCmd = exec.Command(c.self, "serve", "--data", data, "--listen", "127.0.0.1:0", "--cpuprofile", srvProf)
	}
	srv, addr, err := startServer(srvCmd, filepath.Join(dir, "server.log"), lantianRE)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	p, err := newProxy(addr)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	profA, profB := "", ""
	var before func(string) error
	if rep != nil {
		profA, profB = filepath.Join(c.work, "push.pprof"), filepath.Join(c.work, "pull.pprof")
		before = func(step string) error {
			switch step {
			case "push", "pull", "edit": // edit: ends the pull's profile
				return srv.profile()
			}
			return nil
		}
	}
	a, err := startDevice(c, "lantian a", filepath.Join(dir, "a"), p.URL(), codes[0], "a", profA)
	if err != nil {
		return nil, err
	}
	defer a.kill()
	b, err := startDevice(c, "lantian b", filepath.Join(dir, "b"), p.URL(), codes[1], "b", profB)
	if err != nil {
		return nil, err
	}
	defer b.kill()
	m, err := c.phases(a, b, p, srv.pid(), before)
	if err != nil {
		return nil, err
	}
	if rep != nil {
		if c.profileOut != "" {
			os.MkdirAll(c.profileOut, 0o755)
			for _, f := range []string{profA, profB, srvProf + "-1.pprof", srvProf + "-2.pprof"} {
				if err := copyFile(f, filepath.Join(c.profileOut, filepath.Base(f))); err != nil {
					return nil, err
				}
			}
		}
		rep.profiles["1 device A, push"] = pprofTop(profA)
		rep.profiles["2 server, push"] = pprofTop(srvProf + "-1.pprof")
		rep.profiles["3 device B, pull"] = pprofTop(profB)
		rep.profiles["4 server, pull"] = pprofTop(srvProf + "-2.pprof")
	}
	m["srv_disk"] = float64(dirSize(filepath.Join(data, "db")))
	return m, nil
}

func startDevice(c *config, name, dir, url, code, role, prof string) (*proc, error) {
	args := []string{"device", "--dir", dir, "--url", url, "--code", code, "--role", role,
		"--pull-bytes", strconv.Itoa(c.pullBytes)}
	if prof != "" {
		args = append(args, "--cpuprofile", prof)
	}
	p, err := start(name, exec.Command(c.self, args...))
	if err != nil {
		return nil, err
	}
	var r stepResult
	if err := p.read(&r); err != nil || r.Step != "ready" {
		p.kill()
		return nil, fmt.Errorf("%s not ready: %v %q", name, err, r.Step)
	}
	return p, nil
}

// pouch runs PouchDB A → express-pouchdb → PouchDB B once.
func (c *config) pouch(run int) (metrics, error) {
	dir := filepath.Join(c.work, "pouchdb-"+strconv.Itoa(run))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	node := func(args ...string) *exec.Cmd {
		cmd := exec.Command(c.node, append([]string{"--max-old-space-size=8192"}, args...)...)
		cmd.Dir = c.pouchDir
		return cmd
	}
	srv, port, err := startServer(node("server.js", "0"), filepath.Join(dir, "server.log"), pouchRE)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	p, err := newProxy("127.0.0.1:" + port)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	url := p.URL() + "/bench"
	a, err := start("pouchdb a", node("client.js", "a", url, c.docs, c.editKey, c.editVal))
	if err != nil {
		return nil, err
	}
	defer a.kill()
	var r stepResult
	if err := a.read(&r); err != nil || r.Step != "ready" || r.Docs != c.opCount {
		return nil, fmt.Errorf("pouchdb a not ready: %v %+v", err, r)
	}
	b, err := start("pouchdb b", node("client.js", "b", url))
	if err != nil {
		return nil, err
	}
	defer b.kill()
	if err := b.read(&r); err != nil || r.Step != "ready" {
		return nil, fmt.Errorf("pouchdb b not ready: %v", err)
	}
	return c.phases(a, b, p, srv.pid(), nil)
}

// limit measures one Badger WriteBatch of the ops' bytes and one plain
// HTTP transfer of as many bytes each way.
func (c *config) limit(run int, ops [][]byte) (metrics, error) {
	dir := filepath.Join(c.work, "badger-"+strconv.Itoa(run))
	defer os.RemoveAll(dir)
	d, err := badgerLimit(dir, ops)
	if err != nil {
		return nil, err
	}
	h, err := measureHTTP(c.payload)
	if err != nil {
		return nil, err
	}
	return metrics{
		"badger_s": d.Seconds(), "http_up_s": h.Up.Seconds(), "http_down_s": h.Down.Seconds(),
		"http_up_bytes": float64(h.UpBytes), "http_down_bytes": float64(h.DownBytes),
	}, nil
}

// cpuSeconds is the CPU time (user and system) a process has used so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// pprofTop renders a CPU profile with go tool pprof: Lantian's own
// functions by cumulative time, then every function by flat time.
func pprofTop(path string) string {
	cum, err := exec.Command("go", "tool", "pprof", "-top", "-cum", "-show=lantian-tz/lantian/", "-nodecount=22", path).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(go tool pprof failed: %v: %s)\n", err, cum)
	}
	flat, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=14", path).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(go tool pprof failed: %v: %s)\n", err, flat)
	}
	return "Lantian's functions by cumulative time:\n" + string(cum) + "\nAll functions by flat time:\n" + string(flat)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// dirSize is the disk space the files under dir take (allocated blocks:
// Badger preallocates its value log sparsely).
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		} else {
			n += fi.Size()
		}
		return nil
	})
	return n
}
