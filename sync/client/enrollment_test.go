package client_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/protocol"
)

func memStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(store.Options{InMemory: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestEnrollmentRoundTrip(t *testing.T) {
	s := memStore(t)
	if e, err := client.LoadEnrollment(s); err != nil || e.Enrolled() {
		t.Fatalf("got %+v, %v before enrolling; want not enrolled", e, err)
	}
	resp := protocol.EnrollResponse{Token: "tok", Device: uuid.New(), Role: model.RoleCounty,
		Scope: protocol.Scope{Province: "130000", County: "130126"}}
	want := client.NewEnrollment("https://sync.example", resp)
	if err := want.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err := client.LoadEnrollment(s)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || !got.Enrolled() {
		t.Errorf("got %+v; want %+v", got, want)
	}
}

// TestEnrollmentOldKeys: a store enrolled by the app before the client
// kept enrollments (the same keys, written one by one, no province)
// still loads.
func TestEnrollmentOldKeys(t *testing.T) {
	s := memStore(t)
	for k, v := range map[string]string{"app.token": "tok", "app.server": "https://sync.example",
		"app.role": "grid", "app.county": "130126"} {
		if err := s.SetMeta(k, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := client.LoadEnrollment(s)
	if err != nil {
		t.Fatal(err)
	}
	want := client.Enrollment{Server: "https://sync.example", Token: "tok", Role: model.RoleGrid, County: "130126"}
	if got != want || !got.Enrolled() {
		t.Errorf("got %+v; want %+v", got, want)
	}
}

// TestEnrollmentKeepsCounty: a province-wide enrollment leaves the county
// chosen at set-up.
func TestEnrollmentKeepsCounty(t *testing.T) {
	s := memStore(t)
	if err := s.SetMeta(client.MetaCounty, []byte("130126")); err != nil {
		t.Fatal(err)
	}
	e := client.Enrollment{Server: "https://sync.example", Token: "tok", Role: model.RoleProvince, Province: "130000"}
	if err := e.Save(s); err != nil {
		t.Fatal(err)
	}
	got, err := client.LoadEnrollment(s)
	if err != nil {
		t.Fatal(err)
	}
	if got.County != "130126" || got.Role != model.RoleProvince {
		t.Errorf("got county %q, role %q; want 130126, province", got.County, got.Role)
	}
}

// The statement the province signed for the device is kept where the
// device's evidence packs find it.
func TestSaveStatement(t *testing.T) {
	s := memStore(t)
	resp := protocol.EnrollResponse{Token: "tok", Device: uuid.New(), Role: model.RoleGrid, Statement: []byte(`{"statement":"c2lnbmVk"}`)}
	if err := client.SaveStatement(s, resp); err != nil {
		t.Fatal(err)
	}
	b, err := s.GetMeta(vouch.MetaKey(resp.Device))
	if err != nil || string(b) != string(resp.Statement) {
		t.Errorf("kept %q, %v; want %s", b, err, resp.Statement)
	}
}
