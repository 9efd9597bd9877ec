package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Client syncs one device's store with the provincial server. Its methods
// may be called from any goroutine; Syncs are serialized.
type Client struct {
	cfg  Config
	http *resty.Client
	log  *slog.Logger

	mu    sync.Mutex // serializes Sync and Enroll
	token atomic.Pointer[string]
	// known are the devices whose keys this client registered in the
	// store (guarded by mu).
	known map[uuid.UUID]bool
	// statements are the enrollment statements this client kept, by
	// device, so that a page's keys rewrite only those that changed.
	statements map[uuid.UUID][]byte
}

// maxReply bounds an answer's body, compressed and decompressed: a
// photo or a pull page with room to spare.
const maxReply = max(protocol.MaxBlobBytes, protocol.MaxPullBytes) + 1<<20

// New returns a client for cfg.
func New(cfg Config) *Client {
	cfg.defaults()
	r := resty.NewWithClient(cfg.HTTPClient).
		SetBaseURL(strings.TrimRight(cfg.BaseURL, "/")).
		SetRetryCount(0). // retries are ours: per-attempt timeouts, 4xx never
		SetDisableWarn(true).
		SetResponseBodyLimit(maxReply).
		SetHeader("User-Agent", "lantian-client/"+protocol.Version)
	c := &Client{cfg: cfg, http: r, log: cfg.Logger, known: map[uuid.UUID]bool{}, statements: map[uuid.UUID][]byte{}}
	c.token.Store(&cfg.Token)
	return c
}

// Token returns the bearer token the client uses (set by Enroll).
func (c *Client) Token() string { return *c.token.Load() }

// Failures that are not the server's answer (those are *protocol.Error)
// are *model.Errors of the operation ("push", "pull", "blobs", "enroll")
// whose Msg says it to the user in Chinese and English:
//
//   - model.ErrNetwork (code "unreachable"): the server could not be
//     reached or the connection broke; trying again later is the cure.
//   - model.ErrStorage (code "store"): the local store failed.
//   - model.ErrInternal (code "bad_answer"): the server answered something
//     the client cannot use.
//   - model.ErrSignature or model.ErrChain (code "rejected"): the server
//     rejected this device's own ops.
const (
	codeUnreachable = "unreachable"
	codeStore       = "store"
	codeBadAnswer   = "bad_answer"
	codeRejected    = "rejected"
)

var (
	msgNetwork = model.Text{ZH: "无法连接同步服务器，请检查网络后重试", EN: "cannot reach the sync server; check the network and try again"}
	msgStore   = model.Text{ZH: "本机数据保存失败", EN: "saving to the local store failed"}
	msgServer  = model.Text{ZH: "服务器应答异常", EN: "the server's answer is not understood"}
)

// call is one HTTP request to the server.
type call struct {
	op          string // phase, for errors
	method      string
	path        string
	body        []byte
	contentType string
	encoding    string // Content-Encoding of body
	headers     map[string]string
	noAuth      bool
	// accept lists the statuses besides 2xx that are answers rather than
	// errors (404 of a blob HEAD, say).
	accept []int
}

// reply is a server's answer.
type reply struct {
	status int
	header http.Header
	body   []byte // decompressed
}

// do sends cl, retrying network errors and 5xx answers with backoff, and
// returns the answer or the error: a *protocol.Error for 4xx answers (and
// the last 5xx), a *model.Error of kind model.ErrNetwork for network
// failures, or ctx's error.
func (c *Client) do(ctx context.Context, cl call, count func(int64)) (reply, error) {
	var last error
	var after time.Duration // the server's Retry-After
	for attempt := 0; attempt < c.cfg.Attempts; attempt++ {
		if attempt > 0 {
			if err := c.wait(ctx, attempt, after); err != nil {
				return reply{}, err
			}
		}
		rp, retry, err := c.once(ctx, cl, count)
		after = retryAfter(rp.header)
		if err == nil {
			return rp, nil
		}
		if ctx.Err() != nil {
			return reply{}, ctx.Err()
		}
		if !retry {
			return reply{}, err
		}
		c.log.Debug("sync: request failed, retrying", "path", cl.path, "attempt", attempt+1, "err", err)
		last = err
	}
	return reply{}, last
}

