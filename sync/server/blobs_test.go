package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

func TestBlobs(t *testing.T) {
	e := newEnv(t)
	d := e.enroll(hebei, county1, model.RoleGrid)
	photo := bytes.Repeat([]byte("JPEG秸秆焚烧现场"), 5000)
	sum := sha256.Sum256(photo)
	id := hex.EncodeToString(sum[:])
	path := protocol.PathBlobs + id
	total := int64(len(photo))
	half := total / 2
	put := func(start, end int64, body []byte) reply {
		return e.do("PUT", path, d.token, protocol.ContentTypeBlob, body,
			"Content-Range", protocol.ContentRange{Start: start, End: end, Total: total}.String())
	}

	if r := e.do("HEAD", path, d.token, "", nil); r.status != 404 || r.header.Get(protocol.HeaderUploadOffset) != "0" {
		t.Errorf("HEAD before: got %d offset %q; want 404 offset 0", r.status, r.header.Get(protocol.HeaderUploadOffset))
	}
	if r := put(0, half-1, photo[:half]); r.status != 202 || r.header.Get(protocol.HeaderUploadOffset) != itoa(half) {
		t.Fatalf("first part: got %d offset %q; want 202 %d", r.status, r.header.Get(protocol.HeaderUploadOffset), half)
	}
	if r := e.do("HEAD", path, d.token, "", nil); r.status != 404 || r.header.Get(protocol.HeaderUploadOffset) != itoa(half) {
		t.Errorf("HEAD between parts: got %d offset %q; want 404 offset %d", r.status, r.header.Get(protocol.HeaderUploadOffset), half)
	}
	r := put(10, total-1, photo[10:])
	if pe := r.err(); r.status != 409 || !errors.Is(pe, protocol.ErrBadOffset) || pe.Expected != uint64(half) {
		t.Errorf("wrong offset: got %d %v expected %d; want 409 bad_offset %d", r.status, pe, pe.Expected, half)
	}
	if r := put(half, total-1, photo[half:]); r.status != 201 {
		t.Fatalf("second part: got %d %s; want 201", r.status, r.body)
	}
	if r := e.do("HEAD", path, d.token, "", nil); r.status != 200 || r.header.Get("Content-Length") != itoa(total) {
		t.Errorf("HEAD after: got %d length %q; want 200 %d", r.status, r.header.Get("Content-Length"), total)
	}
	if r := e.do("GET", path, d.token, "", nil); r.status != 404 {
		t.Errorf("GET before an op references it: got %d; want 404", r.status)
	}
	e.push(d, []oplog.Op{photoOp(t, d, county1, id)})
	if r := e.do("GET", path, d.token, "", nil); r.status != 200 || !bytes.Equal(r.body, photo) {
		t.Errorf("GET: got %d, %d bytes; want 200, %d bytes", r.status, len(r.body), total)
	}
	if r := e.do("PUT", path, d.token, protocol.ContentTypeBlob, photo); r.status != 201 {
		t.Errorf("dedup PUT: got %d; want 201", r.status)
	}

	other := sha256.Sum256([]byte("another photo"))
	otherID := hex.EncodeToString(other[:])
	tests := []struct {
		name string
		path string
		body []byte
		hdr  []string
		want *protocol.Error
	}{
		{"hash mismatch", protocol.PathBlobs + otherID, []byte("not that photo"), nil, protocol.ErrHashMismatch},
		{"bad id", protocol.PathBlobs + "not-a-hash", []byte("x"), nil, protocol.ErrNotFound},
		{"too large", protocol.PathBlobs + otherID, []byte("x"), []string{"Content-Range", "bytes 0-0/999999999"}, protocol.ErrBlobTooLarge},
		{"bad range", protocol.PathBlobs + otherID, []byte("x"), []string{"Content-Range", "bytes 5-1/10"}, protocol.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("PUT", tt.path, d.token, protocol.ContentTypeBlob, tt.body, tt.hdr...)
			if pe := r.err(); r.status != tt.want.Status || !errors.Is(pe, tt.want) {
				t.Errorf("got %d %v; want %d %v", r.status, pe, tt.want.Status, tt.want)
			}
			if r := e.do("HEAD", protocol.PathBlobs+otherID, d.token, "", nil); r.status != 404 || r.header.Get(protocol.HeaderUploadOffset) != "0" {
				t.Errorf("HEAD after refusal: got %d offset %q; want 404 0", r.status, r.header.Get(protocol.HeaderUploadOffset))
			}
		})
	}
	if r := e.do("GET", path, "", "", nil); r.status != 401 {
		t.Errorf("GET without token: got %d; want 401", r.status)
	}
}

// photoOp is an op of d in county setting a photo field to the blob id.
func photoOp(t *testing.T, d *device, county, id string) oplog.Op {
	t.Helper()
	for _, sc := range model.Registers() {
		for _, f := range sc.Fields {
			if f.Kind != model.KindPhotos || len(f.EditRoles) > 0 || f.Computed {
				continue
			}
			d.seq++
			d.hlc = max(d.hlc+1, hlc.Make(time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC).UnixMilli(), 0))
			o := oplog.Op{Device: d.id, Seq: d.seq, HLC: d.hlc, Record: uuid.Must(uuid.NewV7()), Register: sc.Name,
				County: county, Author: "张三", Set: map[string]model.Value{f.Key: model.List(id)}, Prev: d.prev}
			o.Sign(d.priv)
			d.prev = o.Hash()
			return o
		}
	}
	t.Fatal("no register has a photo field")
	return oplog.Op{}
}

// A photo can be downloaded by the devices whose scope holds an op that
// references it, and by no others.
func TestBlobDownloadScoped(t *testing.T) {
	e := newEnv(t)
	author := e.enroll(hebei, county1, model.RoleGrid)
	photo := []byte("JPEG 灵寿县东村麦田 巡查照片")
	sum := sha256.Sum256(photo)
	id := hex.EncodeToString(sum[:])
	path := protocol.PathBlobs + id
	if r := e.do("PUT", path, author.token, protocol.ContentTypeBlob, photo); r.status != 201 {
		t.Fatalf("upload: got %d %s", r.status, r.body)
	}
	if rs := e.push(author, []oplog.Op{photoOp(t, author, county1, id)}); rs.Receipts[0].Status != protocol.StatusApplied {
		t.Fatalf("push: %+v", rs.Receipts[0])
	}
	for _, tt := range []struct {
		name             string
		province, county string
		role             model.Role
		want             int
	}{
		{"same county", hebei, county1, model.RoleCounty, 200},
		{"other county, same province", hebei, county2, model.RoleCounty, 404},
		{"province", hebei, "", model.RoleProvince, 200},
		{"other province", shanxi, "", model.RoleProvince, 404},
		{"county of other province", shanxi, county3, model.RoleGrid, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := e.enroll(tt.province, tt.county, tt.role)
			r := e.do("GET", path, d.token, "", nil)
			if r.status != tt.want || (tt.want == 200 && !bytes.Equal(r.body, photo)) {
				t.Errorf("GET: got %d (%d bytes); want %d", r.status, len(r.body), tt.want)
			}
			if tt.want == 404 && !errors.Is(r.err(), protocol.ErrNotFound) {
				t.Errorf("refusal %v; want not_found, as for a blob the server lacks", r.err())
			}
			// Whether the server holds it stays visible (uploads ask).
			if r := e.do("HEAD", path, d.token, "", nil); r.status != 200 {
				t.Errorf("HEAD: got %d; want 200", r.status)
			}
		})
	}
}
