package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
	"github.com/lantian-tz/lantian/sync/server/badgerstore"
)

// blob is test content with its id.
type blob struct {
	data []byte
	id   string
}

func newBlob(seed string, n int) blob {
	data := bytes.Repeat([]byte(seed), n/len(seed)+1)[:n]
	sum := sha256.Sum256(data)
	return blob{data: data, id: hex.EncodeToString(sum[:])}
}

// putPart sends bytes start..end of b (inclusive) as one part.
func (e *env) putPart(d *device, b blob, start, end int64) reply {
	e.t.Helper()
	return e.do("PUT", protocol.PathBlobs+b.id, d.token, protocol.ContentTypeBlob, b.data[start:end+1],
		"Content-Range", protocol.ContentRange{Start: start, End: end, Total: int64(len(b.data))}.String())
}

// held is the partial bytes the server holds of b (HEAD), -1 when the
// blob is complete.
func (e *env) held(d *device, b blob) int64 {
	e.t.Helper()
	r := e.do("HEAD", protocol.PathBlobs+b.id, d.token, "", nil)
	if r.status == 200 {
		return -1
	}
	n, _ := strconv.ParseInt(r.header.Get(protocol.HeaderUploadOffset), 10, 64)
	return n
}

// A device may keep only so many unfinished uploads, and so many bytes
// of them: a new upload beyond either is refused with a bilingual 429;
// the device's own unfinished uploads still go on, other devices are
// not affected, and a finished upload makes room.
func TestUploadQuota(t *testing.T) {
	e := newEnvWith(t, inMemory, func(c *server.Config) {
		c.UploadsPerDevice = 2
		c.UploadBytesPerDevice = 100 << 10
	})
	d := e.enroll(hebei, county1, model.RoleGrid)
	other := e.enroll(hebei, county1, model.RoleGrid)
	a, b, c := newBlob("甲", 20<<10), newBlob("乙", 20<<10), newBlob("丙", 20<<10)
	for _, x := range []blob{a, b} {
		if r := e.putPart(d, x, 0, 1023); r.status != 202 {
			t.Fatalf("start of %s: got %d %s; want 202", x.id[:8], r.status, r.body)
		}
	}
	r := e.putPart(d, c, 0, 1023)
	if pe := r.err(); r.status != 429 || !errors.Is(pe, protocol.ErrUploadQuota) || pe.Kind != model.ErrBusy || pe.Msg.ZH == "" || pe.Msg.EN == "" {
		t.Errorf("third upload: got %d %+v; want 429 upload_quota, kind busy, bilingual", r.status, pe)
	}
	if got := e.held(d, c); got != 0 {
		t.Errorf("refused upload: server holds %d bytes; want 0", got)
	}
	if r := e.putPart(other, c, 0, 1023); r.status != 202 {
		t.Errorf("another device's upload: got %d %s; want 202", r.status, r.body)
	}
	if r := e.putPart(d, a, 1024, int64(len(a.data))-1); r.status != 201 {
		t.Errorf("finishing an own upload: got %d %s; want 201", r.status, r.body)
	}
	big := newBlob("丁", 90<<10)
	if r := e.putPart(d, big, 0, 1023); r.status != 429 {
		t.Errorf("upload past the byte quota (20 + 90 KiB declared): got %d %s; want 429", r.status, r.body)
	}
	if r := e.putPart(d, newBlob("戊", 50<<10), 0, 1023); r.status != 202 {
		t.Errorf("upload within the byte quota again: got %d %s; want 202", r.status, r.body)
	}
	// A complete blob is deduplicated whatever the quota.
	if r := e.putPart(d, a, 0, int64(len(a.data))-1); r.status != 201 {
		t.Errorf("upload of a complete blob: got %d %s; want 201", r.status, r.body)
	}
	if got := e.metric("lantian_partial_uploads"); got != 3 {
		t.Errorf("partial uploads counted: got %v; want 3", got)
	}
}

