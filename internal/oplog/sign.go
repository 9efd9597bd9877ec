package oplog

import (
	"crypto/ed25519"
	"fmt"
)

// sigContext separates op signatures from anything else a device key
// might sign.
const sigContext = "lantian/op/v1\x00"

// signedMessage is what the signature covers: the context and the op's hash.
func (o *Op) signedMessage() []byte {
	h := o.Hash()
	return append([]byte(sigContext), h[:]...)
}

// Sign sets the op's signature by the device key priv over its hash. Sign
// after every covered field is final.
func (o *Op) Sign(priv ed25519.PrivateKey) {
	o.Sig = ed25519.Sign(priv, o.signedMessage())
}

// VerifySig checks the op's signature under the device key pub. It returns
// an error wrapping ErrBadSignature when the signature is missing, of the
// wrong size or does not verify.
func (o *Op) VerifySig(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: op %s: public key is %d bytes; want %d", ErrBadSignature, o.ID(), len(pub), ed25519.PublicKeySize)
	}
	if len(o.Sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: op %s: signature is %d bytes; want %d", ErrBadSignature, o.ID(), len(o.Sig), ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, o.signedMessage(), o.Sig) {
		return fmt.Errorf("%w: op %s: signature does not verify", ErrBadSignature, o.ID())
	}
	return nil
}
