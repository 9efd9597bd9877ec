package hlc

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeWall is a physical clock the test moves by hand.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

func newWall(t time.Time) *fakeWall { return &fakeWall{t: t} }

func (w *fakeWall) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.t
}

func (w *fakeWall) Set(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = t
}

func (w *fakeWall) Add(d time.Duration) { w.Set(w.Now().Add(d)) }

var base = time.Date(2024, 1, 15, 8, 0, 0, 0, time.UTC)

func newClock(t *testing.T, w *fakeWall, p Persister) *Clock {
	t.Helper()
	c, err := New(w.Now, p, time.Hour)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestNowStrictlyIncreases(t *testing.T) {
	tests := []struct {
		name string
		step func(w *fakeWall, i int)
	}{
		{"wall stands still", func(*fakeWall, int) {}},
		{"wall advances", func(w *fakeWall, _ int) { w.Add(time.Millisecond) }},
		{"wall jumps back hours", func(w *fakeWall, i int) {
			if i%100 == 50 {
				w.Add(-5 * time.Hour)
			}
		}},
		{"wall reset to 1970", func(w *fakeWall, i int) {
			if i == 10 {
				w.Set(time.Unix(0, 0))
			}
		}},
		{"wall before 1970", func(w *fakeWall, i int) {
			if i == 10 {
				w.Set(time.Unix(-86400, 0))
			}
		}},
		{"wall days ahead then corrected", func(w *fakeWall, i int) {
			switch i {
			case 10:
				w.Add(72 * time.Hour)
			case 20:
				w.Add(-72 * time.Hour)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWall(base)
			c := newClock(t, w, &MemoryPersister{})
			prev := c.Now()
			for i := range 200_000 {
				tt.step(w, i)
				got := c.Now()
				if got <= prev {
					t.Fatalf("step %d: got %s after %s; want greater", i, got, prev)
				}
				if phys := w.Now().UnixMilli(); got.Wall() < phys {
					t.Fatalf("step %d: got wall %d below physical %d", i, got.Wall(), phys)
				}
				prev = got
			}
		})
	}
}

func TestLogicalOverflowAdvancesWall(t *testing.T) {
	w := newWall(base)
	c := newClock(t, w, &MemoryPersister{})
	first := c.Now()
	var got Timestamp
	for range 1 << 16 {
		got = c.Now()
	}
	if want := Make(first.Wall()+1, 0); got != want {
		t.Errorf("got %s; want %s", got, want)
	}
}

func TestWallJumpBackKeepsWall(t *testing.T) {
	w := newWall(base)
	c := newClock(t, w, &MemoryPersister{})
	before := c.Now()
	w.Add(-3 * time.Hour)
	got := c.Now()
	if want := before + 1; got != want {
		t.Errorf("got %s; want %s", got, want)
	}
	w.Add(3*time.Hour + time.Second)
	if got, want := c.Now(), Make(w.Now().UnixMilli(), 0); got != want {
		t.Errorf("after catching up: got %s; want %s", got, want)
	}
}

func TestRestartResumesAbove(t *testing.T) {
	tests := []struct {
		name    string
		persist func(t *testing.T) Persister
		restart func(w *fakeWall)
	}{
		{"memory, same wall", func(*testing.T) Persister { return &MemoryPersister{} }, func(*fakeWall) {}},
		{"memory, wall back a day", func(*testing.T) Persister { return &MemoryPersister{} }, func(w *fakeWall) { w.Add(-24 * time.Hour) }},
		{"memory, wall reset to 1970", func(*testing.T) Persister { return &MemoryPersister{} }, func(w *fakeWall) { w.Set(time.Unix(0, 0)) }},
		{"file, wall back a day", func(t *testing.T) Persister {
			return FilePersister{Path: filepath.Join(t.TempDir(), "clock")}
		}, func(w *fakeWall) { w.Add(-24 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWall(base)
			p := tt.persist(t)
			c := newClock(t, w, p)
			var last Timestamp
			for i := range 5000 {
				if i%7 == 0 {
					w.Add(time.Millisecond)
				}
				last = c.Now()
			}
			tt.restart(w)
			c2 := newClock(t, w, p)
			if got := c2.Now(); got <= last {
				t.Errorf("after restart got %s; want above %s", got, last)
			}
		})
	}
}

func TestPersistsAheadOfUse(t *testing.T) {
	w := newWall(base)
	p := &MemoryPersister{}
	c := newClock(t, w, p)
	for range 1000 {
		w.Add(time.Millisecond) // one simulated second
		c.Now()
	}
	if got := p.Saves(); got > 2 {
		t.Errorf("got %d saves over one second of readings; want at most 2", got)
	}
	mark, _ := p.Load()
	if last := c.Last(); mark <= last {
		t.Errorf("got mark %s; want above last reading %s", mark, last)
	}
}

func TestSaveFailureStallsBelowMark(t *testing.T) {
	w := newWall(base)
	p := &MemoryPersister{}
	c := newClock(t, w, p)
	c.Now()
	mark, _ := p.Load()
	p.Fail = errors.New("disk full")
	w.Add(time.Hour)
	var prev Timestamp
	for i := range 1000 {
		got := c.Now()
		if got >= mark || got <= prev {
			t.Fatalf("reading %d: got %s; want in (%s, %s)", i, got, prev, mark)
		}
		prev = got
	}
	if err := c.Err(); !errors.Is(err, ErrPersist) {
		t.Errorf("got Err() %v; want ErrPersist", err)
	}
	p.Fail = nil
	if got := c.Now(); got.Wall() != w.Now().UnixMilli() {
		t.Errorf("after recovery got %s; want wall %d", got, w.Now().UnixMilli())
	}
	if err := c.Err(); err != nil {
		t.Errorf("after recovery got Err() %v; want nil", err)
	}
}

func TestUpdate(t *testing.T) {
	const drift = time.Hour
	now := Make(base.UnixMilli(), 0)
	tests := []struct {
		name    string
		last    Timestamp // reading before the update
		remote  Timestamp
		want    Timestamp
		wantErr error
	}{
		{"remote behind", now + 5, now - 1000, now + 6, nil},
		{"remote equal wall higher logical", now + 5, now + 9, now + 10, nil},
		{"remote ahead within drift", now, now.addMs(30 * 60 * 1000), now.addMs(30*60*1000) + 1, nil},
		{"remote at drift edge", now, now.addMs(3600 * 1000), now.addMs(3600*1000) + 1, nil},
		{"remote beyond drift", now, now.addMs(3600*1000 + 1), now, ErrDrift},
		{"remote days ahead", now, now.addMs(3 * 86400 * 1000), now, ErrDrift},
		{"remote logical overflow", now, Make(now.Wall(), 0xFFFF), Make(now.Wall()+1, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWall(base)
			c, err := New(w.Now, &MemoryPersister{Fail: nil}, drift)
			if err != nil {
				t.Fatal(err)
			}
			for c.Now() < tt.last {
			}
			got, err := c.Update(tt.remote)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v; want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
			if tt.wantErr != nil {
				if next := c.Now(); next != tt.last+1 {
					t.Errorf("clock changed by refused update: next reading %s; want %s", next, tt.last+1)
				}
			}
		})
	}
}

// addMs moves t by ms milliseconds of wall time.
func (t Timestamp) addMs(ms int64) Timestamp { return Make(t.Wall()+ms, t.Logical()) }

// A tablet days behind (dead battery) cannot tell that the remote time is
// right rather than its own wrong: it refuses to adopt it, keeps issuing
// increasing readings, and the UI warns from Offset. Its later edits still
// supersede what it saw through their parents (see oplog).
func TestDaysBehindRefusesRemote(t *testing.T) {
	w := newWall(base.Add(-10 * 24 * time.Hour))
	c := newClock(t, w, &MemoryPersister{})
	before := c.Now()
	remote := Make(base.UnixMilli(), 3)
	if _, err := c.Update(remote); !errors.Is(err, ErrDrift) {
		t.Fatalf("got error %v; want ErrDrift", err)
	}
	if got := c.Now(); got != before+1 {
		t.Errorf("got %s; want %s", got, before+1)
	}
	if got, want := c.Offset(base), -10*24*time.Hour; got != want {
		t.Errorf("got offset %s; want %s", got, want)
	}
}

func TestConcurrentNowMonotonic(t *testing.T) {
	w := newWall(base)
	c := newClock(t, w, &MemoryPersister{})
	const workers, each = 8, 2000
	results := make([][]Timestamp, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				if j%100 == 0 {
					w.Add(time.Millisecond)
				}
				if j%3 == 0 {
					c.Update(c.Last() + 5)
				}
				results[i] = append(results[i], c.Now())
			}
		}()
	}
	wg.Wait()
	seen := map[Timestamp]bool{}
	for i, rs := range results {
		for j, r := range rs {
			if j > 0 && r <= rs[j-1] {
				t.Fatalf("worker %d reading %d: got %s after %s", i, j, r, rs[j-1])
			}
			if seen[r] {
				t.Fatalf("worker %d: reading %s issued twice", i, r)
			}
			seen[r] = true
		}
	}
}

func TestOffset(t *testing.T) {
	w := newWall(base)
	c := newClock(t, w, &MemoryPersister{})
	tests := []struct {
		remote time.Time
		want   time.Duration
	}{
		{base, 0},
		{base.Add(-2 * time.Hour), 2 * time.Hour},
		{base.Add(72 * time.Hour), -72 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.want.String(), func(t *testing.T) {
			if got := c.Offset(tt.remote); got != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	loadErr := errors.New("corrupt")
	tests := []struct {
		name    string
		now     func() time.Time
		p       Persister
		wantErr error
	}{
		{"nil now", nil, &MemoryPersister{}, nil},
		{"nil persister", time.Now, nil, nil},
		{"load fails", time.Now, failingLoad{loadErr}, ErrPersist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.now, tt.p, 0)
			if err == nil {
				t.Fatal("got nil error; want one")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v; want %v", err, tt.wantErr)
			}
		})
	}
}

type failingLoad struct{ err error }

func (f failingLoad) Load() (Timestamp, error) { return 0, f.err }
func (f failingLoad) Save(Timestamp) error     { return nil }

func TestFilePersisterRejectsBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clock")
	p := FilePersister{Path: path}
	if got, err := p.Load(); err != nil || got != 0 {
		t.Fatalf("missing file: got %s, %v; want 0, nil", got, err)
	}
	if err := p.Save(42); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Load(); err != nil || got != 42 {
		t.Fatalf("got %s, %v; want 42, nil", got, err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Load(); err == nil {
		t.Error("got nil error for a 5-byte clock file; want one")
	}
}

// TestFollow: a clock reset to 1970 that learns the server's time reads
// the server's time and adopts remote timestamps of it; an offset within
// tolerance leaves the physical clock as it is; a correction back never
// makes readings go back; Offset still measures the physical clock.
func TestFollow(t *testing.T) {
	w := newWall(time.Date(1970, 1, 1, 0, 0, 5, 0, time.UTC))
	c := newClock(t, w, &MemoryPersister{})
	offset := w.Now().Sub(base) // decades behind
	c.Follow(offset, 5*time.Minute)
	if got := c.Now().Wall(); got < base.UnixMilli() || got > base.UnixMilli()+1 {
		t.Errorf("following: got wall %d; want the server's %d", got, base.UnixMilli())
	}
	if _, err := c.Update(Make(base.Add(time.Minute).UnixMilli(), 0)); err != nil {
		t.Errorf("following, a remote timestamp of the server's time: %v", err)
	}
	if got := c.Offset(base); got != offset {
		t.Errorf("Offset: got %s; want the physical clock's %s", got, offset)
	}

	w2 := newWall(base.Add(2 * time.Minute))
	c2 := newClock(t, w2, &MemoryPersister{})
	c2.Follow(2*time.Minute, 5*time.Minute)
	if got := c2.Now().Wall(); got != base.Add(2*time.Minute).UnixMilli() {
		t.Errorf("within tolerance: got wall %d; want the physical %d", got, base.Add(2*time.Minute).UnixMilli())
	}
	c2.Follow(time.Hour, 5*time.Minute) // an hour ahead: read an hour back
	prev := c2.Last()
	if got := c2.Now(); got <= prev || got.Wall() != prev.Wall() {
		t.Errorf("a correction back: got %s after %s; want the wall part held, the reading still rising", got, prev)
	}
	w2.Add(2 * time.Hour)
	if got, want := c2.Now().Wall(), base.Add(time.Hour+2*time.Minute).UnixMilli(); got != want {
		t.Errorf("once caught up: got wall %d; want %d", got, want)
	}
}
