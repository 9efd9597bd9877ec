package oplog

import (
	"testing"
	"time"

	"github.com/lantian-tz/lantian/internal/hlc"
)

func TestEffectiveTime(t *testing.T) {
	receipt := time.UnixMilli(1_700_000_000_000)
	at := func(d time.Duration, l uint16) hlc.Timestamp { return hlc.Make(receipt.Add(d).UnixMilli(), l) }
	tests := []struct {
		name string
		h    hlc.Timestamp
		tol  time.Duration
		want hlc.Timestamp
	}{
		{"behind receipt keeps hlc", at(-time.Hour, 7), DefaultTolerance, at(-time.Hour, 7)},
		{"days behind keeps hlc", at(-72*time.Hour, 0), DefaultTolerance, at(-72*time.Hour, 0)},
		{"ahead within tolerance keeps hlc", at(4*time.Minute, 3), DefaultTolerance, at(4*time.Minute, 3)},
		{"at tolerance keeps logical", at(5*time.Minute, 3), DefaultTolerance, at(5*time.Minute, 3)},
		{"just past tolerance is capped", at(5*time.Minute+time.Millisecond, 0), DefaultTolerance, at(5*time.Minute, 0xFFFF)},
		{"days ahead is capped", at(72*time.Hour, 12), DefaultTolerance, at(5*time.Minute, 0xFFFF)},
		{"zero tolerance", at(time.Second, 0), 0, at(0, 0xFFFF)},
		{"negative tolerance counts as zero", at(time.Second, 0), -time.Hour, at(0, 0xFFFF)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectiveTime(tt.h, receipt, tt.tol); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
	t.Run("receipt before 1970", func(t *testing.T) {
		if got, want := EffectiveTime(hlc.Make(5, 0), time.UnixMilli(-10_000_000), 0), hlc.Make(0, 0xFFFF); got != want {
			t.Errorf("got %s; want %s", got, want)
		}
	})
}

func TestOpTime(t *testing.T) {
	o := editOp(devA, 1, ts(100, 0), "a", "1")
	if got, want := o.Time(), ts(100, 0); got != want {
		t.Errorf("without eff: got %s; want %s", got, want)
	}
	o.Eff = ts(50, 0xFFFF)
	if got, want := o.Time(), ts(50, 0xFFFF); got != want {
		t.Errorf("with eff: got %s; want %s", got, want)
	}
}
