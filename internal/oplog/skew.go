package oplog

import (
	"time"

	"github.com/lantian-tz/lantian/internal/hlc"
)

// Bounded skew.
//
// A field tablet's clock may run days ahead. Its HLC timestamps would then
// win every last-writer-wins comparison until real time caught up. So the
// merge does not compare raw HLC timestamps once a better time is known:
// the server stamps every op it accepts with an effective time
//
//	Eff = min(HLC, Make(receipt+tolerance in ms, 0xFFFF))
//
// that is, the op's own HLC when that is at most tolerance ahead of the
// server's clock at receipt, and otherwise the last instant of the
// millisecond receipt+tolerance. An honest device therefore keeps its own
// timestamps (and their logical order); a device running ahead is pulled
// back to when the server actually saw its op. Two capped ops can get the
// same Eff; like all ties, they break on device id, then seq, so a
// device's own capped ops keep their order. The stamp is not signed (the
// server makes it) and travels with the op; every replica compares
// Op.Time(): Eff once known, the HLC before. A replica may briefly show a
// different winner until the stamp reaches it; once every replica holds
// the same ops with the same stamps they agree.
//
// Causality is not decided by time: an op that lists a version in its
// Parent supersedes it whatever the times, so a device whose clock runs
// behind can still overwrite what it saw.

// DefaultTolerance is how far ahead of the server's clock an op's HLC may be
// and still count as its effective time.
const DefaultTolerance = 5 * time.Minute

// EffectiveTime returns the effective time of an op with HLC h received at
// receipt: min(h, Make(receipt+tolerance, 0xFFFF)). A negative tolerance
// counts as zero; a receipt before 1970 as the epoch.
func EffectiveTime(h hlc.Timestamp, receipt time.Time, tolerance time.Duration) hlc.Timestamp {
	tolerance = max(tolerance, 0)
	ms := max(receipt.Add(tolerance).UnixMilli(), 0)
	capped := hlc.Make(min(ms, 1<<48-1), 0xFFFF)
	return min(h, capped)
}

// Time returns the time the merge compares: the effective time when the
// server's stamp is known, else the HLC.
func (o *Op) Time() hlc.Timestamp {
	if o.Eff != 0 {
		return o.Eff
	}
	return o.HLC
}
