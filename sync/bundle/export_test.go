package bundle

// SigDigest returns what a bundle's signature signs for the bytes before
// it, so tests can sign bundles with other keys.
func SigDigest(signed []byte) []byte {
	h := newSigHash()
	h.Write(signed)
	return h.Sum(nil)
}
