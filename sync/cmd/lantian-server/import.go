package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/lantian-tz/lantian/sync/bundle"
	"github.com/lantian-tz/lantian/sync/server"
)

// runImport is `lantian-server import FILE --data DIR`: it ingests an
// offline bundle of an enrolled device, exactly as if the device had
// pushed it, and stores the photos it carries. Run it while the server is
// stopped (the database is opened exclusively).
func runImport(args []string, out io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	// The file may come before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: lantian-server import FILE --data DIR")
	}
	e, err := open(context.Background(), *data, *pgURL, log)
	if err != nil {
		return err
	}
	defer e.close()
	res, err := importFile(context.Background(), e, file, log)
	if err != nil {
		return err
	}
	h := res.Header
	fmt.Fprintf(out, "imported bundle of device %s (%s), province %s county %s, ops %d..%d\n",
		h.Device, h.Label, h.Province, h.County, h.FromSeq, h.ToSeq)
	fmt.Fprintf(out, "ops: %d applied, %d already here, %d refused; device acknowledged up to %d; photos: %d new\n",
		res.Applied, res.Duplicates, res.Refused, res.Acked, res.Blobs)
	return nil
}

// importFile verifies and ingests one bundle file into e.
func importFile(ctx context.Context, e *env, file string, log *slog.Logger) (bundle.ServerResult, error) {
	f, err := os.Open(file)
	if err != nil {
		return bundle.ServerResult{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return bundle.ServerResult{}, err
	}
	// The device named in the header must be enrolled here; the bundle
	// is verified with its key and province on record, not the bundle's.
	h, err := bundle.ReadHeader(f, fi.Size())
	if err != nil {
		return bundle.ServerResult{}, err
	}
	d, err := e.store.Device(ctx, h.Device)
	if err != nil {
		return bundle.ServerResult{}, fmt.Errorf("device %s of the bundle is not enrolled here: %w", h.Device, err)
	}
	srv, err := server.New(server.Config{Store: e.store, Blobs: e.blobs, Gazetteer: e.gaz, Logger: log})
	if err != nil {
		return bundle.ServerResult{}, err
	}
	defer func() { _ = srv.Shutdown(context.Background()) }() // stops its sweep of uploads
	dev := bundle.EnrolledDevice{PublicKey: d.PublicKey, Province: d.Scope.Province}
	return bundle.ImportServer(ctx, srv, server.DeviceBlobs{Blobs: e.blobs, Device: h.Device}, dev, f, fi.Size())
}
