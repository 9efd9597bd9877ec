package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/scrypt"

	"github.com/lantian-tz/lantian/internal/fsutil"
)

// saltFile is the plain file next to an encrypted store holding the
// scrypt salt and a check value of the derived key.
const saltFile = "lantian.salt"

// saltMagic starts the salt file.
var saltMagic = []byte("lantian-salt-v1\n")

// scrypt parameters of the key derivation.
const (
	scryptN = 32768
	scryptR = 8
	scryptP = 1
)

// encryptionKey returns the Badger encryption key for o, creating the
// salt file of a new encrypted store. It returns nil for a plain store,
// ErrWrongPassphrase when the passphrase does not match the salt file's
// check value, ErrPassphraseRequired and ErrNotEncrypted when the store
// and the options disagree. Nothing is written unless the store is new.
func encryptionKey(o *Options) ([]byte, error) {
	if o.InMemory {
		if o.Passphrase == "" {
			return nil, nil
		}
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		return deriveKey(o.Passphrase, salt)
	}
	path := filepath.Join(o.Dir, saltFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		existing := storeExists(o.Dir)
		if o.Passphrase == "" {
			return nil, nil
		}
		if existing {
			return nil, ErrNotEncrypted
		}
		return createSalt(o.Dir, o.Passphrase)
	case err != nil:
		return nil, fmt.Errorf("store: read %s: %w", saltFile, err)
	}
	if o.Passphrase == "" {
		return nil, ErrPassphraseRequired
	}
	if !bytes.HasPrefix(data, saltMagic) || len(data) != len(saltMagic)+16+32 {
		return nil, fmt.Errorf("store: %s is damaged", saltFile)
	}
	salt := data[len(saltMagic) : len(saltMagic)+16]
	check := data[len(saltMagic)+16:]
	key, err := deriveKey(o.Passphrase, salt)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(keyCheck(key), check) {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

// storeExists reports whether dir already holds a Badger database.
func storeExists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "MANIFEST"))
	return err == nil
}

func deriveKey(pass string, salt []byte) ([]byte, error) {
	key, err := scrypt.Key([]byte(pass), salt, scryptN, scryptR, scryptP, 32)
	if err != nil {
		return nil, fmt.Errorf("store: derive key: %w", err)
	}
	return key, nil
}

// keyCheck is a value that shows whether a derived key is the right one
// without revealing it.
func keyCheck(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("lantian store key check"))
	return m.Sum(nil)
}

// createSalt writes a new salt file (temp file, fsync, rename) and returns
// the derived key.
func createSalt(dir, pass string) ([]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	key, err := deriveKey(pass, salt)
	if err != nil {
		return nil, err
	}
	data := append(append(append([]byte{}, saltMagic...), salt...), keyCheck(key)...)
	if err := fsutil.WriteFileSync(filepath.Join(dir, saltFile), data); err != nil {
		return nil, err
	}
	return key, nil
}
