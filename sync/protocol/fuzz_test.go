package protocol

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

// The fuzz targets check that no decoder panics and that whatever decodes
// re-encodes to something that decodes the same. Seeds are in
// testdata/fuzz/<target>/ besides the ones added here.

func FuzzParsePushFrame(f *testing.F) {
	f.Add(AppendPushFrame(nil, uuid.New(), [][]byte{[]byte("op")}))
	f.Add([]byte("LTP\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dev, ops, err := ParsePushFrame(b)
		if err != nil {
			return
		}
		again := AppendPushFrame(nil, dev, ops)
		if !bytes.Equal(again, b) {
			t.Errorf("re-encoded: got %x; want %x", again, b)
		}
	})
}

func FuzzParsePageFrame(f *testing.F) {
	f.Add(AppendPageFrame(nil, PageFrame{Cursor: 3, More: true, Keys: []DeviceKey{{Device: uuid.New(), Key: make([]byte, 32)}}, Ops: []PageOp{{ServerSeq: 3, Eff: 1, Raw: []byte("op")}}}))
	f.Add(AppendPageFrame(nil, PageFrame{Cursor: 3, Keys: []DeviceKey{{Device: uuid.New(), Key: make([]byte, 32), Role: "county", Scope: Scope{Province: "130000", County: "130126"}}}, Ops: []PageOp{{ServerSeq: 3, Eff: 1, Raw: []byte("op")}}}))
	f.Add(AppendPageFrame(nil, PageFrame{Cursor: 3, HasStatements: true, Keys: []DeviceKey{{Device: uuid.New(), Key: make([]byte, 32), Role: "county", Scope: Scope{Province: "130000", County: "130126"}, Statement: []byte("{}")}}, Ops: []PageOp{{ServerSeq: 3, Eff: 1, Raw: []byte("op")}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePageFrame(b)
		if err != nil {
			return
		}
		again := AppendPageFrame(nil, p)
		if _, err := ParsePageFrame(again); err != nil {
			t.Errorf("re-encoded page does not parse: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Errorf("a page has two encodings:\n%x\n%x", b, again)
		}
	})
}

func FuzzDecodePush(f *testing.F) {
	f.Add(AppendPushFrame(nil, uuid.New(), [][]byte{[]byte("op")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodePush(b)
		if err != nil {
			return
		}
		enc, err := EncodePush(req)
		if err != nil {
			t.Fatalf("EncodePush of a decoded request: %v", err)
		}
		again, err := DecodePush(enc)
		if err != nil || again.Device != req.Device || len(again.Ops) != len(req.Ops) {
			t.Errorf("round trip: got %v ops, %v; want %d ops", len(again.Ops), err, len(req.Ops))
		}
	})
}

func FuzzDecodePull(f *testing.F) {
	f.Add(AppendPageFrame(nil, PageFrame{Cursor: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := DecodePull(b)
		if err != nil {
			return
		}
		enc, err := EncodePull(resp)
		if err != nil {
			t.Fatalf("EncodePull of a decoded page: %v", err)
		}
		again, err := DecodePull(enc)
		if err != nil || again.Cursor != resp.Cursor || len(again.Ops) != len(resp.Ops) {
			t.Errorf("round trip: got %d ops, %v; want %d ops", len(again.Ops), err, len(resp.Ops))
		}
		for i := range again.Ops {
			if again.Ops[i].ServerSeq != resp.Ops[i].ServerSeq || again.Ops[i].Eff != resp.Ops[i].Eff ||
				(again.ScopePrev == nil) != (resp.ScopePrev == nil) || resp.ScopePrev != nil && again.ScopePrev[i] != resp.ScopePrev[i] {
				t.Errorf("op %d stamps: got %d/%d; want %d/%d", i, again.Ops[i].ServerSeq, again.Ops[i].Eff, resp.Ops[i].ServerSeq, resp.Ops[i].Eff)
			}
		}
	})
}

func FuzzDecodeEnroll(f *testing.F) {
	good, _ := json.Marshal(EnrollRequest{Code: "ABCD-EFGH", Device: uuid.New(), PublicKey: make([]byte, 32), Label: "平板"})
	f.Add(good)
	f.Add([]byte(`{"code":"x","device":"not-a-uuid"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeEnroll(b)
		if err != nil {
			return
		}
		if r.Code == "" || len(r.PublicKey) != 32 {
			t.Errorf("accepted an invalid request: %+v", r)
		}
	})
}

func FuzzDecodePullRequest(f *testing.F) {
	f.Add([]byte(`{"cursor":12,"max_bytes":1048576}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodePullRequest(b)
		if err != nil {
			return
		}
		if l := r.Limit(); l <= 0 || l > MaxPullBytes {
			t.Errorf("limit: got %d; want 1..%d", l, MaxPullBytes)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, EncodeError(ErrGap))
	f.Add(502, []byte("<html>"))
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		if e := DecodeError(status, b); e == nil || e.Code == "" {
			t.Errorf("got %v; want an error with a code", e)
		}
	})
}

func FuzzParseContentRange(f *testing.F) {
	f.Add("bytes 0-99/200")
	f.Fuzz(func(t *testing.T, h string) {
		r, err := ParseContentRange(h)
		if err != nil {
			return
		}
		if r.Start < 0 || r.End < r.Start || r.End >= r.Total {
			t.Errorf("accepted %q as %+v", h, r)
		}
	})
}

func FuzzDecodeReportRequest(f *testing.F) {
	f.Add([]byte(`{"ops":[{"device":"0193a1c2-0000-7000-8000-000000000001","seq":4,"code":"signature"}]}`))
	f.Add([]byte(`{"ops":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodeReportRequest(b)
		if err != nil {
			return
		}
		enc, err := EncodeJSON(req)
		if err != nil {
			t.Fatalf("EncodeJSON of a decoded report: %v", err)
		}
		again, err := DecodeReportRequest(enc)
		if err != nil || len(again.Ops) != len(req.Ops) {
			t.Errorf("decoded again: %d ops, %v; want %d", len(again.Ops), err, len(req.Ops))
		}
	})
}
