// Package storetest holds tests that every server.Storage backend must
// pass, called from each backend's own tests (sync/server/badgerstore,
// sync/server/pgstore).
package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// entries makes n applied log entries of a new device's log for county
// (in province 130000).
func entries(n int, county string) []server.LogEntry {
	out := make([]server.LogEntry, n)
	for i := range out {
		seq := uint64(i + 1)
		var h oplog.Hash
		copy(h[:], fmt.Sprintf("hash-%s-%d", county, seq))
		out[i] = server.LogEntry{Seq: seq, Hash: h, County: county, Province: "130000",
			Eff: hlc.Timestamp(seq), Raw: fmt.Appendf(nil, "op-%s-%d", county, seq)}
	}
	return out
}

// BlobCounties checks that s lists the counties of the applied entries
// that reference a blob, and that a refused entry's references count for
// nothing.
func BlobCounties(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	photo, other := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	a := entries(3, "130126")
	a[0].Blobs = []string{photo}
	a[1].Blobs = []string{photo, other} // the same county again
	a[2].Blobs = []string{other}
	a[2].Refused = true
	a[2].Refusal = &protocol.Receipt{Seq: 3, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, a); err != nil {
		t.Fatal(err)
	}
	b := entries(1, "130127")
	b[0].Blobs = []string{photo}
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, b); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id   string
		want []string
	}{
		{photo, []string{"130126", "130127"}},
		{other, []string{"130126"}},
		{strings.Repeat("ef", 32), nil},
	} {
		got, err := s.BlobCounties(ctx, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("BlobCounties(%s…): got %v; want %v", tt.id[:4], got, tt.want)
		}
	}
}

// Reports checks that s keeps one report per op and reporter, only of
// ops applied in the reporter's scope, counts each op once however many
// reported it, and counts nothing for a device no one reported.
func Reports(t *testing.T, s server.Storage) {
	t.Helper()
	ctx := context.Background()
	dev, other, r1, r2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	a := entries(4, "130126")
	a[3].Refused = true
	a[3].Refusal = &protocol.Receipt{Seq: 4, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	if _, err := s.Append(ctx, dev, server.Head{}, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, other, server.Head{}, entries(1, "130127")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	if got, err := s.ReportCounts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ReportCounts of an empty store: %v, %v; want none", got, err)
	}
	county := protocol.Scope{Province: "130000", County: "130126"}
	province := protocol.Scope{Province: "130000"}
	op := func(d uuid.UUID, seq uint64) protocol.ReportedOp {
		return protocol.ReportedOp{Device: d, Seq: seq, Code: protocol.RejectedSig}
	}
	steps := []struct {
		name     string
		reporter uuid.UUID
		scope    protocol.Scope
		ops      []protocol.ReportedOp
		want     int
	}{
		{"two ops", r1, county, []protocol.ReportedOp{op(dev, 2), op(dev, 3)}, 2},
		{"sent again", r1, county, []protocol.ReportedOp{op(dev, 2)}, 0},
		{"another reporter, an op twice", r2, province, []protocol.ReportedOp{op(dev, 2), op(other, 1), op(other, 1)}, 2},
		{"nothing", r2, province, nil, 0},
		{"another county's op", r1, county, []protocol.ReportedOp{op(other, 1)}, 0},
		{"another province", r1, protocol.Scope{Province: "140000"}, []protocol.ReportedOp{op(dev, 1)}, 0},
		{"refused, never served", r1, county, []protocol.ReportedOp{op(dev, 4)}, 0},
		{"not held", r1, county, []protocol.ReportedOp{op(dev, 9), op(uuid.New(), 1)}, 0},
	}
	for _, st := range steps {
		got, err := s.Report(ctx, st.reporter, st.scope, st.ops, at)
		if err != nil || len(got) != st.want {
			t.Errorf("%s: got %d new (%+v), %v; want %d", st.name, len(got), got, err, st.want)
		}
	}
	got, err := s.ReportCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[uuid.UUID]int{dev: 2, other: 1}; !maps.Equal(got, want) {
		t.Errorf("ReportCounts: got %v; want %v", got, want)
	}
}
