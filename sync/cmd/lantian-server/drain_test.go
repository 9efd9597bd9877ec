package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// slowUpload starts a photo upload over a raw connection to base (made
// by dial) and sends the first half of its body; the returned function
// sends the rest and returns the answer's status.
func slowUpload(t *testing.T, base, token string, dial func(addr string) (net.Conn, error)) (id string, finish func() (int, error)) {
	t.Helper()
	photo := make([]byte, 1<<20) // the first half holds whole 256 KiB chunks of pgstore
	_, _ = rand.Read(photo)
	sum := sha256.Sum256(photo)
	id = hex.EncodeToString(sum[:])
	u, _ := url.Parse(base)
	c, err := dial(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	head := fmt.Sprintf("PUT %s%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		protocol.PathBlobs, id, u.Host, token, protocol.ContentTypeBlob, len(photo))
	half := len(photo) / 2
	if _, err := c.Write(append([]byte(head), photo[:half]...)); err != nil {
		t.Fatal(err)
	}
	return id, func() (int, error) {
		if _, err := c.Write(photo[half:]); err != nil {
			return 0, err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
}

// heldBytes is what the server at base holds of an unfinished upload
// (HEAD).
func heldBytes(t *testing.T, base, token, id string) int64 {
	t.Helper()
	req, _ := http.NewRequest("HEAD", base+protocol.PathBlobs+id, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	n, _ := strconv.ParseInt(resp.Header.Get(protocol.HeaderUploadOffset), 10, 64)
	return n
}

// inFlightUpload enrolls a device on p and starts an upload, returning
// once the server is writing its bytes (a request in flight).
func inFlightUpload(t *testing.T, p *proc, code string) func() (int, error) {
	t.Helper()
	status, token := enrollOver(t, http.DefaultClient, p.url, code)
	if status != 200 {
		t.Fatalf("enroll: %d", status)
	}
	id, finish := slowUpload(t, p.url, token, func(addr string) (net.Conn, error) { return net.Dial("tcp", addr) })
	deadline := time.Now().Add(10 * time.Second)
	for heldBytes(t, p.url, token, id) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the server holds none of the upload's first half after 10s")
		}
		time.Sleep(10 * time.Millisecond) // polling what the server holds
	}
	return finish
}

// On SIGTERM the server closes its listener at once (new connections
// are refused: a load balancer sends them elsewhere), lets a request in
// flight finish, then closes the store and exits 0.
func TestSIGTERMDrains(t *testing.T) {
	bin := buildServer(t)
	data := t.TempDir()
	code := issueCode(t, bin, "--data", data) // before the server: Badger is single-process
	p := startServer(t, bin, "--data", data, "--listen", "127.0.0.1:0", "--min-body-rate-kib", "-1", "--drain-timeout", "20s")
	finish := inFlightUpload(t, p, code)

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	host := p.url[len("http://"):]
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err != nil {
			break // refused: the listener is closed
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 10s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener to close
	}
	select {
	case <-p.done:
		t.Fatalf("the server exited with a request in flight: %v\n%s", p.err, p.logs)
	default:
	}
	if status, err := finish(); err != nil || status != http.StatusCreated {
		t.Fatalf("upload in flight at SIGTERM: got %d, %v; want 201\n%s", status, err, p.logs)
	}
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d; want 0\n%s", code, p.logs)
	}
	if len(logLines(p.logs.String(), "drained; closing the store")) != 1 {
		t.Errorf("no drained log line:\n%s", p.logs)
	}
}

// A request that does not finish within --drain-timeout is cut, and the
// server exits with an error saying so, within the bound.
func TestSIGTERMDrainTimeout(t *testing.T) {
	bin := buildServer(t)
	data := t.TempDir()
	code := issueCode(t, bin, "--data", data) // before the server: Badger is single-process
	p := startServer(t, bin, "--data", data, "--listen", "127.0.0.1:0", "--min-body-rate-kib", "-1", "--drain-timeout", "1s")
	inFlightUpload(t, p, code) // never finished
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 15*time.Second); code != 1 {
		t.Fatalf("exit code %d; want 1 (requests were cut)\n%s", code, p.logs)
	}
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("exited %v after SIGTERM; want about the 1s drain timeout", took)
	}
	if len(logLines(p.logs.String(), "were cut")) != 1 {
		t.Errorf("no error naming the cut requests:\n%s", p.logs)
	}
}
