package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"

	"github.com/lantian-tz/lantian/model"
)

// signedBundle lays out a bundle around an arbitrary uncompressed body,
// signed with key, so that fuzzing reaches the body decoder.
func signedBundle(t testing.TB, zw *zstd.Encoder, key ed25519.PrivateKey, h Header, frames []byte) []byte {
	body := zw.EncodeAll(frames, nil)
	h.Format = FormatVersion
	h.PublicKey = key.Public().(ed25519.PublicKey)
	h.BodyBytes = int64(len(body))
	h.BodySHA256 = sha256.Sum256(body)
	hj, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(FormatVersion)
	b.Write(body)
	b.Write(hj)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hj))))
	return append(b.Bytes(), ed25519.Sign(key, SigDigest(b.Bytes()))...)
}

// FuzzOpen feeds Open signed bundles with arbitrary bodies and header
// counts: it must never panic, and every failure is one of the bundle's
// *model.Errors.
func FuzzOpen(f *testing.F) {
	blob := []byte("photo")
	sum := sha256.Sum256(blob)
	f.Add([]byte{frameEnd}, 0, 0)
	f.Add(append(append(append([]byte{frameBlob}, sum[:]...), byte(len(blob))), append(blob, frameEnd)...), 0, 1)
	f.Add([]byte{frameOp, 3, 1, 2, 3, frameEnd}, 1, 0)
	f.Add([]byte{frameOp, 0xff, 0xff, 0xff, 0xff, 0x0f}, 1, 0)
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		f.Fatal(err)
	}
	defer zw.Close()
	f.Fuzz(func(t *testing.T, frames []byte, ops, blobs int) {
		h := Header{Device: uuid.UUID{1}, Province: "130000", FromSeq: 1, ToSeq: uint64(max(ops, 0)), Ops: ops, Blobs: blobs}
		b := signedBundle(t, zw, key, h, frames)
		_, err := Open(bytes.NewReader(b), int64(len(b)), VerifyOptions{Province: "130000"})
		var be *model.Error
		if err != nil && !(errors.As(err, &be) && be.Op == "bundle") {
			t.Fatalf("err = %v; want a bundle *model.Error", err)
		}
		// Any cut of a signed bundle is refused.
		if len(b) > 0 {
			cut := b[:(len(frames)*7919+int(uint8(ops)))%len(b)]
			if _, err := Open(bytes.NewReader(cut), int64(len(cut)), VerifyOptions{}); err == nil {
				t.Fatalf("bundle cut at %d of %d opened", len(cut), len(b))
			}
		}
	})
}
