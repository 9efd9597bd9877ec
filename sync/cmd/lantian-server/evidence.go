package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/photocheck"
	"github.com/lantian-tz/lantian/sync/server"
)

// runExportEvidence is "export-evidence --record ID -o pack.zip": the
// record's evidence pack (internal/evidence) from the server's store and
// blobs, checked against the province's own key.
func runExportEvidence(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("export-evidence", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	provKey := provinceKeyOption(fs)
	recordArg := fs.String("record", "", "the record's id")
	outFile := fs.String("o", "", "the pack file to write (.zip)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *recordArg == "" || *outFile == "" {
		return errors.New("需要 --record 记录编号 和 -o 证据包文件 / --record ID and -o FILE are required")
	}
	rec, err := uuid.Parse(*recordArg)
	if err != nil {
		return fmt.Errorf("--record %q: %w", *recordArg, err)
	}
	trusted, err := ownKeyTrusted(*data, *provKey, out)
	if err != nil {
		return err
	}
	ctx := context.Background()
	e, err := open(ctx, *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	start := time.Now()
	var buf bytes.Buffer
	res, err := evidence.Build(ctx, &buf, server.EvidenceSource(e.store, e.blobs, e.gaz), rec, evidence.Options{Trusted: trusted, PhotoNotes: photocheck.PackNotes})
	if err != nil {
		return err
	}
	if err := os.WriteFile(*outFile, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "已写出证据包 / evidence pack written: %s (%d bytes, %s)\n", *outFile, buf.Len(), time.Since(start).Round(time.Millisecond))
	evidence.Print(out, *outFile, res)
	if !res.OK() {
		return evidence.ErrPack
	}
	return nil
}
