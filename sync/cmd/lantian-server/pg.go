package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// pgOption adds the --pg URL option to fs: with it, devices, codes and ops
// are kept in PostgreSQL (sync/server/pgstore) instead of the
// Badger database under --data, for provinces that run several server
// instances on one database; blobs stay under --data. The password is
// best kept out of the URL, in PGPASSWORD or ~/.pgpass, which the driver
// reads.
func pgOption(fs *flag.FlagSet) *string {
	return fs.String("pg", "", "PostgreSQL URL: keep devices, codes and ops there instead of in --data's database (blobs stay under --data)")
}

// openPG opens the PostgreSQL store at url.
func openPG(ctx context.Context, url string, log *slog.Logger) (*pgstore.Store, error) {
	return pgstore.Open(ctx, url, log)
}
