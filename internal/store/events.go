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
	// Rebuilt: every state was recomputed from the log (Rebuild).
	Rebuilt
)

// MaxEventRecords is the most record ids an Event lists; a change of more
// records (a large pull page, a rebuild) says All instead.
const MaxEventRecords = 1000

// Event tells subscribers which records changed.
type Event struct {
	Kind EventKind
	// Records are the records changed, in no promised order; nil when
	// All.
	Records []uuid.UUID
	// All: too many records changed to list (more than MaxEventRecords);
	// any record may have changed.
	All bool
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

// emit calls the subscribers with ev (when it changed any record),
// replacing a long list of records with All.
func (s *Store) emit(ev Event) {
	if len(ev.Records) > MaxEventRecords {
		ev.Records, ev.All = nil, true
	}
	if len(ev.Records) == 0 && !ev.All {
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
