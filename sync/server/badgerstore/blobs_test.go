package badgerstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

// The file storage keeps the contract of every blob storage.
func TestBlobsContract(t *testing.T) {
	storetest.Blobs(t, func(t *testing.T, maxSize int64) (server.BlobStorage, func() server.BlobStorage) {
		dir := t.TempDir()
		b, err := OpenBlobs(dir, maxSize)
		if err != nil {
			t.Fatal(err)
		}
		return b, func() server.BlobStorage {
			again, err := OpenBlobs(dir, maxSize)
			if err != nil {
				t.Fatal(err)
			}
			return again
		}
	})
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
