package store

import (
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// testClock is a settable wall clock for stores under test.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// quietLogger drops everything below errors.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// openMem opens an in-memory store closed at the end of the test.
func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Options{InMemory: true, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openDir opens an on-disk store in dir; the caller closes it.
func openDir(t testing.TB, dir, pass string) (*Store, error) {
	t.Helper()
	return Open(Options{Dir: dir, Passphrase: pass, Logger: quietLogger(), GCInterval: -1})
}

// tester is what test helpers need of *testing.T and *rapid.T.
type tester interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// uuidOf returns the record id at the end of a state key.
func uuidOf(stateKey []byte) (u [16]byte) {
	copy(u[:], stateKey[1:])
	return u
}

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupBench()
	os.Exit(code)
}

// opID builds an op id.
func opID(dev [16]byte, seq uint64) oplog.OpID { return oplog.OpID{Device: dev, Seq: seq} }
