package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// Defaults of the bounds on request bodies, suited to a server of 1 to
// 2 GB: eight push bodies of the largest size at once, and a minimum rate
// below that of a poor 2G link.
const (
	DefaultMaxBodyInFlight = 64 << 20
	DefaultMinBodyRate     = 2 << 10 // bytes per second
	DefaultBodyWindow      = 10 * time.Second
	// DefaultRequestsPerDevice is how many requests one device may have
	// in flight at once: the app makes one at a time, so four leave room
	// for a retry overlapping a request the server has not yet seen end.
	DefaultRequestsPerDevice = 4
)

// deviceShare is the part of the body budget one device may hold while
// other requests hold bytes too: a quarter, two push bodies of the
// largest size under the default budget.
const deviceShare = 4

// busyRetryAfter is the Retry-After of a busy refusal, in seconds.
const busyRetryAfter = 2

// maxControlBody bounds the JSON bodies (enroll, pull, codes), which are
// a few hundred bytes: an unauthenticated enrollment cannot hold much of
// the server's body budget.
const maxControlBody = 64 << 10

// bodyBudget counts the request body bytes held by all requests, against
// a limit (none when limit ≤ 0).
//
// Within it, each device holds at most a share (limit/deviceShare) while
// other requests hold bytes too, and has at most perDevice requests in
// flight, so that one device, however many connections it opens, cannot
// take the budget from the others.
type bodyBudget struct {
	limit     int64
	perDevice int // requests in flight per device; ≤ 0: no bound
	m         *metrics

	mu       sync.Mutex
	used     int64
	byDevice map[uuid.UUID]*deviceLoad
}

// deviceLoad is what one device's requests hold.
type deviceLoad struct {
	requests int
	bytes    int64
}

// take adds n to the bytes of a request of device dev (uuid.Nil: not a
// device's) that holds own already, unless that would pass the limit, or
// the device's share, while other requests hold bytes too (a body larger
// than the limit passes alone; a body no larger than a control body, a
// pull say, is not held to the share). It returns the refusal, nil when
// taken.
func (b *bodyBudget) take(dev uuid.UUID, own, n int64) *protocol.Error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && b.used > own && b.used+n > b.limit {
		return protocol.ErrBusy.Withf("request bodies in flight would pass %d bytes", b.limit)
	}
	var d *deviceLoad
	if dev != uuid.Nil {
		d = b.byDevice[dev]
	}
	if d != nil && b.limit > 0 && b.used > own && own+n > maxControlBody && d.bytes+n > b.limit/deviceShare {
		return protocol.ErrBusy.Withf("this device's request bodies in flight would pass its share of %d bytes", b.limit/deviceShare)
	}
	b.used += n
	if d != nil {
		d.bytes += n
	}
	b.m.bodyBytes.Set(float64(b.used))
	return nil
}

// give returns n bytes of device dev's request.
func (b *bodyBudget) give(dev uuid.UUID, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	if d := b.byDevice[dev]; d != nil {
		d.bytes -= n
	}
	b.m.bodyBytes.Set(float64(b.used))
}

// enter counts a request of device dev in flight, unless the device has
// perDevice already.
func (b *bodyBudget) enter(dev uuid.UUID) *protocol.Error {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.byDevice[dev]
	if d == nil {
		d = &deviceLoad{}
		b.byDevice[dev] = d
	}
	if b.perDevice > 0 && d.requests >= b.perDevice {
		return protocol.ErrBusy.Withf("this device has %d requests in flight already", d.requests)
	}
	d.requests++
	return nil
}

// leave ends a request of device dev.
func (b *bodyBudget) leave(dev uuid.UUID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d := b.byDevice[dev]; d != nil {
		if d.requests--; d.requests <= 0 && d.bytes <= 0 {
			delete(b.byDevice, dev)
		}
	}
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
	device uuid.UUID // the authenticated device, once known (see ownBy)
	size   int64     // announced, -1 when unknown

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
	if err := g.budget.take(g.device, g.held, n-g.held); err != nil {
		g.m.busy.Inc()
		g.err = err
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

// ownBy counts the request against device dev (authenticated): it
// refuses busy when the device has too many requests in flight. Bytes
// the body already holds stay counted as no device's.
func (g *bodyGuard) ownBy(dev uuid.UUID) error {
	if g.device != uuid.Nil || dev == uuid.Nil {
		return nil
	}
	if err := g.budget.enter(dev); err != nil {
		g.m.busy.Inc()
		return err
	}
	g.device = dev
	if g.held > 0 { // move the bytes held so far to the device
		g.budget.give(uuid.Nil, g.held)
		if err := g.budget.take(dev, 0, g.held); err != nil {
			g.held = 0
		}
	}
	return nil
}

// release gives the request's bytes back, and its place among its
// device's requests.
func (g *bodyGuard) release() {
	if g.held > 0 {
		g.budget.give(g.device, g.held)
		g.held = 0
	}
	if g.device != uuid.Nil {
		g.budget.leave(g.device)
		g.device = uuid.Nil
	}
}

// guardKey is the context key of a request's bodyGuard.
type guardKey struct{}

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
