package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// entries makes n log entries after head for county (province 130000),
// each on a record of its own.
func entries(head server.Head, n int, county string) []server.LogEntry {
	out := make([]server.LogEntry, n)
	for i := range out {
		seq := head.Acked + 1 + uint64(i)
		var h oplog.Hash
		copy(h[:], fmt.Sprintf("hash-%d", seq))
		out[i] = server.LogEntry{Seq: seq, Hash: h, Record: uuid.Must(uuid.NewV7()), Register: "farm_coal_facility", County: county, Province: "130000",
			Eff: hlc.Timestamp(seq), Raw: []byte(fmt.Sprintf("op-%s-%d", county, seq))}
	}
	return out
}

func TestAppendAndPull(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	dev := uuid.New()
	es := entries(server.Head{}, 5, "130126")
	es[2].Refused = true
	es[2].Refusal = &protocol.Receipt{Seq: 3, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	sss, err := s.Append(ctx, dev, server.Head{}, es)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if want := []uint64{1, 2, 0, 3, 4}; fmt.Sprint(sss) != fmt.Sprint(want) {
		t.Errorf("server seqs: got %v; want %v", sss, want)
	}
	h, _ := s.Head(ctx, dev)
	if h.Acked != 5 || h.Hash != es[4].Hash {
		t.Errorf("head: got %d %x; want 5 %x", h.Acked, h.Hash[:4], es[4].Hash[:4])
	}
	if _, err := s.Append(ctx, dev, server.Head{}, entries(server.Head{}, 1, "130126")); !errors.Is(err, server.ErrStaleHead) {
		t.Errorf("append on an old head: got %v; want %v", err, server.ErrStaleHead)
	}
	logged, err := s.Log(ctx, dev, 2, 4)
	if err != nil || len(logged) != 3 {
		t.Fatalf("Log: got %d entries, %v; want 3", len(logged), err)
	}
	if !logged[1].Refused || logged[1].Refusal.Code != protocol.RefusedScope || string(logged[1].Raw) != "op-130126-3" {
		t.Errorf("refused entry: got %+v", logged[1])
	}
	if logged[0].ServerSeq != 2 || logged[0].Eff != 2 {
		t.Errorf("applied entry stamps: got %d/%d; want 2/2", logged[0].ServerSeq, logged[0].Eff)
	}

	tests := []struct {
		name     string
		scope    protocol.Scope
		after    uint64
		max      int
		wantSeqs string
		wantMore bool
	}{
		{"county all", protocol.Scope{Province: "130000", County: "130126"}, 0, 1 << 20, "[1 2 3 4]", false},
		{"province all", protocol.Scope{Province: "130000"}, 0, 1 << 20, "[1 2 3 4]", false},
		{"after cursor", protocol.Scope{Province: "130000", County: "130126"}, 2, 1 << 20, "[3 4]", false},
		{"small page", protocol.Scope{Province: "130000", County: "130126"}, 0, 30, "[1 2]", true},
		{"tiny page still one op", protocol.Scope{Province: "130000", County: "130126"}, 0, 1, "[1]", true},
		{"other county", protocol.Scope{Province: "130000", County: "130127"}, 0, 1 << 20, "[]", false},
		{"other province", protocol.Scope{Province: "140000"}, 0, 1 << 20, "[]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Pull(ctx, tt.scope, tt.after, tt.max)
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			var seqs []uint64
			for i, o := range p.Ops {
				seqs = append(seqs, o.ServerSeq)
				if p.Devices[i] != dev {
					t.Errorf("device: got %v; want %v", p.Devices[i], dev)
				}
			}
			if got := fmt.Sprint(seqs); got != tt.wantSeqs && !(got == "[]" && tt.wantSeqs == "[]") {
				t.Errorf("ops: got %v; want %v", got, tt.wantSeqs)
			}
			if p.More != tt.wantMore {
				t.Errorf("more: got %v; want %v", p.More, tt.wantMore)
			}
			if len(seqs) > 0 && p.Cursor != seqs[len(seqs)-1] || len(seqs) == 0 && p.Cursor != tt.after {
				t.Errorf("cursor: got %d; want the last op's seq or %d", p.Cursor, tt.after)
			}
		})
	}
}

