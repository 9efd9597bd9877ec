package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildServer builds the lantian-server binary (once for the tests of
// the package) and returns its path.
func buildServer(t *testing.T) string {
	t.Helper()
	goBin := goCommand(t)
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "lantian-server-bin"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "lantian-server")
		cmd := exec.Command(goBin, "build", "-o", built.bin, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// lockedBuffer is a bytes.Buffer safe to write from a process's output
// copier while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a lantian-server process.
type proc struct {
	cmd  *exec.Cmd
	url  string // http://host:port it serves on
	logs *lockedBuffer
	done chan struct{} // closed when it has exited; then err is set
	err  error
}

var servingRE = regexp.MustCompile(`serving protocol \S+ on (https?://\S+)`)

// startServer starts bin with args and waits until it serves; the process
// is killed at the end of the test if still running.
func startServer(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Stderr = p.logs
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				urlc <- m[1]
			}
		}
		close(urlc)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	select {
	case u, ok := <-urlc:
		if !ok {
			<-p.done
			t.Fatalf("lantian-server %q exited before serving: %v\n%s", args, p.err, p.logs)
		}
		p.url = u
	case <-time.After(20 * time.Second):
		t.Fatalf("lantian-server %q did not start serving in 20s\n%s", args, p.logs)
	}
	return p
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("lantian-server did not exit within %v\n%s", d, p.logs)
	}
	return p.cmd.ProcessState.ExitCode()
}

var codeRE = regexp.MustCompile(`enrollment code: (\S+)`)

// issueCode issues a grid code of fixture.County with the code
// subcommand.
func issueCode(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"code", "--county", fixture.County, "--role", "grid", "--ttl", "1h"}, args...)...).CombinedOutput()
	m := codeRE.FindStringSubmatch(string(out))
	if err != nil || m == nil {
		t.Fatalf("code: %v\n%s", err, out)
	}
	return m[1]
}

// enrollOver enrolls a new device with code at base (through hc) and
// returns its answer's status and token.
func enrollOver(t *testing.T, hc *http.Client, base, code string, hdr ...string) (int, string) {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(nil)
	body, _ := json.Marshal(protocol.EnrollRequest{Code: code, Device: uuid.Must(uuid.NewV7()), PublicKey: pub, Label: "平板"})
	req, err := http.NewRequest("POST", base+protocol.PathEnroll, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", protocol.ContentTypeJSON)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("enroll through %s: %v", base, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var er protocol.EnrollResponse
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &er); err != nil {
			t.Fatalf("enroll answer %q: %v", b, err)
		}
	}
	return resp.StatusCode, er.Token
}

// logLines returns the lines of logs that contain every one of subs.
func logLines(logs string, subs ...string) []string {
	var out []string
	for l := range strings.SplitSeq(logs, "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}
