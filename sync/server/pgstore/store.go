package pgstore

import (
	"context"
	"errors"
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
	// schemaLockKey is the advisory lock key under which Open migrates
	// the schema, so that instances starting together do not race. Older
	// binaries created their schema under the same key.
	schemaLockKey = 0x6c616e7469616e // "lantian"
)

// Open connects to the database at url (a PostgreSQL URL or key=value
// string) and migrates the schema to the latest version (creating it in
// an empty database); a database at a newer version than this binary
// knows fails with ErrSchemaTooNew. The connections are a pgxpool,
// configured by the URL's pool_* parameters as pgxpool reads them
// (pool_max_conns: at most 10 unless set). logger receives the store's
// messages; nil discards them.
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
	var from, to int
	err = s.tx(ctx, func(tx pgx.Tx) (err error) {
		from, to, err = migrate(ctx, tx, logger)
		return err
	})
	if err != nil {
		s.pool.Close()
		if errors.Is(err, ErrSchemaTooNew) {
			return nil, err
		}
		return nil, fmt.Errorf("pgstore: schema: %w", err)
	}
	if from != to {
		logger.Info("pgstore: schema migrated", "from", from, "to", to)
	}
	logger.Info("pgstore: schema ready", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database, "max_conns", cfg.MaxConns, "version", to)
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

// Ping checks that the database answers, on a pooled connection.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

var _ server.Pinger = (*Store)(nil)

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
