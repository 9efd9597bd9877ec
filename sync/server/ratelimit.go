package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Enrollment attempts: each client address may present this many wrong
// codes in a row, and gets one more try per refill period after that.
const (
	defaultEnrollTries  = 10
	defaultEnrollRefill = time.Minute
	// maxTracked bounds the addresses remembered; beyond it, those back
	// to a full allowance are forgotten.
	maxTracked = 10_000
)

// tryLimiter limits the wrong enrollment codes a client address may try,
// so that codes cannot be guessed by brute force. Correct codes cost
// nothing.
type tryLimiter struct {
	burst  int
	refill time.Duration
	now    func() time.Time

	mu   sync.Mutex
	byIP map[string]*rate.Limiter
}

func newTryLimiter(burst int, refill time.Duration, now func() time.Time) *tryLimiter {
	return &tryLimiter{burst: burst, refill: refill, now: now, byIP: map[string]*rate.Limiter{}}
}

// blocked reports whether addr has used up its tries, and if so how long
// until its next one.
func (l *tryLimiter) blocked(addr string) (bool, time.Duration) {
	if l == nil {
		return false, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.byIP[addr]
	if !ok {
		return false, 0
	}
	now := l.now()
	if lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return true, wait
}

// failed spends one of addr's tries.
func (l *tryLimiter) failed(addr string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	lim, ok := l.byIP[addr]
	if !ok {
		if len(l.byIP) >= maxTracked {
			for a, m := range l.byIP {
				if m.TokensAt(now) >= float64(l.burst) {
					delete(l.byIP, a)
				}
			}
		}
		lim = rate.NewLimiter(rate.Every(l.refill), l.burst)
		l.byIP[addr] = lim
	}
	lim.AllowN(now, 1)
}
