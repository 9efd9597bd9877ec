package protocol

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// RevokeRequest is the optional body of POST
// /v1/admin/devices/{id}/revoke (JSON). Without a body, or with Withdraw
// false, the device is revoked and its ops stay served.
type RevokeRequest struct {
	// Withdraw stops serving the device's ops accepted after Since (all
	// of them when Since is empty); receivers that applied them hold
	// them as withdrawn changes.
	Withdraw bool `json:"withdraw,omitempty"`
	// Since is a time in Beijing time ("2026-12-01T08:00",
	// "2026-12-01 08:00", "2026-12-01") or RFC3339; see ParseSince.
	Since string `json:"since,omitempty"`
}

// DecodeRevokeRequest decodes a revoke request; an empty body is a
// revocation without withdrawal. A Since that does not parse, or one
// given without Withdraw, fails with ErrBadSince.
func DecodeRevokeRequest(b []byte) (RevokeRequest, time.Time, error) {
	var r RevokeRequest
	if len(strings.TrimSpace(string(b))) == 0 {
		return r, time.Time{}, nil
	}
	if err := decodeJSON(b, &r); err != nil {
		return RevokeRequest{}, time.Time{}, err
	}
	if r.Since != "" && !r.Withdraw {
		return RevokeRequest{}, time.Time{}, ErrBadSince.Withf("since %q without withdraw", r.Since)
	}
	since, err := ParseSince(r.Since)
	if err != nil {
		return RevokeRequest{}, time.Time{}, err
	}
	return r, since, nil
}

// sinceLayouts are the Beijing-time forms ParseSince accepts besides
// RFC3339.
var sinceLayouts = []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// ParseSince parses the start of a withdrawal: RFC3339 (with its zone),
// or a date and time without a zone, read as Beijing time (model.Beijing).
// "" is the zero time: every op. Anything else fails with ErrBadSince,
// whose message says both forms in both languages.
func ParseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range sinceLayouts {
		if t, err := time.ParseInLocation(l, s, model.Beijing); err == nil {
			return t, nil
		}
	}
	return time.Time{}, ErrBadSince.Withf("since %q", s)
}

// Withdrawal tells receivers that the server stopped serving some ops of
// a revoked device: those it applied are held as withdrawn changes, with
// Reason, and the records they touched are merged again without them.
// Withdrawals are numbered by the server (Seq, from 1) in the order they
// were made; a device passes the last it saved as
// PullRequest.Withdrawals.
type Withdrawal struct {
	Seq    uint64
	Device uuid.UUID
	// Since is the time after which accepted ops were withdrawn (Unix
	// milliseconds); 0 means all of the device's ops.
	Since int64
	At    int64 // when, Unix milliseconds
	// Reason is shown to the users of receivers that held the ops.
	Reason model.Text
	// Seqs are the withdrawn ops of Device that this page's scope
	// received, in seq order.
	Seqs []uint64
}

// WithdrawalReason is the reason receivers show for ops of a device
// revoked by by (a role, or "" for the server's administrator) and
// withdrawn after since (zero: all).
func WithdrawalReason(by model.Role, since time.Time) model.Text {
	zhBy, enBy := "省级管理员", "the province"
	if by == model.RoleCounty {
		zhBy, enBy = "区县管理员", "the county"
	}
	if since.IsZero() {
		return model.Text{
			ZH: "设备已被" + zhBy + "吊销，其全部修改已撤回",
			EN: "Device revoked by " + enBy + "; all its changes were withdrawn",
		}
	}
	at := since.In(model.Beijing).Format("2006-01-02 15:04")
	return model.Text{
		ZH: "设备已被" + zhBy + "吊销，其在 " + at + "（北京时间）之后的修改已撤回",
		EN: "Device revoked by " + enBy + "; its changes after " + at + " Beijing time were withdrawn",
	}
}
