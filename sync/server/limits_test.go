package server_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

var inMemory = badgerstore.Options{InMemory: true}

// bodyOf is a push body of n bytes for d: an empty batch's frame padded
// with zeros, which the server reads whole and refuses as malformed.
func bodyOf(t testing.TB, d *device, n int) []byte {
	t.Helper()
	frame, err := protocol.EncodePush(protocol.PushRequest{Device: d.id})
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, n)
	copy(body, frame)
	return body
}

// sendBodies posts body as a push of d n times at once, each on a
// connection of its own, and returns how many were refused busy. Every
// other answer must be the refusal of a malformed frame.
func sendBodies(t testing.TB, e *env, d *device, body []byte, n int) (busy int) {
	t.Helper()
	// As sync/client does, large bodies wait for the server's go-ahead,
	// so a refusal arrives as an answer rather than a cut connection.
	tr := &http.Transport{DisableKeepAlives: true, ExpectContinueTimeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.ts.URL+protocol.PathPush, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+d.token)
			req.Header.Set("Content-Type", protocol.ContentTypeOps)
			req.Header.Set("Expect", "100-continue")
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("push: %v", err)
				return
			}
			defer resp.Body.Close()
			b, _ := protocol.ReadBody(resp.Body, resp.Header.Get("Content-Encoding"), 1<<20)
			pe := protocol.DecodeError(resp.StatusCode, b)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case resp.StatusCode == 503 && pe.Code == protocol.CodeBusy && resp.Header.Get("Retry-After") != "":
				busy++
			case resp.StatusCode == 400 && pe.Code == protocol.CodeBadFrame:
			default:
				t.Errorf("push: got %d %v (Retry-After %q); want 400 bad_frame or 503 busy with Retry-After",
					resp.StatusCode, pe, resp.Header.Get("Retry-After"))
			}
		})
	}
	wg.Wait()
	return busy
}

// metric reads one series (name with its labels, as exposed) from
// /metrics; -1 when absent.
func (e *env) metric(series string) float64 {
	e.t.Helper()
	r := e.do("GET", protocol.PathMetrics, "", "", nil)
	for line := range strings.SplitSeq(string(r.body), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				e.t.Fatalf("metric %s: %v", series, err)
			}
			return v
		}
	}
	return -1
}

// eventually waits until cond holds, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s never happened", timeout, what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a synchronisation
	}
}

// rawPush opens a connection to addr and sends the head of a push of d
// announcing length body bytes; the caller writes the body.
func rawPush(t testing.TB, addr string, d *device, length int) net.Conn {
	t.Helper()
	return rawPushHead(t, addr, d, length, "")
}

// rawPushHead is rawPush with extra header lines (each ending in CRLF).
func rawPushHead(t testing.TB, addr string, d *device, length int, extra string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: lantian\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n",
		protocol.PathPush, d.token, protocol.ContentTypeOps, length, extra)
	return c
}

// answer reads the HTTP answer on c.
func answer(t testing.TB, c net.Conn) (int, *protocol.Error, error) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, protocol.DecodeError(resp.StatusCode, b), nil
}

