package app

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/lantian-tz/lantian/model"
)

// Progress is one step of a running sync, as the sync client reports it.
type Progress struct {
	// Phase is what the client is doing: "push", "pull", "blobs".
	Phase string
	// Ops and Bytes are done so far; Total is the expected number of ops
	// (0 when unknown).
	Ops, Bytes, Total int64
}

// Result is what a sync or a bundle import did.
type Result struct {
	Pushed, Pulled int
	// ClockOffset is how far this device's clock is from the server's
	// (positive: ahead); zero when unknown.
	ClockOffset time.Duration
	// Summary is the client's own plain-words account, if any.
	Summary string
}

// Syncer is what the app needs from the sync side. remoteSyncer adapts
// sync/client and sync/bundle to it; tests use fakes.
type Syncer interface {
	// Sync pushes local ops and pulls the county's, reporting progress.
	Sync(ctx context.Context, progress func(Progress)) (Result, error)
	// ExportBundle writes the ops the server has not acknowledged to w.
	ExportBundle(ctx context.Context, w io.Writer) error
	// ImportBundle applies a bundle file read from r.
	ImportBundle(ctx context.Context, r io.Reader) (Result, error)
	// Enroll registers this device with the server using a one-time code.
	Enroll(ctx context.Context, server, code string) error
}

// Errors the sync screen turns into plain words. ErrUnreachable and
// ErrUnauthorized are kinds: every error of the sync side of that kind
// matches them under errors.Is.
var (
	ErrNotEnrolled        = errors.New("device is not enrolled with a server")
	ErrUnreachable  error = model.ErrNetwork
	ErrUnauthorized error = model.ErrUnauthorized
	ErrUnavailable        = errors.New("not available in this build")
)
