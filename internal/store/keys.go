package store

import (
	"encoding/binary"
	"strings"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/hlc"
	"github.com/lantian-tz/lantian/internal/oplog"
)

// Key layout. Every key starts with one prefix byte; integers are
// big-endian so that keys sort numerically; strings inside index keys end
// with a 0 byte (0 bytes inside them are dropped).
//
//	'l' device(16) seq(8)            → stored op (opRecord: Eff, ServerSeq, op bytes)
//	'r' record(16) device(16) seq(8) → empty: the ops of a record
//	's' record(16)                   → merged state (encodeState)
//	'h' device(16)                   → head: highest contiguous seq(8) and its hash(32)
//	'p' device(16) seq(8)            → held op (opRecord) waiting for its predecessor
//	'g' device(16) seq(8)            → scope gap: the seq(8) of the op this op follows here
//	'q' device(16) seq(8)            → quarantined op of this device: reason and time
//	'x' device(16) seq(8)            → quarantined received op (receivedEntry)
//	'd' device(16)                   → registered device: public key and label
//	'e' device(16)                   → what a registered device was enrolled as (Enrolled, JSON)
//	'm' name                         → internal meta (identity, clock, cursor, acked)
//	'u' name                         → app settings (GetMeta / SetMeta)
//	'i' kind ...                     → index entries (see below), value: summary
//
// Index entries (value: the record's summary, so filters need no state read):
//
//	'i' 'a' ^updated(8) record(16)                            all records by last change
//	'i' 'u' register county ^updated(8) record(16)            by register and county
//	'i' 's' register county status ^updated(8) record(16)     … and status
//	'i' 'v' register county village ^updated(8) record(16)    … and village
//	'i' 'c' register county ^created(8) record(16)            by creation
//	'i' 't' register county title record(16)                  by title
//
// ^t is the bitwise complement of the timestamp, so that a forward scan
// returns the newest first.
const (
	pfxLog        = 'l'
	pfxRecordOp   = 'r'
	pfxState      = 's'
	pfxHead       = 'h'
	pfxPending    = 'p'
	pfxGap        = 'g'
	pfxQuarantine = 'q'
	pfxReceived   = 'x'
	pfxDevice     = 'd'
	pfxEnrolled   = 'e'
	pfxMeta       = 'm'
	pfxUser       = 'u'
	pfxIndex      = 'i'
)

// Index kinds (second byte of an index key).
const (
	idxAll     = 'a'
	idxCounty  = 'u'
	idxStatus  = 's'
	idxVillage = 'v'
	idxCreated = 'c'
	idxTitle   = 't'
)

// Internal meta names.
const (
	metaDevice  = "device"  // 16-byte device id
	metaKey     = "key"     // ed25519 seed
	metaClock   = "hlc"     // persisted HLC
	metaCursor  = "cursor"  // pull cursor (server seq)
	metaAcked   = "acked"   // server's acknowledged seq of our ops
	metaVersion = "version" // key layout version
)

// layoutVersion is the key layout written by this code.
const layoutVersion = 1

func opKey(pfx byte, id oplog.OpID) []byte {
	k := make([]byte, 0, 25)
	k = append(k, pfx)
	k = append(k, id.Device[:]...)
	return binary.BigEndian.AppendUint64(k, id.Seq)
}

func logKey(id oplog.OpID) []byte        { return opKey(pfxLog, id) }
func pendingKey(id oplog.OpID) []byte    { return opKey(pfxPending, id) }
func quarantineKey(id oplog.OpID) []byte { return opKey(pfxQuarantine, id) }
func receivedKey(id oplog.OpID) []byte   { return opKey(pfxReceived, id) }
func gapKey(id oplog.OpID) []byte        { return opKey(pfxGap, id) }

// opIDFromKey decodes the (device, seq) of a 'l', 'p', 'q' or 'x' key.
func opIDFromKey(k []byte) oplog.OpID {
	var id oplog.OpID
	copy(id.Device[:], k[1:17])
	id.Seq = binary.BigEndian.Uint64(k[17:25])
	return id
}

func devicePrefix(pfx byte, dev uuid.UUID) []byte {
	return append([]byte{pfx}, dev[:]...)
}

func recordOpKey(rec uuid.UUID, id oplog.OpID) []byte {
	k := make([]byte, 0, 41)
	k = append(k, pfxRecordOp)
	k = append(k, rec[:]...)
	k = append(k, id.Device[:]...)
	return binary.BigEndian.AppendUint64(k, id.Seq)
}

func recordOpPrefix(rec uuid.UUID) []byte { return append([]byte{pfxRecordOp}, rec[:]...) }

// recordOpFromKey decodes a 'r' key.
func recordOpFromKey(k []byte) (uuid.UUID, oplog.OpID) {
	var rec uuid.UUID
	copy(rec[:], k[1:17])
	var id oplog.OpID
	copy(id.Device[:], k[17:33])
	id.Seq = binary.BigEndian.Uint64(k[33:41])
	return rec, id
}

func stateKey(rec uuid.UUID) []byte { return append([]byte{pfxState}, rec[:]...) }

func headKey(dev uuid.UUID) []byte     { return devicePrefix(pfxHead, dev) }
func deviceKey(dev uuid.UUID) []byte   { return devicePrefix(pfxDevice, dev) }
func enrolledKey(dev uuid.UUID) []byte { return devicePrefix(pfxEnrolled, dev) }
func metaKeyOf(name string) []byte     { return append([]byte{pfxMeta}, name...) }
func userKey(name string) []byte       { return append([]byte{pfxUser}, name...) }
func indexPrefix(kind byte) []byte     { return []byte{pfxIndex, kind} }
func appendInvTime(k []byte, t hlc.Timestamp) []byte {
	return binary.BigEndian.AppendUint64(k, ^uint64(t))
}

// appendStr appends s without 0 bytes, then a 0 terminator.
func appendStr(k []byte, s string) []byte {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	k = append(k, s...)
	return append(k, 0)
}

// indexKeys returns the index keys of a record with summary sm.
// An orphan (a record no op has created yet) has none: it is not listed.
func indexKeys(rec uuid.UUID, sm *summary) [][]byte {
	if sm.Orphan {
		return nil
	}
	base := func(kind byte) []byte {
		k := make([]byte, 0, 64)
		k = append(k, pfxIndex, kind)
		k = appendStr(k, sm.Register)
		return appendStr(k, sm.County)
	}
	all := appendInvTime([]byte{pfxIndex, idxAll}, sm.Updated)
	byCounty := appendInvTime(base(idxCounty), sm.Updated)
	byStatus := appendInvTime(appendStr(base(idxStatus), sm.Status), sm.Updated)
	byVillage := appendInvTime(appendStr(base(idxVillage), sm.Village), sm.Updated)
	byCreated := appendInvTime(base(idxCreated), sm.Created)
	byTitle := appendStr(base(idxTitle), sm.Title)
	keys := [][]byte{all, byCounty, byStatus, byVillage, byCreated, byTitle}
	for i := range keys {
		keys[i] = append(keys[i], rec[:]...)
	}
	return keys
}