// A request whose body would take the bytes in flight past the cap is
// refused busy with Retry-After, before its body is read; once the body
// in flight is done, requests pass again.
func TestBodiesInFlightCapped(t *testing.T) {
	const capBytes = 1 << 20
	e := newEnvWith(t, inMemory, func(c *server.Config) { c.MaxBodyInFlight = capBytes })
	d := e.enroll(hebei, county1, model.RoleGrid)
	first := bodyOf(t, d, 900<<10)
	c := rawPush(t, strings.TrimPrefix(e.ts.URL, "http://"), d, len(first))
	if _, err := c.Write(first[:10<<10]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the first body is in flight", func() bool {
		return e.metric("lantian_body_bytes_in_flight") >= float64(len(first))
	})

	r := e.pushRaw(d, bodyOf(t, d, 200<<10))
	if pe := r.err(); r.status != 503 || !errors.Is(pe, protocol.ErrBusy) || r.header.Get("Retry-After") == "" {
		t.Errorf("second push: got %d %v Retry-After %q; want 503 busy with Retry-After", r.status, pe, r.header.Get("Retry-After"))
	} else if pe.Kind != model.ErrBusy || pe.Msg.ZH == "" || pe.Msg.EN == "" {
		t.Errorf("busy answer %+v; want kind busy with a bilingual message", pe)
	}
	if small := e.doJSON("POST", protocol.PathPull, d.token, protocol.PullRequest{}); small.status != 200 {
		t.Errorf("small pull while the cap is nearly used: got %d; want 200", small.status)
	}

	if _, err := c.Write(first[10<<10:]); err != nil {
		t.Fatal(err)
	}
	if status, pe, err := answer(t, c); err != nil || status != 400 || pe.Code != protocol.CodeBadFrame {
		t.Errorf("first push: got %d %v %v; want 400 bad_frame (read whole)", status, pe, err)
	}
	eventually(t, 10*time.Second, "the first body's bytes are released", func() bool {
		return e.metric("lantian_body_bytes_in_flight") == 0
	})
	if r := e.pushRaw(d, bodyOf(t, d, 200<<10)); r.status != 400 {
		t.Errorf("push after release: got %d %s; want 400 bad_frame", r.status, r.body)
	}
	if got := e.metric(`lantian_requests_total{code="503",route="push"}`); got != 1 {
		t.Errorf("503 pushes counted: got %v; want 1", got)
	}
}

// A body larger than the cap still passes when nothing else is in
// flight (the cap bounds what is held at once, not what may be sent).
func TestBodyLargerThanCapAlone(t *testing.T) {
	e := newEnvWith(t, inMemory, func(c *server.Config) { c.MaxBodyInFlight = 64 << 10 })
	d := e.enroll(hebei, county1, model.RoleGrid)
	if r := e.pushRaw(d, bodyOf(t, d, 1<<20)); r.status != 400 || r.err().Code != protocol.CodeBadFrame {
		t.Errorf("push alone: got %d %v; want 400 bad_frame (read whole)", r.status, r.err())
	}
	if r := e.pushOps(d, d.ops(t, 3, county1, nil)); r.status != 200 {
		t.Errorf("push of ops: got %d %s; want 200", r.status, r.body)
	}
}

