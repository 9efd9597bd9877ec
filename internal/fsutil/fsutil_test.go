package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

// A file is replaced whole, and no temporary file is left beside it.
func TestWriteFileSync(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lantian.salt")
	for _, data := range []string{"first", "second, longer"} {
		if err := WriteFileSync(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory; want the file alone", len(entries))
	}
	if err := WriteFileSync(filepath.Join(dir, "missing", "x"), nil); err == nil {
		t.Error("write into a missing directory: want an error")
	}
}
