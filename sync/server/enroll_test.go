package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func TestEnroll(t *testing.T) {
	e := newEnv(t)
	sc := protocol.Scope{County: county1}
	used := e.code(sc, model.RoleGrid, time.Hour)
	expiring := e.code(sc, model.RoleGrid, time.Minute)
	first := newDevice()
	req := func(code string, d *device) protocol.EnrollRequest {
		return protocol.EnrollRequest{Code: code, Device: d.id, PublicKey: d.pub, Label: "灵寿 平板1"}
	}

	r := e.doJSON("POST", protocol.PathEnroll, "", req(used, first))
	if r.status != 200 {
		t.Fatalf("first use: got %d %s; want 200", r.status, r.body)
	}
	var resp protocol.EnrollResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatal(err)
	}
	if want := (protocol.Scope{Province: hebei, County: county1}); resp.Scope != want || resp.Role != model.RoleGrid || resp.Device != first.id {
		t.Errorf("response: got %+v; want scope %v role grid", resp, want)
	}
	if resp.ServerTime != e.clock.Now().UnixMilli() || len(resp.Token) < 40 {
		t.Errorf("time/token: got %d %q", resp.ServerTime, resp.Token)
	}
	e.clock.Add(2 * time.Minute)

	tests := []struct {
		name string
		body []byte
		want *protocol.Error
	}{
		{"reused code", mustJSON(t, req(used, newDevice())), protocol.ErrEnrollUsed},
		{"expired code", mustJSON(t, req(expiring, newDevice())), protocol.ErrEnrollExpired},
		{"unknown code", mustJSON(t, req("AAAA-BBBB-CCCC", newDevice())), protocol.ErrEnrollUnknown},
		{"device enrolled twice", mustJSON(t, req(e.code(sc, model.RoleGrid, time.Hour), first)), protocol.ErrDeviceExists},
		{"short key", mustJSON(t, protocol.EnrollRequest{Code: "x", Device: uuid.New(), PublicKey: []byte{1}}), protocol.ErrBadKey},
		{"bad json", []byte(`{"code":`), protocol.ErrBadJSON},
		{"no code", []byte(`{}`), protocol.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", protocol.PathEnroll, "", protocol.ContentTypeJSON, tt.body)
			if got := r.err(); r.status != tt.want.Status || !errors.Is(got, tt.want) {
				t.Errorf("got %d %v; want %d %v", r.status, got, tt.want.Status, tt.want)
			}
		})
	}
	t.Run("code typed in lower case with spaces", func(t *testing.T) {
		c := e.code(sc, model.RoleGrid, time.Hour)
		typed := " " + string([]rune(c)[:4]) + " " + c[5:]
		r := e.doJSON("POST", protocol.PathEnroll, "", req(lower(typed), newDevice()))
		if r.status != 200 {
			t.Errorf("got %d %s; want 200", r.status, r.body)
		}
	})
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Wrong codes from one address are limited so that codes cannot be
// guessed; right codes cost nothing, and the limit wears off with time.
func TestEnrollWrongCodesLimited(t *testing.T) {
	e := newEnvWith(t, badgerstore.Options{InMemory: true}, func(c *server.Config) { c.EnrollTries, c.EnrollRefill = 3, time.Minute })
	sc := protocol.Scope{County: county1}
	enroll := func(code string) reply {
		d := newDevice()
		return e.doJSON("POST", protocol.PathEnroll, "", protocol.EnrollRequest{Code: code, Device: d.id, PublicKey: d.pub, Label: "平板"})
	}
	for i := range 5 {
		if r := enroll(e.code(sc, model.RoleGrid, time.Hour)); r.status != 200 {
			t.Fatalf("right code %d: got %d %s; want 200 (right codes cost no tries)", i, r.status, r.body)
		}
	}
	for i := range 3 {
		if r := enroll("WRNG-CODE-000" + string(rune('0'+i))); r.status != 403 {
			t.Fatalf("wrong code %d: got %d %s; want 403", i, r.status, r.body)
		}
	}
	good := e.code(sc, model.RoleGrid, time.Hour)
	r := enroll(good)
	if err := r.err(); r.status != 429 || !errors.Is(err, protocol.ErrTooManyTries) {
		t.Fatalf("after 3 wrong codes: got %d %v; want 429 %s", r.status, err, protocol.CodeTooManyTries)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q; want the seconds to wait", ra)
	}
	if pe := r.err(); pe.Msg.ZH == "" || pe.Msg.EN == "" {
		t.Errorf("message %+v; want Chinese and English", pe.Msg)
	}
	e.clock.Add(time.Minute)
	if r := enroll(good); r.status != 200 {
		t.Fatalf("a minute later: got %d %s; want 200 with the code refused while blocked", r.status, r.body)
	}
	if r := enroll("WRNG-CODE-0009"); r.status != 403 {
		t.Fatalf("one more wrong code: got %d; want 403", r.status)
	}
	if r := enroll("WRNG-CODE-0010"); r.status != 429 {
		t.Fatalf("and another at once: got %d; want 429", r.status)
	}
}

