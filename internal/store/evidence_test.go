package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
)

// A device builds a record's evidence pack from its own store: its ops'
// signed bytes, the statement kept from its enrollment, and the photos
// it holds; the pack verifies against the province key, and without the
// statement the device's ops are named unvouched.
func TestEvidenceFromDevice(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	s, err := openDir(t, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var photoKey string
	var minPhotos int
	for _, f := range fx.sc.Fields {
		if f.Kind == model.KindPhotos && len(f.EditRoles) == 0 && f.Relevant == nil {
			photoKey, minPhotos = f.Key, max(f.MinLen, 1)
			break
		}
	}
	if photoKey == "" {
		t.Fatalf("register %s has no photos field grid staff may set", fx.sc.Name)
	}
	st, err := s.Append(ctx, fx.create(1))
	if err != nil {
		t.Fatal(err)
	}
	var photos []string
	{
		for i := range minPhotos {
			id, err := s.PutBlob(bytes.NewReader(bytes.Repeat([]byte{0xff, 0xd8, byte(i)}, 1000)))
			if err != nil {
				t.Fatal(err)
			}
			photos = append(photos, id)
		}
		if _, err := s.Append(ctx, Change{Record: st.Record, Author: "网格员", Role: model.RoleGrid,
			Set: map[string]model.Value{photoKey: model.List(photos...)}}); err != nil {
			t.Fatal(err)
		}
	}
	_, province, _ := ed25519.GenerateKey(nil)
	trusted := []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}

	build := func() *evidence.Result {
		t.Helper()
		var buf bytes.Buffer
		if _, err := evidence.Build(ctx, &buf, s.EvidenceSource(), st.Record, evidence.Options{Trusted: trusted}); err != nil {
			t.Fatal(err)
		}
		return evidence.Verify(buf.Bytes(), trusted)
	}
	res := build()
	if res.OK() {
		t.Fatal("a pack of a device without a statement verifies")
	}
	for _, p := range res.Problems {
		if p.Kind != "unvouched" || !strings.Contains(p.Msg.EN, "device not vouched by the province") {
			t.Errorf("without a statement: problem %+v; want unvouched only", p)
		}
	}

	sg, err := vouch.Sign(province, vouch.Statement{Device: s.Device(), Key: s.PublicKey(), Province: "130000", County: fx.county,
		Role: model.RoleGrid, Enrolled: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMeta(vouch.MetaKey(s.Device()), sg.Marshal()); err != nil {
		t.Fatal(err)
	}
	res = build()
	wantOps := 2
	if !res.OK() || res.Checked == nil || res.Checked.Ops != wantOps {
		t.Fatalf("device pack: ops checked %+v, problems %+v", res.Checked, res.Problems)
	}
	for _, n := range res.Notes {
		for _, id := range photos {
			if strings.Contains(n.EN, id) {
				t.Errorf("photo %s held by the device is not in its pack: %s", id, n.EN)
			}
		}
	}
	if len(photos) == 0 {
		t.Fatal("no photos")
	}
}
