package badgerstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
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

	if held, done, err := b.Write(id, 0, total, bytes.NewReader(content[:250]), server.Upload{}); err != nil || held != 250 || done {
		t.Fatalf("first part: got %d %v %v; want 250 false nil", held, done, err)
	}
	if held, done, _ := b.Stat(id); held != 250 || done {
		t.Errorf("Stat after part: got %d %v; want 250 false", held, done)
	}
	_, _, err = b.Write(id, 100, total, bytes.NewReader(content[100:]), server.Upload{})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeBadOffset || pe.Expected != 250 {
		t.Errorf("wrong offset: got %v; want bad_offset expecting 250", err)
	}
	if held, done, err := b.Write(id, 250, total, bytes.NewReader(content[250:]), server.Upload{}); err != nil || held != total || !done {
		t.Fatalf("last part: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if held, done, err := b.Write(id, 0, total, bytes.NewReader(content), server.Upload{}); err != nil || held != total || !done {
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
			if _, _, err := b.Write(tt.id, 0, tt.total, bytes.NewReader([]byte(tt.body)), server.Upload{}); !errors.Is(err, tt.want) {
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
	held, _, err := b.Write(id, 0, 1000, &cutReader{b: content, n: 300}, server.Upload{})
	if err == nil || held != 300 {
		t.Fatalf("cut part: got %d, %v; want 300 and an error", held, err)
	}
	if held, done, err := b.Write(id, 300, 1000, bytes.NewReader(content[300:]), server.Upload{}); err != nil || held != 1000 || !done {
		t.Errorf("resumed part: got %d %v %v; want 1000 true nil", held, done, err)
	}
}

// Unfinished uploads are listed with who sent their last part, when and
// the size announced, also after reopening; finished, refused and
// discarded ones are not, and a partial left without a record has its
// file's time.
func TestBlobsPartials(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBlobs(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	blob := func(s string) (string, []byte) {
		data := bytes.Repeat([]byte(s), 100)
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:]), data
	}
	dev1, dev2 := uuid.New(), uuid.New()
	t0 := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	idA, a := blob("a")
	idB, bb := blob("b")
	idC, c := blob("c")
	idD, d := blob("d")
	if _, _, err := b.Write(idA, 0, 100, bytes.NewReader(a[:10]), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Write(idA, 10, 100, bytes.NewReader(a[10:30]), server.Upload{Device: dev2, At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Write(idB, 0, 100, bytes.NewReader(bb[:50]), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Write(idC, 0, 100, bytes.NewReader(c), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Write(idD, 0, 100, bytes.NewReader(d[:5]), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := b.Discard(idD); err != nil {
		t.Fatal(err)
	}
	if err := b.Discard(idC); err != nil { // complete: kept
		t.Fatal(err)
	}
	legacy, _ := blob("e")
	if err := os.WriteFile(filepath.Join(dir, "partial", legacy), []byte("12345"), 0o640); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "partial", legacy), mtime, mtime); err != nil {
		t.Fatal(err)
	}

	reopened, err := OpenBlobs(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reopened.Partials()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]server.Partial{
		idA:    {ID: idA, Held: 30, Total: 100, Upload: server.Upload{Device: dev2, At: t0.Add(time.Hour)}},
		idB:    {ID: idB, Held: 50, Total: 100, Upload: server.Upload{Device: dev1, At: t0}},
		legacy: {ID: legacy, Held: 5, Upload: server.Upload{At: mtime}},
	}
	if len(got) != len(want) {
		t.Errorf("got %d partials %+v; want %d", len(got), got, len(want))
	}
	for _, p := range got {
		w, ok := want[p.ID]
		if !ok || p.Held != w.Held || p.Total != w.Total || p.Device != w.Device || !p.At.Equal(w.At) {
			t.Errorf("partial %s: got %+v; want %+v", p.ID[:8], p, w)
		}
	}
	if size, complete, _ := reopened.Stat(idC); !complete || size != 100 {
		t.Errorf("complete blob after Discard: got %d %v; want 100 true", size, complete)
	}
	if _, _, err := reopened.Write(idD, 0, 100, bytes.NewReader(d), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Errorf("upload again after Discard: %v", err)
	}
}
