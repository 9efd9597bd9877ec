package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

func TestCodeAndDevices(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		want    string // regexp the output must match
		wantErr bool
	}{
		{"grid code", []string{"code", "--data", dir, "--county", "130126", "--role", "grid", "--ttl", "1h"},
			`enrollment code: [2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\nscope: province 130000 county 130126, role grid`, false},
		{"province code", []string{"code", "--data", dir, "--province", "140000", "--role", "province"},
			`scope: province 140000 county , role province`, false},
		{"code valid for 100 years", []string{"code", "--data", dir, "--county", "130126", "--ttl", "876000h"}, "", true},
		{"code valid for 30 days", []string{"code", "--data", dir, "--county", "130126", "--ttl", "720h"}, `enrollment code: `, false},
		{"code past a raised limit", []string{"code", "--data", dir, "--county", "130126", "--ttl", "2000h", "--max-ttl", "1000h"}, "", true},
		{"code within a raised limit", []string{"code", "--data", dir, "--county", "130126", "--ttl", "900h", "--max-ttl", "1000h"}, `enrollment code: `, false},
		{"unknown county", []string{"code", "--data", dir, "--county", "999999"}, "", true},
		{"no data dir", []string{"code", "--county", "130126"}, "", true},
		{"devices", []string{"devices", "--data", dir}, `ID\s+LABEL\s+PROVINCE`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.args, &out, slog.New(slog.DiscardHandler))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v; want error %v", err, tt.wantErr)
			}
			if !regexp.MustCompile(tt.want).MatchString(out.String()) {
				t.Errorf("got output %q; want it to match %q", out.String(), tt.want)
			}
		})
	}
}

func TestServeAndStop(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- serve(ctx, []string{"--data", t.TempDir()}, ln, &out, slog.New(slog.DiscardHandler)) }()
	resp, err := http.Get("http://" + addr + "/healthz") // the listener is open: the request waits for Serve
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz: got %d; want 200", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: got %v; want nil after cancel", err)
	}
	if !strings.Contains(out.String(), "lantian-server code --data") {
		t.Errorf("start message lacks how to issue the first code: %q", out.String())
	}
}

