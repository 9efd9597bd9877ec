package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// TestEnrollOnce enrolls many devices with one code at once: exactly one
// gets it.
func TestEnrollOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	now := time.UnixMilli(1764392000000)
	code := [32]byte{1}
	if err := s.CreateCode(ctx, server.Code{Hash: code, Scope: protocol.Scope{Province: hebei, County: county1}, Role: "grid", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := server.Device{ID: uuid.New(), PublicKey: make([]byte, 32), TokenHash: [32]byte{byte(i + 1)}, Enrolled: now}
			_, errs[i] = s.Enroll(ctx, code, d, now)
		})
	}
	wg.Wait()
	ok, used := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, protocol.ErrEnrollUsed):
			used++
		default:
			t.Errorf("enroll %d: got %v; want nil or %v", i, err, protocol.ErrEnrollUsed)
		}
	}
	if ok != 1 || used != n-1 {
		t.Errorf("enrollments: got %d ok and %d used; want 1 and %d", ok, used, n-1)
	}
	if all, err := s.Devices(ctx); err != nil || len(all) != 1 {
		t.Errorf("Devices: got %d, %v; want 1", len(all), err)
	}
}

// TestAppendSameHead appends the same device's batch from several
// goroutines at once (several instances handling one push twice): it is
// stored once and the others see a stale head.
func TestAppendSameHead(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	dev := uuid.New()
	for _, from := range []server.Head{{}, {Acked: 4, Hash: entries(server.Head{}, 4, county1)[3].Hash}} {
		t.Run(fmt.Sprintf("from %d", from.Acked), func(t *testing.T) {
			const n = 6
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { _, errs[i] = s.Append(ctx, dev, from, entries(from, 4, county1)) })
			}
			wg.Wait()
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, server.ErrStaleHead):
					t.Errorf("append %d: got %v; want nil or %v", i, err, server.ErrStaleHead)
				}
			}
			if ok != 1 {
				t.Errorf("successful appends: got %d; want 1", ok)
			}
			p, err := s.Pull(ctx, protocol.Scope{Province: hebei}, 0, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(p.Ops), int(from.Acked)+4; got != want {
				t.Errorf("ops stored: got %d; want %d", got, want)
			}
		})
	}
}

// TestPullWhileAppending is the cursor hazard: writers append batches for
// their own devices concurrently while readers pull repeatedly from their
// cursors in small pages. Every reader must see every applied op of its
// scope exactly once, in increasing server seq order: a cursor that
// passed an op committing later would lose it.
func TestPullWhileAppending(t *testing.T) {
	ctx := context.Background()
	s := openURL(t, withParam(freshURL(t), "pool_max_conns", "16"))
	const (
		writers = 6
		batches = 25
	)
	scopes := []protocol.Scope{{Province: hebei}, {Province: hebei, County: county1}, {Province: hebei, County: county2}}
	var (
		mu      sync.Mutex
		applied = map[uint64]string{} // server seq → raw op
		county  = map[uint64]string{}
	)
	done := make(chan struct{})
	var wwg, rwg sync.WaitGroup
	for w := range writers {
		wwg.Go(func() {
			dev := uuid.New()
			c := []string{county1, county2}[w%2]
			var head server.Head
			for b := range batches {
				es := entries(head, 1+(w+b)%5, c)
				for i := range es {
					es[i].Raw = fmt.Appendf(nil, "op-%d-%d", w, es[i].Seq)
					if es[i].Seq%7 == 0 {
						es[i].Refused = true
						es[i].Refusal = &protocol.Receipt{Seq: es[i].Seq, Status: protocol.StatusRefused, Code: protocol.RefusedSchema}
					}
				}
				sss, err := s.Append(ctx, dev, head, es)
				if err != nil {
					t.Errorf("writer %d: Append: %v", w, err)
					return
				}
				mu.Lock()
				for i, ss := range sss {
					if es[i].Refused != (ss == 0) {
						t.Errorf("writer %d seq %d: refused %v but server seq %d", w, es[i].Seq, es[i].Refused, ss)
					}
					if ss != 0 {
						applied[ss], county[ss] = string(es[i].Raw), c
					}
				}
				mu.Unlock()
				last := es[len(es)-1]
				head = server.Head{Acked: last.Seq, Hash: last.Hash}
			}
		})
	}
	pulled := make([]map[uint64]string, len(scopes))
	for r, sc := range scopes {
		pulled[r] = map[uint64]string{}
		rwg.Go(func() {
			var cursor uint64
			for {
				finished := false
				select {
				case <-done:
					finished = true // every Append has returned before this pull
				default:
				}
				p, err := s.Pull(ctx, sc, cursor, 64)
				if err != nil {
					t.Errorf("reader %d: Pull: %v", r, err)
					return
				}
				for _, o := range p.Ops {
					if o.ServerSeq <= cursor {
						t.Errorf("reader %d: server seq %d after cursor %d", r, o.ServerSeq, cursor)
					}
					pulled[r][o.ServerSeq] = string(o.Raw)
					cursor = o.ServerSeq
				}
				if p.Cursor != cursor {
					t.Errorf("reader %d: page cursor %d; want %d", r, p.Cursor, cursor)
				}
				if finished && !p.More && len(p.Ops) == 0 {
					return
				}
			}
		})
	}
	wwg.Wait()
	close(done)
	rwg.Wait()
	for r, sc := range scopes {
		want := map[uint64]string{}
		for ss, raw := range applied {
			if sc.County == "" || county[ss] == sc.County {
				want[ss] = raw
			}
		}
		var missing, extra []uint64
		for ss, raw := range want {
			if got, ok := pulled[r][ss]; !ok {
				missing = append(missing, ss)
			} else if got != raw {
				t.Errorf("scope %v seq %d: got %q; want %q", sc, ss, got, raw)
			}
		}
		for ss := range pulled[r] {
			if _, ok := want[ss]; !ok {
				extra = append(extra, ss)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("scope %v: got %d ops, missing %v, extra %v; want the %d applied", sc, len(pulled[r]), missing, extra, len(want))
		}
	}
	// Server seqs are gap-free: a rolled-back or refused entry takes none.
	for ss := uint64(1); ss <= uint64(len(applied)); ss++ {
		if _, ok := applied[ss]; !ok {
			t.Errorf("server seq %d was not handed out; want 1..%d without gaps", ss, len(applied))
		}
	}
}
