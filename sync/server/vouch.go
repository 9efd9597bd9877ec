package server

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/lantian-tz/lantian/internal/vouch"
)

// StatementOf is the enrollment statement of d as the province vouches
// for it: revoked at revokedAt when d is revoked.
func StatementOf(d Device, revokedAt time.Time) vouch.Statement {
	st := vouch.Statement{Device: d.ID, Key: d.PublicKey, Province: d.Scope.Province, County: d.Scope.County,
		Role: d.Role, Enrolled: d.Enrolled}
	if d.Revoked {
		st.Revoked = revokedAt
	}
	return st
}

// VouchDevice signs d's enrollment statement with the province key
// (revoked at now when d is revoked, unless its stored statement, signed
// by the same key, already names an earlier revocation) and stores it
// with the device. It returns the stored form; nothing when province is
// nil (a server without a province key).
func VouchDevice(ctx context.Context, st Storage, province ed25519.PrivateKey, d Device, now time.Time) ([]byte, error) {
	if province == nil {
		return nil, nil
	}
	revoked := now
	if len(d.Statement) > 0 {
		if old, err := vouch.Parse(d.Statement); err == nil {
			if s, err := old.Check([]ed25519.PublicKey{province.Public().(ed25519.PublicKey)}); err == nil && !s.Revoked.IsZero() {
				revoked = s.Revoked
			}
		}
	}
	sg, err := vouch.Sign(province, StatementOf(d, revoked))
	if err != nil {
		return nil, fmt.Errorf("server: vouching for device %s: %w", d.ID, err)
	}
	b := sg.Marshal()
	if err := st.Vouch(ctx, d.ID, b); err != nil {
		return nil, err
	}
	return b, nil
}
