package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
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
	if err := run([]string{"devices", "--pg", db}, &out, quiet); err != nil { // --data is not needed with --pg
		t.Fatalf("devices --pg: %v", err)
	}
	if !strings.Contains(out.String(), dev.String()) || !strings.Contains(out.String(), "灵寿 平板") {
		t.Errorf("devices --pg lists %q; want the device enrolled on the server", out.String())
	}
}

// With --pg, photos live in PostgreSQL: a device syncing through one
// server instance uploads its photos there, and a device of the same
// county syncing through another instance, with a data directory of its
// own, downloads them.
func TestPhotosSharedPG(t *testing.T) {
	db := pgURL(t)
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	urls := make([]string, 2)
	for i := range urls {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		urls[i] = "http://" + ln.Addr().String()
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- serve(sctx, []string{"--data", t.TempDir(), "--pg", db}, ln, &bytes.Buffer{}, quiet) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	e, err := open(ctx, t.TempDir(), db, quiet)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for range urls {
		c, err := server.IssueCode(ctx, e.store, e.gaz, protocol.Scope{County: fixture.County}, model.RoleGrid, time.Hour, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, c.Code)
	}
	e.close()

	author, reader := fixture.Store(t), fixture.Store(t)
	ca := client.New(client.Config{BaseURL: urls[0], Store: author, Logger: quiet})
	cb := client.New(client.Config{BaseURL: urls[1], Store: reader, Logger: quiet})
	if _, err := ca.Enroll(ctx, codes[0], "平板1"); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.Enroll(ctx, codes[1], "平板2"); err != nil {
		t.Fatal(err)
	}
	fixture.Create(t, author, 1) // with two photos
	if res, err := ca.Sync(ctx, nil); err != nil || res.BlobsUp != 2 {
		t.Fatalf("sync through instance A: %+v, %v; want 2 photos uploaded", res, err)
	}
	res, err := cb.Sync(ctx, nil)
	if err != nil || res.Pulled != 1 || res.BlobsDown != 2 || res.BlobsMissing != 0 {
		t.Fatalf("sync through instance B: %+v, %v; want 1 op pulled and its 2 photos downloaded", res, err)
	}
	if n := fixture.BlobFiles(t, reader); n != 2 {
		t.Errorf("the reader holds %d photo files; want 2", n)
	}
}

// The first time a data directory is opened with --pg, the photos its
// blob directory holds are copied into PostgreSQL and the directory is
// set aside, kept.
func TestPGMovesFileBlobs(t *testing.T) {
	db := pgURL(t)
	dir := t.TempDir()
	files, err := badgerstore.OpenBlobs(filepath.Join(dir, "blobs"), 0)
	if err != nil {
		t.Fatal(err)
	}
	photo := bytes.Repeat([]byte("JPEG 正定县 王家庄 "), 30000)
	sum := sha256.Sum256(photo)
	id := hex.EncodeToString(sum[:])
	if _, done, err := files.Write(id, 0, int64(len(photo)), bytes.NewReader(photo), server.Upload{}); err != nil || !done {
		t.Fatalf("file blob: %v %v", done, err)
	}
	for range 2 { // the second time finds nothing to move
		e, err := open(context.Background(), dir, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := e.blobs.Open(id)
		if err != nil {
			e.close()
			t.Fatalf("the photo in PostgreSQL: %v", err)
		}
		got, err := io.ReadAll(f)
		_ = f.Close()
		e.close()
		if err != nil || !bytes.Equal(got, photo) {
			t.Fatalf("the photo in PostgreSQL: %d bytes, %v; want the %d of the file", len(got), err, len(photo))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "blobs")); !os.IsNotExist(err) {
		t.Errorf("blob directory after the move: %v; want it gone", err)
	}
	if _, err := os.Stat(filepath.Join(dir, movedBlobsDir, id[:2], id)); err != nil {
		t.Errorf("the file set aside: %v", err)
	}
}
