package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/lantian-tz/lantian/model"
)

func TestPushFrameRoundTrip(t *testing.T) {
	dev := uuid.MustParse("01890000-0000-7000-8000-000000000001")
	tests := []struct {
		name string
		ops  [][]byte
	}{
		{"empty", nil},
		{"one", [][]byte{[]byte("op-1")}},
		{"several", [][]byte{[]byte("a"), bytes.Repeat([]byte("b"), 300), []byte("c")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendPushFrame(nil, dev, tt.ops)
			gotDev, gotOps, err := ParsePushFrame(b)
			if err != nil {
				t.Fatalf("ParsePushFrame: %v", err)
			}
			if gotDev != dev {
				t.Errorf("device: got %v; want %v", gotDev, dev)
			}
			if len(gotOps) != len(tt.ops) {
				t.Fatalf("ops: got %d; want %d", len(gotOps), len(tt.ops))
			}
			for i := range gotOps {
				if !bytes.Equal(gotOps[i], tt.ops[i]) {
					t.Errorf("op %d: got %q; want %q", i, gotOps[i], tt.ops[i])
				}
			}
		})
	}
}

func TestParsePushFrameErrors(t *testing.T) {
	dev := uuid.New()
	good := AppendPushFrame(nil, dev, [][]byte{[]byte("x")})
	tooMany := AppendPushFrame(nil, dev, make([][]byte, MaxOpsPerBatch+1))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrBadFrame},
		{"json", []byte(`{"device":"x"}`), ErrBadFrame},
		{"page magic", AppendPageFrame(nil, PageFrame{}), ErrBadFrame},
		{"future version", append([]byte("LTP\x02"), good[4:]...), ErrUnknownVersion},
		{"truncated device", good[:10], ErrBadFrame},
		{"truncated op", good[:len(good)-1], ErrBadFrame},
		{"trailing", append(append([]byte{}, good...), 0), ErrBadFrame},
		{"empty op", AppendPushFrame(nil, dev, [][]byte{{}}), ErrBadFrame},
		{"too many", tooMany, ErrTooManyOps},
		{"non-minimal varint", append(append(append([]byte{}, good[:20]...), 0x81, 0x00, 1), 'x'), ErrBadFrame},
		{"huge length", append(append([]byte{}, good[:20]...), 1, 0xff, 0xff, 0xff, 0xff, 0x0f), ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParsePushFrame(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
}

func TestPageFrameRoundTrip(t *testing.T) {
	p := PageFrame{
		Cursor: 1234, More: true, Links: true, ServerTime: 1764392000000,
		Keys: []DeviceKey{{Device: uuid.New(), Key: bytes.Repeat([]byte{7}, 32)},
			{Device: uuid.New(), Key: bytes.Repeat([]byte{8}, 32), Role: model.RoleGrid, Scope: Scope{Province: "130000", County: "130126"}}},
		Ops: []PageOp{
			{ServerSeq: 1233, Eff: 99, Raw: []byte("first")},
			{ServerSeq: 1234, Eff: 1 << 60, ScopePrev: 7, Raw: []byte("second")},
		},
	}
	b := AppendPageFrame(nil, p)
	got, err := ParsePageFrame(b)
	if err != nil {
		t.Fatalf("ParsePageFrame: %v", err)
	}
	if got.Cursor != p.Cursor || got.More != p.More || got.Links != p.Links || got.ServerTime != p.ServerTime {
		t.Errorf("header: got %d/%v/%d; want %d/%v/%d", got.Cursor, got.More, got.ServerTime, p.Cursor, p.More, p.ServerTime)
	}
	if len(got.Keys) != 2 {
		t.Fatalf("keys: got %v; want %v", got.Keys, p.Keys)
	}
	for i, k := range got.Keys {
		w := p.Keys[i]
		if k.Device != w.Device || !bytes.Equal(k.Key, w.Key) || k.Role != w.Role || k.Scope != w.Scope {
			t.Errorf("key %d: got %+v; want %+v (role and scope travel with the key)", i, k, w)
		}
	}
	if len(got.Ops) != 2 {
		t.Fatalf("ops: got %d; want 2", len(got.Ops))
	}
	size := 0
	for i, o := range got.Ops {
		if o.ServerSeq != p.Ops[i].ServerSeq || o.Eff != p.Ops[i].Eff || o.ScopePrev != p.Ops[i].ScopePrev || !bytes.Equal(o.Raw, p.Ops[i].Raw) {
			t.Errorf("op %d: got %+v; want %+v", i, o, p.Ops[i])
		}
		size += PageOpSize(o)
	}
	empty := len(AppendPageFrame(nil, PageFrame{Cursor: p.Cursor, More: true, Links: true, ServerTime: p.ServerTime, Keys: p.Keys}))
	if got, want := size, len(b)-empty; got != want {
		t.Errorf("PageOpSize sum: got %d; want %d", got, want)
	}
}

func TestParsePageFrameErrors(t *testing.T) {
	good := AppendPageFrame(nil, PageFrame{Cursor: 5, Ops: []PageOp{{ServerSeq: 5, Raw: []byte("x")}}})
	bogusFlags := append([]byte{}, good...)
	bogusFlags[5] = 0x80
	// A page whose scopes flag is set though no key has a role: the same
	// page has a shorter encoding without the flag.
	noRole := append([]byte("LTL\x01\x00\x04\x00\x01"), make([]byte, 16+pubKeySize)...)
	noRole = append(noRole, 0, 0, 0, 0)
	key := DeviceKey{Device: uuid.New(), Key: make([]byte, pubKeySize)}
	longRole := key
	longRole.Role = model.Role(strings.Repeat("r", maxScopeText+1))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrBadFrame},
		{"push magic", AppendPushFrame(nil, uuid.New(), nil), ErrBadFrame},
		{"future version", append([]byte("LTL\x02"), good[4:]...), ErrUnknownVersion},
		{"truncated", good[:len(good)-1], ErrBadFrame},
		{"trailing", append(append([]byte{}, good...), 1), ErrBadFrame},
		{"flags", bogusFlags, ErrBadFrame},
		{"non-minimal cursor", append([]byte("LTL\x01\x85\x00"), good[5:]...), ErrBadFrame},
		{"server time out of range", AppendPageFrame(nil, PageFrame{ServerTime: 1<<62 + 1}), ErrBadFrame},
		{"many ops claimed", []byte("LTL\x01\x00\x00\x00\x00\xff\xff\xff\xff\x0f"), ErrBadFrame},
		{"many keys claimed", []byte("LTL\x01\x00\x00\x00\xff\xff\xff\xff\x0f"), ErrBadFrame},
		{"truncated key", AppendPageFrame(nil, PageFrame{Keys: []DeviceKey{{Device: key.Device, Key: key.Key[:10]}}}), ErrBadFrame},
		{"scopes without a role", noRole, ErrBadFrame},
		{"scope text too long", AppendPageFrame(nil, PageFrame{Keys: []DeviceKey{longRole}}), ErrBadFrame},
		{"empty op", AppendPageFrame(nil, PageFrame{Ops: []PageOp{{ServerSeq: 1 << 20}}}), ErrBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePageFrame(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
}

func TestParseFrameErrorsNameTheByte(t *testing.T) {
	page := AppendPageFrame(nil, PageFrame{Cursor: 5, Ops: []PageOp{{ServerSeq: 5, Raw: []byte("x")}}})
	push := AppendPushFrame(nil, uuid.New(), [][]byte{[]byte("x")})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"not a frame", func() error { _, err := ParsePageFrame([]byte("LT")); return err }(), "at byte 0: "},
		{"wrong kind", func() error { _, err := ParsePageFrame(push); return err }(), "at byte 4: "},
		{"trailing", func() error { _, err := ParsePageFrame(append(page, 0)); return err }(), fmt.Sprintf("at byte %d: ", len(page))},
		{"truncated op", func() error { _, _, err := ParsePushFrame(push[:len(push)-1]); return err }(), fmt.Sprintf("at byte %d: ", len(push)-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", tt.err, tt.want)
			}
		})
	}
}

