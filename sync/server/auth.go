package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// NewToken returns a new random bearer token (32 bytes, base64url).
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return "lt1_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken returns the SHA-256 of a bearer token, the only form the
// server keeps.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// caller is who made a request: an enrolled device, or the administrator.
type caller struct {
	admin  bool
	device Device
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authDevice authenticates an enrolled, unrevoked device.
func (s *Server) authDevice(r *http.Request) (Device, error) {
	tok := bearer(r)
	if tok == "" {
		return Device{}, protocol.ErrUnauthorized.Withf("no bearer token")
	}
	d, err := s.store.DeviceByToken(r.Context(), HashToken(tok))
	if errors.Is(err, protocol.ErrNotFound) {
		return Device{}, protocol.ErrUnauthorized.Withf("unknown token")
	} else if err != nil {
		return Device{}, err
	}
	if d.Revoked {
		return Device{}, protocol.ErrRevoked.Withf("device %s", d.ID)
	}
	if g, ok := r.Context().Value(guardKey{}).(*bodyGuard); ok {
		if err := g.ownBy(d.ID); err != nil {
			return Device{}, err
		}
	}
	return d, nil
}

// authAdmin authenticates the administrator token or a county or province
// device (administrators of their own scope).
func (s *Server) authAdmin(r *http.Request) (caller, error) {
	tok := bearer(r)
	if tok != "" && s.adminHash != ([32]byte{}) {
		h := HashToken(tok)
		if subtle.ConstantTimeCompare(h[:], s.adminHash[:]) == 1 {
			return caller{admin: true}, nil
		}
	}
	d, err := s.authDevice(r)
	if err != nil {
		return caller{}, err
	}
	if d.Role != model.RoleCounty && d.Role != model.RoleProvince {
		return caller{}, protocol.ErrForbidden.Withf("role %s cannot administer", d.Role)
	}
	return caller{device: d}, nil
}

// covers reports whether the caller administers scope sc.
func (c caller) covers(sc protocol.Scope) bool {
	if c.admin {
		return true
	}
	own := c.device.Scope
	if own.Province != sc.Province {
		return false
	}
	return own.County == "" || own.County == sc.County
}
