package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lantian-tz/lantian/internal/evidence"
	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/sync/server/storetest"
)

// export-evidence writes a record's pack that the verify command (the
// app's "lantian verify PACK.zip") passes with the province's public key,
// and fails once a byte of it changed.
func TestExportEvidence(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	priv, err := loadProvinceKey(dir, "", true, &out)
	if err != nil {
		t.Fatal(err)
	}
	e, err := open(context.Background(), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.EvidencePack(t, e.store, e.blobs, 4<<10, priv)
	e.close()

	// verify trusts the server's own province key: every device vouched.
	out.Reset()
	if err := run([]string{"verify", "--data", dir}, &out, slog.New(slog.DiscardHandler)); err != nil || strings.Contains(out.String(), "no province public key") {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"verify", "--data", dir, "--province-key", filepath.Join(t.TempDir(), "none.key")}, &out, slog.New(slog.DiscardHandler)); err != nil ||
		!strings.Contains(out.String(), "no province public key") {
		t.Errorf("verify without the key: %v\n%s", err, out.String())
	}

	pack := filepath.Join(t.TempDir(), "pack.zip")
	out.Reset()
	if err := run([]string{"export-evidence", "--data", dir, "--record", p.Record.String(), "-o", pack}, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("export-evidence: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "evidence pack written") || !strings.Contains(out.String(), "Verified") {
		t.Errorf("export-evidence printed %q", out.String())
	}
	key := vouch.KeyText(p.Trusted[0])
	out.Reset()
	if err := evidence.VerifyCLI([]string{pack, "--province-pubkey", key}, &out, nil); err != nil {
		t.Fatalf("verify of the exported pack: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/3] ^= 0x10
	if err := os.WriteFile(pack, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := evidence.VerifyCLI([]string{"--province-pubkey", key, pack}, &out, nil); err != evidence.ErrPack || !strings.Contains(out.String(), "FAILED") {
		t.Errorf("verify of an altered pack: %v\n%s", err, out.String())
	}
	// Without any trusted key the pack's own key is used, and said so.
	b[len(b)/3] ^= 0x10
	_ = os.WriteFile(pack, b, 0o644)
	out.Reset()
	if err := evidence.VerifyCLI([]string{pack}, &out, nil); err != nil || !strings.Contains(out.String(), key) || !strings.Contains(out.String(), "no trusted province key given") {
		t.Errorf("verify without a key: %v\n%s", err, out.String())
	}
}
