package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/vouch"

	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// nginxCommand returns Debian's nginx. Without it the test is skipped,
// except in CI (CI=true), where a skip would hide that the setup the
// README documents was not tested: make test installs it (make
// deps-test).
func nginxCommand(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nginx is not installed: install Debian's nginx-light (make deps-test does)")
	}
	t.Skip("nginx is not installed (apt-get install nginx-light)")
	return ""
}

// freePort returns a loopback address free at the time of the call.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// nginxConfig turns the shipped packaging/nginx/lantian.conf into one
// that runs unprivileged in dir: the instances' addresses for the
// upstream's, loopback ports for 80 and 443, the test's certificate and
// logs in dir. Every replacement must apply, so that a change to the
// shipped file shows here.
func nginxConfig(t *testing.T, dir string, upstreams []string, plain, tlsAddr, cert, key string) string {
	t.Helper()
	b, err := os.ReadFile("../../../packaging/nginx/lantian.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	for _, r := range [][2]string{
		{"server 127.0.0.1:8441 ", "server " + upstreams[0] + " "},
		{"server 127.0.0.1:8442 ", "server " + upstreams[1] + " "},
		{"listen 80;", "listen " + plain + ";"},
		{"listen [::]:80;", ""},
		{"listen 443 ssl;", "listen " + tlsAddr + " ssl;"},
		{"listen [::]:443 ssl;", ""},
		{"/etc/lantian/tls/fullchain.pem", cert},
		{"/etc/lantian/tls/privkey.pem", key},
		{"/var/log/nginx/lantian.access.log", filepath.Join(dir, "access.log")},
		{"/var/log/nginx/lantian.error.log", filepath.Join(dir, "error.log")},
	} {
		if !strings.Contains(conf, r[0]) {
			t.Fatalf("packaging/nginx/lantian.conf no longer holds %q", r[0])
		}
		conf = strings.ReplaceAll(conf, r[0], r[1])
	}
	site := filepath.Join(dir, "lantian.conf")
	if err := os.WriteFile(site, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers read the test's private directory
	}
	main := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	include %[3]s;
}
`, user, dir, site)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(main), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fromAddr is an HTTP client trusting pool that connects from the
// loopback address local (127.0.0.0/8 is all loopback on Linux), so that
// nginx sees a client other than itself.
func fromAddr(local string, pool *x509.CertPool) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:     d.DialContext,
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
}

// The documented setup, tested: nginx with the shipped config (TLS at
// nginx) in front of two instances on one PostgreSQL. Devices enroll,
// push photos and pull through nginx; the instances see each device's
// own address through X-Forwarded-For (nginx is their only trusted
// proxy), so the enrollment limit counts clients, not nginx, and a
// forged header does not escape it; with one instance killed, requests
// still succeed through the other.
func TestBehindNginx(t *testing.T) {
	ngx := nginxCommand(t)
	db := pgURL(t)
	bin := buildServer(t)
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)

	// Every instance vouches for devices with the one province key.
	key := filepath.Join(t.TempDir(), "province.key")
	if _, _, err := vouch.LoadOrCreate(key); err != nil {
		t.Fatal(err)
	}
	var insts []*proc
	var addrs []string
	for range 2 {
		p := startServer(t, bin, "--pg", db, "--province-key", key, "--listen", "127.0.0.1:0", "--trusted-proxies", "127.0.0.1")
		insts = append(insts, p)
		addrs = append(addrs, strings.TrimPrefix(p.url, "http://"))
	}
	dir := t.TempDir()
	cert, key, roots := selfSigned(t, dir)
	plain, tlsAddr := freePort(t), freePort(t)
	conf := nginxConfig(t, dir, addrs, plain, tlsAddr, cert, key)
	if out, err := exec.Command(ngx, "-t", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	nx := exec.Command(ngx, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	nxOut := &lockedBuffer{}
	nx.Stdout, nx.Stderr = nxOut, nxOut
	if err := nx.Start(); err != nil {
		t.Fatal(err)
	}
	nxDone := make(chan struct{})
	go func() { _ = nx.Wait(); close(nxDone) }()
	t.Cleanup(func() {
		_ = nx.Process.Signal(os.Interrupt) // fast shutdown of master and worker
		select {
		case <-nxDone:
		case <-time.After(5 * time.Second):
			_ = nx.Process.Kill()
			<-nxDone
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			a, _ := os.ReadFile(filepath.Join(dir, "access.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s\naccess.log:\n%s", nxOut, b, a)
			for i, p := range insts {
				t.Logf("instance %d logs:\n%s", i, p.logs)
			}
		}
	})
	base := "https://" + tlsAddr
	pool := roots
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := fromAddr("127.0.0.1", pool).Get(base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx not answering /healthz 200 after 10s: %v\n%s", err, nxOut)
		}
		time.Sleep(20 * time.Millisecond) // polling for nginx to start
	}
	// Plain HTTP redirects to TLS.
	noRedirect := fromAddr("127.0.0.1", pool)
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if resp, err := noRedirect.Get("http://" + plain + "/v1/pull"); err != nil || resp.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("plain HTTP: %v, %v; want a redirect to https", resp, err)
	} else {
		_ = resp.Body.Close()
	}

	// Two devices, each from its own address, sync photos through nginx.
	code := func() string { return issueCode(t, bin, "--pg", db) }
	author, reader := fixture.Store(t), fixture.Store(t)
	ca := client.New(client.Config{BaseURL: base, Store: author, Logger: quiet, HTTPClient: fromAddr("127.0.0.2", pool)})
	cb := client.New(client.Config{BaseURL: base, Store: reader, Logger: quiet, HTTPClient: fromAddr("127.0.0.3", pool)})
	if _, err := ca.Enroll(ctx, code(), "平板1"); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.Enroll(ctx, code(), "平板2"); err != nil {
		t.Fatal(err)
	}
	fixture.Create(t, author, 1) // with two photos
	if res, err := ca.Sync(ctx, nil); err != nil || res.Pushed != 1 || res.BlobsUp != 2 {
		t.Fatalf("sync through nginx: %+v, %v; want 1 op and 2 photos up", res, err)
	}
	if res, err := cb.Sync(ctx, nil); err != nil || res.Pulled != 1 || res.BlobsDown != 2 {
		t.Fatalf("sync through nginx: %+v, %v; want 1 op pulled and its 2 photos down", res, err)
	}
	logs := insts[0].logs.String() + insts[1].logs.String()
	for _, who := range []string{"127.0.0.2", "127.0.0.3"} {
		if len(logLines(logs, `"msg":"device enrolled"`, `"client":"`+who+`"`)) != 1 {
			t.Errorf("no instance logged the enrollment from %s (X-Forwarded-For not honoured):\n%s", who, logs)
		}
	}

	// The largest photo the server takes passes nginx in one request
	// (client_max_body_size), and is refused by the server, with its own
	// error, when one byte larger.
	_, token := enrollOver(t, fromAddr("127.0.0.1", pool), base, code())
	for _, tc := range []struct {
		size int
		want int
	}{{protocol.MaxBlobBytes, http.StatusCreated}, {protocol.MaxBlobBytes + 1, http.StatusRequestEntityTooLarge}} {
		photo := make([]byte, tc.size)
		_, _ = rand.Read(photo)
		sum := sha256.Sum256(photo)
		req, _ := http.NewRequest("PUT", base+protocol.PathBlobs+hex.EncodeToString(sum[:]), bytes.NewReader(photo))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", protocol.ContentTypeBlob)
		resp, err := fromAddr("127.0.0.1", pool).Do(req)
		if err != nil {
			t.Fatalf("PUT of %d bytes: %v", tc.size, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("PUT of %d bytes through nginx: got %d %s; want %d", tc.size, resp.StatusCode, body, tc.want)
		}
		if tc.want != http.StatusCreated && protocol.DecodeError(resp.StatusCode, body).Code != protocol.CodeBlobTooLarge {
			t.Errorf("PUT of %d bytes: got %s; want the server's %s error, not nginx's page", tc.size, body, protocol.CodeBlobTooLarge)
		}
	}

	// The enrollment limit counts the client behind nginx: 127.0.0.4
	// guesses codes until both instances block it (each counts on its
	// own); a forged X-Forwarded-For does not free it, and 127.0.0.5,
	// through the same nginx, still enrolls.
	guesser := fromAddr("127.0.0.4", pool)
	blocked := 0
	for i := 0; i < 40 && blocked < 2; i++ {
		switch status, _ := enrollOver(t, guesser, base, fmt.Sprintf("WRNG-CODE-%04d", i)); status {
		case http.StatusForbidden:
			blocked = 0
		case http.StatusTooManyRequests:
			blocked++
		default:
			t.Fatalf("wrong code %d: got %d; want 403 or 429", i, status)
		}
	}
	if blocked < 2 {
		t.Fatal("40 wrong codes through nginx and the guesser is not blocked")
	}
	for range 2 { // one on each instance
		if status, _ := enrollOver(t, guesser, base, code(), "X-Forwarded-For", "198.51.100.7"); status != http.StatusTooManyRequests {
			t.Fatalf("blocked guesser with a forged X-Forwarded-For: got %d; want 429", status)
		}
	}
	for range 2 {
		if status, _ := enrollOver(t, fromAddr("127.0.0.5", pool), base, code()); status != http.StatusOK {
			t.Fatalf("another client through the same nginx: got %d; want 200", status)
		}
	}

	// One instance dies: requests still succeed through the other.
	if err := insts[0].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	insts[0].wait(t, 5*time.Second)
	for i := range 3 {
		fixture.Create(t, author, 10+i)
		if res, err := ca.Sync(ctx, nil); err != nil || res.Pushed != 1 || res.BlobsUp != 2 {
			t.Fatalf("push %d with an instance down: %+v, %v; want 1 op and 2 photos up", i, res, err)
		}
		if res, err := cb.Sync(ctx, nil); err != nil || res.Pulled != 1 || res.BlobsDown != 2 {
			t.Fatalf("pull %d with an instance down: %+v, %v; want 1 op and 2 photos down", i, res, err)
		}
	}
	for i := range 4 {
		resp, err := fromAddr("127.0.0.1", pool).Get(base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz %d with an instance down: %v, %v; want 200", i, resp, err)
		}
		_ = resp.Body.Close()
	}
	if status, _ := enrollOver(t, fromAddr("127.0.0.6", pool), base, code()); status != http.StatusOK {
		t.Fatalf("enroll with an instance down: got %d; want 200", status)
	}
	// nginx did send requests to the dead instance, and passed them on.
	if b, _ := os.ReadFile(filepath.Join(dir, "error.log")); !strings.Contains(string(b), "Connection refused") {
		t.Errorf("nginx's error log shows no refused connection to the killed instance: the failover was not exercised\n%s", b)
	}

	// The last instance is stopped (SIGTERM) while a photo upload passes
	// through nginx to it: the upload completes and the instance exits 0.
	up := insts[1]
	id, finish := slowUpload(t, base, token, func(addr string) (net.Conn, error) {
		return tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	})
	deadline = time.Now().Add(10 * time.Second)
	for heldBytes(t, up.url, token, id) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the instance holds none of the upload's first half after 10s")
		}
		time.Sleep(10 * time.Millisecond) // polling what the instance holds
	}
	if err := up.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	upHost := strings.TrimPrefix(up.url, "http://")
	deadline = time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", upHost, time.Second)
		if err != nil {
			break // refused: the listener is closed
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatal("new connections still accepted 10s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond) // polling for the listener to close
	}
	if status, err := finish(); err != nil || status != http.StatusCreated {
		t.Fatalf("upload through nginx in flight at SIGTERM: got %d, %v; want 201", status, err)
	}
	if code := up.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("drained instance: exit code %d; want 0", code)
	}
}
