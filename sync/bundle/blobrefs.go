package bundle

import (
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// BlobRefs returns the names (lower-case SHA-256 hex) of the blobs op's
// photo fields reference, sorted and without repeats (protocol.BlobRefs).
func BlobRefs(op *oplog.Op) []string { return protocol.BlobRefs(op) }
