package storetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// OpenBlobs opens a new, empty blob storage whose blobs may be at most
// maxSize bytes (protocol.MaxBlobBytes when 0), for the test t; reopen
// opens the same storage again, as a server does after a restart.
type OpenBlobs func(t *testing.T, maxSize int64) (b server.BlobStorage, reopen func() server.BlobStorage)

// Blobs checks that a server.BlobStorage keeps its contract: resumable
// uploads checked against their hash, refusals that leave nothing
// behind, cut parts that keep what arrived, overrunning parts dropped
// whole, unfinished uploads listed across a restart, seekable reads and
// writers of one blob that never mix their bytes.
func Blobs(t *testing.T, open OpenBlobs) {
	t.Run("resumable upload", func(t *testing.T) { blobsResumable(t, open) })
	t.Run("refuse", func(t *testing.T) { blobsRefuse(t, open) })
	t.Run("cut part resumes", func(t *testing.T) { blobsCut(t, open) })
	t.Run("overrun dropped whole", func(t *testing.T) { blobsOverrun(t, open) })
	t.Run("hash mismatch over parts", func(t *testing.T) { blobsMismatch(t, open) })
	t.Run("partials", func(t *testing.T) { blobsPartials(t, open) })
	t.Run("seek", func(t *testing.T) { blobsSeek(t, open) })
	t.Run("concurrent writers", func(t *testing.T) { blobsConcurrent(t, open) })
}

// content returns n bytes that differ from chunk to chunk, and their id.
func content(n int, seed string) (string, []byte) {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s-%08d;", seed, i)
	}
	data := b.Bytes()[:n]
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), data
}

// readAll reads a complete blob.
func readAll(t *testing.T, b server.BlobStorage, id string) []byte {
	t.Helper()
	f, size, err := b.Open(id)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if int64(len(got)) != size {
		t.Errorf("Open said %d bytes; read %d", size, len(got))
	}
	return got
}

func blobsResumable(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 0)
	id, data := content(700<<10, "photo") // several chunks of any backend's
	total := int64(len(data))
	cut := int64(300<<10 + 17)
	if held, done, err := b.Write(id, 0, total, bytes.NewReader(data[:cut]), server.Upload{}); err != nil || held != cut || done {
		t.Fatalf("first part: got %d %v %v; want %d false nil", held, done, err, cut)
	}
	if held, done, _ := b.Stat(id); held != cut || done {
		t.Errorf("Stat after part: got %d %v; want %d false", held, done, cut)
	}
	if _, _, err := b.Open(id); !errors.Is(err, protocol.ErrNotFound) {
		t.Errorf("Open of a partial: got %v; want not_found", err)
	}
	_, _, err := b.Write(id, 100, total, bytes.NewReader(data[100:]), server.Upload{})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeBadOffset || pe.Expected != uint64(cut) {
		t.Errorf("wrong offset: got %v; want bad_offset expecting %d", err, cut)
	}
	if held, done, err := b.Write(id, cut, total, bytes.NewReader(data[cut:]), server.Upload{}); err != nil || held != total || !done {
		t.Fatalf("last part: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if held, done, err := b.Write(id, 0, total, bytes.NewReader(data), server.Upload{}); err != nil || held != total || !done {
		t.Errorf("dedup: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if size, done, err := b.Stat(id); err != nil || size != total || !done {
		t.Errorf("Stat: got %d %v %v; want %d true", size, done, err, total)
	}
	if got := readAll(t, b, id); !bytes.Equal(got, data) {
		t.Errorf("content: got %d bytes, not those uploaded; want %d", len(got), total)
	}
	if err := b.Discard(id); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, b, id); !bytes.Equal(got, data) {
		t.Errorf("Discard removed a complete blob")
	}
}

func blobsRefuse(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 1000)
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

// cutReader delivers the first n bytes of b, then fails with err (like
// a dropped connection when err is io.ErrUnexpectedEOF).
type cutReader struct {
	b   []byte
	n   int
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n == 0 {
		return 0, c.err
	}
	k := copy(p[:min(len(p), c.n)], c.b)
	c.b, c.n = c.b[k:], c.n-k
	return k, nil
}

