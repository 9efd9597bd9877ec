package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Config configures a Server.
type Config struct {
	// Store keeps devices, codes and ops; Blobs keeps attachments. The
	// caller owns both and closes them after Shutdown.
	Store Storage
	Blobs BlobStorage
	// Gazetteer maps counties to provinces for scope checks.
	Gazetteer *model.Gazetteer
	// ProvinceKey, when set, signs each enrollment and revocation as an
	// enrollment statement (internal/vouch) kept with the device and
	// sent to it in its enrollment response.
	ProvinceKey ed25519.PrivateKey
	// AdminTokenHash is the SHA-256 of the administrator's bearer token
	// (see HashToken); zero disables the administrator token.
	AdminTokenHash [32]byte
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives structured logs (discarded when nil).
	Logger *slog.Logger
	// Tolerance is how far ahead of receipt an op's clock may be before
	// its effective time is clamped (protocol.ClockTolerance when 0).
	Tolerance time.Duration
	// CodeTTL is the default validity of enrollment codes (72h when 0).
	CodeTTL time.Duration
	// Workers verifies signatures in parallel (GOMAXPROCS when 0).
	Workers int
	// EnrollTries is how many wrong enrollment codes one client address
	// may present before it must wait (10 when 0, no limit when
	// negative); EnrollRefill is the wait for each further try (1 minute
	// when 0).
	EnrollTries  int
	EnrollRefill time.Duration
	// MaxCodeTTL is the longest validity of an enrollment code
	// (DefaultMaxCodeTTL when 0).
	MaxCodeTTL time.Duration

	// MaxBodyInFlight bounds the request body bytes that all requests
	// together hold at once (DefaultMaxBodyInFlight when 0, no bound when
	// negative): a request that would pass it is refused busy (503 with
	// Retry-After) before its body is read.
	MaxBodyInFlight int64
	// RequestsPerDevice bounds the requests one device has in flight at
	// once (DefaultRequestsPerDevice when 0, no bound when negative); one
	// device also holds at most a quarter of MaxBodyInFlight while others
	// hold bytes too.
	RequestsPerDevice int
	// MinBodyRate is the slowest a request body may arrive, in bytes per
	// second over each BodyWindow (DefaultMinBodyRate and
	// DefaultBodyWindow when 0; no minimum when negative): a slower body
	// is cut (408) within about one window.
	MinBodyRate int64
	BodyWindow  time.Duration

	// UploadsPerDevice and UploadBytesPerDevice bound the unfinished blob
	// uploads of one device, by number and by bytes announced
	// (DefaultUploadsPerDevice and DefaultUploadBytesPerDevice when 0, no
	// bound when negative): a new upload past either is refused (429).
	UploadsPerDevice     int
	UploadBytesPerDevice int64
	// UploadExpiry is how long an unfinished upload is kept after its
	// last part (DefaultUploadExpiry when 0); a sweep removes expired
	// ones when the server starts and every UploadSweep (an hour when 0)
	// until Shutdown.
	UploadExpiry time.Duration
	UploadSweep  time.Duration

	// TrustedProxies are the reverse proxies (load balancers) whose
	// X-Forwarded-For header is believed: for a request from one of
	// them, the client address (what the enrollment limit counts and the
	// logs name) is the right-most forwarded address that is not a
	// trusted proxy. From any other peer the header is ignored. None
	// when empty: the client is the direct peer.
	TrustedProxies []netip.Prefix
}

// Server is the provincial sync server.
type Server struct {
	store     Storage
	blobs     BlobStorage
	gaz       *model.Gazetteer
	province  ed25519.PrivateKey
	adminHash [32]byte
	now       func() time.Time
	log       *slog.Logger
	tolerance time.Duration
	codeTTL   time.Duration
	workers   int
	metrics   *metrics
	handler   http.Handler

	enrollTries *tryLimiter // nil: no limit
	proxies     []netip.Prefix
	maxCodeTTL  time.Duration

	budget      *bodyBudget
	minBodyRate int64
	bodyWindow  time.Duration
	uploads     *uploads
	stopSweep   chan struct{}
	sweepDone   chan struct{}

	mu       sync.Mutex // guards closing, inflight's Add and httpSrv
	closing  bool
	inflight sync.WaitGroup
	httpSrv  *http.Server
}

