package hlc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/lantian-tz/lantian/internal/fsutil"
)

// MemoryPersister keeps the mark in memory: for tests, and for clocks that
// need not survive the process. The zero value is ready to use.
type MemoryPersister struct {
	mu    sync.Mutex
	mark  Timestamp
	saves int
	// Fail, when non-nil, is returned by Save instead of saving.
	Fail error
}

var _ Persister = (*MemoryPersister)(nil)

// Load returns the saved mark.
func (m *MemoryPersister) Load() (Timestamp, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mark, nil
}

// Save stores ts, or returns Fail when set.
func (m *MemoryPersister) Save(ts Timestamp) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	m.mark = ts
	m.saves++
	return nil
}

// Saves returns how many saves succeeded.
func (m *MemoryPersister) Saves() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}

// FilePersister keeps the mark in a file as 8 big-endian bytes, replaced
// atomically (write to a temporary file, sync, rename).
type FilePersister struct {
	Path string
}

var _ Persister = FilePersister{}

// Load reads the mark; a missing file reads as zero.
func (f FilePersister) Load() (Timestamp, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("hlc: clock file %s holds %d bytes; want 8", f.Path, len(b))
	}
	return Timestamp(binary.BigEndian.Uint64(b)), nil
}

// Save writes ts durably.
func (f FilePersister) Save(ts Timestamp) error {
	return fsutil.WriteFileSync(f.Path, binary.BigEndian.AppendUint64(nil, uint64(ts)))
}
