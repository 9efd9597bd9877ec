package oplog

import "encoding/binary"

// PeekID reads the id (device and seq) at the start of an op's binary
// form without decoding the rest; ok is false when b does not start like
// an op of this encoding version.
func PeekID(b []byte) (id OpID, ok bool) {
	if len(b) < 1+16 || b[0] != EncodingVersion {
		return OpID{}, false
	}
	copy(id.Device[:], b[1:17])
	seq, n := binary.Uvarint(b[17:])
	if n <= 0 {
		return OpID{}, false
	}
	id.Seq = seq
	return id, true
}
