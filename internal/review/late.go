package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// HistorySource is what reading edits after approval needs of a store.
type HistorySource interface {
	History(id uuid.UUID) ([]store.HistoryEntry, error)
}

var _ HistorySource = (*store.Store)(nil)

// LateEdit is one change made to a record after it was first approved.
type LateEdit struct {
	Op     oplog.OpID
	Author string
	Device uuid.UUID
	At     time.Time
	// Fields are the register's fields the change wrote, in key order
	// (status and review stamps left out).
	Fields []string
}

// AfterApproval is what happened to a record once it was first approved:
// when and by whom, and every change of its fields since (a reviewer's
// later moves and stamps are not changes of the record's content).
type AfterApproval struct {
	ApprovedAt time.Time // zero: never approved
	ApprovedBy string
	Edits      []LateEdit
}

// Approved reports whether the record was ever approved.
func (a AfterApproval) Approved() bool { return !a.ApprovedAt.IsZero() }

// Last is the latest edit after approval (ok false when none).
func (a AfterApproval) Last() (LateEdit, bool) {
	if len(a.Edits) == 0 {
		return LateEdit{}, false
	}
	return a.Edits[len(a.Edits)-1], true
}

// Mark is the short notice shown on the record, in the queue and in
// exports: "审核通过后修改 2 次（最近 张伟 2023-12-01 10:00）"; "" when
// there is no edit after approval.
func (a AfterApproval) Mark(lang string) string {
	e, ok := a.Last()
	if !ok {
		return ""
	}
	at := e.At.In(model.Beijing).Format("2006-01-02 15:04")
	return model.Text{
		ZH: fmt.Sprintf("审核通过后修改 %d 次（最近 %s %s）", len(a.Edits), e.Author, at),
		EN: fmt.Sprintf("changed %d× after approval (last %s %s)", len(a.Edits), e.Author, at),
	}.In(lang)
}

// stampFields are written by review steps, not by editing the record.
var stampFields = []string{model.FieldStatus, model.FieldReviewedBy, model.FieldReviewedAt, model.FieldReviewComment}

// LateEdits reads a record's history (store.History: oldest first) for
// the changes made to its approved values after its first approval: an
// approval is an op moving the record into a status some review gate
// approves into, and the approved values are the fields holding a value
// once it is made. Filling in a field later (a plan, a completion date,
// as the lifecycle goes on) changes nothing that was approved.
func LateEdits(sc *model.Schema, h []store.HistoryEntry) AfterApproval {
	f := model.NewFlow(sc)
	var out AfterApproval
	cur := map[string]model.Value{}
	var approved map[string]bool
	for _, e := range h {
		at := e.HLC.Time()
		if e.Eff != 0 {
			at = e.Eff.Time()
		}
		var fields []string
		for _, c := range e.Changes {
			if approved[c.Field] && !slices.Contains(stampFields, c.Field) && c.New != c.Old {
				fields = append(fields, c.Field)
			}
			cur[c.Field] = c.New
		}
		if len(fields) > 0 {
			out.Edits = append(out.Edits, LateEdit{Op: e.Op, Author: e.Author, Device: e.Device, At: at, Fields: fields})
		}
		if out.Approved() {
			continue
		}
		for _, c := range e.Changes {
			if s, _ := c.New.AsText(); c.Field == model.FieldStatus && f.IsApproved(s) {
				out.ApprovedAt, out.ApprovedBy = at, e.Author
				approved = map[string]bool{}
				for k, v := range cur {
					if !v.IsNull() {
						approved[k] = true
					}
				}
			}
		}
	}
	return out
}

// LateEditsOf reads record id's edits after approval from s.
func LateEditsOf(s HistorySource, sc *model.Schema, id uuid.UUID) (AfterApproval, error) {
	h, err := s.History(id)
	if err != nil {
		return AfterApproval{}, fmt.Errorf("review: history of %s: %w", id, err)
	}
	return LateEdits(sc, h), nil
}

// LateEditCount is, per county, how many records were changed after
// their approval, and how many such changes there were.
type LateEditCount struct {
	County  string
	Records int
	Edits   int
}

// CountLateEdits counts the records of county ("" for every county held)
// changed after their approval, per county, in county order. Only
// records a reviewer has stamped are read in full.
func CountLateEdits(ctx context.Context, s interface {
	HistorySource
	List(q store.Query) (store.Page, error)
}, county string) ([]LateEditCount, error) {
	by := map[string]*LateEditCount{}
	for _, f := range Flows() {
		q := store.Query{Register: f.Schema.Name, County: county, Limit: 1000}
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			page, err := s.List(q)
			if err != nil {
				return nil, fmt.Errorf("review: list %s: %w", f.Schema.Name, err)
			}
			for i := range page.Records {
				st := &page.Records[i]
				if st.Value(model.FieldReviewedBy).IsNull() {
					continue
				}
				a, err := LateEditsOf(s, f.Schema, st.Record)
				if err != nil {
					return nil, err
				}
				if len(a.Edits) == 0 {
					continue
				}
				c := by[st.County]
				if c == nil {
					c = &LateEditCount{County: st.County}
					by[st.County] = c
				}
				c.Records++
				c.Edits += len(a.Edits)
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	out := make([]LateEditCount, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b LateEditCount) int { return cmp.Compare(a.County, b.County) })
	return out, nil
}