// New returns a server over cfg's storage.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Blobs == nil || cfg.Gazetteer == nil {
		return nil, errors.New("server: Store, Blobs and Gazetteer are required")
	}
	s := &Server{
		store: cfg.Store, blobs: cfg.Blobs, gaz: cfg.Gazetteer, province: cfg.ProvinceKey, adminHash: cfg.AdminTokenHash,
		now: cfg.Now, log: cfg.Logger, tolerance: cfg.Tolerance, codeTTL: cfg.CodeTTL,
		workers: cfg.Workers, metrics: newMetrics(), proxies: cfg.TrustedProxies,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tolerance == 0 {
		s.tolerance = protocol.ClockTolerance
	}
	if s.codeTTL == 0 {
		s.codeTTL = 72 * time.Hour
	}
	if s.workers <= 0 {
		s.workers = runtime.GOMAXPROCS(0)
	}
	if cfg.EnrollTries >= 0 {
		tries, refill := cfg.EnrollTries, cfg.EnrollRefill
		if tries == 0 {
			tries = defaultEnrollTries
		}
		if refill <= 0 {
			refill = defaultEnrollRefill
		}
		s.enrollTries = newTryLimiter(tries, refill, s.now)
	}
	if s.maxCodeTTL = cfg.MaxCodeTTL; s.maxCodeTTL == 0 {
		s.maxCodeTTL = DefaultMaxCodeTTL
	}
	if s.maxCodeTTL < 0 {
		return nil, fmt.Errorf("server: code validity limit %v is negative", s.maxCodeTTL)
	}
	if s.codeTTL > s.maxCodeTTL {
		return nil, fmt.Errorf("server: default code validity %v past the limit %v", s.codeTTL, s.maxCodeTTL)
	}
	s.budget = &bodyBudget{limit: cfg.MaxBodyInFlight, m: s.metrics, perDevice: cfg.RequestsPerDevice,
		byDevice: map[uuid.UUID]*deviceLoad{}}
	if s.budget.perDevice == 0 {
		s.budget.perDevice = DefaultRequestsPerDevice
	}
	if s.budget.limit == 0 {
		s.budget.limit = DefaultMaxBodyInFlight
	}
	s.metrics.bodyLimit.Set(float64(max(s.budget.limit, 0)))
	s.minBodyRate, s.bodyWindow = cfg.MinBodyRate, cfg.BodyWindow
	if s.minBodyRate == 0 {
		s.minBodyRate = DefaultMinBodyRate
	}
	if s.bodyWindow <= 0 {
		s.bodyWindow = DefaultBodyWindow
	}
	if err := s.startUploads(cfg); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// routes builds the request router.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, route string, h func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, s.instrument(route, h))
	}
	handle("POST "+protocol.PathEnroll, "enroll", s.handleEnroll)
	handle("POST "+protocol.PathPush, "push", s.handlePush)
	handle("POST "+protocol.PathPull, "pull", s.handlePull)
	handle("POST "+protocol.PathReport, "report", s.handleReport)
	handle("POST "+protocol.PathAdminCodes, "admin_codes", s.handleIssueCode)
	handle("GET "+protocol.PathAdminDevices, "admin_devices", s.handleDevices)
	handle("POST "+protocol.PathAdminDevices+"/{id}/revoke", "admin_revoke", s.handleRevoke)
	handle("GET "+protocol.PathBlobs+"{id}", "blob_get", s.handleBlobGet) // GET and HEAD
	handle("PUT "+protocol.PathBlobs+"{id}", "blob_put", s.handleBlobPut)
	handle("GET "+protocol.PathHealth, "health", s.handleHealth)
	mux.Handle("GET "+protocol.PathMetrics, s.metrics.handler())
	// The same paths without a method answer 405 as a protocol error.
	for p, allow := range map[string]string{
		protocol.PathEnroll: "POST", protocol.PathPush: "POST", protocol.PathPull: "POST", protocol.PathReport: "POST",
		protocol.PathAdminCodes: "POST", protocol.PathAdminDevices: "GET",
		protocol.PathAdminDevices + "/{id}/revoke": "POST", protocol.PathBlobs + "{id}": "GET, HEAD, PUT",
	} {
		handle(p, "method", func(w http.ResponseWriter, _ *http.Request) error {
			w.Header().Set("Allow", allow)
			return protocol.ErrMethod
		})
	}
	handle("/", "unknown", func(_ http.ResponseWriter, r *http.Request) error {
		if isOtherVersion(r.URL.Path) {
			return protocol.ErrUnknownVersion.Withf("path %s; this server speaks %s", r.URL.Path, protocol.Version)
		}
		return protocol.ErrNotFound.Withf("path %s", r.URL.Path)
	})
	return mux
}

