package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Store is what the review workflow needs of the device store.
type Store interface {
	Append(ctx context.Context, ch store.Change) (oplog.State, error)
	Get(id uuid.UUID) (oplog.State, error)
	List(q store.Query) (store.Page, error)
}

var _ Store = (*store.Store)(nil)

// Errors of the review actions; test with errors.Is. Store refusals
// (model.Admit's *model.Error values) are returned wrapped.
var (
	// ErrNotReviewable: the register has no review step.
	ErrNotReviewable = errors.New("该台账没有审核环节 / register has no review step")
	// ErrNotAwaiting: the record is not in a status awaiting review.
	ErrNotAwaiting = errors.New("记录不在待审核状态 / record is not awaiting review")
	// ErrForbidden: the role may not review (grid staff), or may not make
	// this move.
	ErrForbidden = errors.New("无审核权限 / role may not review")
	// ErrCommentRequired: a return needs a comment.
	ErrCommentRequired = errors.New("退回须填写审核意见 / a return needs a comment")
	// ErrLocked: grid staff edited an approved record that the register
	// does not let them reopen.
	ErrLocked = errors.New("记录已审核，不能修改 / record is approved and cannot be edited")
	// ErrNoSubmit: there is no move from the record's status into review
	// for the role.
	ErrNoSubmit = errors.New("当前状态不能提交审核 / record cannot be submitted from its status")
)

// gateOf returns the record's workflow and gate.
func gateOf(s Store, id uuid.UUID) (oplog.State, *Flow, Gate, error) {
	st, err := s.Get(id)
	if err != nil {
		return st, nil, Gate{}, fmt.Errorf("review: %w", err)
	}
	f, ok := FlowOf(st.Register)
	if !ok {
		return st, nil, Gate{}, fmt.Errorf("review: %s: %w", st.Register, ErrNotReviewable)
	}
	status := statusOf(&st)
	g, ok := f.Gate(status)
	if !ok {
		return st, f, Gate{}, fmt.Errorf("review: record %s in status %q: %w", id, status, ErrNotAwaiting)
	}
	return st, f, g, nil
}

func statusOf(st *oplog.State) string {
	s, _ := st.Value(model.FieldStatus).AsText()
	return s
}

// Approve moves a record awaiting review on to its gate's approved
// status, recording the reviewer and time and clearing the comment of an
// earlier return (it stays in the history).
func Approve(ctx context.Context, s Store, id uuid.UUID, reviewer string, role model.Role, now time.Time) (oplog.State, error) {
	return ApproveWith(ctx, s, id, reviewer, role, now, nil)
}

// ApproveWith approves as Approve does, writing in the same op the
// fields the reviewer fills in at approval (those only reviewers edit,
// such as 是否纳入年度任务, that the approved status requires).
func ApproveWith(ctx context.Context, s Store, id uuid.UUID, reviewer string, role model.Role, now time.Time, fields map[string]model.Value) (oplog.State, error) {
	_, _, g, err := gateOf(s, id)
	if err != nil {
		return oplog.State{}, err
	}
	if !slices.Contains(g.Approve.Roles, role) {
		return oplog.State{}, fmt.Errorf("review: approve %s as %s: %w", id, role, ErrForbidden)
	}
	// model.Admit stamps reviewed_by/at and clears the returned comment.
	set := map[string]model.Value{model.FieldStatus: model.Str(g.Approve.To)}
	if ids, err := patrolFirePoints(ctx, s, id, fields, reviewer, role, now); err != nil {
		return oplog.State{}, fmt.Errorf("review: approve %s: %w", id, err)
	} else if !ids.IsNull() {
		set[PatrolFirePoints] = ids
	}
	for k, v := range fields {
		if k != model.FieldStatus {
			set[k] = v
		}
	}
	st, err := s.Append(ctx, store.Change{Record: id, Author: reviewer, Role: role, Now: now, Set: set})
	if err != nil {
		return oplog.State{}, fmt.Errorf("review: approve %s: %w", id, err)
	}
	return st, nil
}