// once makes one attempt; retry says whether another may help. The reply
// of an error answer carries its header (Retry-After).
func (c *Client) once(ctx context.Context, cl call, count func(int64)) (reply, bool, error) {
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req := c.http.R().SetContext(actx).SetHeader("Accept-Encoding", protocol.EncodingZstd)
	if !cl.noAuth {
		req.SetAuthToken(c.Token())
	}
	if cl.body != nil {
		req.SetBody(cl.body)
	}
	if cl.contentType != "" {
		req.SetHeader("Content-Type", cl.contentType)
	}
	if cl.encoding != "" && cl.encoding != protocol.EncodingIdentity {
		req.SetHeader("Content-Encoding", cl.encoding)
	}
	for k, v := range cl.headers {
		req.SetHeader(k, v)
	}
	if len(cl.body) >= expectContinueMin {
		// A busy server refuses before the body is sent, rather than
		// cutting the connection under it.
		req.SetHeader("Expect", "100-continue")
	}
	resp, err := req.Execute(cl.method, cl.path)
	if count != nil {
		count(int64(len(cl.body)))
	}
	if err != nil {
		return reply{}, true, networkErr(cl.op, err)
	}
	raw := resp.Body()
	if count != nil {
		count(int64(len(raw)))
	}
	status := resp.StatusCode()
	body, err := protocol.ReadBody(bytes.NewReader(raw), resp.Header().Get("Content-Encoding"), maxReply)
	if err != nil {
		// A body cut short by the network decodes badly: retry.
		return reply{}, true, networkErr(cl.op, err)
	}
	rp := reply{status: status, header: resp.Header(), body: body}
	if status >= 200 && status < 300 || slices.Contains(cl.accept, status) {
		return rp, false, nil
	}
	pe := protocol.DecodeError(status, body)
	if pe.Op == "" {
		pe.Op = cl.op
	}
	return reply{header: resp.Header()}, status >= 500, pe
}

// expectContinueMin is the body size from which a request asks the server
// to accept it (Expect: 100-continue) before sending it.
const expectContinueMin = 64 << 10

// maxRetryAfter bounds the wait a server's Retry-After may ask for.
const maxRetryAfter = 5 * time.Minute

// retryAfter is the wait a Retry-After header asks for (seconds, or an
// HTTP date), 0 when none.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxRetryAfter)
}

// wait sleeps before retry attempt (1, 2, ...): Backoff doubled per
// attempt, capped at MaxBackoff, with jitter over its upper half; or, when
// the server asked for longer with Retry-After (a busy server), that long
// and up to a quarter more, so that the clients it refused do not all
// come back at once.
func (c *Client) wait(ctx context.Context, attempt int, after time.Duration) error {
	d := c.cfg.Backoff << min(attempt-1, 20)
	if d > c.cfg.MaxBackoff || d <= 0 {
		d = c.cfg.MaxBackoff
	}
	d = d/2 + time.Duration(c.cfg.Rand()*float64(d/2))
	if after > d {
		d = after + time.Duration(c.cfg.Rand()*float64(after/4))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// storeErr wraps a local store failure.
func storeErr(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &model.Error{Op: op, Kind: model.ErrStorage, Code: codeStore, Msg: msgStore, Err: err}
}

// networkErr wraps a failure to reach the server or to read its answer.
func networkErr(op string, err error) error {
	return &model.Error{Op: op, Kind: model.ErrNetwork, Code: codeUnreachable, Msg: msgNetwork, Err: err}
}

// serverErr wraps an answer the client does not understand.
func serverErr(op string, format string, args ...any) error {
	return &model.Error{Op: op, Kind: model.ErrInternal, Code: codeBadAnswer, Msg: msgServer, Err: fmt.Errorf(format, args...)}
}