func TestEnrollCodes(t *testing.T) {
	ctx := context.Background()
	s := openMem(t)
	now := time.UnixMilli(1764392000000)
	sc := protocol.Scope{Province: "130000", County: "130126"}
	code := [32]byte{1}
	expired := [32]byte{2}
	if err := s.CreateCode(ctx, server.Code{Hash: code, Scope: sc, Role: "grid", Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCode(ctx, server.Code{Hash: expired, Scope: sc, Role: "grid", Expires: now}); err != nil {
		t.Fatal(err)
	}
	d1 := server.Device{ID: uuid.New(), PublicKey: make([]byte, 32), TokenHash: [32]byte{9}, Enrolled: now}
	tests := []struct {
		name string
		code [32]byte
		dev  server.Device
		want error
	}{
		{"good", code, d1, nil},
		{"reused", code, server.Device{ID: uuid.New(), TokenHash: [32]byte{8}}, protocol.ErrEnrollUsed},
		{"expired", expired, server.Device{ID: uuid.New()}, protocol.ErrEnrollExpired},
		{"unknown", [32]byte{3}, server.Device{ID: uuid.New()}, protocol.ErrEnrollUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Enroll(ctx, tt.code, tt.dev, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
			if err == nil && (c.Scope != sc || c.Device != tt.dev.ID) {
				t.Errorf("code: got %+v; want scope %v device %v", c, sc, tt.dev.ID)
			}
		})
	}
	got, err := s.DeviceByToken(ctx, [32]byte{9})
	if err != nil || got.ID != d1.ID || got.Scope != sc || got.Role != "grid" {
		t.Errorf("DeviceByToken: got %+v, %v; want %v in %v", got, err, d1.ID, sc)
	}
	if _, err := s.DeviceByToken(ctx, [32]byte{8}); !errors.Is(err, protocol.ErrNotFound) {
		t.Errorf("token of a failed enrollment: got %v; want %v", err, protocol.ErrNotFound)
	}
	if err := s.Revoke(ctx, d1.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Device(ctx, d1.ID); !got.Revoked {
		t.Errorf("revoked: got false; want true")
	}
	all, err := s.Devices(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("Devices: got %d, %v; want 1", len(all), err)
	}
}

// TestAppendLargestBatch appends a batch at the protocol's limits (1000
// ops filling a maximal body) in its one transaction, with the default
// sizes in memory and on disk (where the memtable is smaller and op
// bodies go to the value log), for applied and for refused ops.
func TestAppendLargestBatch(t *testing.T) {
	for _, store := range []string{"memory", "disk"} {
		for _, refused := range []bool{false, true} {
			t.Run(fmt.Sprintf("store=%s/refused=%v", store, refused), func(t *testing.T) {
				o := Options{InMemory: true}
				if store == "disk" {
					o = Options{Dir: t.TempDir(), NoSync: true}
				}
				s, err := Open(o)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer s.Close()
				es := entries(server.Head{}, protocol.MaxOpsPerBatch, "130126")
				for i := range es {
					es[i].Raw = make([]byte, protocol.MaxBodyBytes/protocol.MaxOpsPerBatch)
					if refused {
						es[i].Refused = true
						es[i].Refusal = &protocol.Receipt{Seq: es[i].Seq, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
					}
				}
				if _, err := s.Append(context.Background(), uuid.New(), server.Head{}, es); err != nil {
					t.Errorf("got %v; want nil", err)
				}
			})
		}
	}
}

// TestOpenSizes checks that Options' Badger sizes default as documented
// and that set ones are used.
func TestOpenSizes(t *testing.T) {
	disk := Options{Dir: "x"}.badgerOptions()
	if disk.MemTableSize != 32<<20 || disk.NumMemtables != 2 || disk.BlockCacheSize != 64<<20 ||
		disk.IndexCacheSize != 32<<20 || disk.ValueThreshold != 256 || disk.ValueLogFileSize != 128<<20 || disk.NumCompactors != 2 {
		t.Errorf("on disk: got memtable %d×%d, block cache %d, index cache %d, value threshold %d, value log files %d, %d compactors",
			disk.MemTableSize, disk.NumMemtables, disk.BlockCacheSize, disk.IndexCacheSize, disk.ValueThreshold, disk.ValueLogFileSize, disk.NumCompactors)
	}
	if mem := (Options{InMemory: true}).badgerOptions(); mem.MemTableSize != 64<<20 || mem.Dir != "" {
		t.Errorf("in memory: got memtable %d, dir %q; want %d, none", mem.MemTableSize, mem.Dir, 64<<20)
	}
	set := Options{Dir: "x", MemTableSize: 8 << 20, NumMemtables: 3, BlockCacheSize: 1 << 20, IndexCacheSize: 2 << 20,
		ValueThreshold: 1024, ValueLogFileSize: 16 << 20, NumCompactors: 3}.badgerOptions()
	if set.MemTableSize != 8<<20 || set.NumMemtables != 3 || set.BlockCacheSize != 1<<20 || set.IndexCacheSize != 2<<20 ||
		set.ValueThreshold != 1024 || set.ValueLogFileSize != 16<<20 || set.NumCompactors != 3 {
		t.Errorf("set: got %+v", set)
	}
}

// BlobCounties lists the counties of applied entries referencing a blob.
func TestBlobCounties(t *testing.T) { storetest.BlobCounties(t, openMem(t)) }

func TestRecordHomes(t *testing.T)           { storetest.RecordHomes(t, openMem(t)) }
func TestRecordHomesConcurrent(t *testing.T) { storetest.RecordHomesConcurrent(t, openMem(t)) }
func TestKeysRoleAndScope(t *testing.T)      { storetest.Keys(t, openMem(t)) }
func TestReports(t *testing.T)               { storetest.Reports(t, openMem(t)) }
func TestWithdraw(t *testing.T)              { storetest.Withdraw(t, openMem(t)) }
func TestVouchedEnds(t *testing.T)           { storetest.VouchedEnds(t, openMem(t)) }
