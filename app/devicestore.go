package app

import (
	"context"
	"io"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
)

// records is what the screens read and write of the register records.
type records interface {
	List(q store.Query) (store.Page, error)
	Count(q store.Query) (int, error)
	Get(id uuid.UUID) (oplog.State, error)
	History(id uuid.UUID) ([]store.HistoryEntry, error)
	Append(ctx context.Context, ch store.Change) (oplog.State, error)
	// Subscribe calls fn after every committed change (store events).
	Subscribe(fn func(store.Event)) (cancel func())
}

// metaStore is the device's small settings: users, drafts, the county,
// the enrollment.
type metaStore interface {
	GetMeta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
}

// deviceStore is all the UI needs of the device store (*store.Store): the
// records, the meta data, photos, the sync state shown on screens and the
// held (quarantined) changes. Only start-up, the sync client and Close
// see the concrete store.
type deviceStore interface {
	records
	metaStore
	// Device is the device's id (settings).
	Device() uuid.UUID
	// Pending and SyncStatus say what is not yet synced.
	Pending() (int, error)
	SyncStatus(record uuid.UUID) (bool, error)
	// PutBlob and OpenBlob keep photos.
	PutBlob(r io.Reader) (string, error)
	OpenBlob(sha string) (io.ReadCloser, error)
	// Quarantined and Release list and release held changes.
	Quarantined() ([]store.QuarantinedOp, error)
	Release(id oplog.OpID) error
}