// A page that HasStatements carries each key's enrollment statement (an
// empty one for a device without); one without carries none, and a
// statement longer than MaxStatementBytes is refused.
func TestPageFrameStatements(t *testing.T) {
	keys := []DeviceKey{
		{Device: uuid.New(), Key: bytes.Repeat([]byte{7}, 32), Role: model.RoleGrid, Scope: Scope{Province: "130000", County: "130126"},
			Statement: []byte(`{"statement":"bGFudGlhbg==","sig":"c2ln"}`)},
		{Device: uuid.New(), Key: bytes.Repeat([]byte{8}, 32), Role: model.RoleCounty, Scope: Scope{Province: "130000", County: "130126"}},
	}
	p := PageFrame{Cursor: 3, ServerTime: 1764392000000, Keys: keys, HasStatements: true,
		Ops: []PageOp{{ServerSeq: 3, Eff: 1, Raw: []byte("op")}}}
	got, err := ParsePageFrame(AppendPageFrame(nil, p))
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasStatements || len(got.Keys) != 2 || !bytes.Equal(got.Keys[0].Statement, keys[0].Statement) || got.Keys[1].Statement != nil ||
		got.Keys[1].Role != model.RoleCounty || len(got.Ops) != 1 {
		t.Errorf("got %+v", got)
	}
	p.HasStatements = false
	if got, err := ParsePageFrame(AppendPageFrame(nil, p)); err != nil || got.HasStatements || got.Keys[0].Statement != nil {
		t.Errorf("without statements: %+v, %v", got, err)
	}
	p.HasStatements = true
	p.Keys[0].Statement = bytes.Repeat([]byte{'x'}, MaxStatementBytes+1)
	if _, err := ParsePageFrame(AppendPageFrame(nil, p)); !errors.Is(err, ErrBadFrame) {
		t.Errorf("an oversized statement: %v; want ErrBadFrame", err)
	}
}
