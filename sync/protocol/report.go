package protocol

import (
	"slices"

	"github.com/google/uuid"
)

// ReportedOp is an op of another device that a receiver set aside: it
// failed the receiver's own checks, though the server served it.
type ReportedOp struct {
	Device uuid.UUID `json:"device"`
	Seq    uint64    `json:"seq"`
	// Code says which check failed, one of ReportCodes.
	Code string `json:"code"`
}

// ReportRequest (JSON, POST PathReport) tells the server of ops the
// device received and set aside, so that the province sees which
// devices' ops receivers refuse. Reporting an op again is harmless.
type ReportRequest struct {
	Ops []ReportedOp `json:"ops"`
}

// ReportResponse answers a report (JSON).
type ReportResponse struct {
	// Recorded is how many of the reported ops the server had not yet
	// heard of from this device.
	Recorded int `json:"recorded"`
}

// ReportCodes are the codes a report may give: the receipt codes of the
// same faults, and "equivocation" (two ops with one seq) and "device" (a
// device whose key the receiver was not given).
var ReportCodes = []string{RejectedSig, RejectedChain, RejectedShape, RefusedSchema, RefusedScope, RefusedRole,
	ReportedEquivocation, ReportedDevice}

// Report codes of faults no push receipt names.
const (
	ReportedEquivocation = "equivocation"
	ReportedDevice       = "device"
)

// Limits of a report.
const (
	// MaxReportedOps is the most ops one report may carry.
	MaxReportedOps = 1000
	// MaxReportBytes bounds a report's body, after decompression.
	MaxReportBytes = 256 << 10
)

// DecodeReportRequest decodes and checks a report: at most
// MaxReportedOps ops, each of a device, a seq and a known code.
func DecodeReportRequest(b []byte) (ReportRequest, error) {
	var r ReportRequest
	if err := decodeJSON(b, &r); err != nil {
		return ReportRequest{}, err
	}
	if len(r.Ops) > MaxReportedOps {
		return ReportRequest{}, ErrBadRequest.Withf("%d ops reported; at most %d", len(r.Ops), MaxReportedOps)
	}
	for i, o := range r.Ops {
		if o.Device == uuid.Nil || o.Seq == 0 || !slices.Contains(ReportCodes, o.Code) {
			return ReportRequest{}, ErrBadRequest.Withf("reported op %d: device %s, seq %d, code %q", i, o.Device, o.Seq, o.Code)
		}
	}
	return r, nil
}