func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	var out bytes.Buffer
	go func() {
		done <- serve(ctx, []string{"--data", filepath.Join(dir, "data"), "--tls-cert", certFile, "--tls-key", keyFile}, ln, &out, slog.New(slog.DiscardHandler))
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("healthz over TLS: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Errorf("got %d, TLS %v; want 200 over TLS", resp.StatusCode, resp.TLS != nil)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: got %v; want nil", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lantian test"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// The limits are flags of serve: the body cap shows in /metrics, and the
// code lifetime limit applies to the admin API.
func TestServeLimits(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "admin.token")
	const tok = "admin-token-for-the-limits-test"
	if err := os.WriteFile(tokFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- serve(ctx, []string{"--data", filepath.Join(dir, "data"), "--admin-token-file", tokFile,
			"--max-inflight-mib", "3", "--min-body-rate-kib", "4", "--body-window", "5s",
			"--uploads-per-device", "4", "--upload-mib-per-device", "50", "--upload-expiry", "24h",
			"--max-code-ttl", "24h"}, ln, io.Discard, slog.New(slog.DiscardHandler))
	}()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !regexp.MustCompile(`(?m)^lantian_body_bytes_in_flight_limit 3\.145728e\+06$`).Match(b) {
		t.Errorf("metrics lack the body cap of 3 MiB:\n%s", grepLines(string(b), "lantian_body"))
	}
	for _, tt := range []struct {
		ttl  string
		want int
	}{{"25h", 400}, {"24h", 201}} {
		req, _ := http.NewRequest("POST", base+"/v1/admin/codes", strings.NewReader(`{"scope":{"county":"130126"},"role":"grid","ttl":"`+tt.ttl+`"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("code for %s: got %d; want %d", tt.ttl, resp.StatusCode, tt.want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if err := serve(context.Background(), []string{"--data", dir, "--max-code-ttl", "-1h"}, nil, io.Discard, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("serve with a negative code lifetime limit: got nil error; want one")
	}
}

func grepLines(s, sub string) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// The devices list shows per device how many of its ops receivers
// reported setting aside.
func TestDevicesShowSetAside(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(dir, "db")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	dev := uuid.New()
	h := [32]byte{1}
	if err := st.CreateCode(ctx, server.Code{Hash: h, Scope: protocol.Scope{Province: "130000", County: "130126"}, Role: model.RoleGrid, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enroll(ctx, h, server.Device{ID: dev, PublicKey: make([]byte, 32), Label: "坏平板", TokenHash: [32]byte{2}, Enrolled: now}, now); err != nil {
		t.Fatal(err)
	}
	var es []server.LogEntry
	for seq := uint64(1); seq <= 5; seq++ {
		es = append(es, server.LogEntry{Seq: seq, Hash: [32]byte{byte(seq)}, County: "130126", Province: "130000", Raw: []byte("op")})
	}
	if _, err := st.Append(ctx, dev, server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	for _, reporter := range []uuid.UUID{uuid.New(), uuid.New()} {
		if _, err := st.Report(ctx, reporter, protocol.Scope{Province: "130000", County: "130126"}, []protocol.ReportedOp{{Device: dev, Seq: 4, Code: protocol.RejectedSig}, {Device: dev, Seq: 5, Code: protocol.RejectedSig}}, now); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	var out bytes.Buffer
	if err := run([]string{"devices", "--data", dir}, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if want := `SET_ASIDE[^\n]*\n` + dev.String() + `\s+坏平板\s+130000\s+130126\s+grid\s+5\s+2\s`; !regexp.MustCompile(want).MatchString(out.String()) {
		t.Errorf("got %q; want the device with 2 ops set aside", out.String())
	}
}

// devices revoke checks its arguments before revoking anything (a bad
// --since is refused in both languages), revokes, withdraws the ops
// accepted after --since (Beijing time), and the devices list counts
// them.
func TestDevicesRevokeWithdraw(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(dir, "db")})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // 08:00 in Beijing
	dev := uuid.New()
	h := [32]byte{1}
	if err := st.CreateCode(ctx, server.Code{Hash: h, Scope: protocol.Scope{Province: "130000", County: "130126"}, Role: model.RoleGrid, Expires: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enroll(ctx, h, server.Device{ID: dev, PublicKey: make([]byte, 32), Label: "被盗平板", TokenHash: [32]byte{2}, Enrolled: t0}, t0); err != nil {
		t.Fatal(err)
	}
	var es []server.LogEntry
	for seq := uint64(1); seq <= 3; seq++ {
		at := t0.Add(-time.Hour) // seq 1 before 08:00, 2 and 3 after
		if seq > 1 {
			at = t0.Add(time.Duration(seq) * time.Minute)
		}
		es = append(es, server.LogEntry{Seq: seq, Hash: [32]byte{byte(seq)}, County: "130126", Province: "130000", Raw: []byte("op"), Accepted: at})
	}
	if _, err := st.Append(ctx, dev, server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	st.Close()
	quiet := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"bad since", []string{"devices", "revoke", dev.String(), "--data", dir, "--withdraw", "--since", "12/01 8am"}},
		{"since without withdraw", []string{"devices", "revoke", dev.String(), "--data", dir, "--since", "2026-12-01T08:00"}},
	} {
		err := run(tt.args, io.Discard, quiet)
		if !errors.Is(err, protocol.ErrBadSince) || !strings.Contains(err.Error(), "北京时间") || !strings.Contains(err.Error(), "Beijing time") {
			t.Errorf("%s: %v; want bad_since in both languages", tt.name, err)
		}
	}
	if err := run([]string{"devices", "revoke", "not-an-id", "--data", dir}, io.Discard, quiet); err == nil {
		t.Errorf("revoke of a bad id: no error")
	}
	var out bytes.Buffer
	if err := run([]string{"devices", "--data", dir}, &out, quiet); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(dev.String() + `\s.*\sfalse\n`).MatchString(out.String()) {
		t.Fatalf("after refused revocations: %q; want the device not revoked", out.String())
	}
	out.Reset()
	if err := run([]string{"devices", "revoke", dev.String(), "--data", dir, "--withdraw", "--since", "2026-12-01T08:00"}, &out, quiet); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 ops withdrawn") || !strings.Contains(out.String(), "2026-12-01 08:00") {
		t.Errorf("revoke said %q; want 2 ops withdrawn after 2026-12-01 08:00", out.String())
	}
	out.Reset()
	if err := run([]string{"devices", "--data", dir}, &out, quiet); err != nil {
		t.Fatal(err)
	}
	if want := `WITHDRAWN[^\n]*\n` + dev.String() + `\s+被盗平板\s+130000\s+130126\s+grid\s+3\s+0\s+2\s.*\strue\n`; !regexp.MustCompile(want).MatchString(out.String()) {
		t.Errorf("got %q; want the device revoked with 2 ops withdrawn", out.String())
	}
}

// --help (and help) lists the subcommands before the serving flags.
func TestHelpListsSubcommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}} {
		var out bytes.Buffer
		err := run(args, &out, slog.New(slog.DiscardHandler))
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: got error %v; want flag.ErrHelp", args, err)
		}
		for _, want := range []string{"lantian-server code", "lantian-server devices", "lantian-server import", "-listen", "-tls-cert"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, out.String())
			}
		}
	}
}

// Serving plain HTTP beyond loopback warns; on loopback it does not.
func TestPlainHTTPWarning(t *testing.T) {
	for _, tt := range []struct {
		addr string
		warn bool
	}{{"127.0.0.1:0", false}, {"0.0.0.0:0", true}} {
		t.Run(tt.addr, func(t *testing.T) {
			ln, err := net.Listen("tcp", tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			var out, logs bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() {
				done <- serve(ctx, []string{"--data", t.TempDir()}, ln, &out, slog.New(slog.NewTextHandler(&logs, nil)))
			}()
			port := ln.Addr().(*net.TCPAddr).Port
			resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/healthz") // serving: the start lines are written
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got := strings.Contains(out.String(), "WARNING: serving plain HTTP") && strings.Contains(logs.String(), "plain HTTP")
			if got != tt.warn {
				t.Errorf("listening on %s: warned %v; want %v\n%s", tt.addr, got, tt.warn, out.String())
			}
		})
	}
}
