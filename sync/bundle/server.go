package bundle

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Ingester stores a batch of a device's ops as a push would (satisfied by
// *server.Server).
type Ingester interface {
	Ingest(ctx context.Context, device uuid.UUID, ops []oplog.Op) (protocol.PushResponse, error)
}

// BlobWriter keeps attachments on the server (satisfied by
// server.DeviceBlobs of sync/server).
type BlobWriter interface {
	Stat(id string) (size int64, complete bool, err error)
	Write(id string, offset, total int64, r io.Reader) (held int64, complete bool, err error)
}

// EnrolledDevice is what the server knows of the bundle's device: its key
// and province.
type EnrolledDevice struct {
	PublicKey ed25519.PublicKey
	Province  string
}

// ServerResult says what a server-side import did.
type ServerResult struct {
	Header Header
	// Applied, Duplicates and Refused count the receipts of the ops.
	Applied, Duplicates, Refused int
	// Acked is the device's acknowledged seq afterwards.
	Acked uint64
	// Blobs is the number of photos the server did not have before.
	Blobs int
}

// ImportServer verifies the bundle in r (size bytes) against the device
// as enrolled (its key and province) and then ingests its ops, in batches
// of protocol.MaxOpsPerBatch, and its photos. The ops go first: a bundle
// that does not continue the device's log on the server (it starts after
// a seq the server lacks) fails on the first batch with the server's gap
// error, before anything is written.
func ImportServer(ctx context.Context, srv Ingester, blobs BlobWriter, dev EnrolledDevice, r io.ReaderAt, size int64) (ServerResult, error) {
	b, err := Open(r, size, VerifyOptions{
		Province: dev.Province,
		KnownKey: func(uuid.UUID) (ed25519.PublicKey, bool) { return dev.PublicKey, true },
	})
	if err != nil {
		return ServerResult{}, err
	}
	res := ServerResult{Header: b.Header}
	for lo := 0; lo < len(b.Ops); lo += protocol.MaxOpsPerBatch {
		hi := min(lo+protocol.MaxOpsPerBatch, len(b.Ops))
		pr, err := srv.Ingest(ctx, b.Header.Device, b.Ops[lo:hi])
		if err != nil {
			return res, fmt.Errorf("bundle: ingest ops %d..%d: %w", b.Ops[lo].Seq, b.Ops[hi-1].Seq, err)
		}
		for _, rc := range pr.Receipts {
			switch rc.Status {
			case protocol.StatusApplied:
				res.Applied++
			case protocol.StatusDuplicate:
				res.Duplicates++
			case protocol.StatusRefused:
				res.Refused++
			case protocol.StatusRejected:
				return res, withf(ErrCorrupt, "server rejected op %d: %s", rc.Seq, rc.Code)
			}
		}
		res.Acked = pr.Acked
	}
	err = b.EachBlob(func(sha string, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		held, complete, err := blobs.Stat(sha)
		if err != nil {
			return fmt.Errorf("bundle: blob %s: %w", sha, err)
		}
		if complete {
			return nil
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if held > int64(len(data)) {
			held = 0
		}
		if _, _, err := blobs.Write(sha, held, int64(len(data)), bytes.NewReader(data[held:])); err != nil {
			return fmt.Errorf("bundle: blob %s: %w", sha, err)
		}
		res.Blobs++
		return nil
	})
	return res, err
}
