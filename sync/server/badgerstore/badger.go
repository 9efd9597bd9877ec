package badgerstore

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

	// Badger's sizes; zero takes the default given. Badger's own defaults
	// (5 memtables of 64 MB, a 256 MB block cache, values inline in the
	// LSM tree) took the server to ~800 MB RSS ingesting 100k ops.

	// MemTableSize is the size of one memtable: 32 MB on disk, 64 MB in
	// memory. A transaction may hold 15 % of it, counting values below
	// ValueThreshold in full, so an in-memory store (every value inline)
	// keeps Badger's 64 MB for a batch of protocol.MaxBodyBytes.
	MemTableSize int64
	// NumMemtables is how many memtables are kept in memory, the one
	// being written included: 2.
	NumMemtables int
	// BlockCacheSize is the cache of decompressed table blocks: 64 MB.
	BlockCacheSize int64
	// IndexCacheSize is the cache of table indexes and bloom filters:
	// 32 MB.
	IndexCacheSize int64
	// ValueThreshold is the smallest value kept in the value log rather
	// than in the LSM tree: 256 bytes, so op bodies go to the value log
	// and the tree, its compactions and their memory stay small. Ignored
	// in memory.
	ValueThreshold int64
	// ValueLogFileSize is the size of one value log file: 128 MB.
	ValueLogFileSize int64
	// NumCompactors is the number of compaction goroutines: 2.
	NumCompactors int
}

// Defaults of Options' Badger sizes.
const (
	defaultMemTableSize         = 32 << 20
	defaultMemTableSizeInMemory = 64 << 20
	defaultNumMemtables         = 2
	defaultBlockCacheSize       = 64 << 20
	defaultIndexCacheSize       = 32 << 20
	defaultValueThreshold       = 256
	defaultValueLogFileSize     = 128 << 20
	defaultNumCompactors        = 2
)

// badgerOptions returns Badger's options for o.
func (o Options) badgerOptions() badger.Options {
	def := func(v, d int64) int64 {
		if v > 0 {
			return v
		}
		return d
	}
	mem := int64(defaultMemTableSize)
	if o.InMemory {
		mem = defaultMemTableSizeInMemory
	}
	opts := badger.DefaultOptions(o.Dir).
		WithInMemory(o.InMemory).
		WithSyncWrites(!o.NoSync && !o.InMemory).
		WithLogger(badgerLogger{o.Logger}).
		WithNumVersionsToKeep(1).
		WithMemTableSize(def(o.MemTableSize, mem)).
		WithNumMemtables(int(def(int64(o.NumMemtables), defaultNumMemtables))).
		WithBlockCacheSize(def(o.BlockCacheSize, defaultBlockCacheSize)).
		WithIndexCacheSize(def(o.IndexCacheSize, defaultIndexCacheSize)).
		WithValueLogFileSize(def(o.ValueLogFileSize, defaultValueLogFileSize)).
		WithNumCompactors(int(def(int64(o.NumCompactors), defaultNumCompactors)))
	if o.InMemory {
		opts.Dir, opts.ValueDir = "", ""
	} else {
		opts = opts.WithValueThreshold(def(o.ValueThreshold, defaultValueThreshold))
	}
	return opts
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

// Open opens (creating if needed) a Badger store. A store made by an
// earlier version gets the indexes it lacks, built from its stored ops
// (see indexVersion).
func Open(o Options) (*Store, error) {
	db, err := badger.Open(o.badgerOptions())
	if err != nil {
		return nil, fmt.Errorf("badgerstore: open %s: %w", o.Dir, err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{db: db}
	if err := s.upgrade(log); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("badgerstore: open %s: %w", o.Dir, err)
	}
	return s, nil
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
