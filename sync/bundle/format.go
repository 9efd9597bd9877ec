package bundle

import (
	"crypto/ed25519"
	"crypto/sha256"
	"hash"

	"github.com/google/uuid"
)

// The file layout, version 1:
//
//	magic    "LTBUNDLE" and the format version byte 1
//	body     a zstd stream of frames (below), BodyBytes long
//	header   JSON (Header), HeaderBytes long
//	length   HeaderBytes as a 4-byte big-endian integer
//	sig      64-byte ed25519 signature, by the header's public key, of
//	         SHA-256(sigDomain || every byte before sig)
//
// The header sits after the body so that a bundle is written in one pass;
// readers find it from the end. Body frames, uncompressed:
//
//	op:    'O' uvarint(len) op's binary form (oplog)
//	blob:  'B' sha256[32] uvarint(len) content
//	end:   'E'
//
// Ops come first, in seq order, then the blobs in name order, then the end
// frame; nothing follows it.
const (
	magic         = "LTBUNDLE"
	FormatVersion = 1
	prefixLen     = len(magic) + 1
	trailerLen    = 4 + ed25519.SignatureSize
	sigDomain     = "lantian-bundle-v1\x00"

	frameOp   = 'O'
	frameBlob = 'B'
	frameEnd  = 'E'

	// maxHeaderBytes bounds the JSON header. Ops and blobs are bounded
	// as in the protocol (protocol.MaxOpBytes, protocol.MaxBlobBytes).
	maxHeaderBytes = 64 << 10
)

// Header describes a bundle. It is covered by the signature.
type Header struct {
	Format    int               `json:"format"`
	Device    uuid.UUID         `json:"device"`
	PublicKey ed25519.PublicKey `json:"public_key"`
	Label     string            `json:"label,omitempty"`
	// Province and County are the exporting device's scope (County is
	// empty for a province-wide device). Every op's county lies in
	// Province.
	Province string `json:"province"`
	County   string `json:"county,omitempty"`
	// The bundle holds the device's ops FromSeq..ToSeq (inclusive), Ops of
	// them (0 ops: FromSeq = ToSeq+1).
	FromSeq uint64 `json:"from_seq"`
	ToSeq   uint64 `json:"to_seq"`
	Ops     int    `json:"ops"`
	// Blobs is the number of photos carried, BlobBytes their total size.
	Blobs     int   `json:"blobs"`
	BlobBytes int64 `json:"blob_bytes"`
	// BodyBytes is the compressed body's length, BodySHA256 its SHA-256.
	BodyBytes  int64    `json:"body_bytes"`
	BodySHA256 [32]byte `json:"body_sha256"`
	// Created is the export time in Unix milliseconds (device clock).
	Created int64 `json:"created"`
}

// newSigHash returns the hash whose sum the signature signs, primed with
// the signature domain; write every byte before the signature to it.
func newSigHash() hash.Hash {
	h := sha256.New()
	h.Write([]byte(sigDomain))
	return h
}

// ProvinceOf returns the province code of a county code or app id: the
// first two digits followed by "0000" ("130126" and "130000-XIONGAN" are
// both in "130000"). It returns "" for a code too short to tell.
func ProvinceOf(county string) string {
	if len(county) < 2 {
		return ""
	}
	for _, c := range county[:2] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return county[:2] + "0000"
}
