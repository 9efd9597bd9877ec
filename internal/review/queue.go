package review

import (
	"fmt"
	"sort"
	"time"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Filter selects the records of Queue. Empty fields do not filter.
type Filter struct {
	Register string // one register, or every reviewable one
	County   string
	Village  string
	// Status is one submitted status (of the register, or of any).
	Status string
	// OlderThan keeps records submitted at least this long ago.
	OlderThan time.Duration
	// Limit caps the number of items (0: no cap).
	Limit int
}

// Item is a record awaiting review.
type Item struct {
	State oplog.State
	Flow  *Flow
	Gate  Gate
	// Submitted is when the record entered its submitted status (the
	// time of the write that set it), and Waiting how long ago that is:
	// edits of other fields while it waits do not reset it.
	Submitted time.Time
	Waiting   time.Duration
	// Late holds the changes made since the record was first approved
	// (a reopened record back in review), read when the store keeps
	// histories (HistorySource) and a reviewer has stamped the record.
	Late AfterApproval
}

// pageSize is the store page Queue reads with.
const pageSize = 500

// Queue returns the records awaiting review that pass f, longest waiting
// first (then by record id, for a stable order).
func Queue(s Store, f Filter, now time.Time) ([]Item, error) {
	var flows []*Flow
	if f.Register != "" {
		fl, ok := FlowOf(f.Register)
		if !ok {
			return nil, fmt.Errorf("review: %s: %w", f.Register, ErrNotReviewable)
		}
		flows = []*Flow{fl}
	} else {
		flows = Flows()
	}
	var items []Item
	for _, fl := range flows {
		for _, g := range fl.Gates {
			if f.Status != "" && f.Status != g.Submitted {
				continue
			}
			q := store.Query{Register: fl.Schema.Name, County: f.County, Village: f.Village, Status: g.Submitted, Limit: pageSize}
			// OlderThan is checked on each record below: the store's
			// date filter is on the last change, which edits made
			// while the record waits move on.
			for {
				page, err := s.List(q)
				if err != nil {
					return nil, fmt.Errorf("review: queue %s: %w", fl.Schema.Name, err)
				}
				for _, st := range page.Records {
					sub := st.Fields[model.FieldStatus].Time.Time()
					if st.Fields[model.FieldStatus].Time == 0 {
						sub = st.Updated.Time()
					}
					it := Item{State: st, Flow: fl, Gate: g, Submitted: sub, Waiting: now.Sub(sub)}
					if f.OlderThan > 0 && it.Waiting < f.OlderThan {
						continue
					}
					if h, ok := s.(HistorySource); ok && !st.Value(model.FieldReviewedBy).IsNull() {
						if it.Late, err = LateEditsOf(h, fl.Schema, st.Record); err != nil {
							return nil, err
						}
					}
					items = append(items, it)
				}
				if page.Next == "" {
					break
				}
				q.After = page.Next
			}
		}
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].Submitted, items[j].Submitted
		if !a.Equal(b) {
			return a.Before(b)
		}
		return items[i].State.Record.String() < items[j].State.Record.String()
	})
	if f.Limit > 0 && len(items) > f.Limit {
		items = items[:f.Limit]
	}
	return items, nil
}
