package app

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// bridge is the one adapter between background work (store queries,
// writes, sync, store events) and the UI goroutine: work runs on its own
// goroutine and every result reaches widgets through fyne.Do. Nothing else
// in the UI starts goroutines.
//
// An inline bridge (tests) runs work and callbacks on the caller's
// goroutine, so tests need neither sleeps nor locks.
type bridge struct {
	inline bool

	mu     sync.Mutex
	timers map[string]*time.Timer
	fns    map[string]func()
	done   chan struct{} // closed by stop
	wg     sync.WaitGroup
}

func newBridge(inline bool) *bridge {
	return &bridge{inline: inline, timers: map[string]*time.Timer{}, fns: map[string]func(){}}
}

// post runs fn on the UI goroutine.
func (b *bridge) post(fn func()) {
	if b.inline {
		fn()
		return
	}
	fyne.Do(fn)
}

// run runs work off the UI goroutine and then done on the UI goroutine.
func (b *bridge) run(work func() error, done func(error)) {
	if b.inline {
		err := work()
		if done != nil {
			done(err)
		}
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		err := work()
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	}()
}

// Run is run, for the packages that take the bridge through an interface
// (app/county's Bridge).
func (b *bridge) Run(work func() error, done func(error)) { b.run(work, done) }

// Post is post, for the packages that take the bridge through an
// interface.
func (b *bridge) Post(fn func()) { b.post(fn) }

// debounce runs fn on the UI goroutine once no call with the same key has
// come for d. Inline bridges run fn at once.
func (b *bridge) debounce(key string, d time.Duration, fn func()) {
	if b.inline {
		fn()
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.timers[key]; ok {
		t.Stop()
	}
	b.fns[key] = fn
	b.timers[key] = time.AfterFunc(d, func() {
		b.mu.Lock()
		f, ok := b.fns[key]
		delete(b.timers, key)
		delete(b.fns, key)
		b.mu.Unlock()
		if ok {
			fyne.Do(f)
		}
	})
}

// after runs fn on the UI goroutine once d has passed. Inline bridges
// never run it: tests see the state before the time passes.
func (b *bridge) after(d time.Duration, fn func()) {
	if b.inline {
		return
	}
	time.AfterFunc(d, func() { fyne.Do(fn) })
}

// flush runs every pending debounced call now, on the caller's goroutine
// (the UI goroutine): drafts are written before the window closes.
func (b *bridge) flush() {
	b.mu.Lock()
	fns := make([]func(), 0, len(b.fns))
	for k, t := range b.timers {
		t.Stop()
		fns = append(fns, b.fns[k])
	}
	clear(b.timers)
	clear(b.fns)
	b.mu.Unlock()
	for _, fn := range fns {
		if fn != nil {
			fn()
		}
	}
}

// every runs fn on the UI goroutine every d until stop. Inline bridges
// do nothing (tests drive time themselves).
func (b *bridge) every(d time.Duration, fn func()) {
	if b.inline {
		return
	}
	b.mu.Lock()
	if b.done == nil {
		b.done = make(chan struct{})
	}
	done := b.done
	b.mu.Unlock()
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fyne.Do(fn)
			case <-done:
				return
			}
		}
	}()
}

// stop ends the periodic calls of every.
func (b *bridge) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done != nil {
		close(b.done)
		b.done = nil
	}
}

// wait waits for running background work to finish.
func (b *bridge) wait() { b.wg.Wait() }
