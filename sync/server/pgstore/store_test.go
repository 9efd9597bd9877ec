package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/pgstore"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

var _ server.Storage = (*pgstore.Store)(nil)

const (
	hebei   = "130000"
	county1 = "130126"
	county2 = "130127"
	county3 = "140105"
)

func TestAppendAndPull(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	dev := uuid.New()
	es := entries(server.Head{}, 5, county1)
	es[2].Refused = true
	es[2].Refusal = &protocol.Receipt{Seq: 3, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
	sss, err := s.Append(ctx, dev, server.Head{}, es)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if got, want := fmt.Sprint(sss), fmt.Sprint([]uint64{1, 2, 0, 3, 4}); got != want {
		t.Errorf("server seqs: got %v; want %v", got, want)
	}
	h, err := s.Head(ctx, dev)
	if err != nil || h.Acked != 5 || h.Hash != es[4].Hash {
		t.Errorf("head: got %d %x, %v; want 5 %x", h.Acked, h.Hash[:4], err, es[4].Hash[:4])
	}
	if h, err := s.Head(ctx, uuid.New()); err != nil || h != (server.Head{}) {
		t.Errorf("head of an unknown device: got %+v, %v; want zero", h, err)
	}
	if _, err := s.Append(ctx, dev, server.Head{}, entries(server.Head{}, 1, county1)); !errors.Is(err, server.ErrStaleHead) {
		t.Errorf("append on an old head: got %v; want %v", err, server.ErrStaleHead)
	}
	if _, err := s.Append(ctx, dev, h, entries(server.Head{Acked: 6}, 1, county1)); err == nil {
		t.Errorf("append of seq 7 after 5: got nil error; want one")
	}
	logged, err := s.Log(ctx, dev, 2, 4)
	if err != nil || len(logged) != 3 {
		t.Fatalf("Log: got %d entries, %v; want 3", len(logged), err)
	}
	if r := logged[1]; !r.Refused || r.Refusal == nil || r.Refusal.Code != protocol.RefusedScope || string(r.Raw) != "op-130126-3" || r.ServerSeq != 0 {
		t.Errorf("refused entry: got %+v; want refused %s with its raw op", r, protocol.RefusedScope)
	}
	if r := logged[0]; r.Refused || r.ServerSeq != 2 || r.Eff != 2 || r.Hash != es[1].Hash {
		t.Errorf("applied entry: got refused %v stamps %d/%d; want applied 2/2", r.Refused, r.ServerSeq, r.Eff)
	}

	// A second device in another county and one in another province.
	dev2, dev3 := uuid.New(), uuid.New()
	if _, err := s.Append(ctx, dev2, server.Head{}, entries(server.Head{}, 2, county2)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, dev3, server.Head{}, entries(server.Head{}, 1, county3)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		scope    protocol.Scope
		after    uint64
		max      int
		wantSeqs string
		wantMore bool
	}{
		{"county all", protocol.Scope{Province: hebei, County: county1}, 0, 1 << 20, "[1 2 3 4]", false},
		{"other county", protocol.Scope{Province: hebei, County: county2}, 0, 1 << 20, "[5 6]", false},
		{"province all", protocol.Scope{Province: hebei}, 0, 1 << 20, "[1 2 3 4 5 6]", false},
		{"other province", protocol.Scope{Province: "140000"}, 0, 1 << 20, "[7]", false},
		{"after cursor", protocol.Scope{Province: hebei, County: county1}, 2, 1 << 20, "[3 4]", false},
		{"small page", protocol.Scope{Province: hebei, County: county1}, 0, 30, "[1 2]", true},
		{"tiny page still one op", protocol.Scope{Province: hebei, County: county1}, 0, 1, "[1]", true},
		{"exactly fits", protocol.Scope{Province: hebei, County: county1}, 2, 30, "[3 4]", false},
		{"at the end", protocol.Scope{Province: hebei}, 6, 1 << 20, "[]", false},
		{"county without ops", protocol.Scope{Province: hebei, County: "130128"}, 0, 1 << 20, "[]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.Pull(ctx, tt.scope, tt.after, tt.max)
			if err != nil {
				t.Fatalf("Pull: %v", err)
			}
			seqs := []uint64{}
			for i, o := range p.Ops {
				seqs = append(seqs, o.ServerSeq)
				want := map[string]uuid.UUID{county1: dev, county2: dev2, county3: dev3}
				var county string
				var seq int
				if _, err := fmt.Sscanf(string(o.Raw), "op-%6s-%d", &county, &seq); err != nil {
					t.Fatalf("raw %q: %v", o.Raw, err)
				}
				if p.Devices[i] != want[county] {
					t.Errorf("device of %s: got %v; want %v", o.Raw, p.Devices[i], want[county])
				}
				if o.Eff != hlc.Timestamp(seq) {
					t.Errorf("eff of %s: got %d; want %d", o.Raw, o.Eff, seq)
				}
			}
			if got := fmt.Sprint(seqs); got != tt.wantSeqs {
				t.Errorf("ops: got %v; want %v", got, tt.wantSeqs)
			}
			if p.More != tt.wantMore {
				t.Errorf("more: got %v; want %v", p.More, tt.wantMore)
			}
			wantCursor := tt.after
			if len(seqs) > 0 {
				wantCursor = seqs[len(seqs)-1]
			}
			if p.Cursor != wantCursor {
				t.Errorf("cursor: got %d; want %d", p.Cursor, wantCursor)
			}
		})
	}
}

