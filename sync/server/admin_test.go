package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func TestAdminCodes(t *testing.T) {
	e := newEnv(t)
	countyDev := e.enroll(hebei, county1, model.RoleCounty)
	gridDev := e.enroll(hebei, county1, model.RoleGrid)
	provDev := e.enroll(hebei, "", model.RoleProvince)
	tests := []struct {
		name  string
		token string
		req   protocol.CodeRequest
		want  *protocol.Error // nil: 201
	}{
		{"admin, any county", e.admin, protocol.CodeRequest{Scope: protocol.Scope{County: county3}, Role: model.RoleGrid}, nil},
		{"admin, province", e.admin, protocol.CodeRequest{Scope: protocol.Scope{Province: shanxi}, Role: model.RoleProvince, TTL: "24h"}, nil},
		{"county device, own county", countyDev.token, protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid}, nil},
		{"county device, other county", countyDev.token, protocol.CodeRequest{Scope: protocol.Scope{County: county2}, Role: model.RoleGrid}, protocol.ErrForbidden},
		{"county device, province code", countyDev.token, protocol.CodeRequest{Scope: protocol.Scope{Province: hebei}, Role: model.RoleProvince}, protocol.ErrForbidden},
		{"province device, county of its province", provDev.token, protocol.CodeRequest{Scope: protocol.Scope{County: county2}, Role: model.RoleCounty}, nil},
		{"province device, other province", provDev.token, protocol.CodeRequest{Scope: protocol.Scope{County: county3}, Role: model.RoleCounty}, protocol.ErrForbidden},
		{"grid device", gridDev.token, protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid}, protocol.ErrForbidden},
		{"no token", "", protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid}, protocol.ErrUnauthorized},
		{"unknown county", e.admin, protocol.CodeRequest{Scope: protocol.Scope{County: "999999"}, Role: model.RoleGrid}, protocol.ErrBadScope},
		{"unknown role", e.admin, protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: "mayor"}, protocol.ErrBadRole},
		{"bad ttl", e.admin, protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid, TTL: "-1h"}, protocol.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doJSON("POST", protocol.PathAdminCodes, tt.token, tt.req)
			if tt.want != nil {
				if pe := r.err(); r.status != tt.want.Status || !errors.Is(pe, tt.want) {
					t.Errorf("got %d %v; want %d %v", r.status, pe, tt.want.Status, tt.want)
				}
				return
			}
			if r.status != 201 {
				t.Fatalf("got %d %s; want 201", r.status, r.body)
			}
			var c protocol.CodeResponse
			if err := json.Unmarshal(r.body, &c); err != nil {
				t.Fatal(err)
			}
			d := newDevice()
			er := e.doJSON("POST", protocol.PathEnroll, "", protocol.EnrollRequest{Code: c.Code, Device: d.id, PublicKey: d.pub})
			if er.status != 200 {
				t.Errorf("enroll with the issued code: got %d %s; want 200", er.status, er.body)
			}
		})
	}
}

func TestAdminDevicesAndRevoke(t *testing.T) {
	e := newEnv(t)
	c1 := e.enroll(hebei, county1, model.RoleCounty)
	g1 := e.enroll(hebei, county1, model.RoleGrid)
	g2 := e.enroll(hebei, county2, model.RoleGrid)
	list := func(token string) []protocol.DeviceInfo {
		r := e.do("GET", protocol.PathAdminDevices, token, "", nil)
		if r.status != 200 {
			t.Fatalf("devices: got %d %s", r.status, r.body)
		}
		var resp protocol.DevicesResponse
		if err := json.Unmarshal(r.body, &resp); err != nil {
			t.Fatal(err)
		}
		return resp.Devices
	}
	if got := len(list(e.admin)); got != 3 {
		t.Errorf("admin sees: got %d; want 3", got)
	}
	if got := len(list(c1.token)); got != 2 {
		t.Errorf("county device sees: got %d; want 2 (its county)", got)
	}
	revoke := func(token, id string) reply {
		return e.do("POST", protocol.PathAdminDevices+"/"+id+"/revoke", token, "", nil)
	}
	if r := revoke(c1.token, g2.id.String()); r.status != 403 {
		t.Errorf("revoke outside scope: got %d; want 403", r.status)
	}
	if r := revoke(c1.token, "not-a-uuid"); r.status != 404 {
		t.Errorf("revoke bad id: got %d; want 404", r.status)
	}
	if r := revoke(c1.token, g1.id.String()); r.status != 200 || !strings.Contains(string(r.body), `"revoked":true`) {
		t.Errorf("revoke: got %d %s; want 200 revoked", r.status, r.body)
	}
	if r := e.do("POST", protocol.PathPull, g1.token, protocol.ContentTypeJSON, []byte(`{}`)); !errors.Is(r.err(), protocol.ErrRevoked) {
		t.Errorf("revoked device pulls: got %d %v; want revoked", r.status, r.err())
	}
	if _, err := e.srv.Ingest(context.Background(), g1.id, g1.ops(t, 1, county1, nil)); !errors.Is(err, protocol.ErrRevoked) {
		t.Errorf("Ingest for a revoked device: got %v; want %v", err, protocol.ErrRevoked)
	}
}

