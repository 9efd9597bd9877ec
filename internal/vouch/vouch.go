// Package vouch is the province's word for its devices: an enrollment
// statement (device id, public key, scope, role, when enrolled, when
// revoked) signed with the province's ed25519 key. Whoever holds the
// province's public key (it ships with the app, assets/province-keys.txt)
// can check that a device whose ops they hold was enrolled by the
// province with that key, without trusting the database that holds the
// devices: a device inserted into a database by someone without the
// province's private key has no valid statement.
//
// A statement is signed over its canonical bytes (Statement.Canonical): a
// fixed header and one "name=value" line per field in a fixed order. It
// travels and is stored as the JSON of Signed.
package vouch

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
)

// header starts every statement's canonical bytes.
const header = "lantian enrollment statement v1\n"

// Statement is what the province says about one device.
type Statement struct {
	Device   uuid.UUID
	Key      ed25519.PublicKey
	Province string
	County   string // empty for a province-wide device
	Role     model.Role
	Enrolled time.Time // to the millisecond, UTC
	Revoked  time.Time // zero while the device is not revoked
}

// timeText is a statement time's text (UTC, milliseconds), "" for zero.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Canonical is the bytes a statement is signed over. It fails on a field
// that could not be read back as written (a line break in it).
func (s Statement) Canonical() ([]byte, error) {
	if len(s.Key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("vouch: key of %d bytes", len(s.Key))
	}
	for _, f := range []string{s.Province, s.County, string(s.Role)} {
		if strings.ContainsAny(f, "\n\r") {
			return nil, errors.New("vouch: a field holds a line break")
		}
	}
	var b bytes.Buffer
	b.WriteString(header)
	fmt.Fprintf(&b, "device=%s\nkey=%s\nprovince=%s\ncounty=%s\nrole=%s\nenrolled=%s\nrevoked=%s\n",
		s.Device, base64.StdEncoding.EncodeToString(s.Key), s.Province, s.County, s.Role,
		timeText(s.Enrolled), timeText(s.Revoked))
	return b.Bytes(), nil
}

// parseCanonical reads canonical bytes back; it fails unless b is
// exactly the canonical form of what it read.
func parseCanonical(b []byte) (Statement, error) {
	var s Statement
	rest, ok := bytes.CutPrefix(b, []byte(header))
	if !ok {
		return s, errors.New("vouch: not an enrollment statement")
	}
	lines := strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n")
	names := []string{"device", "key", "province", "county", "role", "enrolled", "revoked"}
	if len(lines) != len(names) {
		return s, errors.New("vouch: statement has the wrong number of fields")
	}
	vals := make([]string, len(names))
	for i, l := range lines {
		v, ok := strings.CutPrefix(l, names[i]+"=")
		if !ok {
			return s, fmt.Errorf("vouch: statement field %d is not %s", i+1, names[i])
		}
		vals[i] = v
	}
	var err error
	if s.Device, err = uuid.Parse(vals[0]); err != nil {
		return s, fmt.Errorf("vouch: device: %w", err)
	}
	if s.Key, err = base64.StdEncoding.DecodeString(vals[1]); err != nil {
		return s, fmt.Errorf("vouch: key: %w", err)
	}
	s.Province, s.County, s.Role = vals[2], vals[3], model.Role(vals[4])
	for i, t := range []*time.Time{&s.Enrolled, &s.Revoked} {
		if vals[5+i] == "" {
			continue
		}
		if *t, err = time.Parse("2006-01-02T15:04:05.000Z", vals[5+i]); err != nil {
			return s, fmt.Errorf("vouch: %s: %w", names[5+i], err)
		}
	}
	if s.Enrolled.IsZero() {
		return s, errors.New("vouch: statement without an enrollment time")
	}
	again, err := s.Canonical()
	if err != nil {
		return s, err
	}
	if !bytes.Equal(again, b) {
		return s, errors.New("vouch: statement is not in canonical form")
	}
	return s, nil
}