// newServer starts another server over e's store and the blob directory
// dir, with e's clock.
func (e *env) newServer(dir string, cfgs ...func(*server.Config)) *env {
	e.t.Helper()
	bl, err := badgerstore.OpenBlobs(dir, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := server.Config{Store: e.store, Blobs: bl, Gazetteer: gazetteer(e.t), Now: e.clock.Now, AdminTokenHash: server.HashToken(adminToken)}
	for _, f := range cfgs {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	n := *e
	n.srv, n.ts = srv, httptest.NewServer(srv.Handler())
	e.t.Cleanup(func() {
		n.ts.Close()
		_ = srv.Shutdown(context.Background())
	})
	return &n
}

// Unfinished uploads expire 48 hours after their last part: the sweep
// that runs when the server starts removes them (so restarts do not keep
// them forever), and so does the one that runs while it serves; both are
// counted in /metrics.
func TestPartialUploadsExpire(t *testing.T) {
	base := newEnv(t)
	d := base.enroll(hebei, county1, model.RoleGrid)
	dir := t.TempDir()
	first := base.newServer(dir)
	a, b := newBlob("甲", 20<<10), newBlob("乙", 20<<10)
	for _, x := range []blob{a, b} {
		if r := first.putPart(d, x, 0, 1023); r.status != 202 {
			t.Fatalf("start: got %d %s; want 202", r.status, r.body)
		}
	}
	base.clock.Add(24 * time.Hour)
	if r := first.putPart(d, b, 1024, 2047); r.status != 202 { // b's last part is a day younger
		t.Fatalf("second part: got %d %s; want 202", r.status, r.body)
	}
	first.ts.Close()
	_ = first.srv.Shutdown(context.Background())

	base.clock.Add(25 * time.Hour) // a: 49 h, b: 25 h
	restarted := base.newServer(dir)
	if got := restarted.held(d, a); got != 0 {
		t.Errorf("after a restart past its expiry: server holds %d bytes of a; want 0", got)
	}
	if got := restarted.held(d, b); got != 2048 {
		t.Errorf("after a restart before its expiry: server holds %d bytes of b; want 2048", got)
	}
	if got := restarted.metric("lantian_partial_uploads_expired_total"); got != 1 {
		t.Errorf("expired uploads counted: got %v; want 1", got)
	}
	restarted.ts.Close()
	_ = restarted.srv.Shutdown(context.Background())

	sweeping := base.newServer(dir, func(c *server.Config) { c.UploadSweep = 10 * time.Millisecond })
	if got := sweeping.held(d, b); got != 2048 {
		t.Fatalf("b before its expiry: got %d; want 2048", got)
	}
	base.clock.Add(24 * time.Hour)
	// The sweep discards b and then counts it: wait for both.
	eventually(t, 10*time.Second, "the sweep removes b and counts it", func() bool {
		return sweeping.held(d, b) == 0 && sweeping.metric("lantian_partial_uploads_expired_total") >= 1
	})
	if got := sweeping.metric("lantian_partial_uploads_expired_total"); got != 1 {
		t.Errorf("expired uploads counted by the running server: got %v; want 1", got)
	}
	if got := sweeping.metric("lantian_partial_uploads"); got != 0 {
		t.Errorf("partial uploads left: got %v; want 0", got)
	}
	// An expired upload starts again from 0 and completes.
	if r := sweeping.putPart(d, b, 0, int64(len(b.data))-1); r.status != 201 {
		t.Errorf("upload again: got %d %s; want 201", r.status, r.body)
	}
}

// A part longer than its Content-Range is refused with 413, whether its
// length is announced or not, and the upload keeps what it held, so it
// completes afterwards with the right content.
func TestBlobPartLongerThanRange(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	x := newBlob("秸秆", 4096)
	put := func(start, end int64, body []byte, chunked bool) reply {
		t.Helper()
		var rd interface{ Read([]byte) (int, error) } = bytes.NewReader(body)
		if chunked {
			rd = struct{ *bytes.Reader }{bytes.NewReader(body)} // hides the length
		}
		req, err := http.NewRequest("PUT", e.ts.URL+protocol.PathBlobs+x.id, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+d.token)
		req.Header.Set("Content-Type", protocol.ContentTypeBlob)
		req.Header.Set("Content-Range", protocol.ContentRange{Start: start, End: end, Total: int64(len(x.data))}.String())
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return reply{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
	}
	for _, tt := range []struct {
		name       string
		start, end int64
		sent       int
		chunked    bool
		held       int64
	}{
		{"first part, length announced", 0, 999, 1500, false, 0},
		{"first part, chunked", 0, 999, 1500, true, 0},
		{"first part ok", 0, 999, 1000, false, 1000},
		{"middle part, length announced", 1000, 1999, 1001, false, 1000},
		{"middle part, chunked", 1000, 1999, 2500, true, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := put(tt.start, tt.end, x.data[tt.start:tt.start+int64(tt.sent)], tt.chunked)
			long := tt.sent > int(tt.end-tt.start+1)
			switch {
			case long && (r.status != 413 || !errors.Is(r.err(), protocol.ErrTooLarge)):
				t.Errorf("got %d %s; want 413 too_large", r.status, r.body)
			case !long && r.status != 202:
				t.Errorf("got %d %s; want 202", r.status, r.body)
			}
			if got := e.held(d, x); got != tt.held {
				t.Errorf("held after: got %d; want %d", got, tt.held)
			}
		})
	}
	if r := put(1000, int64(len(x.data))-1, x.data[1000:], false); r.status != 201 {
		t.Errorf("rest of the upload: got %d %s; want 201 (content intact)", r.status, r.body)
	}
}
