package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/lantian-tz/lantian/internal/store"
)

// opBytes returns the binary encodings (oplog.Op.MarshalBinary) of every
// op of the store at dir, the device's own log in seq order.
func opBytes(dir string) ([][]byte, error) {
	st, err := store.Open(store.Options{Dir: dir, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out [][]byte
	for after := uint64(0); ; {
		ops, err := st.Ops(st.Device(), after, 1000)
		if err != nil {
			return nil, err
		}
		if len(ops) == 0 {
			return out, nil
		}
		for i := range ops {
			b, err := ops[i].MarshalBinary()
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		after = ops[len(ops)-1].Seq
	}
}

// badgerLimit writes ops into a fresh Badger at dir with one WriteBatch
// (keys: 8-byte seq), flushes and syncs it, and returns the time taken.
func badgerLimit(dir string, ops [][]byte) (time.Duration, error) {
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(false))
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	wb := db.NewWriteBatch()
	for i, op := range ops {
		if err := wb.Set(binary.BigEndian.AppendUint64([]byte("o"), uint64(i+1)), op); err != nil {
			wb.Cancel()
			db.Close()
			return 0, err
		}
	}
	if err := wb.Flush(); err != nil {
		db.Close()
		return 0, err
	}
	if err := db.Sync(); err != nil {
		db.Close()
		return 0, err
	}
	d := time.Since(t0)
	return d, db.Close()
}

// httpLimit is one plain net/http POST of size bytes to a handler that
// discards them, and one GET of size bytes from a handler that writes
// them, both through a counting proxy on loopback.
type httpLimit struct {
	Up, Down           time.Duration
	UpBytes, DownBytes int64 // on the wire, the request's and the answer's
}

func measureHTTP(size int) (httpLimit, error) {
	var res httpLimit
	payload := bytes.Repeat([]byte("lantian!"), size/8+1)[:size]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			io.Copy(io.Discard, r.Body)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(payload)
	})}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	p, err := newProxy(ln.Addr().String())
	if err != nil {
		return res, err
	}
	defer p.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	t0 := time.Now()
	resp, err := hc.Post(p.URL()+"/up", "application/octet-stream", bytes.NewReader(payload))
	if err != nil {
		return res, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res.Up = time.Since(t0)
	u1, d1 := p.TakeBytes()
	t0 = time.Now()
	resp, err = hc.Get(p.URL() + "/down")
	if err != nil {
		return res, err
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res.Down = time.Since(t0)
	u2, d2 := p.TakeBytes()
	if n != int64(size) {
		return res, fmt.Errorf("http limit: got %d of %d bytes", n, size)
	}
	res.UpBytes, res.DownBytes = u1+d1, u2+d2
	return res, nil
}
