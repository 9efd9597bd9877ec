package county

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestTranslationsComplete checks that every lang.L key of the package is
// in both translation files, and that the files hold no stale keys.
func TestTranslationsComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`lang\.L\("((?:[^"\\]|\\.)*)"\)`)
	used := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = true
		}
	}
	if len(used) == 0 {
		t.Fatal("no lang.L keys found")
	}
	for _, name := range []string{"zh-Hans.json", "en.json"} {
		data, err := translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var tr map[string]string
		if err := json.Unmarshal(data, &tr); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k := range used {
			if tr[k] == "" {
				t.Errorf("%s: no translation of %q", name, k)
			}
		}
		for k := range tr {
			if !used[k] {
				t.Errorf("%s: stale key %q", name, k)
			}
		}
	}
}
