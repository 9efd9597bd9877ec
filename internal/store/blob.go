package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/lantian-tz/lantian/internal/fsutil"
)

// BlobDir returns the directory holding the photos: files named by their
// SHA-256 under blobs/ab/abcdef…, never inside Badger.
func (s *Store) BlobDir() string { return s.blobDir }

// validSHA reports whether sha is a lower-case SHA-256 hex string.
func validSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *Store) blobPath(sha string) string {
	return filepath.Join(s.blobDir, sha[:2], sha)
}

// PutBlob stores the content of r as a blob and returns its SHA-256 hex
// name. The file is written to a temporary file, synced and renamed, so a
// blob file is always complete. Storing the same content again is a no-op.
func (s *Store) PutBlob(r io.Reader) (string, error) {
	tmp, err := os.CreateTemp(s.blobDir, ".put-*")
	if err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	sha := hex.EncodeToString(h.Sum(nil))
	if s.HasBlob(sha) {
		return sha, nil
	}
	dir := filepath.Join(s.blobDir, sha[:2])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.blobPath(sha)); err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return "", fmt.Errorf("store: put blob: %w", err)
	}
	return sha, nil
}

// HasBlob reports whether the blob sha is stored.
func (s *Store) HasBlob(sha string) bool {
	if !validSHA(sha) {
		return false
	}
	_, err := os.Stat(s.blobPath(sha))
	return err == nil
}

// RemoveBlob deletes the blob sha; a blob that is not there is no error.
// Blobs are never deleted in normal use: this is for an import that wrote
// blobs and then failed, to leave the store as it was.
func (s *Store) RemoveBlob(sha string) error {
	if !validSHA(sha) {
		return fmt.Errorf("%w: %q is not a SHA-256 name", ErrBadBlob, sha)
	}
	if err := os.Remove(s.blobPath(sha)); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("store: remove blob: %w", err)
	}
	return nil
}

// OpenBlob opens the blob sha for reading. The reader verifies the content
// as it is read: reading to the end of a blob whose content does not match
// its name returns ErrBadBlob.
func (s *Store) OpenBlob(sha string) (io.ReadCloser, error) {
	if !validSHA(sha) {
		return nil, fmt.Errorf("%w: %q is not a SHA-256 name", ErrBadBlob, sha)
	}
	f, err := os.Open(s.blobPath(sha))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open blob: %w", err)
	}
	return &verifyingReader{f: f, h: sha256.New(), want: sha}, nil
}

// verifyingReader hashes what it reads and checks the sum at EOF.
type verifyingReader struct {
	f    *os.File
	h    hash.Hash
	want string
}

// Read reads and hashes; at EOF it checks the sum.
func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(v.h.Sum(nil)) != v.want {
		return n, fmt.Errorf("%w: content of %s does not match its name", ErrBadBlob, v.want)
	}
	return n, err
}

// Close closes the file.
func (v *verifyingReader) Close() error { return v.f.Close() }
