package bundle

import (
	"crypto/ed25519"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// The three oplog checks a bundle relies on, in one place.

func checkShape(op *oplog.Op) error { return op.CheckShape() }

func opHash(op *oplog.Op) oplog.Hash { return op.Hash() }

func verifySig(pub ed25519.PublicKey, op *oplog.Op) bool { return op.VerifySig(pub) == nil }
