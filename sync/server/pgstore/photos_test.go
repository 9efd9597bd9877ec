package pgstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// send sends a request with headers (name, value pairs) and returns the
// response with its body read.
func (in *instance) send(method, path, token string, body []byte, hdr ...string) (*http.Response, []byte) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", protocol.ContentTypeBlob)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := in.ts.Client().Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	return resp, b
}

// photoOp is the device's next op, on a new record of a register with a
// photo field any device may set, setting that field to blob id.
func (d *device) photoOp(t *testing.T, county, id string) oplog.Op {
	t.Helper()
	for _, sc := range model.Registers() {
		for _, f := range sc.Fields {
			if f.Kind != model.KindPhotos || len(f.EditRoles) > 0 || f.Computed {
				continue
			}
			d.seq++
			o := oplog.Op{Device: d.id, Seq: d.seq, HLC: hlc.Make(time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC).UnixMilli(), uint16(d.seq)),
				Record: uuid.Must(uuid.NewV7()), Register: sc.Name, County: county, Author: "张三",
				Set: map[string]model.Value{f.Key: model.List(id)}, Prev: d.prev}
			o.Sign(d.priv)
			d.prev = o.Hash()
			return o
		}
	}
	t.Fatal("no register has a photo field")
	return oplog.Op{}
}

// TestServerPhotoThroughTwoInstances uploads photos through one instance
// of two on one database, in parts resumed after asking where the upload
// stands (once through the other instance), and downloads them through
// the other instance whole and by ranges, as a load balancer routes a
// device's requests to any instance.
func TestServerPhotoThroughTwoInstances(t *testing.T) {
	u := freshURL(t)
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC) }
	a, b := newInstance(t, u, gaz, now), newInstance(t, u, gaz, now)
	d, st := a.enroll(mustCode(t, a, gaz, now, protocol.Scope{Province: hebei, County: county1}, model.RoleGrid))
	if st != http.StatusOK {
		t.Fatalf("enroll: got %d; want 200", st)
	}
	reader, st := b.enroll(mustCode(t, a, gaz, now, protocol.Scope{Province: hebei, County: county1}, model.RoleCounty))
	if st != http.StatusOK {
		t.Fatalf("enroll the county's reader: got %d; want 200", st)
	}

	for _, tt := range []struct {
		name   string
		second *instance // the instance the second part goes through
	}{
		{"both parts through A", a},
		{"second part through B", b},
	} {
		t.Run(tt.name, func(t *testing.T) {
			photo := make([]byte, 700<<10+123) // a few chunks
			_, _ = rand.Read(photo)
			sum := sha256.Sum256(photo)
			id := hex.EncodeToString(sum[:])
			path := protocol.PathBlobs + id
			total := int64(len(photo))
			half := total/2 + 1
			put := func(in *instance, start, end int64) *http.Response {
				r, body := in.send("PUT", path, d.token, photo[start:end+1],
					"Content-Range", protocol.ContentRange{Start: start, End: end, Total: total}.String())
				if r.StatusCode >= 300 {
					t.Fatalf("PUT %d-%d: got %d %s", start, end, r.StatusCode, body)
				}
				return r
			}
			if r := put(a, 0, half-1); r.StatusCode != http.StatusAccepted {
				t.Fatalf("first part through A: got %d; want 202", r.StatusCode)
			}
			// The device resumes where the server says the upload stands,
			// whichever instance it asks.
			r, _ := b.send("HEAD", path, d.token, nil)
			held, _ := strconv.ParseInt(r.Header.Get(protocol.HeaderUploadOffset), 10, 64)
			if r.StatusCode != http.StatusNotFound || held != half {
				t.Fatalf("HEAD through B between parts: got %d offset %d; want 404 offset %d", r.StatusCode, held, half)
			}
			if r := put(tt.second, held, total-1); r.StatusCode != http.StatusCreated {
				t.Fatalf("second part: got %d; want 201", r.StatusCode)
			}
			if st, resp := a.push(d, []oplog.Op{d.photoOp(t, county1, id)}); st != http.StatusOK || resp.Receipts[0].Status != protocol.StatusApplied {
				t.Fatalf("push of the op with the photo through A: got %d %+v", st, resp.Receipts)
			}

			r, got := b.send("GET", path, reader.token, nil)
			if r.StatusCode != http.StatusOK || !bytes.Equal(got, photo) {
				t.Fatalf("GET through B: got %d, %d bytes (same: %v); want 200 and the %d bytes uploaded", r.StatusCode, len(got), bytes.Equal(got, photo), total)
			}
			// A download cut after 300000 bytes resumes from there.
			from := int64(300000)
			r, tail := b.send("GET", path, reader.token, nil, "Range", "bytes="+strconv.FormatInt(from, 10)+"-", "If-Range", r.Header.Get("ETag"))
			if r.StatusCode != http.StatusPartialContent || !bytes.Equal(tail, photo[from:]) {
				t.Errorf("resumed GET through B: got %d, %d bytes; want 206 and the %d bytes from %d", r.StatusCode, len(tail), total-from, from)
			}
			r, mid := b.send("GET", path, reader.token, nil, "Range", "bytes=262100-262199")
			if r.StatusCode != http.StatusPartialContent || !bytes.Equal(mid, photo[262100:262200]) {
				t.Errorf("ranged GET across a chunk boundary through B: got %d, %d bytes", r.StatusCode, len(mid))
			}
		})
	}
}

// mustCode issues an enrollment code through in's store.
func mustCode(t *testing.T, in *instance, gaz *model.Gazetteer, now func() time.Time, sc protocol.Scope, role model.Role) string {
	t.Helper()
	c, err := server.IssueCode(context.Background(), in.store, gaz, sc, role, time.Hour, 0, now())
	if err != nil {
		t.Fatal(err)
	}
	return c.Code
}
