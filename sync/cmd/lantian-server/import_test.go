package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// enrolledBundle enrolls a device with the server data in dir, makes
// three records on it and returns its bundle's path. The server's store
// is closed again before it returns.
func enrolledBundle(t *testing.T, dir string) string {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	e, err := open(context.Background(), dir, "", log)
	if err != nil {
		t.Fatal(err)
	}
	defer e.close()
	srv, err := server.New(server.Config{Store: e.store, Blobs: e.blobs, Gazetteer: e.gaz, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	ctx := context.Background()
	code, err := server.IssueCode(ctx, e.store, e.gaz, protocol.Scope{County: fixture.County}, model.RoleGrid, time.Hour, 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st := fixture.Store(t)
	if _, err := client.New(client.Config{BaseURL: ts.URL, Store: st, Logger: log}).Enroll(ctx, code.Code, "平板1"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		fixture.Create(t, st, i+1)
	}
	var buf bytes.Buffer
	if _, err := bundle.Export(ctx, st, &buf, bundle.ExportOptions{County: fixture.County, Label: "平板1"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "device.ltb")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	path := enrolledBundle(t, dir)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/3] ^= 1
	badPath := filepath.Join(t.TempDir(), "bad.ltb")
	if err := os.WriteFile(badPath, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	stranger := filepath.Join(t.TempDir(), "stranger.ltb")
	if err := os.WriteFile(stranger, good, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr bool
	}{
		{"tampered", []string{"import", badPath, "--data", dir}, "", true},
		{"first", []string{"import", path, "--data", dir}, `ops: 3 applied, 0 already here, 0 refused; device acknowledged up to 3; photos: 6 new`, false},
		{"again", []string{"import", "--data", dir, path}, `ops: 0 applied, 3 already here, 0 refused; device acknowledged up to 3; photos: 0 new`, false},
		{"not enrolled here", []string{"import", stranger, "--data", t.TempDir()}, "", true},
		{"no file", []string{"import", "--data", dir}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runImport(tt.args[1:], &out, slog.New(slog.DiscardHandler))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v; want error %v", err, tt.wantErr)
			}
			if !regexp.MustCompile(tt.want).MatchString(out.String()) {
				t.Errorf("got output %q; want it to match %q", out.String(), tt.want)
			}
		})
	}
}
