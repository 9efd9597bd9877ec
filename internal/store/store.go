package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
)

// badgerNewFile is the message of ristretto's z.NewFile, which Badger's
// Open returns (wrapped without %w) for an empty memtable file.
const badgerNewFile = "Create a new file"

// Store is a device's local store. Its methods are safe for concurrent
// use; writes are serialized.
type Store struct {
	db      *badger.DB
	opts    Options
	log     *slog.Logger
	clock   *hlc.Clock
	device  uuid.UUID
	priv    ed25519.PrivateKey
	blobDir string
	tmpBlob bool // blobDir is a temporary directory removed by Close

	mu       sync.Mutex // serializes writes
	localSeq atomic.Uint64
	closed   atomic.Bool

	subMu  sync.Mutex
	subs   map[uint64]func(Event)
	subSeq uint64

	stopGC chan struct{}
	gcDone chan struct{}

	// afterChunk, when set (tests), runs under the lock after each chunk
	// of a batch stored in several but the last; an error stops the
	// batch there, as a crash would.
	afterChunk func() error
	// restamped counts the states Stamp rewrote by its fast path
	// (restampOne), for tests.
	restamped atomic.Int64
	// sameTime counts the stamps that left an op's compared time as it
	// was, so no state was touched (tests).
	sameTime atomic.Int64
}

// Open opens (or creates) the store described by opts. On first open it
// creates the device identity: a UUIDv7 device id and an ed25519 key, kept
// in the store.
func Open(opts Options) (*Store, error) {
	opts.defaults()
	if !opts.InMemory && opts.Dir == "" {
		return nil, errors.New("store: Options.Dir is empty")
	}
	key, err := encryptionKey(&opts)
	if err != nil {
		return nil, err
	}
	bo := badgerOptions(&opts, key)
	db, err := badger.Open(bo)
	if err != nil && strings.Contains(err.Error(), badgerNewFile) {
		// Badger issue #2207: a crash between creating a memtable or
		// value-log file and its first write leaves an empty file, on
		// which Open fails once after sizing it; the next Open works.
		opts.Logger.Warn("store: reopening after an empty file left by a crash", "err", err)
		db, err = badger.Open(bo)
	}
	if err != nil {
		if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("store: open badger: %w", err)
	}
	s := &Store{db: db, opts: opts, log: opts.Logger, subs: map[uint64]func(Event){}}
	if err := s.init(); err != nil {
		db.Close()
		s.removeTempBlobs()
		return nil, err
	}
	if opts.GCInterval > 0 && !opts.InMemory {
		s.stopGC = make(chan struct{})
		s.gcDone = make(chan struct{})
		go s.gcLoop(opts.GCInterval)
	}
	return s, nil
}

// init sets up the blob directory, the identity, the clock and the local
// seq.
func (s *Store) init() error {
	if s.opts.InMemory {
		dir, err := os.MkdirTemp("", "lantian-blobs-*")
		if err != nil {
			return fmt.Errorf("store: blob dir: %w", err)
		}
		s.blobDir, s.tmpBlob = dir, true
	} else {
		s.blobDir = filepath.Join(s.opts.Dir, "blobs")
		if err := os.MkdirAll(s.blobDir, 0o700); err != nil {
			return fmt.Errorf("store: blob dir: %w", err)
		}
	}
	if err := s.loadIdentity(); err != nil {
		return err
	}
	seq, err := s.headSeq(s.device)
	if err != nil {
		return err
	}
	s.localSeq.Store(seq)
	clock, err := hlc.New(s.opts.Now, clockPersister{s}, s.opts.SkewTolerance)
	if err != nil {
		return fmt.Errorf("store: clock: %w", err)
	}
	s.clock = clock
	return s.resumeRebuild()
}

// loadIdentity reads the device id and key, creating them on first open.
func (s *Store) loadIdentity() error {
	return s.update(func(txn *badger.Txn) error {
		id, err := getValue(txn, metaKeyOf(metaDevice))
		if err == nil {
			seed, err := getValue(txn, metaKeyOf(metaKey))
			if err != nil || len(id) != 16 || len(seed) != ed25519.SeedSize {
				return fmt.Errorf("store: device identity is damaged: %v", err)
			}
			copy(s.device[:], id)
			s.priv = ed25519.NewKeyFromSeed(seed)
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		dev, err := uuid.NewV7()
		if err != nil {
			return err
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		s.device, s.priv = dev, priv
		if err := txn.Set(metaKeyOf(metaDevice), dev[:]); err != nil {
			return err
		}
		if err := txn.Set(metaKeyOf(metaKey), priv.Seed()); err != nil {
			return err
		}
		if err := txn.Set(metaKeyOf(metaVersion), []byte{layoutVersion}); err != nil {
			return err
		}
		return txn.Set(deviceKey(dev), encodeDevice(priv.Public().(ed25519.PublicKey), "this device"))
	})
}

// Close stops background work and closes the database. Blobs of an
// in-memory store are removed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.stopGC != nil {
		close(s.stopGC)
		<-s.gcDone
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.db.Close()
	s.removeTempBlobs()
	return err
}

func (s *Store) removeTempBlobs() {
	if s.tmpBlob {
		os.RemoveAll(s.blobDir)
	}
}

// Device returns this device's id.
func (s *Store) Device() uuid.UUID { return s.device }

// PublicKey returns this device's public key.
func (s *Store) PublicKey() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// FollowServerClock makes the store's clock follow a server's time;
// offset is this device's clock minus the server's, measured at a sync.
// Off by more than the bounded-skew tolerance (oplog.DefaultTolerance),
// the clock reads the server's time instead of the device's (hlc.Clock
// Follow), so a tablet whose clock was reset stamps its changes with the
// right time and takes the times of the ops it receives; the correction
// lasts until the next sync or the store is closed. Within tolerance the
// device's clock is used as it is.
func (s *Store) FollowServerClock(offset time.Duration) {
	s.clock.Follow(offset, oplog.DefaultTolerance)
}

// Sign signs msg with this device's key (bundles, enrollment).
func (s *Store) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// update runs fn in a read-write transaction and makes the commit durable
// before returning.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	if s.closed.Load() && s.db.IsClosed() {
		return ErrClosed
	}
	if err := s.db.Update(fn); err != nil {
		return err
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("store: sync: %w", err)
	}
	return nil
}

// view runs fn in a read-only transaction.
func (s *Store) view(fn func(txn *badger.Txn) error) error {
	if s.db.IsClosed() {
		return ErrClosed
	}
	return s.db.View(fn)
}
