package badgerstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/lantian-tz/lantian/sync/protocol"
)

func TestBlobsResumableUpload(t *testing.T) {
	b, err := OpenBlobs(t.TempDir(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("photo "), 100) // 600 bytes
	sum := sha256.Sum256(content)
	id := hex.EncodeToString(sum[:])
	total := int64(len(content))

	if held, done, err := b.Write(id, 0, total, bytes.NewReader(content[:250])); err != nil || held != 250 || done {
		t.Fatalf("first part: got %d %v %v; want 250 false nil", held, done, err)
	}
	if held, done, _ := b.Stat(id); held != 250 || done {
		t.Errorf("Stat after part: got %d %v; want 250 false", held, done)
	}
	_, _, err = b.Write(id, 100, total, bytes.NewReader(content[100:]))
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeBadOffset || pe.Expected != 250 {
		t.Errorf("wrong offset: got %v; want bad_offset expecting 250", err)
	}
	if held, done, err := b.Write(id, 250, total, bytes.NewReader(content[250:])); err != nil || held != total || !done {
		t.Fatalf("last part: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if held, done, err := b.Write(id, 0, total, bytes.NewReader(content)); err != nil || held != total || !done {
		t.Errorf("dedup: got %d %v %v; want %d true nil", held, done, err, total)
	}
	f, size, err := b.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	_ = f.Close()
	if size != total || !bytes.Equal(got, content) {
		t.Errorf("content: got %d bytes; want %d", len(got), total)
	}
}

func TestBlobsRefuse(t *testing.T) {
	b, err := OpenBlobs(t.TempDir(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	good := sha256.Sum256([]byte("x"))
	goodID := hex.EncodeToString(good[:])
	tests := []struct {
		name  string
		id    string
		total int64
		body  string
		want  error
	}{
		{"hash mismatch", goodID, 1, "y", protocol.ErrHashMismatch},
		{"too large", goodID, 1001, "x", protocol.ErrBlobTooLarge},
		{"longer than announced", goodID, 1, "xx", protocol.ErrBlobTooLarge},
		{"bad id", "../../etc/passwd", 1, "x", protocol.ErrNotFound},
		{"upper-case id", "AB" + goodID[2:], 1, "x", protocol.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := b.Write(tt.id, 0, tt.total, bytes.NewReader([]byte(tt.body))); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
			if _, _, err := b.Open(goodID); !errors.Is(err, protocol.ErrNotFound) {
				t.Errorf("Open after refusal: got %v; want %v", err, protocol.ErrNotFound)
			}
			if held, done, _ := b.Stat(goodID); held != 0 || done {
				t.Errorf("Stat after refusal: got %d %v; want 0 false", held, done)
			}
		})
	}
}

// cutReader delivers n bytes, then fails like a dropped connection.
type cutReader struct {
	b []byte
	n int
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b, c.n = c.b[k:], c.n-k
	return k, nil
}

func TestBlobsCutPartResumes(t *testing.T) {
	b, err := OpenBlobs(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	content := bytes.Repeat([]byte("0123456789"), 100)
	sum := sha256.Sum256(content)
	id := hex.EncodeToString(sum[:])
	held, _, err := b.Write(id, 0, 1000, &cutReader{b: content, n: 300})
	if err == nil || held != 300 {
		t.Fatalf("cut part: got %d, %v; want 300 and an error", held, err)
	}
	if held, done, err := b.Write(id, 300, 1000, bytes.NewReader(content[300:])); err != nil || held != 1000 || !done {
		t.Errorf("resumed part: got %d %v %v; want 1000 true nil", held, done, err)
	}
}
