package server_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
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
