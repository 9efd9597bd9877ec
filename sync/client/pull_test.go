package client_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// TestPullWithoutLinks pulls pages from a fake server with and without
// scope links: a page without them (a backend that does not track them)
// is applied with the strict chain check instead of failing.
func TestPullWithoutLinks(t *testing.T) {
	src := fixture.Store(t)
	for n := range 3 {
		fixture.Create(t, src, n)
	}
	all, err := src.Ops(src.Device(), 0, 10)
	if err != nil || len(all) != 3 {
		t.Fatalf("source ops: got %d, %v; want 3", len(all), err)
	}
	for i := range all {
		all[i].ServerSeq, all[i].Eff = uint64(i+1), all[i].HLC
	}
	tests := []struct {
		name        string
		ops         []oplog.Op
		scopePrev   []uint64
		wantApplied int
	}{
		{"links", all, []uint64{0, 1, 2}, 3},
		{"no links", all, nil, 3},
		{"links across a hole", []oplog.Op{all[0], all[2]}, []uint64{0, 1}, 2},
		{"no links, a hole is held", []oplog.Op{all[0], all[2]}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := protocol.EncodePull(protocol.PullResponse{
				Cursor: tt.ops[len(tt.ops)-1].ServerSeq, Ops: tt.ops, ScopePrev: tt.scopePrev,
				Keys: []protocol.DeviceKey{{Device: src.Device(), Key: src.PublicKey()}},
			})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == protocol.PathPull:
					w.Header().Set("Content-Type", protocol.ContentTypeOps)
					w.Write(page)
				case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, protocol.PathBlobs):
					rc, err := src.OpenBlob(strings.TrimPrefix(r.URL.Path, protocol.PathBlobs))
					if err != nil {
						http.NotFound(w, r)
						return
					}
					defer rc.Close()
					w.Header().Set("Content-Type", "application/octet-stream")
					io.Copy(w, rc)
				default:
					t.Errorf("request %s %s; want only pulls and photo downloads", r.Method, r.URL.Path)
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			dst := fixture.Store(t)
			c := client.New(client.Config{BaseURL: srv.URL, Token: "t", Store: dst, Logger: fixture.Logger(t)})
			res, err := c.Sync(context.Background(), nil)
			if err != nil {
				t.Fatalf("Sync: %v", err)
			}
			if res.Pulled != tt.wantApplied {
				t.Errorf("applied: got %d; want %d", res.Pulled, tt.wantApplied)
			}
			if cur, err := dst.Cursor(); err != nil || cur != tt.ops[len(tt.ops)-1].ServerSeq {
				t.Errorf("cursor: got %d, %v; want %d", cur, err, tt.ops[len(tt.ops)-1].ServerSeq)
			}
		})
	}
}

// TestPullEmptyPages checks pages without ops: one whose cursor moved
// (the server left out the device's own ops) is followed by the next
// page; one that says more without moving the cursor is an error.
func TestPullEmptyPages(t *testing.T) {
	tests := []struct {
		name       string
		pages      []protocol.PullResponse
		wantCursor uint64
		wantErr    bool
	}{
		{"cursor moves", []protocol.PullResponse{{Cursor: 5, More: true}, {Cursor: 9}}, 9, false},
		{"no progress with more", []protocol.PullResponse{{Cursor: 0, More: true}}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != protocol.PathPull {
					t.Errorf("request to %s; want only pulls", r.URL.Path)
				}
				p := tt.pages[min(int(calls.Add(1)), len(tt.pages))-1]
				b, err := protocol.EncodePull(p)
				if err != nil {
					t.Error(err)
				}
				w.Header().Set("Content-Type", protocol.ContentTypeOps)
				w.Write(b)
			}))
			defer srv.Close()
			st := fixture.Store(t)
			c := client.New(client.Config{BaseURL: srv.URL, Token: "t", Store: st, Logger: fixture.Logger(t)})
			_, err := c.Sync(context.Background(), nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Sync: got %v; want error %v", err, tt.wantErr)
			}
			if cur, err := st.Cursor(); err != nil || cur != tt.wantCursor {
				t.Errorf("cursor: got %d, %v; want %d", cur, err, tt.wantCursor)
			}
			if got, want := int(calls.Load()), len(tt.pages); got != want {
				t.Errorf("pulls: got %d; want %d", got, want)
			}
		})
	}
}
