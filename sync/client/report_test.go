package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// A page from a server that sends the devices' roles, holding an op by a
// grid device that sets a field only reviewers may set, is saved without
// that op: it is set aside on the device with its reason, the device's
// later op waits behind it, the cursor moves on, and the server is told
// once. From a server that sends no roles, the op is applied as before.
func TestPullSetsAsideAndReports(t *testing.T) {
	src := fixture.Store(t)
	id := fixture.Create(t, src, 1)
	fixture.Create(t, src, 2)
	// The app claims a county user on a grid device.
	if _, err := src.Append(context.Background(), store.Change{Record: id, Author: "grid", Role: model.RoleCounty,
		Set: map[string]model.Value{"in_annual_task": model.Bool(true), "task_year": model.Int(2024)}}); err != nil {
		t.Fatal(err)
	}
	fixture.Create(t, src, 3)
	ops, err := src.Ops(src.Device(), 0, 0)
	if err != nil || len(ops) != 4 {
		t.Fatalf("source ops: %d, %v; want 4", len(ops), err)
	}
	for i := range ops {
		ops[i].ServerSeq, ops[i].Eff = uint64(i+1), ops[i].HLC
	}
	grid := protocol.DeviceKey{Device: src.Device(), Key: src.PublicKey(), Role: model.RoleGrid,
		Scope: protocol.Scope{Province: fixture.Province, County: fixture.County}}
	tests := []struct {
		name             string
		key              protocol.DeviceKey
		pulled, setAside int
		noReports        bool // the server does not take reports
	}{
		{"roles sent", grid, 2, 1, false},
		{"server without reports", grid, 2, 1, true},
		{"no roles (older server)", protocol.DeviceKey{Device: src.Device(), Key: src.PublicKey()}, 4, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := protocol.EncodePull(protocol.PullResponse{Cursor: 4, Ops: ops, ScopePrev: []uint64{0, 1, 2, 3},
				Keys: []protocol.DeviceKey{tt.key}})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var reports []protocol.ReportRequest
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == protocol.PathPull:
					w.Header().Set("Content-Type", protocol.ContentTypeOps)
					w.Write(page)
				case r.URL.Path == protocol.PathReport && tt.noReports:
					w.Header().Set("Content-Type", protocol.ContentTypeJSON)
					w.WriteHeader(http.StatusNotFound)
					w.Write(protocol.EncodeError(protocol.ErrNotFound))
				case r.URL.Path == protocol.PathReport:
					var req protocol.ReportRequest
					if r.Header.Get("Authorization") != "Bearer t" || json.NewDecoder(r.Body).Decode(&req) != nil {
						t.Errorf("report without the token or a JSON body")
					}
					mu.Lock()
					reports = append(reports, req)
					mu.Unlock()
					w.Header().Set("Content-Type", protocol.ContentTypeJSON)
					w.Write([]byte(`{"recorded":1}`))
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
					t.Errorf("request %s %s; want pulls, reports and photo downloads", r.Method, r.URL.Path)
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
			if res.Pulled != tt.pulled || res.SetAside != tt.setAside {
				t.Errorf("pulled %d, set aside %d; want %d, %d", res.Pulled, res.SetAside, tt.pulled, tt.setAside)
			}
			if cur, err := dst.Cursor(); err != nil || cur != 4 {
				t.Errorf("cursor %d, %v; want 4", cur, err)
			}
			q, err := dst.Quarantined()
			if err != nil || len(q) != tt.setAside {
				t.Fatalf("held %+v, %v; want %d", q, err, tt.setAside)
			}
			if tt.setAside == 0 {
				if len(reports) != 0 {
					t.Errorf("reports %+v; want none", reports)
				}
				return
			}
			if g := q[0]; !g.Received || g.Code != store.RefusedRole || g.Op.ID() != ops[2].ID() || g.Reason.ZH == "" || g.Reason.EN == "" {
				t.Errorf("held %+v; want op 3, received, role, with a reason", g)
			}
			if tt.noReports {
				// Not told, so still to tell.
				if un, err := dst.Unreported(0); err != nil || len(un) != 1 {
					t.Errorf("unreported %+v, %v; want the op", un, err)
				}
				return
			}
			if s := res.Summary(); !strings.Contains(s.EN, "set aside") || !strings.Contains(s.ZH, "搁置") {
				t.Errorf("summary %+v; want it to say a change was set aside", s)
			}
			want := []protocol.ReportRequest{{Ops: []protocol.ReportedOp{{Device: src.Device(), Seq: 3, Code: protocol.RefusedRole}}}}
			if !slices.EqualFunc(reports, want, func(a, b protocol.ReportRequest) bool { return slices.Equal(a.Ops, b.Ops) }) {
				t.Errorf("reports %+v; want %+v", reports, want)
			}
			// Told once: the next sync reports nothing.
			if _, err := c.Sync(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			if len(reports) != 1 {
				t.Errorf("%d reports after a second sync; want 1", len(reports))
			}
		})
	}
}

// Every code the store gives a received op it sets aside is one a
// report may carry.
func TestReportCodesCoverTheStore(t *testing.T) {
	for _, c := range []string{store.RefusedSignature, store.RefusedChain, store.RefusedEquivocation, store.RefusedShape,
		store.RefusedSchema, store.RefusedScope, store.RefusedRole, store.RefusedDevice} {
		if !slices.Contains(protocol.ReportCodes, c) {
			t.Errorf("store code %q is not a report code", c)
		}
	}
}
