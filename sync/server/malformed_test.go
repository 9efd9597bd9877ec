package server_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// TestMalformedRequests sends broken requests: each gets a clear 4xx,
// nothing is stored, and the server keeps serving.
func TestMalformedRequests(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	good, _ := protocol.EncodePush(protocol.PushRequest{Device: d.id, Ops: d.ops(t, 1, county1, nil)})
	d.seq, d.prev = 0, [32]byte{} // the good batch was never sent
	huge := bytes.Repeat([]byte{0}, protocol.MaxBodyBytes+1)
	bomb, enc := protocol.Compress(protocol.EncodingZstd, huge)
	tests := []struct {
		name   string
		method string
		path   string
		ctype  string
		body   []byte
		hdr    []string
		want   *protocol.Error
	}{
		{"push as JSON", "POST", protocol.PathPush, protocol.ContentTypeJSON, []byte(`{"ops":[]}`), nil, protocol.ErrMediaType},
		{"push without content type", "POST", protocol.PathPush, "", good, nil, protocol.ErrMediaType},
		{"push garbage", "POST", protocol.PathPush, protocol.ContentTypeOps, []byte("garbage"), nil, protocol.ErrBadFrame},
		{"push truncated", "POST", protocol.PathPush, protocol.ContentTypeOps, good[:len(good)-3], nil, protocol.ErrBadFrame},
		{"push of a future frame version", "POST", protocol.PathPush, protocol.ContentTypeOps, append([]byte("LTP\x09"), good[4:]...), nil, protocol.ErrUnknownVersion},
		{"push too large", "POST", protocol.PathPush, protocol.ContentTypeOps, huge, nil, protocol.ErrTooLarge},
		{"push zstd bomb", "POST", protocol.PathPush, protocol.ContentTypeOps, bomb, []string{"Content-Encoding", enc}, protocol.ErrTooLarge},
		{"push corrupt zstd", "POST", protocol.PathPush, protocol.ContentTypeOps, good, []string{"Content-Encoding", "zstd"}, protocol.ErrBadRequest},
		{"push brotli", "POST", protocol.PathPush, protocol.ContentTypeOps, good, []string{"Content-Encoding", "br"}, protocol.ErrEncoding},
		{"pull bad JSON", "POST", protocol.PathPull, protocol.ContentTypeJSON, []byte(`{"cursor":`), nil, protocol.ErrBadJSON},
		{"pull wrong type", "POST", protocol.PathPull, protocol.ContentTypeJSON, []byte(`{"cursor":"x"}`), nil, protocol.ErrBadJSON},
		{"pull as text", "POST", protocol.PathPull, "text/plain", []byte(`{}`), nil, protocol.ErrMediaType},
		{"unknown version", "POST", "/v2/push", protocol.ContentTypeOps, good, nil, protocol.ErrUnknownVersion},
		{"unknown path", "GET", "/v1/nothing", "", nil, nil, protocol.ErrNotFound},
		{"wrong method", "GET", protocol.PathPush, "", nil, nil, protocol.ErrMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, d.token, tt.ctype, tt.body, tt.hdr...)
			got := r.err()
			if r.status != tt.want.Status || !errors.Is(got, tt.want) {
				t.Errorf("got %d %v; want %d %v", r.status, got, tt.want.Status, tt.want)
			}
			if got.Msg.ZH == "" || got.Msg.EN == "" {
				t.Errorf("message: got %+v; want both languages", got.Msg)
			}
		})
	}
	if r := e.do("GET", protocol.PathPush, d.token, "", nil); r.header.Get("Allow") != "POST" {
		t.Errorf("Allow: got %q; want POST", r.header.Get("Allow"))
	}
	if ops := e.pullAll(d, 0); len(ops) != 0 {
		t.Errorf("stored: got %d ops; want 0", len(ops))
	}
	if resp := e.push(d, d.ops(t, 1, county1, nil)); resp.Acked != 1 {
		t.Errorf("push after the bad requests: got acked %d; want 1", resp.Acked)
	}
	if r := e.do("GET", protocol.PathHealth, "", "", nil); r.status != 200 {
		t.Errorf("healthz: got %d; want 200", r.status)
	}
}

func TestTooManyOps(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	raws := make([][]byte, protocol.MaxOpsPerBatch+1)
	for i := range raws {
		raws[i] = []byte{1}
	}
	r := e.pushRaw(d, protocol.AppendPushFrame(nil, d.id, raws))
	if got := r.err(); r.status != 413 || !errors.Is(got, protocol.ErrTooManyOps) {
		t.Errorf("got %d %v; want 413 %v", r.status, got, protocol.ErrTooManyOps)
	}
}
