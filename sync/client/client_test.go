package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	c, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		c.Close()
	}
}

func TestRetries(t *testing.T) {
	emptyPage, err := protocol.EncodePull(protocol.PullResponse{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		answers   []int // HTTP statuses in turn; 0 hangs up; the last repeats
		wantCalls int32
		wantErr   error // nil: success
		wantKind  model.ErrorKind
	}{
		{"ok", []int{200}, 1, nil, 0},
		{"5xx then ok", []int{503, 500, 200}, 3, nil, 0},
		{"network then ok", []int{0, 0, 200}, 3, nil, 0},
		{"4xx not retried", []int{400, 200}, 1, protocol.ErrBadRequest, 0},
		{"401 not retried", []int{401, 200}, 1, protocol.ErrUnauthorized, 0},
		{"5xx gives up", []int{502}, 4, protocol.ErrInternal, 0},
		{"network gives up", []int{0}, 4, nil, model.ErrNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != protocol.PathPull {
					t.Errorf("request to %s; want only pulls", r.URL.Path)
				}
				n := int(calls.Add(1))
				status := tt.answers[min(n, len(tt.answers))-1]
				switch {
				case status == 0:
					hangUp(w)
				case status == 200:
					w.Header().Set("Content-Type", protocol.ContentTypeOps)
					w.Write(emptyPage)
				default:
					e := protocol.DecodeError(status, nil)
					w.WriteHeader(status)
					w.Write(protocol.EncodeError(e))
				}
			}))
			defer srv.Close()
			c := client.New(client.Config{
				BaseURL: srv.URL, Token: "t", Store: fixture.Store(t), Logger: fixture.Logger(t),
				Attempts: 4, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
			})
			_, err := c.Sync(context.Background(), nil)
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d; want %d", got, tt.wantCalls)
			}
			switch {
			case tt.wantErr == nil && tt.wantKind == 0:
				if err != nil {
					t.Errorf("err = %v; want nil", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v; want %v", err, tt.wantErr)
				}
			default:
				var me *model.Error
				if !errors.Is(err, tt.wantKind) || !errors.As(err, &me) || me.Kind != tt.wantKind || me.Msg.ZH == "" || me.Msg.EN == "" {
					t.Errorf("err = %v; want a bilingual *model.Error of kind %v", err, tt.wantKind)
				}
			}
		})
	}
}

func TestCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	c := client.New(client.Config{
		BaseURL: srv.URL, Store: fixture.Store(t), Logger: fixture.Logger(t),
		Attempts: 1000, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if calls.Add(1) == 3 {
				cancel()
			}
			return http.DefaultTransport.RoundTrip(r)
		})},
	})
	_, err := c.Sync(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	if got := calls.Load(); got > 4 {
		t.Errorf("%d calls after cancel; want the sync to stop", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSummary(t *testing.T) {
	tests := []struct {
		name   string
		res    client.Result
		wantZH string
		wantEN string
	}{
		{"nothing", client.Result{}, "已上传 0 条修改，已接收 0 条修改。", "sent 0 changes, received 0 changes."},
		{"quarantine", client.Result{Pushed: 3, Pulled: 2, Quarantined: 1},
			"已上传 3 条修改，已接收 2 条修改。服务器拒绝了 1 条修改，请在“待处理”中查看原因并更正。",
			"sent 3 changes, received 2 changes. The server refused 1 changes; see the reasons under \"To fix\" and correct them."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.res.Summary()
			if got.ZH != tt.wantZH || got.EN != tt.wantEN {
				t.Errorf("got %q / %q; want %q / %q", got.ZH, got.EN, tt.wantZH, tt.wantEN)
			}
		})
	}
}

// A busy server's Retry-After is honoured: the client waits at least that
// long before trying again, even when its own backoff is shorter.
func TestRetryAfterBusy(t *testing.T) {
	emptyPage, err := protocol.EncodePull(protocol.PullResponse{})
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var first, second atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			first.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(protocol.ErrBusy.Status)
			w.Write(protocol.EncodeError(protocol.ErrBusy))
		default:
			second.CompareAndSwap(0, time.Now().UnixNano())
			w.Header().Set("Content-Type", protocol.ContentTypeOps)
			w.Write(emptyPage)
		}
	}))
	defer srv.Close()
	c := client.New(client.Config{
		BaseURL: srv.URL, Token: "t", Store: fixture.Store(t), Logger: fixture.Logger(t),
		Attempts: 4, Backoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
	})
	if _, err := c.Sync(context.Background(), nil); err != nil {
		t.Fatalf("sync: %v", err)
	}
	if waited := time.Duration(second.Load() - first.Load()); calls.Load() < 2 || waited < time.Second {
		t.Errorf("retried after %v (%d calls); want at least the 1s of Retry-After", waited, calls.Load())
	}
}
