package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// pgURL returns a URL of an empty PostgreSQL schema, dropped after the
// test, on the server in LANTIAN_PG_URL. Without it the test is skipped,
// except in CI, where that would hide an untested backend.
func pgURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("LANTIAN_PG_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("LANTIAN_PG_URL is unset in CI: run the tests under packaging/scripts/with-postgres.sh (make test does)")
		}
		t.Skip("LANTIAN_PG_URL is unset: run under packaging/scripts/with-postgres.sh")
	}
	ctx := context.Background()
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	exec := func(q string) {
		t.Helper()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { exec("DROP SCHEMA " + schema + " CASCADE") })
	if strings.Contains(base, "://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}

// With --pg, codes are issued into and devices listed from PostgreSQL,
// while a server runs on the same database.
func TestCodeAndDevicesPG(t *testing.T) {
	db := pgURL(t)
	quiet := slog.New(slog.DiscardHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- serve(ctx, []string{"--data", t.TempDir(), "--pg", db}, ln, &bytes.Buffer{}, quiet) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	// The tools use their own --data: the server's Badger directory is
	// not involved, so nothing is locked.
	var out bytes.Buffer
	if err := run([]string{"code", "--data", t.TempDir(), "--pg", db, "--county", "130126", "--role", "grid"}, &out, quiet); err != nil {
		t.Fatalf("code --pg: %v", err)
	}
	m := regexp.MustCompile(`enrollment code: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no code in %q", out.String())
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dev := uuid.Must(uuid.NewV7())
	body, _ := json.Marshal(protocol.EnrollRequest{Code: m[1], Device: dev, PublicKey: pub, Label: "灵寿 平板"})
	resp, err := http.Post("http://"+ln.Addr().String()+protocol.PathEnroll, protocol.ContentTypeJSON, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("enroll with the code issued by code --pg: %d", resp.StatusCode)
	}
	out.Reset()
	if err := run([]string{"devices", "--data", t.TempDir(), "--pg", db}, &out, quiet); err != nil {
		t.Fatalf("devices --pg: %v", err)
	}
	if !strings.Contains(out.String(), dev.String()) || !strings.Contains(out.String(), "灵寿 平板") {
		t.Errorf("devices --pg lists %q; want the device enrolled on the server", out.String())
	}
}