// heapObjects is the bytes of heap objects (live and not yet swept).
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestPushMemoryBounded sends 32 push bodies of 8 MiB at once to a real
// server (on loopback) whose cap is 32 MiB, and checks that the heap
// grows by at most three times the cap while they are served (the cap
// in bodies, as much again not yet collected, and slack), where it grew
// by about 16 MiB per body in flight without a cap.
func TestPushMemoryBounded(t *testing.T) {
	const capBytes, n = 32 << 20, 32
	e := newEnvWith(t, inMemory, func(c *server.Config) { c.MaxBodyInFlight = capBytes })
	d := e.enroll(hebei, county1, model.RoleGrid)
	body := bodyOf(t, d, protocol.MaxBodyBytes)
	base := heapObjects()
	var peak atomic.Uint64
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			if h := heapObjects(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	busy := sendBodies(t, e, d, body, n)
	close(stop)
	<-stopped
	grew := int64(peak.Load()) - int64(base)
	t.Logf("%d bodies of 8 MiB, %d refused busy; heap grew by %.1f MiB at most", n, busy, float64(grew)/(1<<20))
	if bound := int64(3 * capBytes); grew > bound {
		t.Errorf("heap grew by %.1f MiB; want at most %.0f MiB", float64(grew)/(1<<20), float64(bound)/(1<<20))
	}
}

// serveLoopback runs e's server on a loopback listener with its own
// timeouts (Server.Serve) and returns the address.
func serveLoopback(t testing.TB, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ln, "", "") }()
	t.Cleanup(func() {
		_ = e.srv.Shutdown(t.Context())
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// A body that arrives more slowly than the minimum rate is cut within
// the rate window (here 300 ms), not after the 5-minute read timeout; a
// body that keeps the rate passes, however long it takes.
func TestSlowBodyCut(t *testing.T) {
	const window = 300 * time.Millisecond
	e := newEnvWith(t, inMemory, func(c *server.Config) {
		c.MinBodyRate = 16 << 10
		c.BodyWindow = window
	})
	addr := serveLoopback(t, e)
	d := e.enroll(hebei, county1, model.RoleGrid)
	tests := []struct {
		name  string
		fast  int           // bytes sent at once first
		chunk int           // then this many bytes per tick
		every time.Duration // tick
		cut   bool
	}{
		{"trickle", 0, 64, 50 * time.Millisecond, true},              // 1.3 KiB/s
		{"stalls after a fast start", 200 << 10, 0, time.Hour, true}, // nothing after 200 KiB
		{"keeps the rate", 0, 4 << 10, 50 * time.Millisecond, false}, // 80 KiB/s over 10 windows
		{"silent from the start", 0, 0, time.Hour, true},             // sends no byte
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := bodyOf(t, d, 256<<10)
			c := rawPush(t, addr, d, len(body))
			// The bound: the cut comes within two windows; the conn's
			// deadline only stops a test that would hang on a server
			// that never cuts.
			start := time.Now()
			if err := c.SetDeadline(start.Add(20 * time.Second)); err != nil {
				t.Fatal(err)
			}
			sent := make(chan struct{})
			go func() {
				defer close(sent)
				off := min(tt.fast, len(body))
				if _, err := c.Write(body[:off]); err != nil {
					return
				}
				if tt.chunk == 0 {
					return
				}
				tick := time.NewTicker(tt.every)
				defer tick.Stop()
				for off < len(body) {
					<-tick.C
					next := min(off+tt.chunk, len(body))
					if _, err := c.Write(body[off:next]); err != nil {
						return
					}
					off = next
				}
			}()
			status, pe, err := answer(t, c)
			took := time.Since(start)
			if tt.cut {
				if err != nil || status != http.StatusRequestTimeout || !errors.Is(pe, protocol.ErrSlowBody) || pe.Msg.ZH == "" {
					t.Errorf("got %d %v %v after %v; want 408 slow_body", status, pe, err, took)
				}
				if took > 2*window+time.Second {
					t.Errorf("cut after %v; want within %v", took, 2*window+time.Second)
				}
			} else if err != nil || status != 400 || pe.Code != protocol.CodeBadFrame {
				t.Errorf("got %d %v %v after %v; want 400 bad_frame (body read whole)", status, pe, err, took)
			}
			c.Close()
			<-sent
		})
	}
	if got := e.metric("lantian_slow_bodies_total"); got != 3 {
		t.Errorf("slow bodies counted: got %v; want 3", got)
	}
}

// TestRefusedBodyAnsweredAtOnce: a push announcing more than the protocol
// allows, whose client sends a little of it and then waits for the
// answer, is answered (413) within the rate window (here 300 ms), and its
// connection closed after the answer. Before, net/http waited to drain up
// to 256 KiB of the refused body at no minimum rate, for as long as the
// read timeout (minutes), holding the connection.
func TestRefusedBodyAnsweredAtOnce(t *testing.T) {
	e := newEnvWith(t, inMemory, func(c *server.Config) {
		c.MinBodyRate = 16 << 10
		c.BodyWindow = 300 * time.Millisecond
	})
	addr := serveLoopback(t, e)
	d := e.enroll(hebei, county1, model.RoleGrid)
	c := rawPush(t, addr, d, protocol.MaxBodyBytes+1)
	if _, err := c.Write(bytes.Repeat([]byte{0}, 3000)); err != nil {
		t.Fatal(err)
	}
	// A bound on a failure, not a wait: the answer comes within a window.
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer while the client waits: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
		t.Errorf("got %d, close %v; want 413 and the connection closed", resp.StatusCode, resp.Close)
	}
}