// Return sends a record awaiting review back with a comment.
func Return(ctx context.Context, s Store, id uuid.UUID, reviewer string, role model.Role, comment string, now time.Time) (oplog.State, error) {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return oplog.State{}, fmt.Errorf("review: return %s: %w", id, ErrCommentRequired)
	}
	_, _, g, err := gateOf(s, id)
	if err != nil {
		return oplog.State{}, err
	}
	if g.Return.To == "" || !slices.Contains(g.Return.Roles, role) {
		return oplog.State{}, fmt.Errorf("review: return %s as %s: %w", id, role, ErrForbidden)
	}
	st, err := s.Append(ctx, store.Change{Record: id, Author: reviewer, Role: role, Now: now, Set: map[string]model.Value{
		model.FieldStatus:        model.Str(g.Return.To),
		model.FieldReviewComment: model.Str(comment),
	}})
	if err != nil {
		return oplog.State{}, fmt.Errorf("review: return %s: %w", id, err)
	}
	return st, nil
}

// BulkResult is the outcome of BulkApprove.
type BulkResult struct {
	Approved []uuid.UUID
	// Failed holds the records that were not approved and why (another
	// reviewer moved them, validation, ...).
	Failed map[uuid.UUID]error
}

// BulkApprove approves each record in turn, one op per record; a record
// that cannot be approved is reported in Failed and the rest go on.
// progress, when not nil, is called after each record. It stops early,
// returning what was done and ctx's error, when ctx is cancelled.
func BulkApprove(ctx context.Context, s Store, ids []uuid.UUID, reviewer string, role model.Role, now time.Time, progress func(done, total int)) (BulkResult, error) {
	res := BulkResult{Failed: map[uuid.UUID]error{}}
	if role == model.RoleGrid {
		return res, fmt.Errorf("review: bulk approve as %s: %w", role, ErrForbidden)
	}
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if _, err := Approve(ctx, s, id, reviewer, role, now); err != nil {
			res.Failed[id] = err
		} else {
			res.Approved = append(res.Approved, id)
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return res, nil
}

// Submit moves a record into review by the role's transition from its
// status to a gate's submitted status (a first submission, or a
// resubmission after a return).
func Submit(ctx context.Context, s Store, id uuid.UUID, author string, role model.Role) (oplog.State, error) {
	st, err := s.Get(id)
	if err != nil {
		return oplog.State{}, fmt.Errorf("review: %w", err)
	}
	f, ok := FlowOf(st.Register)
	if !ok {
		return oplog.State{}, fmt.Errorf("review: %s: %w", st.Register, ErrNotReviewable)
	}
	from := statusOf(&st)
	for _, t := range f.Schema.NextStatuses(from, role) {
		if _, ok := f.Gate(t.To); ok && !model.ReviewerOnly(t) {
			out, err := s.Append(ctx, store.Change{Record: id, Author: author, Role: role,
				Set: map[string]model.Value{model.FieldStatus: model.Str(t.To)}})
			if err != nil {
				return oplog.State{}, fmt.Errorf("review: submit %s: %w", id, err)
			}
			return out, nil
		}
	}
	return oplog.State{}, fmt.Errorf("review: submit %s from %q as %s: %w", id, from, role, ErrNoSubmit)
}

// Edit appends ch. A grid edit of an approved record moves it back to
// review in the same op, or is refused when the register keeps approved
// records locked (errors.Is ErrLocked): model.Admit decides both.
func Edit(ctx context.Context, s Store, ch store.Change) (oplog.State, error) {
	st, err := s.Append(ctx, ch)
	if errors.Is(err, &model.Error{Kind: model.ErrForbidden, Code: "locked"}) {
		return oplog.State{}, fmt.Errorf("review: edit %s: %w: %w", ch.Record, ErrLocked, err)
	}
	if err != nil {
		return oplog.State{}, fmt.Errorf("review: edit: %w", err)
	}
	return st, nil
}