// Signed is a statement with the province's signature, as stored and
// sent (its JSON).
type Signed struct {
	// Statement is the canonical bytes signed.
	Statement []byte `json:"statement"`
	// Province is the public key that signed.
	Province ed25519.PublicKey `json:"province_key"`
	Sig      []byte            `json:"sig"`
}

// Sign signs s with the province's key.
func Sign(priv ed25519.PrivateKey, s Statement) (Signed, error) {
	s.Enrolled = s.Enrolled.UTC().Truncate(time.Millisecond)
	if !s.Revoked.IsZero() {
		s.Revoked = s.Revoked.UTC().Truncate(time.Millisecond)
	}
	b, err := s.Canonical()
	if err != nil {
		return Signed{}, err
	}
	return Signed{Statement: b, Province: priv.Public().(ed25519.PublicKey), Sig: ed25519.Sign(priv, b)}, nil
}

// Marshal is sg's stored form.
func (sg Signed) Marshal() []byte {
	b, _ := json.Marshal(sg) // byte slices and a fixed shape: cannot fail
	return b
}

// Parse reads a stored statement (without checking its signature).
func Parse(b []byte) (Signed, error) {
	var sg Signed
	if err := json.Unmarshal(b, &sg); err != nil {
		return sg, fmt.Errorf("vouch: %w", err)
	}
	return sg, nil
}

// Check returns the statement sg signs, when it is signed by one of the
// trusted province keys; else an error saying what is wrong.
func (sg Signed) Check(trusted []ed25519.PublicKey) (Statement, error) {
	s, err := parseCanonical(sg.Statement)
	if err != nil {
		return s, err
	}
	if len(s.Key) != ed25519.PublicKeySize {
		return s, errors.New("vouch: device key of the wrong size")
	}
	if len(sg.Province) != ed25519.PublicKeySize {
		return s, errors.New("vouch: no province key")
	}
	if !Trusts(trusted, sg.Province) {
		return s, fmt.Errorf("vouch: signed by province key %s, which is not trusted", KeyText(sg.Province))
	}
	if !ed25519.Verify(sg.Province, sg.Statement, sg.Sig) {
		return s, errors.New("vouch: the province's signature does not verify")
	}
	return s, nil
}

// Trusts reports whether k is one of keys.
func Trusts(keys []ed25519.PublicKey, k ed25519.PublicKey) bool {
	for _, t := range keys {
		if t.Equal(k) {
			return true
		}
	}
	return false
}

// KeyText is a public key's text form (standard base64), as in
// assets/province-keys.txt.
func KeyText(k ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(k) }

// ParseKey reads a public key's text form.
func ParseKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("vouch: %q is not a province public key (base64 of 32 bytes)", s)
	}
	return ed25519.PublicKey(b), nil
}

// ParseKeys reads a list of public keys, one a line; empty lines and
// lines starting with # are skipped.
func ParseKeys(text []byte) ([]ed25519.PublicKey, error) {
	var out []ed25519.PublicKey
	for i, l := range strings.Split(string(text), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, err := ParseKey(l)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// privateText is the first line of a province key file.
const privateText = "lantian province ed25519 private key"

// LoadOrCreate reads the province's private key from path, creating one
// (file mode 0600) when there is none; created reports that it did.
func LoadOrCreate(path string) (priv ed25519.PrivateKey, created bool, err error) {
	priv, err = Load(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return priv, false, err
	}
	_, priv, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	if err := Save(path, priv); err != nil {
		return nil, false, err
	}
	return priv, true, nil
}

// Save writes priv to a new file at path, mode 0600 (never over an
// existing one).
func Save(path string, priv ed25519.PrivateKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s\n%s\n", privateText, base64.StdEncoding.EncodeToString(priv.Seed()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// Load reads a province key file.
func Load(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != privateText {
		return nil, fmt.Errorf("%s is not a province key file", path)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: bad key", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// MetaKey is the device store's meta key under which a device keeps the
// enrollment statement of device id (its own, from its enrollment).
func MetaKey(id uuid.UUID) string { return "vouch.statement." + id.String() }
