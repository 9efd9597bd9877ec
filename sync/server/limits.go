package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// Defaults of the bounds on request bodies, suited to a server of 1 to
// 2 GB: eight push bodies of the largest size at once, and a minimum rate
// below that of a poor 2G link.
const (
	DefaultMaxBodyInFlight = 64 << 20
	DefaultMinBodyRate     = 2 << 10 // bytes per second
	DefaultBodyWindow      = 10 * time.Second
)

// busyRetryAfter is the Retry-After of a busy refusal, in seconds.
const busyRetryAfter = 2

// maxControlBody bounds the JSON bodies (enroll, pull, codes), which are
// a few hundred bytes: an unauthenticated enrollment cannot hold much of
// the server's body budget.
const maxControlBody = 64 << 10

// bodyBudget counts the request body bytes held by all requests, against
// a limit (none when limit ≤ 0).
type bodyBudget struct {
	limit int64
	m     *metrics

	mu   sync.Mutex
	used int64
}

// take adds n to the bytes of a request that holds own already, unless
// that would pass the limit while other requests hold bytes too (a body
// larger than the limit passes alone).
func (b *bodyBudget) take(own, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && b.used > own && b.used+n > b.limit {
		return false
	}
	b.used += n
	b.m.bodyBytes.Set(float64(b.used))
	return true
}

// give returns n bytes.
func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.m.bodyBytes.Set(float64(b.used))
}

// bodyGuard is a request body that holds its bytes in the server's
// budget and must keep a minimum rate. Its bytes are taken when the
// handler first reads it (so requests refused before that, unauthorized
// ones say, take none): the announced length, or chunk by chunk when
// none is announced, and more as a decompressed body grows (reserve).
// They are given back when the handler is done (release).
//
// The rate is checked by windows: from the first read, the body must
// bring minBytes within window, then again within the next window, and
// so on. The connection's read deadline is set to the end of the current
// window, so a body that stops arriving is cut too.
type bodyGuard struct {
	body   io.ReadCloser
	budget *bodyBudget
	m      *metrics
	rc     *http.ResponseController
	size   int64 // announced, -1 when unknown

	minBytes int64 // per window; 0: no minimum
	window   time.Duration

	started  bool
	finished bool
	held     int64
	read     int64
	winStart time.Time
	winBytes int64
	// err is the refusal that ended the body (busy or too slow), which
	// the request answers whatever the handler made of it.
	err *protocol.Error
}

// guardBody guards body, of size bytes (-1 when unknown), of the request
// answered on w.
func (s *Server) guardBody(w http.ResponseWriter, body io.ReadCloser, size int64) *bodyGuard {
	g := &bodyGuard{body: body, budget: s.budget, m: s.metrics, size: size, window: s.bodyWindow,
		rc: http.NewResponseController(w)}
	if s.minBodyRate > 0 {
		g.minBytes = max(1, int64(float64(s.minBodyRate)*s.bodyWindow.Seconds()))
	}
	return g
}

// Read reads the body, taking its bytes and checking its rate.
func (g *bodyGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if !g.started {
		g.started = true
		if g.size > 0 {
			if err := g.reserve(g.size); err != nil {
				return 0, err
			}
		}
		g.newWindow(time.Now())
	}
	n, err := g.body.Read(p)
	g.read += int64(n)
	if g.size < 0 && n > 0 {
		if err := g.reserve(g.read); err != nil {
			return n, err
		}
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, g.tooSlow()
	}
	if g.minBytes > 0 && !g.finished {
		now := time.Now()
		g.winBytes += int64(n)
		switch {
		case g.winBytes >= g.minBytes:
			g.newWindow(now)
		case now.Sub(g.winStart) > g.window:
			return n, g.tooSlow() // where the deadline cannot be set
		}
	}
	if err == io.EOF || (g.size >= 0 && g.read >= g.size) {
		g.finish()
	}
	return n, err
}

// Close closes the body.
func (g *bodyGuard) Close() error { return g.body.Close() }

// reserve makes the bytes held by the request at least n.
func (g *bodyGuard) reserve(n int64) error {
	if n <= g.held {
		return nil
	}
	if !g.budget.take(g.held, n-g.held) {
		g.m.busy.Inc()
		g.err = protocol.ErrBusy.Withf("request bodies in flight would pass %d bytes", g.budget.limit)
		return g.err
	}
	g.held = n
	return nil
}

// newWindow starts a rate window at now.
func (g *bodyGuard) newWindow(now time.Time) {
	g.winStart, g.winBytes = now, 0
	if g.minBytes > 0 {
		_ = g.rc.SetReadDeadline(now.Add(g.window)) // unsupported: checked on each read
	}
}

// finish lifts the read deadline once the whole body is in, so that the
// handler's work after it is not cut, and gives the answer its full
// writeTimeout from then on (a body that kept the rate may have taken
// longer than that).
func (g *bodyGuard) finish() {
	if g.finished {
		return
	}
	g.finished = true
	if g.minBytes > 0 {
		_ = g.rc.SetReadDeadline(time.Time{})
		_ = g.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	}
}

func (g *bodyGuard) tooSlow() error {
	g.m.slowBodies.Inc()
	g.err = protocol.ErrSlowBody.Withf("less than %d bytes in %v after %d bytes", g.minBytes, g.window, g.read)
	return g.err
}

// release gives the request's bytes back.
func (g *bodyGuard) release() {
	if g.held > 0 {
		g.budget.give(g.held)
		g.held = 0
	}
}

// limitDrain bounds what net/http does with a body the request was
// refused without reading to its end: before answering, it reads up to
// 256 KiB more of it, with no deadline but the read timeout (minutes), so
// a client that announced a large body and then trickles or stalls would
// hold the connection as long. The rest of the body must come at the
// minimum rate, within one window; else the drain stops, the answer goes
// out and the connection closes.
func (g *bodyGuard) limitDrain() {
	if g.size != 0 && !g.finished && g.minBytes > 0 {
		_ = g.rc.SetReadDeadline(time.Now().Add(g.window))
	}
}

// refusal returns the refusal that ended the body, if any.
func (g *bodyGuard) refusal() error {
	if g.err == nil {
		return nil
	}
	return g.err
}

// setRetryAfter tells a client refused busy when to try again.
func setRetryAfter(w http.ResponseWriter, err error) {
	if errors.Is(err, protocol.ErrBusy) && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
	}
}