// Behind a trusted proxy the limit counts each client forwarded through
// it, not the proxy; a peer that is not a trusted proxy cannot escape
// its own count by sending X-Forwarded-For.
func TestEnrollLimitCountsForwardedClient(t *testing.T) {
	proxies, err := server.ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, badgerstore.Options{InMemory: true}, func(c *server.Config) {
		c.EnrollTries, c.EnrollRefill, c.TrustedProxies = 2, time.Hour, proxies
	})
	enroll := func(peer, xff, code string) int {
		t.Helper()
		d := newDevice()
		body := mustJSON(t, protocol.EnrollRequest{Code: code, Device: d.id, PublicKey: d.pub, Label: "平板"})
		req := httptest.NewRequest("POST", protocol.PathEnroll, bytes.NewReader(body))
		req.RemoteAddr = peer
		req.Header.Set("Content-Type", protocol.ContentTypeJSON)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(w, req)
		return w.Code
	}
	const proxy = "10.0.0.2:41000"
	// Client A uses up its tries through the proxy.
	for i := range 2 {
		if got := enroll(proxy, "198.51.100.1", "WRNG-CODE-000"+strconv.Itoa(i)); got != 403 {
			t.Fatalf("client A wrong code %d: got %d; want 403", i, got)
		}
	}
	if got := enroll(proxy, "198.51.100.1", "WRNG-CODE-0009"); got != 429 {
		t.Fatalf("client A after its tries: got %d; want 429", got)
	}
	// Client B, through the same proxy, still has its own.
	sc := protocol.Scope{County: county1}
	if got := enroll(proxy, "198.51.100.2", e.code(sc, model.RoleGrid, time.Hour)); got != 200 {
		t.Fatalf("client B through the same proxy: got %d; want 200 (limited apart from A)", got)
	}
	// A client cannot dodge by putting another address left of its own.
	if got := enroll(proxy, "192.0.2.99, 198.51.100.1", e.code(sc, model.RoleGrid, time.Hour)); got != 429 {
		t.Fatalf("client A with a forged entry: got %d; want 429", got)
	}

	// An untrusted peer uses up its tries; a forged header does not
	// make it someone else.
	const direct = "203.0.113.5:5000"
	for i := range 2 {
		if got := enroll(direct, "198.51.100."+strconv.Itoa(10+i), "WRNG-CODE-001"+strconv.Itoa(i)); got != 403 {
			t.Fatalf("direct peer wrong code %d: got %d; want 403", i, got)
		}
	}
	if got := enroll(direct, "198.51.100.77", e.code(sc, model.RoleGrid, time.Hour)); got != 429 {
		t.Fatalf("direct peer with a forged X-Forwarded-For: got %d; want 429", got)
	}
	// The address the direct peer forged was never charged.
	if got := enroll(proxy, "198.51.100.77", e.code(sc, model.RoleGrid, time.Hour)); got != 200 {
		t.Fatalf("fresh client through the proxy: got %d; want 200", got)
	}
}
