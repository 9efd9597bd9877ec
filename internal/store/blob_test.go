package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBlobs(t *testing.T) {
	s := openMem(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"small", []byte("photo of a boiler")},
		{"large", bytes.Repeat([]byte{0xab, 0xcd, 0x01}, 1<<18)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := sha256.Sum256(tt.data)
			want := hex.EncodeToString(sum[:])
			got, err := s.PutBlob(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("PutBlob: %v", err)
			}
			if got != want {
				t.Fatalf("PutBlob = %s; want %s", got, want)
			}
			if again, err := s.PutBlob(bytes.NewReader(tt.data)); err != nil || again != want {
				t.Fatalf("PutBlob again = %s, %v; want %s, nil", again, err, want)
			}
			if !s.HasBlob(want) {
				t.Fatalf("HasBlob(%s) = false; want true", want)
			}
			if _, err := os.Stat(filepath.Join(s.BlobDir(), want[:2], want)); err != nil {
				t.Fatalf("blob file: %v", err)
			}
			r, err := s.OpenBlob(want)
			if err != nil {
				t.Fatalf("OpenBlob: %v", err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(b, tt.data) {
				t.Fatalf("read %d bytes, %v; want %d bytes, nil", len(b), err, len(tt.data))
			}
		})
	}
}

func TestBlobErrors(t *testing.T) {
	s := openMem(t)
	sha, err := s.PutBlob(strings.NewReader("original"))
	if err != nil {
		t.Fatal(err)
	}
	// Damage the file behind the store's back.
	if err := os.WriteFile(filepath.Join(s.BlobDir(), sha[:2], sha), []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := strings.Repeat("0", 64)
	tests := []struct {
		name string
		sha  string
		want error
	}{
		{"tampered", sha, ErrBadBlob},
		{"missing", missing, ErrNotFound},
		{"not a hash", "../../etc/passwd", ErrBadBlob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.OpenBlob(tt.sha)
			if err == nil {
				_, err = io.ReadAll(r)
				r.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
		})
	}
	if s.HasBlob(missing) {
		t.Fatalf("HasBlob(missing) = true; want false")
	}
}

func TestRemoveBlob(t *testing.T) {
	s := openMem(t)
	sha, err := s.PutBlob(strings.NewReader("a photo an import wrote"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBlob(sha); err != nil {
		t.Fatalf("RemoveBlob: %v", err)
	}
	if s.HasBlob(sha) {
		t.Fatal("HasBlob after RemoveBlob = true; want false")
	}
	if err := s.RemoveBlob(sha); err != nil {
		t.Errorf("RemoveBlob of a missing blob: got %v; want nil", err)
	}
	if err := s.RemoveBlob("../../etc/passwd"); !errors.Is(err, ErrBadBlob) {
		t.Errorf("RemoveBlob of a bad name: got %v; want ErrBadBlob", err)
	}
}
