package server

import (
	"context"
	"crypto/ed25519"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// RevokeDevice revokes device id in st and, with withdraw, stops serving
// its ops accepted after since (all of them when since is zero): the
// receivers that applied them are told at their next pull (Withdrawals)
// and hold them as withdrawn changes, with the reason of a revocation by
// role by ("" for the server's administrator; see
// protocol.WithdrawalReason). It returns the withdrawal (Seq 0 when
// there was none, or nothing to withdraw). The device is revoked first,
// so it pushes nothing after the ops withdrawn. With a province key, the
// device's statement is signed again with now as its revocation time.
func RevokeDevice(ctx context.Context, st Storage, province ed25519.PrivateKey, id uuid.UUID, withdraw bool, since time.Time, by model.Role, now time.Time) (Withdrawal, error) {
	if err := st.Revoke(ctx, id); err != nil {
		return Withdrawal{}, err
	}
	if province != nil {
		d, err := st.Device(ctx, id)
		if err != nil {
			return Withdrawal{}, err
		}
		if _, err := VouchDevice(ctx, st, province, d, now); err != nil {
			return Withdrawal{}, err
		}
	}
	if !withdraw {
		return Withdrawal{}, nil
	}
	return st.Withdraw(ctx, Withdrawal{Device: id, Since: since, At: now, Reason: protocol.WithdrawalReason(by, since)})
}

// WithdrawnCounts returns, by device, how many of its ops were withdrawn;
// devices with none are left out.
func WithdrawnCounts(ctx context.Context, st Storage) (map[uuid.UUID]int, error) {
	ws, _, err := st.Withdrawals(ctx, 0)
	if err != nil {
		return nil, err
	}
	n := map[uuid.UUID]int{}
	for _, w := range ws {
		n[w.Device] += len(w.Ops)
	}
	return n, nil
}

// inScope reports whether an op of county (in province) is served to
// scope.
func inScope(scope protocol.Scope, county, province string) bool {
	if scope.County != "" {
		return county == scope.County
	}
	return province == scope.Province
}

// withdrawals returns the withdrawals after seq after that concern scope
// (each with the seqs of its ops served in scope) and the last
// withdrawal seq.
func (s *Server) withdrawals(ctx context.Context, scope protocol.Scope, after uint64) ([]protocol.Withdrawal, uint64, error) {
	ws, last, err := s.store.Withdrawals(ctx, after)
	if err != nil {
		return nil, 0, err
	}
	var out []protocol.Withdrawal
	for _, w := range ws {
		pw := protocol.Withdrawal{Seq: w.Seq, Device: w.Device, At: protocol.Millis(w.At), Reason: w.Reason}
		if !w.Since.IsZero() {
			pw.Since = protocol.Millis(w.Since)
		}
		for _, o := range w.Ops {
			if inScope(scope, o.County, o.Province) {
				pw.Seqs = append(pw.Seqs, o.Seq)
			}
		}
		if len(pw.Seqs) > 0 {
			out = append(out, pw)
		}
	}
	return out, max(last, after), nil
}
