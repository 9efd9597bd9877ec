package bundle

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"os"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// Target is what Import writes into: a device's store (satisfied by
// *store.Store of internal/store; the check is in this package's tests,
// so that the server, which links this package for ImportServer, does
// not link the device store).
type Target interface {
	// Device is the receiving device's own id, PublicKey its key.
	Device() uuid.UUID
	PublicKey() ed25519.PublicKey
	// RegisterDevice records another device's key (an error when the
	// device is known with another key).
	RegisterDevice(id uuid.UUID, pub ed25519.PublicKey, label string) error
	// HasBlob, PutBlob and RemoveBlob keep photos by SHA-256; RemoveBlob
	// undoes the PutBlobs of a failed import.
	HasBlob(sha string) bool
	PutBlob(r io.Reader) (string, error)
	RemoveBlob(sha string) error
	// Apply stores remote ops, all or none.
	Apply(ctx context.Context, ops []oplog.Op) (oplog.ApplyResult, error)
}

// Result says what an import did.
type Result struct {
	Header Header
	// Applied ops were new to the receiver; Duplicates it had already;
	// Held wait for earlier ops of the device (a bundle that starts after
	// a seq the receiver lacks).
	Applied, Duplicates, Held int
	// Blobs is the number of photos the receiver did not have before.
	Blobs int
}

// Import verifies the bundle in r (size bytes) completely and only then
// writes it into st: the device's key, the photos the store lacks, and
// the ops, applied in one call. A refused bundle leaves st as it was; so
// does a failure of the final Apply (the photos written for it are
// removed). Importing the same bundle again changes nothing.
func Import(ctx context.Context, st Target, r io.ReaderAt, size int64, province string) (Result, error) {
	b, err := Open(r, size, VerifyOptions{Province: province})
	if err != nil {
		return Result{}, err
	}
	res := Result{Header: b.Header}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	h := b.Header
	if h.Device != st.Device() {
		if err := st.RegisterDevice(h.Device, h.PublicKey, h.Label); err != nil {
			return res, wrapf(ErrKeyMismatch, err, "device %s", h.Device)
		}
	} else if !st.PublicKey().Equal(ed25519.PublicKey(h.PublicKey)) {
		return res, withf(ErrKeyMismatch, "bundle names this device with another key")
	}
	var added []string
	err = b.EachBlob(func(sha string, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if st.HasBlob(sha) {
			return nil
		}
		got, err := st.PutBlob(r)
		if err != nil {
			return fmt.Errorf("bundle: import blob %s: %w", sha, err)
		}
		added = append(added, got)
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	var ar oplog.ApplyResult
	if err == nil && len(b.Ops) > 0 {
		ar, err = st.Apply(ctx, b.Ops)
		if err != nil {
			err = fmt.Errorf("bundle: import: %w", err)
		}
	}
	if err != nil {
		removeBlobs(st, added)
		return res, err
	}
	res.Applied, res.Duplicates, res.Held, res.Blobs = ar.Applied, ar.Duplicates, ar.Held, len(added)
	return res, nil
}

// ImportFile imports the bundle file at path (see Import).
func ImportFile(ctx context.Context, st Target, path, province string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("bundle: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("bundle: %w", err)
	}
	return Import(ctx, st, f, fi.Size(), province)
}

// removeBlobs deletes blobs this import wrote.
func removeBlobs(st Target, shas []string) {
	for _, sha := range shas {
		// Best effort: a blob left behind is only an unreferenced file.
		_ = st.RemoveBlob(sha)
	}
}
