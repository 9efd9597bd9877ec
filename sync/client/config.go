package client

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Store is what the client needs of the device's store (satisfied by
// *store.Store).
type Store interface {
	Device() uuid.UUID
	PublicKey() ed25519.PublicKey
	Ops(device uuid.UUID, afterSeq uint64, limit int) ([]oplog.Op, error)
	LocalSeq() uint64
	Acked() (uint64, error)
	SetAcked(seq uint64) error
	LostAfter(seq uint64) error
	Stamp(ctx context.Context, stamps []store.Stamp) error
	Quarantine(id oplog.OpID, reason model.Text) error
	Cursor() (uint64, error)
	RegisterDeviceAs(id uuid.UUID, pub ed25519.PublicKey, label string, en store.Enrolled) error
	FollowServerClock(offset time.Duration)
	ApplyPage(ctx context.Context, ops []oplog.Op, cursor uint64) (store.ApplyResult, error)
	ApplyPageScoped(ctx context.Context, ops []oplog.Op, scopePrev []uint64, cursor uint64) (store.ApplyResult, error)
	WithdrawalCursor() (uint64, error)
	Withdraw(ctx context.Context, ws []store.Withdrawal, cursor uint64) (int, error)
	Unreported(limit int) ([]store.ReceivedRefusal, error)
	MarkReported(ids []oplog.OpID) error
	HasBlob(sha string) bool
	OpenBlob(sha string) (io.ReadCloser, error)
	PutBlob(r io.Reader) (string, error)
	GetMeta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
	AddToMetaSet(name string, members []string) error
	RemoveFromMetaSet(name string, members []string) error
	MetaSet(name string) ([]string, error)
}

var _ Store = (*store.Store)(nil)

// DefaultPullBytes is the pull page size a client asks for by default:
// about 2,500 ops of twenty fields, which compress better together than
// smaller pages (zstd finds more repeats), and which the device store
// writes in a few transactions, the cursor with the last (a crash in
// between fetches the page again). It bounds the memory of one page and
// the work repeated after a crash.
const DefaultPullBytes = 2 << 20

// DefaultBatchSize is the number of ops a push sends at most by default:
// the protocol's limit, as larger batches compress better and take fewer
// round trips.
const DefaultBatchSize = protocol.MaxOpsPerBatch

// Config configures a Client. BaseURL and Store are required.
type Config struct {
	// BaseURL is the server's address, e.g. "https://sync.example.gov.cn".
	BaseURL string
	// Token is the bearer token from Enroll (empty before enrolling).
	Token string
	// Store is the device's store.
	Store Store
	// HTTPClient carries the requests; a client with default transport
	// when nil.
	HTTPClient *http.Client
	// Timeout bounds each request (each attempt); 30s when zero.
	Timeout time.Duration
	// Logger receives debug and warning lines; slog.Default() when nil.
	Logger *slog.Logger

	// BatchSize is the number of ops per push; DefaultBatchSize when zero, at most
	// protocol.MaxOpsPerBatch.
	BatchSize int
	// PullBytes is the page size asked of pulls; DefaultPullBytes when
	// zero, at most protocol.MaxPullBytes.
	PullBytes int
	// ChunkBytes is the size of one blob upload request; 1 MiB when zero.
	ChunkBytes int
	// Attempts is how often one request is tried before Sync gives up;
	// 6 when zero.
	Attempts int
	// Backoff is the first retry's wait (doubling each time, with jitter,
	// up to MaxBackoff); 200ms and 30s when zero.
	Backoff, MaxBackoff time.Duration
	// Now is the device's wall clock; time.Now when nil.
	Now func() time.Time
	// Rand returns a number in [0,1) for jitter; math/rand/v2 when nil.
	Rand func() float64
}

func (c *Config) defaults() {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	c.BatchSize = min(c.BatchSize, protocol.MaxOpsPerBatch)
	if c.PullBytes <= 0 {
		c.PullBytes = DefaultPullBytes
	}
	c.PullBytes = min(c.PullBytes, protocol.MaxPullBytes)
	if c.ChunkBytes <= 0 {
		c.ChunkBytes = 1 << 20
	}
	if c.Attempts <= 0 {
		c.Attempts = 6
	}
	if c.Backoff <= 0 {
		c.Backoff = 200 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
}
