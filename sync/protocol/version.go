package protocol

import (
	"github.com/lantian-tz/lantian/internal/oplog"
)

// Version is the protocol version every path is prefixed with.
const Version = "v1"

// Paths of the version 1 endpoints.
const (
	PathEnroll       = "/v1/enroll"
	PathPush         = "/v1/push"
	PathPull         = "/v1/pull"
	PathReport       = "/v1/report" // POST ReportRequest: received ops set aside
	PathBlobs        = "/v1/blobs/" // followed by the blob's lowercase hex SHA-256
	PathAdminCodes   = "/v1/admin/codes"
	PathAdminDevices = "/v1/admin/devices" // GET; POST {id}/revoke below it
	PathHealth       = "/healthz"
	PathMetrics      = "/metrics"
)

// Media types of request and response bodies.
const (
	ContentTypeJSON = "application/json"
	// ContentTypeOps is the binary framing of push requests and pull
	// responses (see frame.go).
	ContentTypeOps  = "application/vnd.lantian.ops"
	ContentTypeBlob = "application/octet-stream"
)

// Header names beyond the standard ones.
const (
	// HeaderDeviceTime carries the device's wall clock in Unix
	// milliseconds on push, so the server can report the clock offset.
	HeaderDeviceTime = "Lantian-Device-Time"
	// HeaderPullCursor, on a push that sends the device's last pending
	// ops, carries its pull cursor: the answer then says whether a pull
	// would bring anything but the device's own ops (PushResponse.
	// PullCursor), sparing a round trip when not.
	HeaderPullCursor = "Lantian-Pull-Cursor"
	// HeaderWithdrawals, beside HeaderPullCursor, carries the last
	// withdrawal seq the device saved: a pull is not skipped while
	// withdrawals after it concern the device's scope.
	HeaderWithdrawals = "Lantian-Withdrawals"
	// HeaderUploadOffset carries how many bytes of a blob the server
	// holds (HEAD, and PUT answers of partial uploads).
	HeaderUploadOffset = "Lantian-Upload-Offset"
)

// Limits every server enforces and every client respects.
const (
	// MaxOpsPerBatch is the most ops one push may carry.
	MaxOpsPerBatch = 1000
	// MaxBodyBytes is the largest request body, after decompression.
	MaxBodyBytes = 8 << 20
	// MaxOpBytes is the largest single op in its binary form.
	MaxOpBytes = 1 << 20
	// DefaultPullBytes is the page size of a pull that asks for none.
	DefaultPullBytes = 2 << 20
	// MaxPullBytes is the largest page a pull may ask for.
	MaxPullBytes = 8 << 20
	// MaxBlobBytes is the largest blob (photo) the server keeps.
	MaxBlobBytes = 20 << 20
	// MaxKeysPerPage bounds the device keys of one pull page.
	MaxKeysPerPage = 1 << 16
	// ClockTolerance is how far ahead of the server's receipt time an op's
	// clock may be before its effective time is clamped.
	ClockTolerance = oplog.DefaultTolerance
)
