package protocol

import (
	"crypto/ed25519"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// Scope is the part of the province a device or enrollment code covers: a
// county, or the whole province when County is empty.
type Scope struct {
	Province string `json:"province"`
	County   string `json:"county,omitempty"`
}

// Whole reports whether the scope covers the whole province.
func (s Scope) Whole() bool { return s.County == "" }

// EnrollRequest registers a device's public key with a one-time code.
type EnrollRequest struct {
	Code      string            `json:"code"`
	Device    uuid.UUID         `json:"device"`
	PublicKey ed25519.PublicKey `json:"public_key"` // base64 in JSON
	Label     string            `json:"label"`      // e.g. "王家庄网格 平板2"
}

// EnrollResponse hands the device its bearer token and scope.
type EnrollResponse struct {
	// Token is the bearer token for every later request. The server keeps
	// only its SHA-256; a lost token means enrolling again.
	Token      string     `json:"token"`
	Device     uuid.UUID  `json:"device"`
	Scope      Scope      `json:"scope"`
	Role       model.Role `json:"role"`
	ServerTime int64      `json:"server_time"` // Unix milliseconds
	// Statement is the device's enrollment statement signed by the
	// province (internal/vouch's stored form), when the server signs
	// them: the device keeps it to put in its evidence packs.
	Statement json.RawMessage `json:"statement,omitempty"`
}

// CodeRequest asks the server to issue a one-time enrollment code.
type CodeRequest struct {
	Scope Scope      `json:"scope"`
	Role  model.Role `json:"role"`
	// TTL is how long the code stays valid, as a Go duration ("72h");
	// empty means the server's default.
	TTL string `json:"ttl,omitempty"`
}

// CodeResponse carries a newly issued code; the server keeps only its hash.
type CodeResponse struct {
	Code    string     `json:"code"`
	Scope   Scope      `json:"scope"`
	Role    model.Role `json:"role"`
	Expires int64      `json:"expires"` // Unix milliseconds
}

// DeviceInfo describes an enrolled device to administrators.
type DeviceInfo struct {
	ID        uuid.UUID         `json:"id"`
	Label     string            `json:"label"`
	Scope     Scope             `json:"scope"`
	Role      model.Role        `json:"role"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	Enrolled  int64             `json:"enrolled"` // Unix milliseconds
	Revoked   bool              `json:"revoked"`
	Acked     uint64            `json:"acked"` // the device's last acknowledged seq
	// SetAside is how many of the device's ops receivers reported
	// setting aside (their own checks refused what the server served).
	SetAside int `json:"set_aside,omitempty"`
	// Withdrawn is how many of the device's ops the server stopped
	// serving when it was revoked (POST .../revoke with withdraw).
	Withdrawn int `json:"withdrawn,omitempty"`
}

// DevicesResponse lists the devices an administrator may see.
type DevicesResponse struct {
	Devices []DeviceInfo `json:"devices"`
}

// Millis converts t to Unix milliseconds, the protocol's time form.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// DecodeEnroll decodes and checks an enrollment request.
func DecodeEnroll(b []byte) (EnrollRequest, error) {
	var r EnrollRequest
	if err := decodeJSON(b, &r); err != nil {
		return EnrollRequest{}, err
	}
	if r.Code == "" || r.Device == uuid.Nil {
		return EnrollRequest{}, ErrBadRequest.Withf("code and device are required")
	}
	if len(r.PublicKey) != ed25519.PublicKeySize {
		return EnrollRequest{}, ErrBadKey.Withf("public key has %d bytes; want %d", len(r.PublicKey), ed25519.PublicKeySize)
	}
	if len(r.Label) > 200 {
		return EnrollRequest{}, ErrBadRequest.Withf("label longer than 200 bytes")
	}
	return r, nil
}

// DecodeCodeRequest decodes a request for an enrollment code.
func DecodeCodeRequest(b []byte) (CodeRequest, error) {
	var r CodeRequest
	if err := decodeJSON(b, &r); err != nil {
		return CodeRequest{}, err
	}
	if r.TTL != "" {
		if d, err := time.ParseDuration(r.TTL); err != nil || d <= 0 {
			return CodeRequest{}, ErrBadRequest.Withf("ttl %q is not a positive duration", r.TTL)
		}
	}
	return r, nil
}

// EncodeJSON encodes a control message (enroll, codes, devices, pull
// request, push response).
func EncodeJSON(v any) ([]byte, error) { return json.Marshal(v) }

// decodeJSON decodes b into v, refusing trailing data, and wraps failures
// in ErrBadJSON.
func decodeJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return ErrBadJSON.With("", err)
	}
	return nil
}