func TestIngestHook(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	reader := e.enroll(hebei, county1, model.RoleCounty)
	ops := d.ops(t, 3, county1, nil)
	resp, err := e.srv.Ingest(context.Background(), d.id, ops)
	if err != nil || resp.Acked != 3 {
		t.Fatalf("Ingest: got acked %d, %v; want 3", resp.Acked, err)
	}
	if again := e.push(d, ops); statuses(again.Receipts) != "duplicate duplicate duplicate " {
		t.Errorf("push after Ingest: got %s; want duplicates", statuses(again.Receipts))
	}
	if got := len(e.pullAll(reader, 0)); got != 3 {
		t.Errorf("served: got %d; want 3", got)
	}
}

func TestShutdownRefusesNewRequests(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", protocol.PathHealth, "", "", nil)
	if pe := r.err(); r.status != 503 || !errors.Is(pe, protocol.ErrUnavailable) {
		t.Errorf("after Shutdown: got %d %v; want 503 unavailable", r.status, pe)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	e.push(d, d.ops(t, 2, county1, nil))
	r := e.do("GET", protocol.PathMetrics, "", "", nil)
	for _, want := range []string{`lantian_ops_ingested_total{status="applied"} 2`, `lantian_requests_total{code="200",route="push"} 1`,
		`lantian_request_duration_seconds_bucket{route="push"`, `lantian_bytes_in_total{route="push"}`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// Enrollment codes live at most MaxCodeTTL (30 days unless configured):
// a longer validity is refused with a bilingual 400 naming the limit,
// through the admin API and IssueCode alike.
func TestCodeTTLCapped(t *testing.T) {
	e := newEnv(t)
	req := func(ttl string) protocol.CodeRequest {
		return protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid, TTL: ttl}
	}
	for _, tt := range []struct {
		ttl  string
		want int
	}{{"876000h", 400}, {"721h", 400}, {"720h", 201}, {"", 201}} {
		r := e.doJSON("POST", protocol.PathAdminCodes, e.admin, req(tt.ttl))
		if r.status != tt.want {
			t.Errorf("ttl %q: got %d %s; want %d", tt.ttl, r.status, r.body, tt.want)
			continue
		}
		if tt.want == 400 {
			pe := r.err()
			if !errors.Is(pe, protocol.ErrCodeTTL) || pe.Kind != model.ErrBadInput || !strings.Contains(pe.Msg.ZH, "30") || !strings.Contains(pe.Msg.EN, "30 days") {
				t.Errorf("ttl %q: got %+v; want code_ttl naming 30 days in both languages", tt.ttl, pe)
			}
		}
	}
	if _, err := server.IssueCode(context.Background(), e.store, gazetteer(t), protocol.Scope{County: county1}, model.RoleGrid,
		31*24*time.Hour, 0, e.clock.Now()); !errors.Is(err, protocol.ErrCodeTTL) {
		t.Errorf("IssueCode for 31 days: got %v; want code_ttl", err)
	}
	if _, err := server.IssueCode(context.Background(), e.store, gazetteer(t), protocol.Scope{County: county1}, model.RoleGrid,
		31*24*time.Hour, 60*24*time.Hour, e.clock.Now()); err != nil {
		t.Errorf("IssueCode for 31 days with a 60-day limit: got %v; want nil", err)
	}

	short := e.newServer(t.TempDir(), func(c *server.Config) { c.MaxCodeTTL, c.CodeTTL = 24*time.Hour, time.Hour })
	if r := short.doJSON("POST", protocol.PathAdminCodes, e.admin, req("25h")); r.status != 400 || !errors.Is(r.err(), protocol.ErrCodeTTL) {
		t.Errorf("25h with a 24h limit: got %d %s; want 400 code_ttl", r.status, r.body)
	}
	if r := short.doJSON("POST", protocol.PathAdminCodes, e.admin, req("24h")); r.status != 201 {
		t.Errorf("24h with a 24h limit: got %d %s; want 201", r.status, r.body)
	}
	if _, err := server.New(server.Config{Store: e.store, Blobs: e.srvBlobs(t), Gazetteer: gazetteer(t), CodeTTL: 48 * time.Hour, MaxCodeTTL: 24 * time.Hour}); err == nil {
		t.Error("New with a default TTL past the limit: got nil error; want one")
	}
}

// srvBlobs opens a blob directory of its own.
func (e *env) srvBlobs(t testing.TB) server.BlobStorage {
	bl, err := badgerstore.OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return bl
}

// An admin action's log line names who did it and from where: behind a
// trusted proxy, the client it forwarded for.
func TestAdminActionLogsClient(t *testing.T) {
	var logs bytes.Buffer
	proxies, err := server.ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, badgerstore.Options{InMemory: true}, func(c *server.Config) {
		c.TrustedProxies = proxies
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	body := mustJSON(t, protocol.CodeRequest{Scope: protocol.Scope{County: county1}, Role: model.RoleGrid})
	req := httptest.NewRequest("POST", protocol.PathAdminCodes, bytes.NewReader(body))
	req.RemoteAddr = "10.0.0.2:41000"
	req.Header.Set("X-Forwarded-For", "198.51.100.4")
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Content-Type", protocol.ContentTypeJSON)
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	if w.Code != 201 {
		t.Fatalf("issue code: got %d %s; want 201", w.Code, w.Body)
	}
	var line struct {
		Msg     string `json:"msg"`
		ByAdmin bool   `json:"by_admin"`
		Client  string `json:"client"`
	}
	for l := range strings.SplitSeq(logs.String(), "\n") {
		if strings.Contains(l, "enrollment code issued") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !line.ByAdmin || line.Client != "198.51.100.4" {
		t.Errorf("log of the admin action: %+v in\n%s\nwant by_admin and client 198.51.100.4", line, logs.String())
	}
}
