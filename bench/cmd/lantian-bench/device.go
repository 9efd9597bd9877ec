package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
)

// stepResult is one line a device child prints: a step done, how long
// its sync call took and how many ops it moved.
type stepResult struct {
	Step string  `json:"step"`
	MS   float64 `json:"ms"`
	Docs int     `json:"docs"`
	// OpBytes is the binary size of the op an edit step made.
	OpBytes int `json:"op_bytes,omitempty"`
	// PushMS, PullMS and BlobsMS split MS into Sync's phases (from its
	// progress reports: a phase ends at its last report).
	PushMS  float64 `json:"push_ms,omitempty"`
	PullMS  float64 `json:"pull_ms,omitempty"`
	BlobsMS float64 `json:"blobs_ms,omitempty"`
}

// runDevice is the device child: it opens (and enrolls) a store, prints
// "ready", then runs one step per line read on stdin. Role a pushes its
// records, then edits one field and syncs, then syncs with nothing new;
// role b pulls everything, then the edit, then nothing new.
func runDevice(args []string) error {
	fs := flag.NewFlagSet("device", flag.ContinueOnError)
	dir := fs.String("dir", "", "device store directory")
	url := fs.String("url", "", "server URL")
	code := fs.String("code", "", "enrollment code")
	role := fs.String("role", "a", "a (pushes) or b (pulls)")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the first step here")
	pullBytes := fs.Int("pull-bytes", 0, "pull page size asked of the server (0: the client's default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := installGazetteer(); err != nil {
		return err
	}
	st, err := store.Open(store.Options{Dir: *dir, Logger: quietLogger(), GCInterval: -1})
	if err != nil {
		return err
	}
	defer st.Close()
	c := client.New(client.Config{
		BaseURL: *url, Store: st, Logger: quietLogger(),
		HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}},
		Timeout:    2 * time.Minute, PullBytes: *pullBytes,
	})
	ctx := context.Background()
	if _, err := c.Enroll(ctx, *code, "bench "+*role); err != nil {
		return err
	}
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(stepResult{Step: "ready"}); err != nil {
		return err
	}
	var opBytes int
	sync := func(name string, before func() error, profile string) error {
		if !in.Scan() {
			return errors.New("device: stdin closed")
		}
		if profile != "" {
			f, err := os.Create(profile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		t0 := time.Now()
		if before != nil {
			if err := before(); err != nil {
				return err
			}
		}
		last := map[client.Phase]time.Time{}
		res, err := c.Sync(ctx, func(p client.Progress) { last[p.Phase] = time.Now() })
		if err != nil {
			return fmt.Errorf("%s sync: %w", name, err)
		}
		end := time.Now()
		ms := float64(end.Sub(t0).Microseconds()) / 1000
		since := func(from, to time.Time) float64 { return float64(to.Sub(from).Microseconds()) / 1000 }
		pushEnd, ok := last[client.PhasePush]
		if !ok {
			pushEnd = t0
		}
		pullEnd, ok := last[client.PhasePull]
		if !ok {
			pullEnd = pushEnd
		}
		if res.Quarantined > 0 || res.BlobsMissing > 0 {
			return fmt.Errorf("%s sync: %d ops refused, %d photos missing", name, res.Quarantined, res.BlobsMissing)
		}
		if profile != "" {
			pprof.StopCPUProfile()
		}
		if hp := os.Getenv("LANTIAN_BENCH_HEAPPROFILE"); hp != "" {
			// What stays live after the sync: a diagnostic, not a figure
			// of the report.
			if err := writeHeapProfile(hp + "-" + *role + "-" + name + ".pprof"); err != nil {
				return err
			}
		}
		r := stepResult{Step: name, MS: ms, Docs: res.Pushed + res.Pulled, OpBytes: opBytes,
			PushMS: since(t0, pushEnd), PullMS: since(pushEnd, pullEnd), BlobsMS: since(pullEnd, end)}
		opBytes = 0
		return out.Encode(r)
	}
	if *role == "a" {
		if err := sync("push", nil, *prof); err != nil {
			return err
		}
		edit := func() error {
			ops, err := st.Ops(st.Device(), 0, 1)
			if err != nil || len(ops) == 0 {
				return fmt.Errorf("device: no record to edit: %v", err)
			}
			sc, _ := model.Lookup(ops[0].Register)
			k, v, ok := editField(sc, ops[0].Set)
			if !ok {
				return errors.New("device: no field to edit")
			}
			if _, err = st.Append(ctx, store.Change{Record: ops[0].Record, Author: "基准测试", Role: model.RoleCounty,
				Set: map[string]model.Value{k: v}}); err != nil {
				return err
			}
			last, err := st.Ops(st.Device(), st.LocalSeq()-1, 1)
			if err != nil || len(last) != 1 {
				return fmt.Errorf("device: edit op: %v", err)
			}
			b, err := last[0].MarshalBinary()
			opBytes = len(b)
			return err
		}
		if err := sync("edit", edit, ""); err != nil {
			return err
		}
	} else {
		if err := sync("pull", nil, *prof); err != nil {
			return err
		}
		if err := sync("edit", nil, ""); err != nil {
			return err
		}
	}
	if err := sync("noop", nil, ""); err != nil {
		return err
	}
	in.Scan() // wait for the harness to let go
	return nil
}

// writeHeapProfile writes the live heap, after a collection, to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}
