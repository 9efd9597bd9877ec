package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
)

// pgOption adds the --pg URL option to fs: with it, devices, codes, ops
// and photos are kept in PostgreSQL (sync/server/pgstore) instead of the
// Badger database and blob directory under --data, for provinces that run
// several server instances on one database, so that any instance serves
// any photo. The password is best kept out of the URL, in PGPASSWORD or
// ~/.pgpass, which the driver reads.
func pgOption(fs *flag.FlagSet) *string {
	return fs.String("pg", "", "PostgreSQL URL: keep devices, codes, ops and photos there instead of under --data")
}

// openPG opens the PostgreSQL store at url.
func openPG(ctx context.Context, url string, log *slog.Logger) (*pgstore.Store, error) {
	return pgstore.Open(ctx, url, log)
}

// movedBlobsDir is what a data directory's blob directory is renamed to
// once its photos are in PostgreSQL.
const movedBlobsDir = "blobs.moved-to-pg"

// moveFileBlobs copies the complete photos of the blob directory dir
// (kept there by servers that ran without --pg, or by --pg servers
// before photos went to PostgreSQL) into to, each verified against its
// hash on the way, then renames dir to movedBlobsDir beside it, so that
// the copy is done once and the files stay for the operator to remove.
// Unfinished uploads are left behind: their devices upload them again.
// It does nothing when there is no dir.
func moveFileBlobs(dir string, to *pgstore.Blobs, log *slog.Logger) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	from, err := badgerstore.OpenBlobs(dir, 0)
	if err != nil {
		return err
	}
	ids, err := from.Complete()
	if err != nil {
		return err
	}
	log.Info("moving photos into PostgreSQL (once; the server starts when they are in)", "dir", dir, "photos", len(ids))
	copied := 0
	for i, id := range ids {
		if i > 0 && i%1000 == 0 {
			log.Info("moving photos into PostgreSQL", "done", i, "of", len(ids))
		}
		if _, complete, err := to.Stat(id); err != nil {
			return err
		} else if complete {
			continue
		}
		if err := to.Discard(id); err != nil { // a copy cut short before
			return err
		}
		f, size, err := from.Open(id)
		if err != nil {
			return err
		}
		_, complete, err := to.Write(id, 0, size, f, server.Upload{At: time.Now()})
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("photo %s: %w", id, err)
		}
		if !complete {
			return fmt.Errorf("photo %s: copied short", id)
		}
		copied++
	}
	moved := filepath.Join(filepath.Dir(dir), movedBlobsDir)
	if err := os.Rename(dir, moved); errors.Is(err, fs.ErrNotExist) {
		return nil // another process on the data directory moved them
	} else if err != nil {
		return err
	}
	log.Info("photos moved into PostgreSQL", "photos", len(ids), "copied", copied, "files_kept_in", moved)
	return nil
}
