package app

import (
	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/store"
)

// changes are the records the store events since the last redraw
// changed. They are gathered on the UI goroutine.
type changes struct {
	all bool // any record may have changed
	ids map[uuid.UUID]struct{}
}

// add merges a store event.
func (c *changes) add(ev store.Event) {
	if c.all {
		return
	}
	if ev.All || len(c.ids)+len(ev.Records) > store.MaxEventRecords {
		c.all, c.ids = true, nil
		return
	}
	if c.ids == nil {
		c.ids = make(map[uuid.UUID]struct{}, len(ev.Records))
	}
	for _, id := range ev.Records {
		c.ids[id] = struct{}{}
	}
}

// has reports whether record id may have changed.
func (c *changes) has(id uuid.UUID) bool {
	if c.all {
		return true
	}
	_, ok := c.ids[id]
	return ok
}

// take returns the changes gathered and starts afresh.
func (c *changes) take() changes {
	out := *c
	*c = changes{}
	return out
}

// rowRefresher is a page that redraws only the rows of the records that
// changed, when it can.
type rowRefresher interface{ refreshChanged(ch changes) }
