package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// runServe is lantian-server's serve path (the same store, blobs and
// handler as sync/cmd/lantian-server) with CPU profiling, for the
// harness's profiling pass: each SIGUSR1 ends the current profile and
// starts PREFIX-N.pprof (N = 1, 2, …), answering "profile N" on stdout.
func runServe(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	data := fs.String("data", "", "data directory")
	listen := fs.String("listen", "127.0.0.1:0", "address")
	prefix := fs.String("cpuprofile", "", "profile file prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		return err
	}
	model.SetGazetteer(gaz)
	log := quietLogger()
	st, err := badgerstore.Open(badgerstore.Options{Dir: filepath.Join(*data, "db"), Logger: log})
	if err != nil {
		return err
	}
	defer st.Close()
	bl, err := badgerstore.OpenBlobs(filepath.Join(*data, "blobs"), 0)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{Store: st, Blobs: bl, Gazetteer: gaz, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln, "", "") }()
	fmt.Printf("lantian-bench serve: serving protocol %s on http://%s\n", protocol.Version, ln.Addr())
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGTERM, os.Interrupt)
	var cur *os.File
	stop := func() {
		if cur != nil {
			pprof.StopCPUProfile()
			cur.Close()
			cur = nil
		}
	}
	defer stop()
	for n := 1; ; {
		select {
		case err := <-errc:
			return err
		case s := <-sig:
			if s != syscall.SIGUSR1 {
				stop()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := srv.Shutdown(ctx); err != nil {
					return err
				}
				if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
					return err
				}
				return nil
			}
			stop()
			if *prefix != "" {
				if cur, err = os.Create(fmt.Sprintf("%s-%d.pprof", *prefix, n)); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(cur); err != nil {
					return err
				}
			}
			fmt.Printf("profile %d\n", n)
			n++
		}
	}
}
