// Package faultproxy is a TCP proxy for tests that injects network faults
// between a client and a server: it cuts a connection at a chosen byte
// offset of the request or the response stream, delays a stream, drops a
// response after the server has committed to it, counts the bytes on the
// wire and replays captured requests.
package faultproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Direction names one half of a proxied connection.
type Direction int

// The two directions of a connection.
const (
	// Request is the client-to-server stream.
	Request Direction = iota
	// Response is the server-to-client stream.
	Response
)

// String names the direction for logs.
func (d Direction) String() string {
	if d == Request {
		return "request"
	}
	return "response"
}

// Action is what a fault does when its byte offset is reached.
type Action int

// Fault actions.
const (
	// Cut forwards the stream up to the offset, then closes both ends of
	// the connection.
	Cut Action = iota
	// Delay holds the stream at the offset for Fault.Delay, then goes on.
	Delay
)

// Fault is a one-shot fault. It fires once the stream in direction Dir
// has carried After bytes since the fault was armed, counted over the
// connections it applies to: every connection when Match is empty,
// otherwise the first connection whose request stream contains Match
// (counted from the chunk where Match was seen).
type Fault struct {
	Dir    Direction
	Action Action
	After  int64
	Match  string
	Delay  time.Duration
}

// DropResponse returns a fault that lets a request matching match reach
// the server in full, waits until the server starts answering (so the
// server has done its work), and then cuts the connection before the
// client sees a single byte of the response.
func DropResponse(match string) Fault {
	return Fault{Dir: Response, Action: Cut, After: 0, Match: match}
}

type armed struct {
	Fault
	seen  int64
	conn  *link // the matching connection, when Match is set
	fired bool
}

// Proxy forwards TCP connections from its listener to a target address,
// applying the armed faults. It is safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	log    *slog.Logger

	up, down atomic.Int64 // bytes forwarded in each direction, counted as they are written

	mu       sync.Mutex
	faults   []*armed
	fired    int
	links    map[*link]struct{}
	captures [][]byte
	closed   bool
	// noCapture: keep no request bytes (CaptureRequests(false)).
	noCapture bool

	wg sync.WaitGroup
}

// maxCapture bounds the request bytes kept per connection for Replay.
const maxCapture = 8 << 20

// New starts a proxy on 127.0.0.1 (a free port) forwarding to target
// ("host:port"). A nil logger discards logs.
func New(target string, logger *slog.Logger) (*Proxy, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, ln: ln, log: logger, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's listening address ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL returns "http://" + Addr().
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Arm adds a one-shot fault.
func (p *Proxy) Arm(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &armed{Fault: f})
}

// Disarm removes every fault that has not fired yet.
func (p *Proxy) Disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// Fired returns how many faults have fired since the proxy started.
func (p *Proxy) Fired() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired
}

// Bytes returns the bytes forwarded so far in each direction.
func (p *Proxy) Bytes() (request, response int64) { return p.up.Load(), p.down.Load() }

// TakeBytes returns the bytes forwarded in each direction since the
// proxy started or the last TakeBytes or ResetBytes, and starts counting
// afresh; no byte forwarded meanwhile is lost between the read and the
// reset.
func (p *Proxy) TakeBytes() (request, response int64) { return p.up.Swap(0), p.down.Swap(0) }

// CaptureRequests turns on (the default) or off the keeping of each
// connection's request bytes for Captures, FindRequest and Replay. A
// proxy that only counts bytes turns it off so that it holds no copy of
// what it forwards.
func (p *Proxy) CaptureRequests(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noCapture = !on
}

// ResetBytes sets both byte counters back to zero.
func (p *Proxy) ResetBytes() {
	p.up.Store(0)
	p.down.Store(0)
}

// Captures returns a copy of the request bytes each connection carried
// (up to 8 MiB each): the finished connections' oldest first, then the
// open ones'.
func (p *Proxy) Captures() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([][]byte, 0, len(p.captures)+len(p.links))
	for _, c := range p.captures {
		out = append(out, bytes.Clone(c))
	}
	for l := range p.links {
		if len(l.capture) > 0 {
			out = append(out, bytes.Clone(l.capture))
		}
	}
	return out
}

