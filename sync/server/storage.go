package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Storage is what the server needs from a backend. The backends live
// beside this package and import it: sync/server/badgerstore (Badger,
// embedded, one process) and sync/server/pgstore (PostgreSQL, several
// instances); sync/server/storetest is their shared conformance suite.
// Methods fail with the protocol sentinels where the
// client should see them (ErrNotFound, ErrEnroll*, ErrDeviceExists) and
// with ErrStaleHead when a device's log moved under an Append.
type Storage interface {
	// CreateCode stores a one-time enrollment code by its hash.
	CreateCode(ctx context.Context, c Code) error
	// Enroll uses the code with hash codeHash at time now to register d,
	// atomically: a code enrolls exactly one device.
	Enroll(ctx context.Context, codeHash [32]byte, d Device, now time.Time) (Code, error)
	// Device returns an enrolled device.
	Device(ctx context.Context, id uuid.UUID) (Device, error)
	// DeviceByToken returns the device whose token has SHA-256 hash.
	DeviceByToken(ctx context.Context, hash [32]byte) (Device, error)
	// Devices lists every enrolled device with its head.
	Devices(ctx context.Context) ([]DeviceHead, error)
	// Revoke marks a device revoked; its ops stay.
	Revoke(ctx context.Context, id uuid.UUID) error
	// Vouch stores the device's enrollment statement signed by the
	// province (internal/vouch), replacing the one it had.
	Vouch(ctx context.Context, id uuid.UUID, statement []byte) error
	// Withdraw stops serving, in one transaction, the applied ops of
	// device w.Device still served whose LogEntry.Accepted is after
	// w.Since (every one when w.Since is zero; entries stored before
	// the backend recorded acceptance times count as accepted at the
	// zero time): Pull never returns them again (their bytes are kept
	// for audit). When there are any, it records the withdrawal, with
	// Reason and At as given, the next withdrawal seq (1, 2, ...,
	// assigned in commit order) and the ops, in seq order, and returns
	// it; with none it records nothing and returns Seq 0. Withdraw a
	// revoked device's ops only: a device that may still push would
	// chain new ops to withdrawn ones.
	Withdraw(ctx context.Context, w Withdrawal) (Withdrawal, error)
	// Withdrawals returns the withdrawals with seq after after, in seq
	// order, and the last withdrawal seq (0 when none). A withdrawal
	// that commits after a call has a greater seq than every one it
	// returned.
	Withdrawals(ctx context.Context, after uint64) ([]Withdrawal, uint64, error)
	// Head returns the device's acknowledged seq and chain head.
	Head(ctx context.Context, id uuid.UUID) (Head, error)
	// Log returns the device's log entries for seqs from..to inclusive
	// that exist (Raw is not filled).
	Log(ctx context.Context, id uuid.UUID, from, to uint64) ([]LogEntry, error)
	// Append stores entries (consecutive seqs after from.Acked) in one
	// transaction: it checks the head is still from (else ErrStaleHead),
	// keeps every record in its register and county (CheckRecords, over
	// the homes stored by earlier batches: an entry that would move its
	// record is stored refused, and Append marks it so in entries with
	// LogEntry.Refuse once the transaction commits), assigns server seqs
	// to the entries that are not refused in commit order, and advances
	// the head. It returns the server seq of each entry (0 for refused
	// ones).
	Append(ctx context.Context, device uuid.UUID, from Head, entries []LogEntry) ([]uint64, error)
	// Pull returns the applied ops in scope with server seq after
	// cursor, in server seq order, up to about maxBytes (at least one op
	// when one is waiting). An op that commits after a Pull's snapshot
	// has a greater server seq than every op that snapshot returned.
	// Backends that track each device's previous applied op per scope
	// fill in PageOp.ScopePrev and set Page.Links; those that know the
	// last server seq set Page.Last and LastKnown.
	Pull(ctx context.Context, scope protocol.Scope, after uint64, maxBytes int) (Page, error)
	// Keys returns the public keys of the given devices, with the role
	// and scope each was enrolled with (unknown devices are left out).
	Keys(ctx context.Context, ids []uuid.UUID) ([]protocol.DeviceKey, error)
	// Report records that device reporter, of scope scope, received the
	// ops reports name and set them aside (its own checks refused them),
	// at time at: one record per op and reporter, so a report sent again
	// changes nothing. Only applied ops of scope are recorded (those the
	// reporter can have been served), so a report cannot count against a
	// device ops its receivers never got. It returns the reports that
	// made new records.
	Report(ctx context.Context, reporter uuid.UUID, scope protocol.Scope, reports []protocol.ReportedOp, at time.Time) ([]protocol.ReportedOp, error)
	// ReportCounts returns, by device, how many of its ops receivers
	// reported setting aside (each op once, however many reported it);
	// devices with none are left out.
	ReportCounts(ctx context.Context) (map[uuid.UUID]int, error)
	// BlobCounties returns the counties of the applied ops that
	// reference blob id (LogEntry.Blobs), in any order; none when no
	// applied op does.
	BlobCounties(ctx context.Context, id string) ([]string, error)
	// Close releases the backend.
	Close() error
}

// Pinger is implemented by backends that can tell whether they are
// reachable (a database over the network): /healthz answers not ready
// while Ping fails.
type Pinger interface {
	Ping(ctx context.Context) error
}