func blobsCut(t *testing.T, open OpenBlobs) {
	b, reopen := open(t, 0)
	id, data := content(600<<10, "cut")
	total := int64(len(data))
	for _, at := range []int64{300<<10 + 5, 300<<10 + 9, 512 << 10} { // mid-chunk twice, then a boundary
		held, _, _ := b.Stat(id)
		got, done, err := b.Write(id, held, total, &cutReader{b: data[held:], n: int(at - held), err: io.ErrUnexpectedEOF}, server.Upload{})
		if err == nil || got != at || done {
			t.Fatalf("part cut at %d: got %d %v %v; want %d false and an error", at, got, done, err, at)
		}
		if h, done, _ := b.Stat(id); h != at || done {
			t.Errorf("Stat after the cut at %d: got %d %v", at, h, done)
		}
	}
	b = reopen()
	if held, done, err := b.Write(id, 512<<10, total, bytes.NewReader(data[512<<10:]), server.Upload{}); err != nil || held != total || !done {
		t.Errorf("resumed part: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if got := readAll(t, b, id); !bytes.Equal(got, data) {
		t.Errorf("content after cuts: not the bytes sent")
	}
}

// A part that overruns is dropped whole, however many bytes it had
// brought, and the upload resumes from where it stood before the part.
func blobsOverrun(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 0)
	id, data := content(700<<10, "overrun")
	total := int64(len(data))
	start := int64(100<<10 + 3)
	if _, _, err := b.Write(id, 0, total, bytes.NewReader(data[:start]), server.Upload{}); err != nil {
		t.Fatal(err)
	}
	tooLong := model.E("test", model.ErrTooLarge, "part_too_long", model.Text{ZH: "分片过长", EN: "part too long"})
	for _, tt := range []struct {
		name string
		r    io.Reader
	}{
		{"past the blob's end", bytes.NewReader(append(bytes.Clone(data[start:]), 'x'))},
		{"past the part's range", &cutReader{b: data[start:], n: 400 << 10, err: tooLong}},
	} {
		held, done, err := b.Write(id, start, total, tt.r, server.Upload{})
		if !errors.Is(err, model.ErrTooLarge) || held != start || done {
			t.Errorf("%s: got %d %v %v; want %d false and an error of kind too_large", tt.name, held, done, err, start)
		}
		if h, done, _ := b.Stat(id); h != start || done {
			t.Errorf("%s: Stat got %d %v; want %d false", tt.name, h, done, start)
		}
	}
	if held, done, err := b.Write(id, start, total, bytes.NewReader(data[start:]), server.Upload{}); err != nil || held != total || !done {
		t.Fatalf("resumed: got %d %v %v; want %d true nil", held, done, err, total)
	}
	if got := readAll(t, b, id); !bytes.Equal(got, data) {
		t.Errorf("content after dropped parts: not the bytes sent")
	}
}

// Content that does not hash to its id, found when the last of several
// parts arrives, drops the whole upload.
func blobsMismatch(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 0)
	id, data := content(400<<10, "mismatch")
	total := int64(len(data))
	if _, _, err := b.Write(id, 0, total, bytes.NewReader(data[:200<<10]), server.Upload{}); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(data[200<<10:])
	bad[len(bad)-1] ^= 1
	if held, done, err := b.Write(id, 200<<10, total, bytes.NewReader(bad), server.Upload{}); !errors.Is(err, protocol.ErrHashMismatch) || held != 0 || done {
		t.Errorf("last part: got %d %v %v; want 0 false hash_mismatch", held, done, err)
	}
	if held, done, _ := b.Stat(id); held != 0 || done {
		t.Errorf("Stat after mismatch: got %d %v; want 0 false", held, done)
	}
	if ps, _ := b.Partials(); len(ps) != 0 {
		t.Errorf("partials after mismatch: %+v; want none", ps)
	}
	if held, done, err := b.Write(id, 0, total, bytes.NewReader(data), server.Upload{}); err != nil || !done || held != total {
		t.Errorf("upload again: got %d %v %v", held, done, err)
	}
}

