package hlc

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxDrift is the drift New uses when given a non-positive one: a
// remote timestamp more than this far ahead of our physical clock is not
// adopted.
const DefaultMaxDrift = 5 * time.Minute

// reserveWindow is how far ahead of the timestamps it issues the clock
// persists its high-water mark, so that not every reading is a write.
const reserveWindow = time.Second

// maxWall is the largest wall time a Timestamp can hold (48 bits of ms).
const maxWall = 1<<48 - 1

var (
	// ErrDrift reports a remote timestamp too far ahead of physical time to
	// adopt; the clock is left unchanged and the caller should log it.
	ErrDrift = errors.New("hlc: remote timestamp too far ahead of physical time")
	// ErrPersist reports that the clock's high-water mark could not be
	// loaded or saved.
	ErrPersist = errors.New("hlc: cannot persist clock")
)

// Persister keeps the clock's high-water mark across restarts. Load returns
// zero when nothing was saved yet. Save must be durable before it returns,
// or at least before any timestamp issued after it is made durable.
type Persister interface {
	Load() (Timestamp, error)
	Save(Timestamp) error
}

// Clock is a hybrid logical clock. Its readings strictly increase, also
// across restarts over the same Persister, whatever the physical clock does.
// It is safe for concurrent use.
type Clock struct {
	now      func() time.Time
	p        Persister
	maxDrift time.Duration

	mu sync.Mutex
	// behind is how far the physical clock reads behind the reference
	// time (a server's) it follows (see Follow).
	behind time.Duration
	last   Timestamp // greatest timestamp issued (or the loaded mark)
	mark   Timestamp // persisted high-water mark: every issued timestamp is below it
	err    error     // last persistence failure, nil after a successful save
}

// New returns a clock reading physical time from now and resuming above the
// mark saved in p. Remote timestamps more than maxDrift ahead of physical
// time are refused by Update; a non-positive maxDrift means DefaultMaxDrift.
func New(now func() time.Time, p Persister, maxDrift time.Duration) (*Clock, error) {
	if now == nil {
		return nil, errors.New("hlc: New needs a physical clock, got nil")
	}
	if p == nil {
		return nil, errors.New("hlc: New needs a Persister, got nil")
	}
	if maxDrift <= 0 {
		maxDrift = DefaultMaxDrift
	}
	mark, err := p.Load()
	if err != nil {
		return nil, fmt.Errorf("%w: load: %w", ErrPersist, err)
	}
	return &Clock{now: now, p: p, maxDrift: maxDrift, last: mark, mark: mark}, nil
}

// physical returns the physical clock as a timestamp with logical 0,
// clamped to what a Timestamp can hold (a clock reset to before 1970 reads
// as the epoch).
func (c *Clock) physical() (Timestamp, int64) {
	ms := c.now().Add(c.behind).UnixMilli()
	if ms < 0 {
		ms = 0
	}
	if ms > maxWall {
		ms = maxWall
	}
	return Make(ms, 0), ms
}

// Now returns a new timestamp for a local or send event: greater than every
// timestamp this clock (or an earlier clock over the same Persister) issued,
// and at least the physical time. When the logical counter would overflow,
// the wall part advances by one millisecond.
func (c *Clock) Now() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt, _ := c.physical()
	return c.issue(max(c.last+1, pt))
}

// Update merges a remote timestamp on receipt of a message and returns the
// new local reading, greater than both the previous reading and remote. A
// remote timestamp more than the clock's maxDrift ahead of physical time is
// not adopted: Update returns the last reading and an error wrapping
// ErrDrift and leaves the clock unchanged, so one device whose clock runs days ahead cannot drag
// every other clock forward.
func (c *Clock) Update(remote Timestamp) (Timestamp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pt, ms := c.physical()
	if ahead := time.Duration(remote.Wall()-ms) * time.Millisecond; ahead > c.maxDrift {
		return c.last, fmt.Errorf("%w: remote %s is %s ahead of local %s (max %s)",
			ErrDrift, remote, ahead, pt, c.maxDrift)
	}
	return c.issue(max(c.last+1, remote+1, pt)), nil
}

// issue records next as issued, first extending the persisted mark when
// next reaches it. If the mark cannot be saved, the clock keeps issuing
// below the old mark (its wall part stalls) and Err reports the failure;
// only when that room is exhausted does it issue above the mark.
func (c *Clock) issue(next Timestamp) Timestamp {
	if next >= c.mark {
		mark := Make(min(next.Wall()+reserveWindow.Milliseconds(), maxWall), 0)
		if err := c.p.Save(mark); err != nil {
			c.err = fmt.Errorf("%w: save %s: %w", ErrPersist, mark, err)
			if c.last+1 < c.mark {
				next = c.last + 1
			}
		} else {
			c.mark, c.err = mark, nil
		}
	}
	c.last = next
	return next
}

// Last returns the greatest timestamp issued so far (or the mark resumed
// from, before the first reading).
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Err returns the last failure to persist the high-water mark, or nil when
// the last save succeeded. While it is non-nil the clock's wall part stalls
// at the old mark.
func (c *Clock) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Follow makes the clock read physical time corrected by offset, the
// physical clock minus a reference time (a server's, learned at a sync):
// a device whose clock was reset to 1970 issues timestamps of the
// server's time, and adopts remote timestamps within maxDrift of that.
// An offset within tolerance leaves the physical clock as it is (small
// errors are bounded by the server's stamps anyway). Readings never go
// back: a correction that moves the physical time back only slows the
// wall part until it catches up.
func (c *Clock) Follow(offset, tolerance time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if offset <= tolerance && offset >= -tolerance {
		c.behind = 0
		return
	}
	c.behind = -offset
}

// Offset returns how far the local physical clock is ahead of remote (a
// server's time), negative when it is behind. The UI warns when its size
// exceeds the skew tolerance.
func (c *Clock) Offset(remote time.Time) time.Duration {
	return c.now().Sub(remote)
}