// BlobStorage keeps attachments by SHA-256, outside the op store.
type BlobStorage interface {
	// Stat returns the size of a complete blob, or (partial bytes held,
	// false) for one being uploaded (0, false when unknown).
	Stat(id string) (size int64, complete bool, err error)
	// Write appends the bytes of r at offset of a blob of total bytes,
	// sent by. offset must equal the partial bytes held (else
	// ErrBadOffset with Expected). When the last byte arrives the content
	// is verified against id (else ErrHashMismatch and the partial is
	// dropped) and the blob becomes complete. It returns the bytes now
	// held. A part that overruns (an error of kind model.ErrTooLarge from
	// r, or more bytes than total) is dropped whole; one cut otherwise
	// keeps what arrived. The partial keeps by and
	// total (see Partials), also across restarts.
	Write(id string, offset, total int64, r io.Reader, by Upload) (held int64, complete bool, err error)
	// Open opens a complete blob.
	Open(id string) (io.ReadSeekCloser, int64, error)
	// Partials lists the unfinished uploads, each with the Upload of its
	// last part.
	Partials() ([]Partial, error)
	// Discard removes an unfinished upload (nothing when there is none
	// or the blob is complete).
	Discard(id string) error
}

// Upload says who sent a part of a blob upload, and when by the server's
// clock.
type Upload struct {
	Device uuid.UUID
	At     time.Time
}

// DeviceBlobs writes to a BlobStorage as one device's uploads, for
// photos that arrive by other ways than HTTP (offline bundles).
type DeviceBlobs struct {
	Blobs  BlobStorage
	Device uuid.UUID
	Now    func() time.Time // time.Now when nil
}

// Stat is the storage's Stat.
func (d DeviceBlobs) Stat(id string) (int64, bool, error) { return d.Blobs.Stat(id) }

// Write is the storage's Write as an upload of the device, now.
func (d DeviceBlobs) Write(id string, offset, total int64, r io.Reader) (int64, bool, error) {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return d.Blobs.Write(id, offset, total, r, Upload{Device: d.Device, At: now()})
}

// Partial is an unfinished blob upload.
type Partial struct {
	ID    string
	Held  int64 // bytes held
	Total int64 // bytes announced; 0 when unknown
	// Upload is that of the last part. Uploads left by versions that did
	// not record it have no device, and the time of their last write.
	Upload
}

// ErrStaleHead means a device's log changed between reading its head and
// appending; the server verifies the batch again.
var ErrStaleHead = errors.New("server: device log head moved")

// Device is an enrolled device as the server keeps it.
type Device struct {
	ID        uuid.UUID
	PublicKey ed25519.PublicKey
	Label     string
	Scope     protocol.Scope
	Role      model.Role
	TokenHash [32]byte
	Enrolled  time.Time
	Revoked   bool
	// Statement is the enrollment statement the province signed for it
	// (vouch.Signed's stored form); nil when none was signed.
	Statement []byte
}

// DeviceHead is a device with its log head.
type DeviceHead struct {
	Device
	Head Head
}

// Code is a one-time enrollment code as the server keeps it (by hash).
type Code struct {
	Hash    [32]byte
	Scope   protocol.Scope
	Role    model.Role
	Expires time.Time
	Used    bool
	// Device is the device it enrolled, once used.
	Device uuid.UUID
}

// Head is where a device's log stands: its last acknowledged seq and that
// op's hash (the next op's Prev).
type Head struct {
	Acked uint64
	Hash  oplog.Hash
}

// LogEntry is one op in a device's log, verified by the server.
type LogEntry struct {
	Seq  uint64
	Hash oplog.Hash
	// Record, Register and County are the op's: the record it changes,
	// and the register and county it names for it.
	Record   uuid.UUID
	Register string
	County   string
	Province string
	Eff      hlc.Timestamp
	// ServerSeq is set by Append for applied entries.
	ServerSeq uint64
	// Accepted is when the server received the op (set by the push
	// before Append, kept by the backend for Withdraw).
	Accepted time.Time
	// Refused entries keep the chain but are never served; Refusal says
	// why.
	Refused bool
	Refusal *protocol.Receipt
	// Raw is the op's binary form as received.
	Raw []byte
	// Blobs are the photos the op references (protocol.BlobRefs); an
	// applied entry lets its county's devices download them.
	Blobs []string
	// Vouched marks an op whose own signature was not checked: its hash
	// is vouched for by the signature of a later op of its chained run
	// (see Server.verify). Such an op must not become the last op a
	// receiver is served of its run, so an Append that refuses the next
	// entry (a record moved) returns *UnverifiedEnds instead (CheckEnds).
	Vouched bool
}

// Withdrawal is a set of a revoked device's applied ops the server
// stopped serving (Storage.Withdraw).
type Withdrawal struct {
	Seq    uint64
	Device uuid.UUID
	// Since: ops accepted after it were withdrawn; zero means all.
	Since  time.Time
	At     time.Time
	Reason model.Text
	Ops    []WithdrawnOp
}

// WithdrawnOp is one op of a withdrawal, with the scope it was served
// in.
type WithdrawnOp struct {
	Seq       uint64
	ServerSeq uint64
	County    string
	Province  string
}

// Page is one page of a pull.
type Page struct {
	Ops     []protocol.PageOp
	Devices []uuid.UUID // device of each op, for the page's keys
	Cursor  uint64      // server seq of the last op, or the request's
	More    bool
	// Links reports that the backend filled in each op's ScopePrev (the
	// seq of the previous op of its device in the same scope).
	Links bool
	// Last is the greatest server seq assigned so far (any scope), when
	// LastKnown; a pull whose cursor is past it answers ErrCursorAhead.
	Last      uint64
	LastKnown bool
}
