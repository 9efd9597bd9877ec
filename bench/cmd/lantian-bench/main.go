// Command lantian-bench measures Lantian's sync against PouchDB
// replication and against the physical limit, and writes BENCHMARKS.md.
//
//	lantian-bench --n 100000 --runs 3 --server bin/lantian-server --pouchdb bench/pouchdb --out BENCHMARKS.md
//
// Device A holds N demo records created offline and syncs them to a real
// lantian-server process on loopback; a fresh device B pulls them. The
// same documents go from an in-memory PouchDB to express-pouchdb and on
// to a fresh PouchDB. Every byte is counted on the wire by a TCP proxy in
// this process; devices and servers run as child processes, so their peak
// RSS is their own. The limit is one Badger WriteBatch of the ops'
// encoded bytes and one plain HTTP transfer of that many bytes.
//
// The subcommands "seed", "device" and "serve" are the harness's own
// children; "serve" is lantian-server's serve path with CPU profiling, for
// a profiling pass after the measured runs.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
)

func main() {
	var err error
	args := os.Args[1:]
	switch {
	case len(args) > 0 && args[0] == "seed":
		err = runSeed(args[1:])
	case len(args) > 0 && args[0] == "device":
		err = runDevice(args[1:])
	case len(args) > 0 && args[0] == "load":
		err = runLoad(args[1:])
	case len(args) > 0 && args[0] == "serve":
		err = runServe(args[1:])
	default:
		err = runBench(args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lantian-bench:", err)
		os.Exit(1)
	}
}

// quietLogger drops everything below errors.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// runSeed is the seeding child: seed --dir D --docs F --n N prints the
// seedStats as JSON.
func runSeed(args []string) error {
	if len(args) != 6 || args[0] != "--dir" || args[2] != "--docs" || args[4] != "--n" {
		return fmt.Errorf("usage: seed --dir D --docs F --n N")
	}
	var n int
	if _, err := fmt.Sscan(args[5], &n); err != nil {
		return err
	}
	if err := installGazetteer(); err != nil {
		return err
	}
	st, err := seed(args[1], args[3], n)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(st)
}
