package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// restoredSkip is how far `restored` moves the server seq counter: more
// ops than a server numbers between a backup and its restore, and small
// enough for a billion restores.
const restoredSkip = 1 << 32

// seqSkipper is a store whose server seq counter can be moved on.
type seqSkipper interface {
	SkipSeqs(ctx context.Context, n uint64) (uint64, error)
}

// runRestored is the step after restoring the data from a backup, with
// the servers stopped: it moves the server seq counter past every seq the
// server may have handed out before, so that the ops stored from now on
// (those the devices push again included) are numbered above the pull
// cursors the devices hold and none of them is passed over.
func runRestored(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("restored", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	pgURL := pgOption(fs)
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	e, err := open(ctx, *data, *pgURL, nil)
	if err != nil {
		return err
	}
	defer e.close()
	sk, ok := e.store.(seqSkipper)
	if !ok {
		return errors.New("this store cannot move its seq counter")
	}
	last, err := sk.SkipSeqs(ctx, restoredSkip)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "server seqs now continue after %d\n", last)
	return nil
}
