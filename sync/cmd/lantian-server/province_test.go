package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/vouch"
	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
	"github.com/lantian-tz/lantian/sync/server"
)

// The province key is made once, mode 0600, its public half printed
// then and by "province-key"; "province-key rotate" signs the vouched
// devices' statements again with a new key, keeping what they said, and
// leaves out a device the old key never vouched for.
func TestProvinceKeyAndRotate(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	priv, err := loadProvinceKey(dir, "", true, &out)
	if err != nil {
		t.Fatal(err)
	}
	pubText := vouch.KeyText(priv.Public().(ed25519.PublicKey))
	if !strings.Contains(out.String(), pubText) {
		t.Errorf("first start prints %q; want the public key %s", out.String(), pubText)
	}
	if fi, err := os.Stat(filepath.Join(dir, provinceKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v; want mode 0600", fi, err)
	}
	out.Reset()
	if _, err := loadProvinceKey(dir, "", true, &out); err != nil || out.Len() != 0 {
		t.Errorf("second start: printed %q, %v; want nothing (the key exists)", out.String(), err)
	}
	if err := run([]string{"province-key", "--data", dir}, &out, slog.New(slog.DiscardHandler)); err != nil || strings.TrimSpace(out.String()) != pubText {
		t.Errorf("province-key: %q, %v; want %s", out.String(), err, pubText)
	}

	// A vouched device and one the key never vouched for.
	ctx := context.Background()
	e, err := open(ctx, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	enroll := func(n byte) server.Device {
		code := sha256.Sum256([]byte{n})
		if err := e.store.CreateCode(ctx, server.Code{Hash: code, Scope: protocol.Scope{Province: "130000", County: "130126"},
			Role: model.RoleGrid, Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		pub, _, _ := ed25519.GenerateKey(nil)
		id := uuid.New()
		if _, err := e.store.Enroll(ctx, code, server.Device{ID: id, PublicKey: pub, TokenHash: sha256.Sum256(id[:]), Enrolled: time.Now()}, time.Now()); err != nil {
			t.Fatal(err)
		}
		d, err := e.store.Device(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	good, bare := enroll(1), enroll(2)
	if _, err := server.VouchDevice(ctx, e.store, priv, good, time.Now()); err != nil {
		t.Fatal(err)
	}
	e.close()

	newFile := filepath.Join(t.TempDir(), "new.key")
	out.Reset()
	if err := run([]string{"province-key", "rotate", "--data", dir, "--new", newFile}, &out, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("rotate: %v\n%s", err, out.String())
	}
	next, err := vouch.Load(newFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 statements signed with the new key, 1 left out") || !strings.Contains(out.String(), bare.ID.String()) {
		t.Errorf("rotate printed %q; want one signed and %s left out", out.String(), bare.ID)
	}
	e, err = open(ctx, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.store.Device(ctx, good.ID)
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := vouch.Parse(d.Statement)
	st, err := sg.Check([]ed25519.PublicKey{next.Public().(ed25519.PublicKey)})
	if err != nil || st.Device != good.ID || !st.Key.Equal(good.PublicKey) || !st.Enrolled.Equal(good.Enrolled.Truncate(time.Millisecond)) {
		t.Errorf("rotated statement %+v, %v; want the device's under the new key", st, err)
	}
	if d, _ := e.store.Device(ctx, bare.ID); d.Statement != nil {
		t.Errorf("an unvouched device got a statement on rotation: %s", d.Statement)
	}
	e.close()

	// Signing the devices enrolled before statements with the current
	// key: --new names it, --sign-unvouched.
	out.Reset()
	if err := run([]string{"province-key", "rotate", "--data", dir, "--province-key", newFile, "--new", newFile, "--sign-unvouched"},
		&out, slog.New(slog.DiscardHandler)); err != nil || !strings.Contains(out.String(), "2 statements signed with the new key, 0 left out") {
		t.Fatalf("sign unvouched: %v\n%s", err, out.String())
	}
	e, err = open(ctx, dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, _ = e.store.Device(ctx, bare.ID)
	sg, _ = vouch.Parse(d.Statement)
	if st, err := sg.Check([]ed25519.PublicKey{next.Public().(ed25519.PublicKey)}); err != nil || st.Device != bare.ID {
		t.Errorf("the device enrolled before statements: %+v, %v", st, err)
	}
	e.close()
}
