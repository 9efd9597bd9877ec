package oplog

// Size limits of an op. CheckShape enforces them and the decoder refuses
// anything longer, so no input can make either allocate without bound.
const (
	MaxFields     = 512       // fields written by one op
	MaxParents    = 256       // parent versions of one field
	MaxKeyLen     = 64        // bytes of a field key
	MaxValueLen   = 256 << 10 // bytes of one value
	MaxRegister   = 64        // bytes of a register name
	MaxCounty     = 32        // bytes of a county code
	MaxAuthor     = 256       // bytes of an author name
	SignatureSize = 64        // bytes of an ed25519 signature
)