// Unfinished uploads are listed with who sent their last part, when and
// the size announced, also after reopening; finished, refused and
// discarded ones are not.
func blobsPartials(t *testing.T, open OpenBlobs) {
	b, reopen := open(t, 0)
	dev1, dev2 := uuid.New(), uuid.New()
	t0 := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	idA, a := content(100, "a")
	idB, bb := content(100, "b")
	idC, c := content(100, "c")
	idD, d := content(100, "d")
	write := func(id string, off int64, p []byte, by server.Upload) {
		t.Helper()
		if _, _, err := b.Write(id, off, 100, bytes.NewReader(p), by); err != nil {
			t.Fatal(err)
		}
	}
	write(idA, 0, a[:10], server.Upload{Device: dev1, At: t0})
	write(idA, 10, a[10:30], server.Upload{Device: dev2, At: t0.Add(time.Hour)})
	write(idB, 0, bb[:50], server.Upload{Device: dev1, At: t0})
	write(idC, 0, c, server.Upload{Device: dev1, At: t0})
	write(idD, 0, d[:5], server.Upload{Device: dev1, At: t0})
	if err := b.Discard(idD); err != nil {
		t.Fatal(err)
	}
	if err := b.Discard(idC); err != nil { // complete: kept
		t.Fatal(err)
	}
	again := reopen()
	got, err := again.Partials()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]server.Partial{
		idA: {ID: idA, Held: 30, Total: 100, Upload: server.Upload{Device: dev2, At: t0.Add(time.Hour)}},
		idB: {ID: idB, Held: 50, Total: 100, Upload: server.Upload{Device: dev1, At: t0}},
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
	if size, complete, _ := again.Stat(idC); !complete || size != 100 {
		t.Errorf("complete blob after Discard: got %d %v; want 100 true", size, complete)
	}
	if _, _, err := again.Write(idD, 0, 100, bytes.NewReader(d), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Errorf("upload again after Discard: %v", err)
	}
	if _, _, err := again.Write(idA, 30, 100, bytes.NewReader(a[30:]), server.Upload{Device: dev1, At: t0}); err != nil {
		t.Errorf("finish after reopening: %v", err)
	}
	if got := readAll(t, again, idA); !bytes.Equal(got, a) {
		t.Errorf("blob finished after reopening: not the bytes sent")
	}
}

// A blob read from any offset, as a ranged or resumed download does,
// gives the bytes from there.
func blobsSeek(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 0)
	id, data := content(600<<10, "seek")
	if _, done, err := b.Write(id, 0, int64(len(data)), bytes.NewReader(data), server.Upload{}); err != nil || !done {
		t.Fatalf("Write: %v %v", done, err)
	}
	f, size, err := b.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if end, err := f.Seek(0, io.SeekEnd); err != nil || end != size || size != int64(len(data)) {
		t.Errorf("Seek to the end: got %d %v; want %d", end, err, len(data))
	}
	for _, off := range []int64{300<<10 - 3, 5, 512<<10 + 1, int64(len(data)) - 1} {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 10)
		n, err := io.ReadFull(f, got)
		want := data[off:min(off+10, int64(len(data)))]
		if !bytes.Equal(got[:n], want) || (err != nil && n != len(want)) {
			t.Errorf("10 bytes from %d: got %q %v; want %q", off, got[:n], err, want)
		}
	}
	if _, err := f.Seek(-4, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(f); !bytes.Equal(got, data[len(data)-4:]) {
		t.Errorf("the last 4 bytes: got %q", got)
	}
}

// Two devices upload one blob at once, one of them with wrong bytes:
// whatever order their writes take, a blob that ends complete holds
// content that hashes to its id, and an unfinished one resumes with the
// right bytes to a blob that does.
func blobsConcurrent(t *testing.T, open OpenBlobs) {
	b, _ := open(t, 0)
	for i := range 8 {
		id, data := content(300<<10, fmt.Sprintf("race-%d", i))
		wrong := bytes.Clone(data)
		for j := 0; j < len(wrong); j += 4096 {
			wrong[j] ^= 0xff
		}
		var wg sync.WaitGroup
		for _, body := range [][]byte{data, wrong} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, _ = b.Write(id, 0, int64(len(body)), bytes.NewReader(body), server.Upload{})
			}()
		}
		wg.Wait()
		held, done, err := b.Stat(id)
		if err != nil {
			t.Fatal(err)
		}
		if !done {
			// The partial may hold the wrong bytes: then the right ones
			// after them do not hash to the id, and the upload starts
			// over.
			got, done, err := b.Write(id, held, int64(len(data)), bytes.NewReader(data[held:]), server.Upload{})
			if errors.Is(err, protocol.ErrHashMismatch) {
				got, done, err = b.Write(id, 0, int64(len(data)), bytes.NewReader(data), server.Upload{})
			}
			if err != nil || !done {
				t.Fatalf("round %d: resuming at %d with the right bytes: got %d %v %v; want complete", i, held, got, done, err)
			}
		}
		if got := readAll(t, b, id); !bytes.Equal(got, data) {
			sum := sha256.Sum256(got)
			t.Fatalf("round %d: a complete blob holds %d bytes hashing to %x; want its id", i, len(got), sum[:4])
		}
	}
}
