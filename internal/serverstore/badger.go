package serverstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"github.com/lantian-tz/lantian/sync/server"
)

// Options configure a Badger store.
type Options struct {
	// Dir holds the database; ignored when InMemory.
	Dir string
	// InMemory keeps everything in memory (tests).
	InMemory bool
	// NoSync skips the fsync of each commit. Only for benchmarks: an
	// acknowledged op must survive a crash, or a restarted server would
	// hand out its server seqs again and devices' cursors would skip ops.
	NoSync bool
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *slog.Logger
}

// Store is the Badger backend of server.Storage.
type Store struct {
	db *badger.DB
	// appendMu serialises Append so that server seqs are assigned and
	// committed in the same order: a reader's snapshot then always holds
	// a prefix of the server seqs, and a pull cursor never passes an op
	// that commits later. (With several writers on a database sequence,
	// as a PostgreSQL backend would have, seq order and commit order
	// differ; that backend must instead serve only up to the lowest seq
	// still in flight, or take a table lock per batch.)
	appendMu sync.Mutex
}

var _ server.Storage = (*Store)(nil)

// maxRetries bounds retries of a transaction that hit badger.ErrConflict.
const maxRetries = 16

// Open opens (creating if needed) a Badger store.
func Open(o Options) (*Store, error) {
	opts := badger.DefaultOptions(o.Dir).
		WithInMemory(o.InMemory).
		WithSyncWrites(!o.NoSync && !o.InMemory).
		WithLogger(badgerLogger{o.Logger}).
		WithNumVersionsToKeep(1)
	if o.InMemory {
		opts.Dir, opts.ValueDir = "", ""
	}
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("serverstore: open %s: %w", o.Dir, err)
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// update runs fn in a read-write transaction, retrying on conflicts.
func (s *Store) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) || i == maxRetries {
			return err
		}
	}
}

// badgerLogger adapts slog to Badger's logger; nil discards.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
	}
}

func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
