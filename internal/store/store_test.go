package store

import (
	"os"
	"path/filepath"
	"testing"
)

// An empty memtable file, as a crash between its creation and its first
// write leaves, does not keep the store from opening (Badger #2207).
func TestOpenWithEmptyMemtableFile(t *testing.T) {
	dir := t.TempDir()
	s, err := openDir(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.WriteFile(filepath.Join(dir, "00042.mem"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = openDir(t, dir, "")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()
	if v, err := s.GetMeta("k"); err != nil || string(v) != "v" {
		t.Fatalf("GetMeta = %q, %v; want v", v, err)
	}
}