func TestEnrollCodes(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	now := time.UnixMilli(1764392000000)
	sc := protocol.Scope{Province: hebei, County: county1}
	code, expired, other := [32]byte{1}, [32]byte{2}, [32]byte{4}
	for _, c := range []server.Code{
		{Hash: code, Scope: sc, Role: "grid", Expires: now.Add(time.Hour)},
		{Hash: expired, Scope: sc, Role: "grid", Expires: now},
		{Hash: other, Scope: protocol.Scope{Province: hebei}, Role: "province", Expires: now.Add(time.Hour)},
	} {
		if err := s.CreateCode(ctx, c); err != nil {
			t.Fatalf("CreateCode: %v", err)
		}
	}
	d1 := server.Device{ID: uuid.New(), PublicKey: make([]byte, 32), Label: "王家庄网格 平板2", TokenHash: [32]byte{9}, Enrolled: now}
	tests := []struct {
		name      string
		code      [32]byte
		dev       server.Device
		want      error
		wantScope protocol.Scope
	}{
		{"good", code, d1, nil, sc},
		{"reused", code, server.Device{ID: uuid.New(), TokenHash: [32]byte{8}}, protocol.ErrEnrollUsed, sc},
		{"expired", expired, server.Device{ID: uuid.New(), TokenHash: [32]byte{7}}, protocol.ErrEnrollExpired, sc},
		{"unknown", [32]byte{3}, server.Device{ID: uuid.New(), TokenHash: [32]byte{6}}, protocol.ErrEnrollUnknown, sc},
		{"device exists", other, server.Device{ID: d1.ID, TokenHash: [32]byte{5}}, protocol.ErrDeviceExists, sc},
		{"code kept after device exists", other, server.Device{ID: uuid.New(), TokenHash: [32]byte{5}}, nil, protocol.Scope{Province: hebei}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.Enroll(ctx, tt.code, tt.dev, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
			if err == nil && (c.Scope != tt.wantScope || c.Device != tt.dev.ID || !c.Used || c.Hash != tt.code) {
				t.Errorf("code: got %+v; want scope %v device %v", c, tt.wantScope, tt.dev.ID)
			}
		})
	}
	got, err := s.DeviceByToken(ctx, [32]byte{9})
	if err != nil || got.ID != d1.ID || got.Scope != sc || got.Role != "grid" || got.Label != d1.Label ||
		len(got.PublicKey) != 32 || !got.Enrolled.Equal(now) || got.Revoked {
		t.Errorf("DeviceByToken: got %+v, %v; want %v in %v", got, err, d1.ID, sc)
	}
	for _, tok := range [][32]byte{{8}, {7}, {6}} {
		if _, err := s.DeviceByToken(ctx, tok); !errors.Is(err, protocol.ErrNotFound) {
			t.Errorf("token %x of a failed enrollment: got %v; want %v", tok[:1], err, protocol.ErrNotFound)
		}
	}
	if err := s.Revoke(ctx, d1.ID); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if got, err := s.Device(ctx, d1.ID); err != nil || !got.Revoked {
		t.Errorf("revoked: got %v, %v; want true", got.Revoked, err)
	}
	if err := s.Revoke(ctx, uuid.New()); !errors.Is(err, protocol.ErrNotFound) {
		t.Errorf("Revoke of an unknown device: got %v; want %v", err, protocol.ErrNotFound)
	}
	if _, err := s.Device(ctx, uuid.New()); !errors.Is(err, protocol.ErrNotFound) {
		t.Errorf("Device of an unknown device: got %v; want %v", err, protocol.ErrNotFound)
	}
	es := entries(server.Head{}, 3, county1)
	if _, err := s.Append(ctx, d1.ID, server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	all, err := s.Devices(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Devices: got %d, %v; want 2", len(all), err)
	}
	for _, d := range all {
		want := server.Head{}
		if d.ID == d1.ID {
			want = server.Head{Acked: 3, Hash: es[2].Hash}
		}
		if d.Head != want {
			t.Errorf("head of %v: got %d; want %d", d.ID, d.Head.Acked, want.Acked)
		}
	}
}

func TestKeys(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	now := time.UnixMilli(1764392000000)
	var ids []uuid.UUID
	for i := range 3 {
		h := [32]byte{byte(i + 1)}
		if err := s.CreateCode(ctx, server.Code{Hash: h, Scope: protocol.Scope{Province: hebei, County: county1}, Role: "grid", Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		d := server.Device{ID: uuid.New(), PublicKey: []byte(fmt.Sprintf("%032d", i)), TokenHash: h, Enrolled: now}
		if _, err := s.Enroll(ctx, h, d, now); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	unknown := uuid.New()
	tests := []struct {
		name string
		ask  []uuid.UUID
		want string
	}{
		{"none", nil, "[]"},
		{"in the order asked", []uuid.UUID{ids[2], ids[0]}, "[2 0]"},
		{"unknown left out", []uuid.UUID{unknown, ids[1]}, "[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := s.Keys(ctx, tt.ask)
			if err != nil {
				t.Fatalf("Keys: %v", err)
			}
			got := []int{}
			for _, k := range ks {
				var n int
				fmt.Sscanf(string(k.Key), "%d", &n)
				if ids[n] != k.Device {
					t.Errorf("key %q: got device %v; want %v", k.Key, k.Device, ids[n])
				}
				got = append(got, n)
			}
			if fmt.Sprint(got) != tt.want {
				t.Errorf("keys: got %v; want %v", got, tt.want)
			}
		})
	}
}

// TestOpenAgain checks that the schema is created idempotently, by
// several instances at once, and that a second store sees the first's
// data.
func TestOpenAgain(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	stores := make([]*pgstore.Store, 4)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = pgstore.Open(ctx, u, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	dev := uuid.New()
	if _, err := stores[0].Append(ctx, dev, server.Head{}, entries(server.Head{}, 2, county1)); err != nil {
		t.Fatal(err)
	}
	again := openURL(t, u)
	if h, err := again.Head(ctx, dev); err != nil || h.Acked != 2 {
		t.Errorf("head after reopening: got %d, %v; want 2", h.Acked, err)
	}
	sss, err := again.Append(ctx, dev, server.Head{Acked: 2, Hash: entries(server.Head{}, 2, county1)[1].Hash}, entries(server.Head{Acked: 2}, 1, county1))
	if err != nil || fmt.Sprint(sss) != "[3]" {
		t.Errorf("server seq after reopening: got %v, %v; want [3]", sss, err)
	}
}

func TestOpenParams(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	tests := []struct {
		name    string
		url     string
		wantErr bool
	}{
		{"max conns", withParam(u, "pool_max_conns", "2"), false},
		{"other pool parameter ignored", withParam(u, "pool_min_conns", "1"), false},
		{"max conns not a number", withParam(u, "pool_max_conns", "zero"), true},
		{"max conns zero", withParam(u, "pool_max_conns", "0"), true},
		{"unknown server setting", withParam(u, "no_such_setting", "1"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := pgstore.Open(ctx, tt.url, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Open: got %v; want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer s.Close()
			if _, err := s.Head(ctx, uuid.New()); err != nil {
				t.Errorf("Head: got %v; want nil", err)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	s := openStore(t)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Head(context.Background(), uuid.New()); err == nil {
		t.Errorf("Head on a closed store: got nil error; want one")
	}
}

// appendLinked appends to dev, one entry per county in counties (refused
// where the county is "-"), and returns the new head.
func appendLinked(t *testing.T, s *pgstore.Store, dev uuid.UUID, head server.Head, counties ...string) server.Head {
	t.Helper()
	es := make([]server.LogEntry, len(counties))
	for i, c := range counties {
		refused := c == "-"
		if refused {
			c = county3
		}
		es[i] = entries(server.Head{Acked: head.Acked + uint64(i)}, 1, c)[0]
		es[i].Raw = fmt.Appendf(nil, "%s/%d", dev, es[i].Seq)
		if refused {
			es[i].Refused = true
			es[i].Refusal = &protocol.Receipt{Seq: es[i].Seq, Status: protocol.StatusRefused, Code: protocol.RefusedScope}
		}
	}
	if _, err := s.Append(context.Background(), dev, head, es); err != nil {
		t.Fatalf("Append: %v", err)
	}
	last := es[len(es)-1]
	return server.Head{Acked: last.Seq, Hash: last.Hash}
}

// links lists dev's ops in a page of scope as "seq<-scope_prev ".
func links(t *testing.T, s *pgstore.Store, scope protocol.Scope, after uint64, maxBytes int, dev uuid.UUID) string {
	t.Helper()
	p, err := s.Pull(context.Background(), scope, after, maxBytes)
	if err != nil {
		t.Fatalf("Pull: %v", err)
	}
	if !p.Links {
		t.Errorf("page links: got false; want true")
	}
	out := ""
	for i, o := range p.Ops {
		if p.Devices[i] != dev {
			continue
		}
		var seq uint64
		if _, err := fmt.Sscanf(string(o.Raw), dev.String()+"/%d", &seq); err != nil {
			t.Fatalf("raw %q: %v", o.Raw, err)
		}
		out += fmt.Sprintf("%d<-%d ", seq, o.ScopePrev)
	}
	return out
}

// TestPullScopePrev checks the links that let receivers apply a device's
// ops across the ones their scope does not get (other counties, refused),
// across batches and pages.
func TestPullScopePrev(t *testing.T) {
	s := openStore(t)
	prov, grid := uuid.New(), uuid.New()
	ph := appendLinked(t, s, prov, server.Head{}, county1, county2, county1)
	appendLinked(t, s, prov, ph, county2, county2, county1)
	gh := appendLinked(t, s, grid, server.Head{}, county1, "-")
	appendLinked(t, s, grid, gh, county1, "-", "-", county1)
	c1, c2, all := protocol.Scope{Province: hebei, County: county1}, protocol.Scope{Province: hebei, County: county2}, protocol.Scope{Province: hebei}
	tests := []struct {
		name  string
		scope protocol.Scope
		after uint64
		max   int
		dev   uuid.UUID
		want  string
	}{
		{"county reader, province device", c1, 0, 1 << 20, prov, "1<-0 3<-1 6<-3 "},
		{"other county reader, province device", c2, 0, 1 << 20, prov, "2<-0 4<-2 5<-4 "},
		{"province reader, province device", all, 0, 1 << 20, prov, "1<-0 2<-1 3<-2 4<-3 5<-4 6<-5 "},
		{"county reader, device with refused ops", c1, 0, 1 << 20, grid, "1<-0 3<-1 6<-3 "},
		{"province reader, device with refused ops", all, 0, 1 << 20, grid, "1<-0 3<-1 6<-3 "},
		{"after a cursor", c1, 4, 1 << 20, prov, "6<-3 "},
		{"one op per page", c2, 0, 1, prov, "2<-0 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := links(t, s, tt.scope, tt.after, tt.max, tt.dev); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

// TestPullLast checks that pages know the last server seq of any scope.
func TestPullLast(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	check := func(name string, scope protocol.Scope, after, want uint64) {
		t.Helper()
		p, err := s.Pull(ctx, scope, after, 1<<20)
		if err != nil {
			t.Fatalf("%s: Pull: %v", name, err)
		}
		if !p.LastKnown || p.Last != want {
			t.Errorf("%s: got last %d known %v; want %d true", name, p.Last, p.LastKnown, want)
		}
	}
	check("empty store", protocol.Scope{Province: hebei}, 0, 0)
	es := entries(server.Head{}, 4, county1)
	es[3].Refused = true
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, es); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, uuid.New(), server.Head{}, entries(server.Head{}, 2, county3)); err != nil {
		t.Fatal(err)
	}
	check("county", protocol.Scope{Province: hebei, County: county1}, 0, 5)
	check("county without ops", protocol.Scope{Province: hebei, County: county2}, 0, 5)
	check("cursor past the end", protocol.Scope{Province: "140000"}, 100, 5)
}

// dropFrom006 undoes migrations 006 (withdrawals), 007 (photos in the
// database) and 008 (enrollment statements), for tests that roll a schema
// back to an older version.
const dropFrom006 = `ALTER TABLE device_log DROP COLUMN accepted; DROP TABLE withdrawals; DROP TABLE withdrawn_ops;
	DROP TABLE blob_chunks; DROP TABLE blobs; ALTER TABLE devices DROP COLUMN statement`

// TestOpenAddsScopeLinks opens a schema made before ops had scope links
// (and so before blob_refs and recorded schema versions): Open fills them
// in, and appends go on from them.
func TestOpenAddsScopeLinks(t *testing.T) {
	ctx := context.Background()
	u := freshURL(t)
	s := openURL(t, u)
	prov, grid := uuid.New(), uuid.New()
	ph := appendLinked(t, s, prov, server.Head{}, county1, county2, county1, county2)
	gh := appendLinked(t, s, grid, server.Head{}, county1, "-", county1)
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `ALTER TABLE ops DROP COLUMN prev_province, DROP COLUMN prev_county; DROP TABLE scope_heads;
		DROP TABLE blob_refs; DROP TABLE records; DROP TABLE op_reports; DROP TABLE lantian_schema_version;`+dropFrom006); err != nil {
		t.Fatal(err)
	}
	_ = c.Close(ctx)
	again := openURL(t, u)
	appendLinked(t, again, prov, ph, county1)
	appendLinked(t, again, grid, gh, county1)
	c1, all := protocol.Scope{Province: hebei, County: county1}, protocol.Scope{Province: hebei}
	tests := []struct {
		name  string
		scope protocol.Scope
		dev   uuid.UUID
		want  string
	}{
		{"county reader, province device", c1, prov, "1<-0 3<-1 5<-3 "},
		{"province reader, province device", all, prov, "1<-0 2<-1 3<-2 4<-3 5<-4 "},
		{"county reader, device with a refused op", c1, grid, "1<-0 3<-1 4<-3 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := links(t, again, tt.scope, 0, 1<<20, tt.dev); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

// BlobCounties lists the counties of applied entries referencing a blob.
func TestBlobCounties(t *testing.T) { storetest.BlobCounties(t, openStore(t)) }

func TestRecordHomes(t *testing.T)           { storetest.RecordHomes(t, openStore(t)) }
func TestRecordHomesConcurrent(t *testing.T) { storetest.RecordHomesConcurrent(t, openStore(t)) }
func TestKeysRoleAndScope(t *testing.T)      { storetest.Keys(t, openStore(t)) }
func TestReports(t *testing.T)               { storetest.Reports(t, openStore(t)) }
func TestWithdraw(t *testing.T)              { storetest.Withdraw(t, openStore(t)) }
func TestVouchedEnds(t *testing.T)           { storetest.VouchedEnds(t, openStore(t)) }
