package badgerstore

import (
	"encoding/binary"

	"github.com/google/uuid"
)

// Key layout (all integers big-endian so keys sort numerically):
//
//	d/<device16>                  device record (JSON)
//	t/<tokenhash32>               device16
//	k/<codehash32>                enrollment code (JSON)
//	h/<device16>                  head: acked8 hash32
//	l/<device16><seq8>            log entry: see encodeLogValue
//	o/<serverseq8>                applied op: eff8 device16 prevProvince8
//	                              prevCounty8 raw (see Append)
//	a/<device16>                  seq of the device's last applied op
//	x/<device16><county>          seq of its last applied op in county
//	c/<county>\x00<serverseq8>    index of applied ops by county
//	p/<province>\x00<serverseq8>  index of applied ops by province
//	b/<blob>\x00<county>           a county's applied op references the blob
//	r/<record16>                  the record's home: len(register) as a
//	                              uvarint, register, county (see
//	                              server.RecordHome)
//	e/<device16><seq8><reporter16> a receiver set the op aside: at8 code
//	w/<serverseq8>                a withdrawn op: its o/ value, moved (the
//	                              county and province indexes keep its
//	                              server seq; Pull skips it)
//	y/<withdrawal8>               a withdrawal (JSON server.Withdrawal)
//	s                             last server seq
//	u                             last withdrawal seq
//	v                             version of the indexes derived from the
//	                              ops (see indexVersion)
const (
	pDevice     = 'd'
	pToken      = 't'
	pCode       = 'k'
	pHead       = 'h'
	pLog        = 'l'
	pOp         = 'o'
	pCounty     = 'c'
	pProvince   = 'p'
	pApplied    = 'a'
	pAppliedC   = 'x'
	pBlobRef    = 'b'
	pRecord     = 'r'
	pReport     = 'e'
	pWithdrawn  = 'w'
	pWithdrawal = 'y'
)

// blobRefPrefix is the prefix of the counties referencing blob id.
func blobRefPrefix(id string) []byte { return key(pBlobRef, []byte(id), []byte{0}) }

var (
	keySeq     = []byte("s")
	keyWSeq    = []byte("u")
	keyVersion = []byte("v")
)

func key(prefix byte, parts ...[]byte) []byte {
	n := 2
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	k = append(k, prefix, '/')
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func u64(x uint64) []byte { return binary.BigEndian.AppendUint64(nil, x) }

func deviceKey(id uuid.UUID) []byte { return key(pDevice, id[:]) }
func headKey(id uuid.UUID) []byte   { return key(pHead, id[:]) }
func opKey(ss uint64) []byte        { return key(pOp, u64(ss)) }
func recordKey(id uuid.UUID) []byte { return key(pRecord, id[:]) }
func logKey(id uuid.UUID, seq uint64) []byte {
	return key(pLog, id[:], u64(seq))
}

// scopeIndexPrefix is the index prefix of a county or a province.
func scopeIndexPrefix(prefix byte, code string) []byte {
	return key(prefix, []byte(code), []byte{0})
}
