package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
)

// packOf is the canonical pack of files with a manifest listing them.
func packOf(t *testing.T, files []file) []byte {
	t.Helper()
	m := Manifest{Format: Format, Record: uuid.New(), Created: "2026-12-06T00:00:00Z"}
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		m.Files = append(m.Files, FileEntry{Name: f.name, SHA256: hex.EncodeToString(sum[:]), Size: len(f.data)})
	}
	mb, _ := json.Marshal(m)
	b, err := writeZip(append([]file{{ManifestName, mb}}, files...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasProblem(res *Result, kind, name string) bool {
	for _, p := range res.Problems {
		if p.Kind == kind && p.File == name && p.Msg.ZH != "" && p.Msg.EN != "" {
			return true
		}
	}
	return false
}

// The pack's own checks name what is wrong: no ZIP, no manifest, a file
// added that the manifest does not list, one it lists that is missing,
// and a ZIP re-made from the same contents in another form.
func TestVerifyNamesWhatChanged(t *testing.T) {
	if res := Verify([]byte("not a zip at all"), nil); !hasProblem(res, KindZip, "") {
		t.Errorf("not a ZIP: %+v", res.Problems)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("report.html")
	_, _ = w.Write([]byte("<html>"))
	_ = zw.Close()
	if res := Verify(buf.Bytes(), nil); !hasProblem(res, KindManifest, ManifestName) {
		t.Errorf("no manifest: %+v", res.Problems)
	}

	files := []file{{ReportName, []byte("<html>报告</html>")}, {KeysName, []byte("# none\n")}}
	good := packOf(t, files)
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var all []file
	for _, f := range zr.File {
		b, _ := readEntry(f)
		all = append(all, file{f.Name, b})
	}
	added, _ := writeZip(append(all, file{"photos/extra", []byte("x")}))
	if res := Verify(added, nil); !hasProblem(res, KindFile, "photos/extra") {
		t.Errorf("a file added: %+v", res.Problems)
	}
	dropped, _ := writeZip(all[:2])
	if res := Verify(dropped, nil); !hasProblem(res, KindFile, KeysName) {
		t.Errorf("a file dropped: %+v", res.Problems)
	}
	// The same contents, deflated: every file's hash matches, but the
	// bytes are not the pack's.
	buf.Reset()
	zw = zip.NewWriter(&buf)
	for _, f := range all {
		w, _ := zw.Create(f.name)
		_, _ = w.Write(f.data)
	}
	_ = zw.Close()
	if res := Verify(buf.Bytes(), nil); !hasProblem(res, KindZip, "") || hasProblem(res, KindFile, ReportName) {
		t.Errorf("re-zipped: %+v", res.Problems)
	}
}
