package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestServerLinksNoDeviceStore checks what the server binary links: the
// provincial server is pure Go and headless, so it must not link the
// device's store (internal/store, with its Badger database, passphrase
// encryption and scrypt), the Fyne UI, or the app. Its own Badger backend
// (sync/server/badgerstore) is fine.
func TestServerLinksNoDeviceStore(t *testing.T) {
	goBin := goCommand(t)
	cmd := exec.Command(goBin, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps: %v\n%s", err, stderr)
	}
	deps := strings.Fields(string(out))
	const mod = "github.com/lantian-tz/lantian/"
	for _, want := range []string{mod + "sync/server", mod + "sync/bundle", mod + "sync/server/badgerstore"} {
		if !slices.Contains(deps, want) {
			t.Fatalf("go list -deps does not list %s; the listing is not what this test expects:\n%s", want, out)
		}
	}
	forbidden := []struct{ path, why string }{
		{mod + "internal/store", "the device store"},
		{"golang.org/x/crypto/scrypt", "the device store's passphrase key derivation"},
		{"fyne.io/", "the Fyne UI"},
		{mod + "app", "the desktop app"},
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f.path || strings.HasPrefix(d, strings.TrimSuffix(f.path, "/")+"/") {
				t.Errorf("lantian-server links %s (%s)", d, f.why)
			}
		}
	}
}

// goCommand returns the go command that runs this test: the one on PATH,
// or the one in GOROOT. Without one the test is skipped, except in CI
// (CI=true), where a skip would hide that the check did not run.
func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	for _, root := range []string{os.Getenv("GOROOT"), runtime.GOROOT()} {
		if root == "" {
			continue
		}
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no go command on PATH or in GOROOT: cannot check what lantian-server links")
	}
	t.Skip("no go command on PATH or in GOROOT")
	return ""
}
