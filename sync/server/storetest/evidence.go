package storetest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/assets"
	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/server"
)

// Pack is an evidence pack made by EvidencePack.
type Pack struct {
	Bytes   []byte
	Record  uuid.UUID
	Trusted []ed25519.PublicKey
	Photos  []string // the record's photos' ids
}

// EvidencePack builds, with server.EvidenceSource over s and blobs, the
// evidence pack of a record with 3 photos of photoBytes bytes each,
// changed by a vouched grid device and approved by a vouched county
// device (with another record's op between the grid device's two, so
// the pack holds an explained gap of the grid's chain), and checks that
// evidence.Verify passes it and finds what it holds: the ops verbatim,
// both statements, the photos' original bytes, and a report naming the
// changes in Chinese and English. The devices are vouched for with
// province (a new key when nil).
func EvidencePack(t testing.TB, s server.Storage, blobs server.BlobStorage, photoBytes int, province ed25519.PrivateKey) Pack {
	t.Helper()
	ctx := context.Background()
	gaz, err := model.LoadGazetteer(assets.ScopeJSON)
	if err != nil {
		t.Fatal(err)
	}
	model.SetGazetteer(gaz)
	if province == nil {
		_, province, _ = ed25519.GenerateKey(nil)
	}
	trusted := []ed25519.PublicKey{province.Public().(ed25519.PublicKey)}
	const county = "130126"
	grid := enrollSigner(t, s, 21, model.RoleGrid, county)
	reviewer := enrollSigner(t, s, 22, model.RoleCounty, county)
	for _, sg := range []*signer{grid, reviewer} {
		d, err := s.Device(ctx, sg.id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := server.VouchDevice(ctx, s, province, d, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var photos []string
	originals := map[string][]byte{}
	for range 3 {
		b := make([]byte, photoBytes)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		copy(b, []byte{0xff, 0xd8, 0xff, 0xe0}) // a JPEG's start
		sum := sha256.Sum256(b)
		id := hex.EncodeToString(sum[:])
		if _, _, err := blobs.Write(id, 0, int64(len(b)), bytes.NewReader(b), server.Upload{Device: grid.id, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		photos = append(photos, id)
		originals[id] = b
	}
	rec := uuid.Must(uuid.NewV7())
	set := facility(7)
	set[model.FieldStatus] = model.Str(initialOf(t, register))
	set["survey_photos"] = model.List(photos[:2]...)
	grid.push(t, s, rec, county, set)
	grid.push(t, s, uuid.Must(uuid.NewV7()), county, facility(8)) // another record's
	grid.push(t, s, rec, county, map[string]model.Value{"survey_photos": model.List(photos...), "annual_coal_t": model.Decimal(4.25)})
	reviewer.push(t, s, rec, county, map[string]model.Value{model.FieldStatus: model.Str(reviewStatus(t, register, model.RoleCounty))})

	var buf bytes.Buffer
	built, err := evidence.Build(ctx, &buf, server.EvidenceSource(s, blobs, gaz), rec, evidence.Options{Trusted: trusted})
	if err != nil {
		t.Fatal(err)
	}
	if !built.OK() {
		t.Fatalf("the pack's own check: %+v", built.Problems)
	}
	pack := buf.Bytes()
	res := evidence.Verify(pack, trusted)
	if !res.OK() || res.Record != rec || res.Checked == nil || res.Checked.Ops != 3 || res.Checked.Devices != 2 || !res.Trusted {
		t.Fatalf("verify of a fresh pack: record %s, ops checked %+v, problems %+v, notes %+v", res.Record, res.Checked, res.Problems, res.Notes)
	}
	if res.State == nil || res.State.Fields["annual_coal_t"].Value != model.Decimal(4.25) {
		t.Errorf("rebuilt state: %+v", res.State)
	}
	files := unzip(t, pack)
	for i, o := range append(grid.ops[:1:1], grid.ops[2], reviewer.ops[0]) {
		raw, err := o.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("ops/%s-%020d.op", o.Device, o.Seq)
		if !bytes.Equal(files[name], raw) {
			t.Errorf("op %d (%s): pack file %q does not hold its signed bytes", i, o.ID(), name)
		}
	}
	for _, id := range photos {
		if !bytes.Equal(files["photos/"+id], originals[id]) {
			t.Errorf("photo %s: not the original bytes", id)
		}
	}
	for _, sg := range []*signer{grid, reviewer} {
		d, _ := s.Device(ctx, sg.id)
		if !bytes.Equal(files["statements/"+sg.id.String()+".json"], d.Statement) {
			t.Errorf("statement of %s missing or not the stored one", sg.id)
		}
	}
	report := string(files[evidence.ReportName])
	zh, en := strings.Index(report, "修改历史"), strings.Index(report, "History of changes")
	if zh < 0 || en < zh || !strings.Contains(report, "核验通过") || !strings.Contains(report, "Verified:") ||
		!strings.Contains(report, "排查照片") || !strings.Contains(report, "Survey photos") || !strings.Contains(report, "4.25") ||
		!strings.Contains(report, photos[2]) {
		t.Errorf("report.html lacks the Chinese history before the English one, the result, a changed field or a photo:\n%s", report)
	}
	return Pack{Bytes: pack, Record: rec, Trusted: trusted, Photos: photos}
}

// unzip returns a pack's files by name.
func unzip(t testing.TB, pack []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// EveryByteChanged checks that evidence.Verify fails on p with any one
// byte changed (one bit of it, each bit position in turn): every byte outside the photos' contents, and every
// stride-th byte of those (stride 1: every byte of the pack). It returns
// the number of positions tried. It also checks that the failures name
// what changed: a file whose content changed, an op altered with the
// ZIP and manifest made consistent again (its signature), a cut file.
func EveryByteChanged(t testing.TB, p Pack, stride int) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(p.Bytes), int64(len(p.Bytes)))
	if err != nil {
		t.Fatal(err)
	}
	inPhoto := make([]bool, len(p.Bytes))
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "photos/") {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			for i := off; i < off+int64(f.UncompressedSize64); i++ {
				inPhoto[i] = true
			}
		}
	}
	tried := 0
	b := bytes.Clone(p.Bytes)
	for i := range b {
		if inPhoto[i] && i%stride != 0 {
			continue
		}
		x := byte(0x01) << (i % 8) // each bit position in turn
		b[i] ^= x
		if res := evidence.Verify(b, p.Trusted); res.OK() {
			t.Fatalf("byte %d ^ %#x: the altered pack verifies", i, x)
		}
		b[i] ^= x
		tried++
	}

	// A photo's byte: named by its file.
	name := "photos/" + p.Photos[1]
	for _, f := range zr.File {
		if f.Name == name {
			off, _ := f.DataOffset()
			b[off+10] ^= 1
			wantProblem(t, evidence.Verify(b, p.Trusted), evidence.KindFile, name)
			b[off+10] ^= 1
		}
	}
	// An op altered by someone who also fixes the ZIP's checksums and the
	// manifest: named by its signature.
	files := unzip(t, p.Bytes)
	var opName string
	for n := range files {
		if strings.HasPrefix(n, "ops/") && (opName == "" || n < opName) {
			opName = n
		}
	}
	op := bytes.Clone(files[opName])
	i := bytes.Index(op, []byte("4.25"))
	if i < 0 {
		i = bytes.Index(op, []byte("王建国"))
	}
	if i < 0 {
		t.Fatalf("no text to alter in %s", opName)
	}
	op[i] = '9'
	files[opName] = op
	wantProblem(t, evidence.Verify(rezip(t, files, zr), p.Trusted), "signature", opName)
	// A cut pack: no ZIP.
	wantProblem(t, evidence.Verify(p.Bytes[:len(p.Bytes)/2], p.Trusted), evidence.KindZip, "")
	return tried
}

// rezip writes files as a consistent ZIP in the order of zr's entries,
// with a manifest that lists their new hashes.
func rezip(t testing.TB, files map[string][]byte, zr *zip.Reader) []byte {
	t.Helper()
	var m evidence.Manifest
	if err := json.Unmarshal(files[evidence.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	for i, e := range m.Files {
		sum := sha256.Sum256(files[e.Name])
		m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), len(files[e.Name])
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	files[evidence.ManifestName] = mb
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(files[f.Name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantProblem checks that res has a problem of kind naming file (any
// file when file is ""), in Chinese and English.
func wantProblem(t testing.TB, res *evidence.Result, kind, file string) {
	t.Helper()
	for _, p := range res.Problems {
		if p.Kind == kind && (file == "" || p.File == file) && p.Msg.ZH != "" && p.Msg.EN != "" {
			return
		}
	}
	t.Errorf("no %s problem naming %q; problems %+v", kind, file, res.Problems)
}
