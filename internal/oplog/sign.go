package oplog

import "crypto/ed25519"

// sigContext separates op signatures from anything else a device key
// might sign.
const sigContext = "lantian/op/v1\x00"

// signedMessage is what the signature covers: the context and the op's
// hash h.
func signedMessage(h Hash) []byte {
	return append([]byte(sigContext), h[:]...)
}

// Sign sets the op's signature by the device key priv over its hash. Sign
// after every covered field is final.
func (o *Op) Sign(priv ed25519.PrivateKey) {
	o.Sig = ed25519.Sign(priv, signedMessage(o.Hash()))
}

// SignWith is Sign by a signer that holds the key, such as a device
// store's Sign.
func (o *Op) SignWith(sign func(msg []byte) []byte) {
	o.Sig = sign(signedMessage(o.Hash()))
}

// VerifySig checks the op's signature under the device key pub. It returns
// an error wrapping ErrBadSignature (a *model.Error of kind
// model.ErrSignature) when the signature is missing, of the
// wrong size or does not verify.
//
// Ops that arrive as a run of a device's chain can be checked with one
// signature per run (VerifyRun); VerifySig checks any single op.
func (o *Op) VerifySig(pub ed25519.PublicKey) error {
	return o.verifySigHash(pub, o.Hash())
}

// VerifySigHashed is VerifySig for an op whose hash h is known (an audit
// that has hashed it to check the chain).
func (o *Op) VerifySigHashed(pub ed25519.PublicKey, h Hash) error { return o.verifySigHash(pub, h) }

// verifySigHash is VerifySig for an op whose hash h is known.
func (o *Op) verifySigHash(pub ed25519.PublicKey, h Hash) error {
	if len(pub) != ed25519.PublicKeySize {
		return sigError("op %s: public key is %d bytes; want %d", o.ID(), len(pub), ed25519.PublicKeySize)
	}
	if len(o.Sig) != ed25519.SignatureSize {
		return sigError("op %s: signature is %d bytes; want %d", o.ID(), len(o.Sig), ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, signedMessage(h), o.Sig) {
		return sigError("op %s: signature does not verify", o.ID())
	}
	return nil
}