// ClearCaptures forgets the captured requests, the open connections'
// included.
func (p *Proxy) ClearCaptures() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.captures = nil
	for l := range p.links {
		l.capture = nil
	}
}

// Close stops the listener, closes every open connection and waits for
// the forwarding goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for l := range p.links {
		l.close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			p.log.Warn("faultproxy: dial target", "target", p.target, "err", err)
			c.Close()
			continue
		}
		l := &link{client: c, server: s}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			l.close()
			return
		}
		p.links[l] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pump(l, Request)
		go p.pump(l, Response)
	}
}

// link is one proxied connection.
type link struct {
	client, server net.Conn
	once           sync.Once
	tail           []byte // last bytes of the request stream, for Match
	capture        []byte
	done           int // pumps finished
}

func (l *link) close() {
	l.once.Do(func() {
		l.client.Close()
		l.server.Close()
	})
}

func (p *Proxy) pump(l *link, d Direction) {
	defer p.wg.Done()
	src, dst, counter := l.client, l.server, &p.up
	if d == Response {
		src, dst, counter = l.server, l.client, &p.down
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			for len(chunk) > 0 {
				fwd, f := p.filter(l, d, chunk)
				if len(fwd) > 0 {
					// Counted before the write, so that the bytes a
					// receiver has seen are always counted already; what
					// a failed write did not deliver is taken off again.
					counter.Add(int64(len(fwd)))
					if n, werr := dst.Write(fwd); werr != nil {
						counter.Add(-int64(len(fwd) - n))
						l.close()
						p.finish(l)
						return
					}
				}
				chunk = chunk[len(fwd):]
				if f == nil {
					break
				}
				if f.Action == Cut {
					p.log.Debug("faultproxy: cut", "dir", d, "after", f.After)
					l.close()
					p.finish(l)
					return
				}
				p.log.Debug("faultproxy: delay", "dir", d, "delay", f.Delay)
				time.Sleep(f.Delay) // simulated latency, not synchronisation
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				l.close()
			} else if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			} else {
				l.close()
			}
			p.finish(l)
			return
		}
	}
}

// finish records that one pump of l ended; the second one unregisters l
// and keeps its capture.
func (p *Proxy) finish(l *link) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l.done++
	if l.done < 2 {
		return
	}
	l.close()
	delete(p.links, l)
	if len(l.capture) > 0 {
		p.captures = append(p.captures, l.capture)
	}
}

// filter decides how much of chunk to forward before a fault fires, and
// which fault fires (nil when chunk goes through whole).
func (p *Proxy) filter(l *link, d Direction, chunk []byte) ([]byte, *armed) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var window []byte
	if d == Request {
		window = append(bytes.Clone(l.tail), chunk...)
	}
	fwd := chunk
	var hit *armed
	for _, f := range p.faults {
		if f.fired || f.Dir != d && f.Match == "" {
			continue
		}
		if f.Match != "" {
			if f.conn == nil && d == Request && bytes.Contains(window, []byte(f.Match)) {
				f.conn = l
			}
			if f.conn != l || f.Dir != d {
				continue
			}
		}
		if left := f.After - f.seen; left < int64(len(fwd)) || (left == 0 && len(fwd) > 0) {
			if left < 0 {
				left = 0
			}
			fwd = fwd[:left]
			hit = f
		}
	}
	if hit != nil {
		hit.fired = true
		p.fired++
	}
	// Count what is forwarded now for every live fault on this stream.
	for _, f := range p.faults {
		if f.fired || f.Dir != d || (f.Match != "" && f.conn != l) {
			continue
		}
		f.seen += int64(len(fwd))
	}
	if hit != nil {
		hit.seen += int64(len(fwd))
		p.faults = removeFired(p.faults)
	}
	if d == Request {
		if len(window) > 256 {
			window = window[len(window)-256:]
		}
		l.tail = window
		if !p.noCapture && len(l.capture)+len(fwd) <= maxCapture {
			l.capture = append(l.capture, fwd...)
		}
	}
	return fwd, hit
}

func removeFired(fs []*armed) []*armed {
	out := fs[:0]
	for _, f := range fs {
		if !f.fired {
			out = append(out, f)
		}
	}
	return out
}
