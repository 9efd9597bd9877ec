package store

import "github.com/google/uuid"

// EventKind says what changed the store.
type EventKind int

// Event kinds.
const (
	// Appended: a local change (Append).
	Appended EventKind = iota + 1
	// Applied: remote ops were applied (Apply, ApplyPage).
	Applied
	// Stamped: server stamps were recorded (Stamp).
	Stamped
)

// Event tells subscribers which records changed.
type Event struct {
	Kind    EventKind
	Records []uuid.UUID
}

// Subscribe calls fn after every committed change, outside the store's
// transaction and locks, in the goroutine that made the change. The
// returned cancel stops the calls.
func (s *Store) Subscribe(fn func(Event)) (cancel func()) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.subSeq++
	id := s.subSeq
	s.subs[id] = fn
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		delete(s.subs, id)
	}
}

// emit calls the subscribers with ev.
func (s *Store) emit(ev Event) {
	if len(ev.Records) == 0 {
		return
	}
	s.subMu.Lock()
	fns := make([]func(Event), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}