// healthPing bounds how long /healthz waits for the store to answer.
const healthPing = 2 * time.Second

// handleHealth answers /healthz: 200 "ok" when the server takes requests
// and its store answers, else 503 (a load balancer then sends the
// requests elsewhere): while the server drains on its way down, and while
// the store is unreachable (a Pinger's Ping fails).
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if s.draining() {
		return protocol.ErrUnavailable.Withf("draining: the server is shutting down")
	}
	if p, ok := s.store.(Pinger); ok {
		ctx, cancel := context.WithTimeout(r.Context(), healthPing)
		defer cancel()
		if err := p.Ping(ctx); err != nil {
			s.log.Warn("health: the store does not answer", "err", err)
			return protocol.ErrUnavailable.Withf("the store does not answer")
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := io.WriteString(w, "ok\n")
	return err
}

// draining reports whether Shutdown has begun.
func (s *Server) draining() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// isOtherVersion reports a path under /vN/ for a version we do not speak.
func isOtherVersion(p string) bool {
	rest, ok := strings.CutPrefix(p, "/v")
	if !ok || rest == "" || rest[0] < '0' || rest[0] > '9' {
		return false
	}
	return !strings.HasPrefix(p, "/"+protocol.Version+"/")
}

// instrument wraps a handler with in-flight tracking, metrics, logging and
// error bodies.
func (s *Server) instrument(route string, h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		body := &countingBody{ReadCloser: r.Body}
		guard := s.guardBody(sw, body, r.ContentLength)
		// The handler gets a copy of the request with the guarded body;
		// net/http keeps the original, so that after a refusal it sends
		// no 100 Continue to a client that waits for one (it closes the
		// connection instead of draining a body never asked for).
		r = s.withClient(r)
		r = r.WithContext(context.WithValue(r.Context(), guardKey{}, guard))
		r.Body = guard
		if s.enter() {
			defer s.inflight.Done()
			defer guard.release() // also when h panics
			err := h(sw, r)
			guard.release()
			if refused := guard.refusal(); err != nil && refused != nil {
				err = refused // what the handler made of the cut body
			}
			if err != nil {
				s.writeError(sw, r, err)
			}
		} else {
			s.writeError(sw, r, protocol.ErrUnavailable)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(route, fmt.Sprint(sw.status)).Inc()
		s.metrics.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		s.metrics.bytesIn.WithLabelValues(route).Add(float64(body.n))
		s.metrics.bytesOut.WithLabelValues(route).Add(float64(sw.n))
		s.log.Debug("request", "route", route, "method", r.Method, "path", r.URL.Path, "client", client(r),
			"status", sw.status, "in", body.n, "out", sw.n, "ms", elapsed.Milliseconds())
	})
}

// enter registers an in-flight request unless the server is shutting down.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}

// ListenAndServe serves on addr, with TLS when certFile and keyFile are
// given, until Shutdown. It returns http.ErrServerClosed after Shutdown.
func (s *Server) ListenAndServe(addr, certFile, keyFile string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln, certFile, keyFile)
}

// writeTimeout bounds the writing of an answer, from the end of the
// request's body.
const writeTimeout = 5 * time.Minute

// Serve serves on ln (see ListenAndServe).
func (s *Server) Serve(ln net.Listener, certFile, keyFile string) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		// Bodies that handlers read keep a minimum rate instead (see
		// bodyGuard); this bounds the others.
		ReadTimeout:    5 * time.Minute,
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return http.ErrServerClosed
	}
	s.httpSrv = hs
	s.mu.Unlock()
	if certFile != "" && keyFile != "" {
		return hs.ServeTLS(ln, certFile, keyFile)
	}
	return hs.Serve(ln)
}

// Shutdown stops accepting requests (new ones get 503 unavailable) and
// waits until the requests in flight, push batches included, have
// finished or ctx ends. It does not close the storage.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	hs := s.httpSrv
	s.mu.Unlock()
	s.stopUploads()
	var err error
	if hs != nil {
		err = hs.Shutdown(ctx)
	}
	if werr := s.waitInflight(ctx); werr != nil {
		return werr
	}
	return err
}

// waitInflight waits until the handlers running have returned, or ctx
// ends.
func (s *Server) waitInflight(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close cuts the connections still open, for after a Shutdown whose
// drain ran out of time, and waits until the handlers cut have returned
// or ctx ends.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	hs := s.httpSrv
	s.mu.Unlock()
	s.stopUploads()
	if hs != nil {
		_ = hs.Close()
	}
	return s.waitInflight(ctx)
}
