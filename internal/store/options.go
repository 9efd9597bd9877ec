package store

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Options configure Open.
type Options struct {
	// Dir holds the Badger files, the salt file of an encrypted store and
	// the blobs directory. Ignored when InMemory (blobs then go to a
	// temporary directory removed by Close).
	Dir string
	// InMemory keeps everything in memory (tests).
	InMemory bool
	// Passphrase, when not empty, encrypts the store at rest with a key
	// derived from it (scrypt). A store created with a passphrase must be
	// opened with it, and one created without cannot be opened with one.
	Passphrase string
	// Logger receives the store's and Badger's warnings; slog.Default()
	// when nil.
	Logger *slog.Logger
	// Now is the wall clock; time.Now when nil.
	Now func() time.Time
	// SkewTolerance is the largest drift of a remote HLC ahead of our
	// clock that the clock follows; 24h when zero.
	SkewTolerance time.Duration
	// GCInterval is the period of value-log garbage collection; 10 minutes
	// when zero, never when negative.
	GCInterval time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SkewTolerance == 0 {
		o.SkewTolerance = 24 * time.Hour
	}
	if o.GCInterval == 0 {
		o.GCInterval = 10 * time.Minute
	}
}

// Badger sizes for a tablet: the defaults take ~220 MB RSS writing 100k
// small keys; these keep it near 130 MB. Values above valueThreshold (op
// bodies, states) go to the value log, which keeps the LSM tree, its
// compactions and their memory small.
const (
	valueThreshold = 256
	memTableSize   = 16 << 20
	numMemtables   = 2
	blockCacheSize = 16 << 20
	indexCacheSize = 16 << 20
	vlogFileSize   = 64 << 20
	numCompactors  = 2
)

// badgerOptions returns Badger's options for o and the encryption key
// (nil for a plain store).
func badgerOptions(o *Options, key []byte) badger.Options {
	var bo badger.Options
	if o.InMemory {
		bo = badger.DefaultOptions("").WithInMemory(true)
	} else {
		bo = badger.DefaultOptions(o.Dir).WithValueThreshold(valueThreshold)
	}
	bo = bo.WithLogger(slogBadger{o.Logger}).
		WithLoggingLevel(badger.WARNING).
		// Writes are synced explicitly (db.Sync) after each commit, so
		// that a store method and its clock save cost one fsync.
		WithSyncWrites(false).
		WithMemTableSize(memTableSize).
		WithNumMemtables(numMemtables).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(blockCacheSize).
		WithIndexCacheSize(indexCacheSize).
		WithValueLogFileSize(vlogFileSize).
		WithNumCompactors(numCompactors).
		WithNumGoroutines(4).
		WithMetricsEnabled(false).
		WithDetectConflicts(false)
	if key != nil {
		bo = bo.WithEncryptionKey(key).WithEncryptionKeyRotationDuration(30 * 24 * time.Hour)
	}
	return bo
}

// slogBadger adapts a *slog.Logger to badger.Logger; Badger's info and
// debug lines are dropped.
type slogBadger struct{ l *slog.Logger }

// Errorf logs at error level.
func (a slogBadger) Errorf(f string, args ...any) {
	a.l.Error("badger: " + trimNL(fmt.Sprintf(f, args...)))
}

// Warningf logs at warning level.
func (a slogBadger) Warningf(f string, args ...any) {
	a.l.Warn("badger: " + trimNL(fmt.Sprintf(f, args...)))
}

// Infof drops Badger's info lines.
func (a slogBadger) Infof(string, ...any) {}

// Debugf drops Badger's debug lines.
func (a slogBadger) Debugf(string, ...any) {}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
