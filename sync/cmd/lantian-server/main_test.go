package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
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
