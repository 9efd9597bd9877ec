package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

func TestEncryption(t *testing.T) {
	dir := t.TempDir()
	s, err := openDir(t, dir, "正确的口令 1")
	if err != nil {
		t.Fatalf("create encrypted: %v", err)
	}
	if err := s.SetMeta("pin", []byte("hash")); err != nil {
		t.Fatal(err)
	}
	dev := s.Device()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	before := dirSnapshot(t, dir)

	tests := []struct {
		name string
		pass string
		want error
	}{
		{"wrong passphrase", "wrong", ErrWrongPassphrase},
		{"no passphrase", "", ErrPassphraseRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := openDir(t, dir, tt.pass)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, model.ErrPassphrase) {
				t.Fatalf("got %v; want %v of kind passphrase", err, tt.want)
			}
			if after := dirSnapshot(t, dir); !equalSnapshots(before, after) {
				t.Fatalf("files changed: got %v; want %v", after, before)
			}
		})
	}

	s, err = openDir(t, dir, "正确的口令 1")
	if err != nil {
		t.Fatalf("reopen with the right passphrase: %v", err)
	}
	defer s.Close()
	if s.Device() != dev {
		t.Fatalf("device = %s; want %s", s.Device(), dev)
	}
	if v, err := s.GetMeta("pin"); err != nil || string(v) != "hash" {
		t.Fatalf("GetMeta = %q, %v; want hash", v, err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPassphraseOnPlainStore(t *testing.T) {
	dir := t.TempDir()
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = openDir(t, dir, "secret")
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, ErrNotEncrypted) {
		t.Fatalf("got %v; want %v", err, ErrNotEncrypted)
	}
	if _, err := os.Stat(filepath.Join(dir, saltFile)); !os.IsNotExist(err) {
		t.Fatalf("salt file written for a plain store: %v", err)
	}
}

// dirSnapshot maps each file of dir to the SHA-256 of its content.
func dirSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
