package faultproxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// sink is a TCP server that reads a connection to EOF, reports how many
// bytes it got, and answers with reply.
type sink struct {
	ln    net.Listener
	got   chan int
	reply []byte
}

func newSink(t *testing.T, reply []byte) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln, got: make(chan int, 16), reply: reply}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				n, _ := io.Copy(io.Discard, c)
				s.got <- int(n)
				c.Write(s.reply)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

// roundTrip sends req through the proxy, half-closes, and reads the answer.
func roundTrip(t *testing.T, addr string, req []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(req) // may fail after a cut; the sink's count tells
	c.(*net.TCPConn).CloseWrite()
	got, _ := io.ReadAll(c)
	return got
}

func TestCuts(t *testing.T) {
	req := bytes.Repeat([]byte("q"), 100_000)
	reply := bytes.Repeat([]byte("r"), 70_000)
	tests := []struct {
		name          string
		fault         *Fault
		wantServer    int // bytes the server sees; -1 if it may see none
		wantClientLen int
	}{
		{"no fault", nil, len(req), len(reply)},
		{"request at 0", &Fault{Dir: Request, After: 0}, 0, 0},
		{"request at 1", &Fault{Dir: Request, After: 1}, 1, 0},
		{"request mid", &Fault{Dir: Request, After: 40_001}, 40_001, 0},
		{"request at end", &Fault{Dir: Request, After: int64(len(req)) - 1}, len(req) - 1, 0},
		{"response at 0", &Fault{Dir: Response, After: 0}, len(req), 0},
		{"response at 7", &Fault{Dir: Response, After: 7}, len(req), 7},
		{"response mid", &Fault{Dir: Response, After: 50_000}, len(req), 50_000},
		{"delay", &Fault{Dir: Response, Action: Delay, After: 10, Delay: time.Millisecond}, len(req), len(reply)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSink(t, reply)
			p, err := New(s.ln.Addr().String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if tt.fault != nil {
				p.Arm(*tt.fault)
			}
			got := roundTrip(t, p.Addr(), req)
			if len(got) != tt.wantClientLen {
				t.Errorf("client got %d bytes; want %d", len(got), tt.wantClientLen)
			}
			if n := <-s.got; n != tt.wantServer {
				t.Errorf("server got %d bytes; want %d", n, tt.wantServer)
			}
			wantFired := 0
			if tt.fault != nil {
				wantFired = 1
			}
			if f := p.Fired(); f != wantFired {
				t.Errorf("fired %d; want %d", f, wantFired)
			}
			up, down := p.Bytes()
			if up != int64(min(tt.wantServer, len(req))) || down != int64(tt.wantClientLen) {
				t.Errorf("bytes = %d/%d; want %d/%d", up, down, tt.wantServer, tt.wantClientLen)
			}
		})
	}
}

func TestDropResponseAfterCommitAndReplay(t *testing.T) {
	var commits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/v1/push" {
			commits.Add(1)
		}
		w.Write(append([]byte("ok:"), body...))
	}))
	defer srv.Close()
	p, err := New(strings.TrimPrefix(srv.URL, "http://"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Arm(DropResponse("POST /v1/push"))

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	// A request not matching the fault goes through.
	resp, err := client.Post(p.URL()+"/v1/other", "text/plain", strings.NewReader("a"))
	if err != nil {
		t.Fatalf("unmatched request: %v", err)
	}
	resp.Body.Close()
	if _, err := client.Post(p.URL()+"/v1/push", "text/plain", strings.NewReader("batch")); err == nil {
		t.Fatal("push answered; want the response dropped")
	}
	if got := commits.Load(); got != 1 {
		t.Fatalf("server commits = %d; want 1", got)
	}
	raw, ok := p.FindRequest("POST /v1/push")
	if !ok {
		t.Fatal("push request not captured")
	}
	code, body, err := p.Replay(context.Background(), raw)
	if err != nil || code != 200 || string(body) != "ok:batch" {
		t.Fatalf("replay = %d %q %v; want 200 \"ok:batch\" <nil>", code, body, err)
	}
	if got := commits.Load(); got != 2 {
		t.Fatalf("server commits after replay = %d; want 2", got)
	}
}

func TestMatchCountsOnlyThatConnection(t *testing.T) {
	s := newSink(t, []byte("reply"))
	p, err := New(s.ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Arm(Fault{Dir: Request, After: 10, Match: "TARGET"})
	if got := roundTrip(t, p.Addr(), []byte("other traffic that is long enough")); string(got) != "reply" {
		t.Fatalf("unmatched connection got %q; want reply", got)
	}
	<-s.got
	roundTrip(t, p.Addr(), []byte("TARGET and more bytes"))
	if n := <-s.got; n != 10 {
		t.Fatalf("matched connection: server got %d bytes; want 10", n)
	}
}

// TestTakeBytesWithoutCapture counts the bytes each way of a proxy that
// keeps no copy of the requests, and starts afresh after each take.
func TestTakeBytesWithoutCapture(t *testing.T) {
	s := newSink(t, []byte("reply"))
	p, err := New(s.ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.CaptureRequests(false)
	if got := roundTrip(t, p.Addr(), []byte("twelve bytes")); string(got) != "reply" {
		t.Fatalf("got %q; want reply", got)
	}
	<-s.got
	// Bytes the client has read are counted already.
	if up, down := p.TakeBytes(); up != 12 || down != 5 {
		t.Errorf("TakeBytes: got %d, %d; want 12, 5", up, down)
	}
	if up, down := p.TakeBytes(); up != 0 || down != 0 {
		t.Errorf("TakeBytes again: got %d, %d; want 0, 0", up, down)
	}
	if c := p.Captures(); len(c) != 0 {
		t.Errorf("Captures: got %d; want none when capture is off", len(c))
	}
}
