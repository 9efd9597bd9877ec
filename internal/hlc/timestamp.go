// Package hlc implements a hybrid logical clock (Kulkarni et al., 2014)
// whose state is persisted so that it never runs backwards across restarts.
package hlc

import (
	"fmt"
	"time"
)

// Timestamp is a hybrid logical clock reading: the upper 48 bits are wall
// time in milliseconds since the Unix epoch, the lower 16 bits a logical
// counter. Timestamps compare as plain integers.
type Timestamp uint64

// Make builds a timestamp from wall milliseconds and a logical counter.
func Make(wallMillis int64, logical uint16) Timestamp {
	return Timestamp(uint64(wallMillis)<<16 | uint64(logical))
}

// Wall returns the wall-clock part in milliseconds since the epoch.
func (t Timestamp) Wall() int64 { return int64(t >> 16) }

// Logical returns the logical counter.
func (t Timestamp) Logical() uint16 { return uint16(t) }

// Time returns the wall-clock part as a time.Time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Wall()) }

// String formats the timestamp for logs and tests.
func (t Timestamp) String() string {
	return fmt.Sprintf("%s+%d", t.Time().UTC().Format("2006-01-02T15:04:05.000Z"), t.Logical())
}
