package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/lantian-tz/lantian/internal/serverstore/pgstore"
	"github.com/lantian-tz/lantian/sync/server"
)

// pgOption adds the --pg URL option to fs. After fs.Parse, the function it
// returns puts a PostgreSQL store (internal/serverstore/pgstore) in
// cfg.Store when --pg was given, for provinces that run several server
// instances on one database, and returns what closes that store (nothing
// to close without --pg). The password is best kept out of the URL, in
// PGPASSWORD or ~/.pgpass, which the driver reads.
func pgOption(fs *flag.FlagSet) func(ctx context.Context, cfg *server.Config, log *slog.Logger) (func(), error) {
	url := fs.String("pg", "", "PostgreSQL URL: keep devices, codes and ops there instead of in --data's database (blobs stay under --data)")
	return func(ctx context.Context, cfg *server.Config, log *slog.Logger) (func(), error) {
		if *url == "" {
			return func() {}, nil
		}
		st, err := pgstore.Open(ctx, *url, log)
		if err != nil {
			return nil, err
		}
		cfg.Store = st
		return func() { _ = st.Close() }, nil
	}
}