// One device cannot take the body budget from the others, however many
// connections it opens: while it holds a body, its further large bodies
// are refused busy (it holds at most a quarter of the budget), another
// device's push of the same size passes, and a device with its quota of
// requests in flight is refused busy for one more while others pull.
func TestOneDeviceCannotTakeTheBudget(t *testing.T) {
	const capBytes = 4 << 20 // a device's share: 1 MiB
	e := newEnvWith(t, inMemory, func(c *server.Config) {
		c.MaxBodyInFlight = capBytes
		c.RequestsPerDevice = 2
	})
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	x := e.enroll(hebei, county1, model.RoleGrid)
	h := e.enroll(hebei, county1, model.RoleGrid)
	first := bodyOf(t, x, 900<<10)
	c := rawPush(t, addr, x, len(first))
	if _, err := c.Write(first[:10<<10]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "x's first body is in flight", func() bool {
		return e.metric("lantian_body_bytes_in_flight") >= float64(len(first))
	})

	// x opens three more pushes of the same size, each on its own
	// connection: together they would hold most of the budget. Each
	// waits for the go-ahead (100 Continue) before its body, as the
	// client does, so that a refusal is answered at once.
	for i := range 3 {
		more := rawPushHead(t, addr, x, len(first), "Expect: 100-continue\r\n")
		status, pe, err := answer(t, more)
		if err != nil || status != 503 || !errors.Is(pe, protocol.ErrBusy) || !strings.Contains(pe.Detail, "share") {
			t.Fatalf("x's push %d while it holds 900 KiB: got %d %+v %v; want 503 busy (its share)", i+2, status, pe, err)
		}
	}
	if r := e.pushRaw(h, bodyOf(t, h, 900<<10)); r.status != 400 || r.err().Code != protocol.CodeBadFrame {
		t.Errorf("h's push of 900 KiB while x holds its share: got %d %v; want 400 bad_frame (read whole)", r.status, r.err())
	}

	// x's second request in flight (a small body, within its share),
	// then a third: refused busy; h still pulls.
	second := rawPush(t, addr, x, 20<<10)
	if _, err := second.Write(first[:1<<10]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "x's second body is in flight", func() bool {
		return e.metric("lantian_body_bytes_in_flight") >= float64(len(first)+20<<10)
	})
	if r := e.doJSON("POST", protocol.PathPull, x.token, protocol.PullRequest{}); r.status != 503 || !errors.Is(r.err(), protocol.ErrBusy) {
		t.Errorf("x's third request in flight: got %d %v; want 503 busy", r.status, r.err())
	}
	if r := e.doJSON("POST", protocol.PathPull, h.token, protocol.PullRequest{}); r.status != 200 {
		t.Errorf("h's pull while x has two requests in flight: got %d %s; want 200", r.status, r.body)
	}

	for _, w := range []struct {
		c    net.Conn
		rest []byte
	}{{c, first[10<<10:]}, {second, first[1<<10 : 20<<10]}} {
		if _, err := w.c.Write(w.rest); err != nil {
			t.Fatal(err)
		}
		if status, pe, err := answer(t, w.c); err != nil || status != 400 || pe.Code != protocol.CodeBadFrame {
			t.Errorf("x's body in flight, once whole: got %d %v %v; want 400 bad_frame", status, pe, err)
		}
	}
	eventually(t, 10*time.Second, "x's bytes are released", func() bool {
		return e.metric("lantian_body_bytes_in_flight") == 0
	})
	if r := e.doJSON("POST", protocol.PathPull, x.token, protocol.PullRequest{}); r.status != 200 {
		t.Errorf("x's pull once its requests are done: got %d %s; want 200", r.status, r.body)
	}
}
