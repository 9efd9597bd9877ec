package pgstore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

var _ server.BlobStorage = (*pgstore.Blobs)(nil)

// The PostgreSQL storage keeps the contract of every blob storage;
// reopening is opening another store on the same database, as another
// instance or a restart does.
func TestBlobsContract(t *testing.T) {
	storetest.Blobs(t, func(t *testing.T, maxSize int64) (server.BlobStorage, func() server.BlobStorage) {
		u := freshURL(t)
		return openURL(t, u).Blobs(maxSize), func() server.BlobStorage { return openURL(t, u).Blobs(maxSize) }
	})
}

// The contract holds with chunks of a few bytes too, which put many
// chunk boundaries inside each part.
func TestBlobsContractSmallChunks(t *testing.T) {
	storetest.Blobs(t, func(t *testing.T, maxSize int64) (server.BlobStorage, func() server.BlobStorage) {
		u := freshURL(t)
		small := func() server.BlobStorage {
			b := openURL(t, u).Blobs(maxSize)
			pgstore.SetChunkBytes(b, 4093)
			return b
		}
		return small(), small
	})
}

// Two instances upload one photo at once, through stores of their own
// on one database, one of them with wrong bytes, in chunks small enough
// that their writes interleave: a blob that ends complete always holds
// the bytes that hash to its id.
func TestBlobsTwoInstancesRace(t *testing.T) {
	u := freshURL(t)
	var bs [2]*pgstore.Blobs
	for i := range bs {
		bs[i] = openURL(t, u).Blobs(0)
		pgstore.SetChunkBytes(bs[i], 1024)
	}
	for round := range 10 {
		data := make([]byte, 64<<10)
		_, _ = rand.Read(data)
		sum := sha256.Sum256(data)
		id := hex.EncodeToString(sum[:])
		wrong := bytes.Clone(data)
		for j := 0; j < len(wrong); j += 512 {
			wrong[j] ^= 0xff
		}
		var wg sync.WaitGroup
		for i, body := range [][]byte{data, wrong} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, _ = bs[i].Write(id, 0, int64(len(body)), bytes.NewReader(body), server.Upload{At: time.Now()})
			}()
		}
		wg.Wait()
		held, done, err := bs[1].Stat(id)
		if err != nil {
			t.Fatal(err)
		}
		if !done {
			_, done, err = bs[1].Write(id, held, int64(len(data)), bytes.NewReader(data[held:]), server.Upload{})
			if errors.Is(err, protocol.ErrHashMismatch) {
				_, done, err = bs[1].Write(id, 0, int64(len(data)), bytes.NewReader(data), server.Upload{})
			}
			if err != nil || !done {
				t.Fatalf("round %d: resuming at %d: %v %v", round, held, done, err)
			}
		}
		f, _, err := bs[0].Open(id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil || !bytes.Equal(got, data) {
			gs := sha256.Sum256(got)
			t.Fatalf("round %d: the complete blob hashes to %x…, not its id %s… (%v)", round, gs[:4], id[:8], err)
		}
	}
}

// A photo of the largest size allowed is written and read through the
// database holding a chunk at a time, not the photo: the heap in use
// grows by far less than its size.
func TestBlobsLargeBoundedMemory(t *testing.T) {
	b := openStore(t).Blobs(0)
	const size = protocol.MaxBlobBytes
	src := &patternReader{n: size}
	h := sha256.New()
	if _, err := io.Copy(h, &patternReader{n: size}); err != nil {
		t.Fatal(err)
	}
	id := hex.EncodeToString(h.Sum(nil))

	heap := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapInuse)
	}
	var peak int64
	var mu sync.Mutex
	sample := func() {
		v := heap()
		mu.Lock()
		peak = max(peak, v)
		mu.Unlock()
	}
	base := heap()
	src.every, src.sample = 4<<20, sample
	start := time.Now()
	held, done, err := b.Write(id, 0, size, src, server.Upload{At: time.Now()})
	wrote := time.Since(start)
	if err != nil || !done || held != size {
		t.Fatalf("Write: got %d %v %v; want %d true nil", held, done, err, size)
	}
	f, n, err := b.Open(id)
	if err != nil || n != size {
		t.Fatalf("Open: %d %v", n, err)
	}
	check := sha256.New()
	start = time.Now()
	sink := &sampleWriter{w: check, every: 4 << 20, sample: sample}
	if _, err := io.Copy(sink, f); err != nil {
		t.Fatal(err)
	}
	read := time.Since(start)
	_ = f.Close()
	if got := hex.EncodeToString(check.Sum(nil)); got != id {
		t.Fatalf("read back: hashes to %s; want %s", got, id)
	}
	grew := peak - base
	t.Logf("%d MiB: write %.1f MB/s, read %.1f MB/s; heap in use grew by at most %.1f MiB",
		size>>20, float64(size)/wrote.Seconds()/1e6, float64(size)/read.Seconds()/1e6, float64(grew)/(1<<20))
	if grew > size/4 {
		t.Errorf("heap in use grew by %d bytes while a %d-byte blob went through; want well under its size", grew, size)
	}
}

// patternReader yields n bytes of a fixed pattern, calling sample after
// every every bytes.
type patternReader struct {
	n, off, every int64
	next          int64
	sample        func()
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 7 % 251)
	}
	p.off += int64(len(b))
	if p.sample != nil && p.off >= p.next {
		p.next += p.every
		p.sample()
	}
	return len(b), nil
}

// sampleWriter passes bytes to w, calling sample after every every bytes.
type sampleWriter struct {
	w        io.Writer
	n, every int64
	next     int64
	sample   func()
}

func (s *sampleWriter) Write(b []byte) (int, error) {
	s.n += int64(len(b))
	if s.n >= s.next {
		s.next += s.every
		s.sample()
	}
	return s.w.Write(b)
}
