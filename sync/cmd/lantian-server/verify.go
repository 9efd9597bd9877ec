package main

import (
	"context"
	"flag"
	"io"

	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/sync/server"
)

// runVerify checks every op the server serves (see internal/verify):
// signatures under the enrolled keys, device chains, each change replayed
// against its author's role and scope, records kept in their register and
// county. It exits non-zero on any problem.
func runVerify(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	ctx := context.Background()
	return verify.CLI(ctx, fs, args, out, func() (verify.Source, func(), error) {
		e, err := open(ctx, *data, *pgURL, nil)
		if err != nil {
			return nil, nil, err
		}
		return server.VerifySource(e.store, e.gaz), e.close, nil
	})
}
