package vouch

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

func TestSignCheck(t *testing.T) {
	_, prov, _ := ed25519.GenerateKey(nil)
	trusted := []ed25519.PublicKey{prov.Public().(ed25519.PublicKey)}
	dev, _, _ := ed25519.GenerateKey(nil)
	st := Statement{Device: uuid.New(), Key: dev, Province: "130000", County: "130126", Role: model.RoleGrid,
		Enrolled: time.Date(2026, 11, 1, 8, 0, 0, 123e6, time.UTC)}
	sg, err := Sign(prov, st)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(sg.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Check(trusted)
	if err != nil || got.Device != st.Device || !got.Key.Equal(dev) || got.Role != st.Role || got.County != st.County ||
		!got.Enrolled.Equal(st.Enrolled) || !got.Revoked.IsZero() {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, st)
	}
	// Each byte of the signed statement changed: refused.
	for i := range sg.Statement {
		bad := back
		bad.Statement = append([]byte(nil), sg.Statement...)
		bad.Statement[i] ^= 0x01
		if _, err := bad.Check(trusted); err == nil {
			t.Errorf("byte %d changed: accepted", i)
		}
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if _, err := back.Check([]ed25519.PublicKey{other.Public().(ed25519.PublicKey)}); err == nil || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("untrusted province key: %v", err)
	}
	forged, _ := Sign(other, st)
	forged.Province = trusted[0] // claims the trusted key
	if _, err := forged.Check(trusted); err == nil {
		t.Error("a statement signed by another key, claiming the trusted one: accepted")
	}
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "province.key")
	priv, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	again, created, err := LoadOrCreate(path)
	if err != nil || created || !again.Equal(priv) {
		t.Errorf("second load: created %v, same %v, %v", created, again.Equal(priv), err)
	}
	text := "# province keys\n\n" + KeyText(priv.Public().(ed25519.PublicKey)) + "\n  # old key below\n" +
		KeyText(make(ed25519.PublicKey, 32)) + "\n"
	keys, err := ParseKeys([]byte(text))
	if err != nil || len(keys) != 2 || !keys[0].Equal(priv.Public()) {
		t.Errorf("ParseKeys: %d keys, %v", len(keys), err)
	}
	if _, err := ParseKeys([]byte("not a key\n")); err == nil {
		t.Error("a bad line: accepted")
	}
}
