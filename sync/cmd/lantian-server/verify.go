package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"io"

	"github.com/lantian-tz/lantian/internal/verify"
	"github.com/lantian-tz/lantian/sync/server"
)

// runVerify checks every op the server serves (see internal/verify):
// signatures under the enrolled keys, device chains, each change replayed
// against its author's role and scope, records kept in their register and
// county, and, with the province key (the server's own, or
// --province-pubkey), every device vouched for by the province. It exits
// non-zero on any problem.
func runVerify(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	provKey := provinceKeyOption(fs)
	ctx := context.Background()
	return verify.CLI(ctx, fs, args, out, func() (verify.Source, []ed25519.PublicKey, func(), error) {
		var trusted []ed25519.PublicKey
		if *data != "" || *provKey != "" {
			var err error
			if trusted, err = ownKeyTrusted(*data, *provKey, out); err != nil {
				return nil, nil, nil, err
			}
		}
		e, err := open(ctx, *data, *pgURL, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		return server.VerifySource(e.store, e.gaz), trusted, e.close, nil
	})
}
