package pgstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lantian-tz/lantian/sync/server"
)

// Store is the PostgreSQL backend of server.Storage. It is safe for
// concurrent use, and several Stores (in several processes) may share one
// database.
type Store struct {
	pool *pgxpool.Pool
}

var _ server.Storage = (*Store)(nil)

const (
	// defaultMaxConns bounds the connections of one Store unless the URL
	// sets pool_max_conns.
	defaultMaxConns = 10
	// schemaLockKey is the advisory lock key under which Open creates the
	// schema, so that instances starting together do not race.
	schemaLockKey = 0x6c616e7469616e // "lantian"
)

// schema is created idempotently by Open. Integers that are uint64 in Go
// (seqs, server seqs, effective times) are bigint; they stay below 2^63.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS lantian_counter (
		id boolean PRIMARY KEY DEFAULT true CHECK (id),
		n  bigint NOT NULL)`,
	`INSERT INTO lantian_counter (id, n) VALUES (true, 0) ON CONFLICT (id) DO NOTHING`,
	`CREATE TABLE IF NOT EXISTS devices (
		id         uuid PRIMARY KEY,
		public_key bytea NOT NULL,
		label      text NOT NULL,
		province   text NOT NULL,
		county     text NOT NULL,
		role       text NOT NULL,
		token_hash bytea NOT NULL UNIQUE,
		enrolled   timestamptz NOT NULL,
		revoked    boolean NOT NULL DEFAULT false)`,
	`CREATE TABLE IF NOT EXISTS codes (
		hash     bytea PRIMARY KEY,
		province text NOT NULL,
		county   text NOT NULL,
		role     text NOT NULL,
		expires  timestamptz NOT NULL,
		used     boolean NOT NULL DEFAULT false,
		device   uuid)`,
	`CREATE TABLE IF NOT EXISTS heads (
		device uuid PRIMARY KEY,
		acked  bigint NOT NULL,
		hash   bytea)`,
	`CREATE TABLE IF NOT EXISTS device_log (
		device       uuid NOT NULL,
		seq          bigint NOT NULL,
		hash         bytea NOT NULL,
		eff          bigint NOT NULL,
		county       text NOT NULL,
		province     text NOT NULL,
		server_seq   bigint,
		refused_code text,
		refusal      jsonb,
		raw          bytea,
		PRIMARY KEY (device, seq))`,
	`CREATE TABLE IF NOT EXISTS ops (
		server_seq bigint PRIMARY KEY,
		device     uuid NOT NULL,
		seq        bigint NOT NULL,
		county     text NOT NULL,
		province   text NOT NULL,
		eff        bigint NOT NULL,
		raw        bytea NOT NULL,
		prev_province bigint NOT NULL,
		prev_county   bigint NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS scope_heads (
		device uuid NOT NULL,
		county text NOT NULL,
		seq    bigint NOT NULL,
		PRIMARY KEY (device, county))`,
	`CREATE TABLE IF NOT EXISTS blob_refs (
		blob   text NOT NULL,
		county text NOT NULL,
		PRIMARY KEY (blob, county))`,
	`CREATE INDEX IF NOT EXISTS ops_county ON ops (county, server_seq)`,
	`CREATE INDEX IF NOT EXISTS ops_province ON ops (province, server_seq)`,
	`CREATE INDEX IF NOT EXISTS ops_device ON ops (device, seq)`,
}

// addScopeLinks brings an ops table of a schema without scope links (the
// previous applied op of the device, in its province and in its county)
// up to date: it adds and fills in the columns and the scope_heads table.
// It does nothing on a new or current schema.
func addScopeLinks(ctx context.Context, tx pgx.Tx) error {
	var old bool
	err := tx.QueryRow(ctx, `SELECT to_regclass('ops') IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'ops' AND column_name = 'prev_province')`).Scan(&old)
	if err != nil || !old {
		return err
	}
	for _, q := range []string{
		`ALTER TABLE ops ADD COLUMN prev_province bigint, ADD COLUMN prev_county bigint`,
		`UPDATE ops SET prev_province = l.pp, prev_county = l.pc FROM (
			SELECT server_seq,
				coalesce(lag(seq) OVER (PARTITION BY device ORDER BY seq), 0) AS pp,
				coalesce(lag(seq) OVER (PARTITION BY device, county ORDER BY seq), 0) AS pc
			FROM ops) l
		WHERE ops.server_seq = l.server_seq`,
		`ALTER TABLE ops ALTER COLUMN prev_province SET NOT NULL, ALTER COLUMN prev_county SET NOT NULL`,
		`CREATE TABLE scope_heads (
			device uuid NOT NULL,
			county text NOT NULL,
			seq    bigint NOT NULL,
			PRIMARY KEY (device, county))`,
		`INSERT INTO scope_heads (device, county, seq) SELECT device, county, max(seq) FROM ops GROUP BY device, county`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// Open connects to the database at url (a PostgreSQL URL or key=value
// string) and creates the schema when it is missing. The connections are
// a pgxpool, configured by the URL's pool_* parameters as pgxpool reads
// them (pool_max_conns: at most 10 unless set). logger receives the
// store's messages; nil discards them.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := poolConfig(url)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s := &Store{pool: pool}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(schemaLockKey)); err != nil {
			return err
		}
		if err := addScopeLinks(ctx, tx); err != nil {
			return err
		}
		for _, q := range schema {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("pgstore: schema: %w", err)
	}
	logger.Info("pgstore: schema ready", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database, "max_conns", cfg.MaxConns)
	return s, nil
}

// poolConfig parses url into a pgxpool configuration with at most
// defaultMaxConns connections unless the URL sets pool_max_conns.
func poolConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	// pgxpool removes its parameters from the connection's; whether
	// the URL set the limit is seen in a plain parse.
	plain, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	if _, ok := plain.RuntimeParams["pool_max_conns"]; !ok {
		cfg.MaxConns = defaultMaxConns
	}
	return cfg, nil
}

// Close closes the store's connections, waiting for those in use to be
// released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// with runs fn on a pooled connection.
func (s *Store) with(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return fn(c.Conn())
}

// tx runs fn in a transaction on a pooled connection, committing when fn
// returns nil and rolling back otherwise.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
