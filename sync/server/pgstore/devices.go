package pgstore

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// pgUUID is id as a query argument.
func pgUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// deviceColumns are scanned by scanDevice, in this order.
const deviceColumns = `id, public_key, label, province, county, role, token_hash, enrolled, revoked, statement`

// scanDevice reads one row of deviceColumns (and extra destinations).
func scanDevice(row pgx.Row, extra ...any) (server.Device, error) {
	var (
		d     server.Device
		id    pgtype.UUID
		pk    []byte
		role  string
		token []byte
	)
	dst := append([]any{&id, &pk, &d.Label, &d.Scope.Province, &d.Scope.County, &role, &token, &d.Enrolled, &d.Revoked, &d.Statement}, extra...)
	if err := row.Scan(dst...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return d, protocol.ErrNotFound
		}
		return d, err
	}
	d.ID, d.PublicKey, d.Role = id.Bytes, ed25519.PublicKey(pk), model.Role(role)
	if len(token) != len(d.TokenHash) {
		return d, fmt.Errorf("pgstore: device %s: token hash of %d bytes", d.ID, len(token))
	}
	copy(d.TokenHash[:], token)
	return d, nil
}

// CreateCode stores a one-time enrollment code by its hash.
func (s *Store) CreateCode(ctx context.Context, c server.Code) error {
	return s.with(ctx, func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, `INSERT INTO codes (hash, province, county, role, expires) VALUES ($1, $2, $3, $4, $5)`,
			c.Hash[:], c.Scope.Province, c.Scope.County, string(c.Role), c.Expires)
		return err
	})
}

// Enroll uses the code with hash codeHash at time now to register d, in
// one transaction. The code is claimed with a single conditional UPDATE,
// so of several instances enrolling with one code at once exactly one
// succeeds; the others see it used.
func (s *Store) Enroll(ctx context.Context, codeHash [32]byte, d server.Device, now time.Time) (server.Code, error) {
	code := server.Code{Hash: codeHash, Used: true, Device: d.ID}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var role string
		err := tx.QueryRow(ctx, `UPDATE codes SET used = true, device = $2
			WHERE hash = $1 AND NOT used AND expires > $3
			RETURNING province, county, role, expires`, codeHash[:], pgUUID(d.ID), now).
			Scan(&code.Scope.Province, &code.Scope.County, &role, &code.Expires)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.codeRefusal(ctx, tx, codeHash)
		}
		if err != nil {
			return err
		}
		code.Role = model.Role(role)
		tag, err := tx.Exec(ctx, `INSERT INTO devices (`+deviceColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, NULL) ON CONFLICT (id) DO NOTHING`,
			pgUUID(d.ID), append([]byte{}, d.PublicKey...), d.Label, code.Scope.Province, code.Scope.County, role, d.TokenHash[:], d.Enrolled)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return protocol.ErrDeviceExists // rolls back: the code stays unused
		}
		return nil
	})
	if err != nil {
		return server.Code{}, err
	}
	return code, nil
}

// codeRefusal says why the code with hash h could not be claimed.
func (s *Store) codeRefusal(ctx context.Context, tx pgx.Tx, h [32]byte) error {
	var used bool
	err := tx.QueryRow(ctx, `SELECT used FROM codes WHERE hash = $1`, h[:]).Scan(&used)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return protocol.ErrEnrollUnknown
	case err != nil:
		return err
	case used:
		return protocol.ErrEnrollUsed
	default:
		return protocol.ErrEnrollExpired
	}
}

// Device returns an enrolled device.
func (s *Store) Device(ctx context.Context, id uuid.UUID) (server.Device, error) {
	var d server.Device
	err := s.with(ctx, func(conn *pgx.Conn) error {
		var err error
		d, err = scanDevice(conn.QueryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = $1`, pgUUID(id)))
		return err
	})
	return d, err
}

// DeviceByToken returns the device whose token has SHA-256 hash.
func (s *Store) DeviceByToken(ctx context.Context, hash [32]byte) (server.Device, error) {
	var d server.Device
	err := s.with(ctx, func(conn *pgx.Conn) error {
		var err error
		d, err = scanDevice(conn.QueryRow(ctx, `SELECT `+deviceColumns+` FROM devices WHERE token_hash = $1`, hash[:]))
		return err
	})
	return d, err
}

// Devices lists every enrolled device with its head, by id.
func (s *Store) Devices(ctx context.Context) ([]server.DeviceHead, error) {
	var out []server.DeviceHead
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT d.id, d.public_key, d.label, d.province, d.county, d.role,
				d.token_hash, d.enrolled, d.revoked, d.statement, coalesce(h.acked, 0), h.hash
			FROM devices d LEFT JOIN heads h ON h.device = d.id ORDER BY d.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				acked int64
				hash  []byte
			)
			d, err := scanDevice(rows, &acked, &hash)
			if err != nil {
				return err
			}
			dh := server.DeviceHead{Device: d, Head: server.Head{Acked: uint64(acked)}}
			copy(dh.Head.Hash[:], hash)
			out = append(out, dh)
		}
		return rows.Err()
	})
	return out, err
}

// Revoke marks a device revoked; its ops stay.
func (s *Store) Revoke(ctx context.Context, id uuid.UUID) error {
	return s.with(ctx, func(conn *pgx.Conn) error {
		tag, err := conn.Exec(ctx, `UPDATE devices SET revoked = true WHERE id = $1`, pgUUID(id))
		if err == nil && tag.RowsAffected() == 0 {
			return protocol.ErrNotFound
		}
		return err
	})
}

// Vouch stores the device's enrollment statement.
func (s *Store) Vouch(ctx context.Context, id uuid.UUID, statement []byte) error {
	return s.with(ctx, func(conn *pgx.Conn) error {
		tag, err := conn.Exec(ctx, `UPDATE devices SET statement = $2 WHERE id = $1`, pgUUID(id), statement)
		if err == nil && tag.RowsAffected() == 0 {
			return protocol.ErrNotFound
		}
		return err
	})
}

// Keys returns the public keys of the given devices with the role and
// scope each was enrolled with, in the order asked (unknown ones are
// left out).
func (s *Store) Keys(ctx context.Context, ids []uuid.UUID) ([]protocol.DeviceKey, error) {
	out := make([]protocol.DeviceKey, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		args[i] = pgUUID(id)
	}
	keys := make(map[uuid.UUID]protocol.DeviceKey, len(ids))
	err := s.with(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `SELECT id, public_key, role, province, county, statement FROM devices WHERE id = ANY($1)`, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id   pgtype.UUID
				k    protocol.DeviceKey
				role string
			)
			if err := rows.Scan(&id, &k.Key, &role, &k.Scope.Province, &k.Scope.County, &k.Statement); err != nil {
				return err
			}
			k.Device, k.Role = id.Bytes, model.Role(role)
			keys[k.Device] = k
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if k, ok := keys[id]; ok {
			out = append(out, k)
		}
	}
	return out, nil
}
