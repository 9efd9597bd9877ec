package oplog

import (
	"encoding/binary"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
)

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

// PeekRecord reads the record id of an op's binary form without decoding
// the rest; ok is false when b does not start like an op of this encoding
// version.
func PeekRecord(b []byte) (rec uuid.UUID, ok bool) {
	if len(b) < 1+16 || b[0] != EncodingVersion {
		return uuid.UUID{}, false
	}
	_, n := binary.Uvarint(b[17:])
	if n <= 0 {
		return uuid.UUID{}, false
	}
	at := 17 + n + 8
	if len(b) < at+16 {
		return uuid.UUID{}, false
	}
	copy(rec[:], b[at:at+16])
	return rec, true
}

// PeekHLC reads the clock of an op's binary form without decoding the
// rest; ok is false when b does not start like an op of this encoding
// version.
func PeekHLC(b []byte) (t hlc.Timestamp, ok bool) {
	if len(b) < 1+16 || b[0] != EncodingVersion {
		return 0, false
	}
	_, n := binary.Uvarint(b[17:])
	if n <= 0 || len(b) < 17+n+8 {
		return 0, false
	}
	return hlc.Timestamp(binary.BigEndian.Uint64(b[17+n:])), true
}
