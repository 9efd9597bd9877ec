package model

import (
	"errors"
	"slices"
	"sort"
	"time"
)

// Author is who proposes a change: the user's name (recorded in
// created_by and reviewed_by), their role, and the part of the province
// their device is enrolled for.
type Author struct {
	Name string
	// Role is what the author may do. Empty on a replica that does not
	// know the role of the device that made an op: the role's rules are
	// then left to the server, which always knows it.
	Role Role
	// County is the one county the author may write, "" for a
	// province-wide author or when not known.
	County string
	// Province is the province the author may write in, "" when not
	// known.
	Province string
}

// Change is a change of one record put to Admit.
type Change struct {
	// Register and County of the record. For an existing record either may
	// be empty (then the record's own); set, they must be the record's.
	Register, County string
	// Set holds the fields written; Null clears a field. Deleting is
	// setting FieldDeleted to true, undeleting to false.
	Set map[string]Value
	// Author makes the change.
	Author Author
	// Now is the time of the change (created_at, reviewed_at, and the
	// "not in the future" rules).
	Now time.Time
	// Gazetteer holds the counties in scope; nil means the one installed
	// with SetGazetteer (and with none, only a code's shape is checked).
	Gazetteer *Gazetteer
	// Made marks a change already made and signed on a device: an op being
	// applied, imported or ingested. Replicas receive ops in different
	// orders, so a made change is judged only by the rules that give the
	// same answer in every order (see Admit); the rules that need the
	// current state were applied on the device that made it.
	Made bool
}

// Admitted is what an admitted change writes.
type Admitted struct {
	// Register and County of the record.
	Register, County string
	// Set is the fields to write: the change's own, with the initial
	// status of a new record, created and reviewed stamps, a reopened
	// status and derived values. For a made change it is the change's Set.
	Set map[string]Value
	// Record is the record as it will be (not filled for a made change).
	Record Record
}

// Admit decides whether a change may be made to a record of sc (nil: the
// register named by cur or ch), given the record as it stands (cur, nil
// for a new record). It is the one place that rule is written: the form,
// the device store's Append, remote apply, bundle import and the server's
// ingest all call it. It does no I/O.
//
// Every change, made or not, must:
//   - keep the record's register and county for life (ErrScope);
//   - name a known register (ErrSchema) and a county in scope of the
//     gazetteer and of the author (ErrScope);
//   - be made by a role that may create records of the register when it
//     creates one (Schema.CreateRoles; ErrForbidden);
//   - hold valid values of known fields (ErrInvalid), and set only fields
//     the author's role may edit (ErrForbidden: fields with EditRoles,
//     reviewed_by/reviewed_at for reviewers only), and only statuses the
//     role may bring a record into (ErrForbidden).
//
// A change being made on this device (not Made) must also:
//   - not touch a deleted record but to undelete it (ErrDeleted);
//   - move the status only by a transition the role may make, with a
//     review comment where the move needs one; a new record starts in
//     the register's initial status;
//   - not type computed fields, nor created_by/created_at;
//   - leave a valid record (ErrInvalid, every field's errors at once).
//
// and Admit writes for it: created_by/created_at on a new record, the
// clearing of values in fields the change makes irrelevant (see
// Field.Relevant),
// reviewed_by/reviewed_at on a reviewer's status move (an approval clears
// the comment of an earlier return; it stays in the history), the status
// a grid edit of an approved record reopens it to (or ErrForbidden when
// the register keeps approved records locked), and derived values.
//
// Errors are *Error values, joined when several fields fail; FieldErrors
// lists them by field and KindOf gives the first one's kind.
func Admit(sc *Schema, cur *Record, ch Change) (Admitted, error) {
	sc, reg, county, err := admitTarget(sc, cur, ch)
	if err != nil {
		return Admitted{}, err
	}
	if err := admitCreate(sc, cur, ch); err != nil {
		return Admitted{}, err
	}
	set := ch.Set
	if !ch.Made {
		set = make(map[string]Value, len(ch.Set)+4)
		for k, v := range ch.Set {
			set[k] = v
		}
	}
	// Rules that hold in every order: values, editable fields, statuses
	// the role may enter.
	a := admission{sc: sc, ch: ch, set: set, county: county}
	a.checkValues()
	if ch.Made {
		if err := joinSorted(a.errs); err != nil {
			return Admitted{}, err
		}
		return Admitted{Register: reg, County: county, Set: set}, nil
	}
	// Rules of a change being made here, on the record as it stands.
	if cur != nil {
		a.cur = cur.Fields
	}
	if err := a.checkLocal(cur != nil); err != nil {
		return Admitted{}, err
	}
	rec := a.record(reg, county)
	if err := joinSorted(a.errs); err != nil {
		return Admitted{}, err
	}
	return Admitted{Register: reg, County: county, Set: set, Record: rec}, nil
}

// admitOp names Admit in its errors.
const admitOp = "admit"

// admitTarget resolves the register and county a change writes (a
// record's own when the change leaves them empty) and its schema, and
// checks that the record keeps them and that the county is in scope.
func admitTarget(sc *Schema, cur *Record, ch Change) (*Schema, string, string, error) {
	reg, county := ch.Register, ch.County
	if cur != nil {
		if reg == "" {
			reg = cur.Register
		}
		if county == "" {
			county = cur.County
		}
		if err := KeepsRecord(cur.Register, cur.County, reg, county); err != nil {
			return nil, "", "", err
		}
	}
	if sc == nil {
		var ok bool
		if sc, ok = Lookup(reg); !ok {
			return nil, "", "", E(admitOp, ErrSchema, CodeName("unknown_register"), msg("未知的台账 %s", "unknown register %s", reg))
		}
	} else if reg != sc.Name {
		if reg != "" {
			return nil, "", "", E(admitOp, ErrSchema, CodeName("unknown_register"), msg("台账 %s 不是 %s", "register %s is not %s", reg, sc.Name))
		}
		reg = sc.Name
	}
	if err := admitCounty(county, ch.Author, ch.Gazetteer); err != nil {
		return nil, "", "", err
	}
	return sc, reg, county, nil
}

// ErrCreateForbidden matches (errors.Is) Admit's refusal of a new record
// by a role that may not create records of its register.
var ErrCreateForbidden = &Error{Kind: ErrForbidden, Code: "create"}

// admitCreate checks that the author's role may create records of sc
// when the change creates one: a change made here creates the record when
// there is none (cur nil); a made op, when it carries created_by, which
// Admit writes into every new record and lets no edit set, so the answer
// is the same in every order.
func admitCreate(sc *Schema, cur *Record, ch Change) error {
	creates := cur == nil
	if ch.Made {
		_, creates = ch.Set[FieldCreatedBy]
	}
	if !creates || sc.MayCreate(ch.Author.Role) {
		return nil
	}
	return E(admitOp, ErrForbidden, CodeName("create"), msg(
		"角色 %s 不能新建“%s”记录，请联系县生态环境局", "role %s may not create %s records; ask the county bureau",
		ch.Author.Role, sc.Label.ZH, ch.Author.Role, sc.Label.EN))
}

// admission is one change being judged: the fields it writes (set, which
// the local rules complete with stamps, status and derived values), the
// record's current fields and the errors found so far, per field.
type admission struct {
	sc     *Schema
	ch     Change
	county string
	set    map[string]Value
	cur    map[string]Value
	errs   []error
}

func (a *admission) fieldErr(kind ErrorKind, k string, t Text) {
	a.errs = append(a.errs, &Error{Op: admitOp, Kind: kind, Field: k, Msg: t})
}

// failed reports whether field k has an error already.
func (a *admission) failed(k string) bool { return slices.ContainsFunc(a.errs, isField(k)) }

// checkValues applies the rules that give the same answer in every
// order: valid values of known fields, fields and statuses the role may
// write.
func (a *admission) checkValues() {
	for k, v := range a.set {
		if fe := a.sc.ValidateValue(k, v); fe != nil {
			a.fieldErr(ErrInvalid, fe.Field, fe.Msg)
			continue
		}
		if f, ok := a.sc.Field(k); ok && f.Place != 0 {
			// A place of another county is refused in every order: the
			// record keeps its county for life.
			if t := PlaceError(f, v, a.county, a.set[FieldTownship]); t != nil {
				a.fieldErr(ErrInvalid, k, *t)
				continue
			}
		}
		if t := forbiddenField(a.sc, k, v, a.ch.Author.Role); t != nil {
			a.fieldErr(ErrForbidden, k, *t)
		}
	}
}

// checkLocal applies the rules of a change made on this device to the
// record as it stands (exists: the record exists), and adds the stamps
// and the status they call for. A deleted or locked record fails at once.
func (a *admission) checkLocal(exists bool) error {
	sc, set, ch := a.sc, a.set, a.ch
	if exists && a.cur[FieldDeleted] == Bool(true) {
		if v, ok := set[FieldDeleted]; !ok || v != Bool(false) {
			return E(admitOp, ErrDeleted, msg("记录已删除，只能恢复", "the record is deleted; it can only be restored"))
		}
	}
	for k := range set {
		if f, ok := sc.Field(k); ok && f.Computed && !a.failed(k) {
			a.fieldErr(ErrForbidden, k, msg("%s：该字段自动计算，不能填写", "%s: computed field; cannot be set", f.Label.ZH, f.Label.EN))
		}
		if (k == FieldCreatedBy || k == FieldCreatedAt) && exists {
			a.fieldErr(ErrForbidden, k, msg("填报人和填报时间由系统记录，不能修改", "created by/at are recorded by the app and cannot be changed"))
		}
	}
	from := textOf(a.cur[FieldStatus])
	if !exists {
		from = sc.Initial
		set[FieldCreatedBy] = Str(ch.Author.Name)
		set[FieldCreatedAt] = DateTimeValue(ch.Now)
		if _, ok := set[FieldStatus]; !ok && sc.Initial != "" {
			set[FieldStatus] = Str(sc.Initial)
		}
	}
	if _, moves := set[FieldStatus]; !moves && exists && ch.Author.Role == RoleGrid && len(set) > 0 {
		// A grid edit of an approved record sends it back to review.
		if f := NewFlow(sc); f.IsApproved(from) {
			to, ok := f.Reopen(from)
			if !ok {
				return E(admitOp, ErrForbidden, CodeName("locked"), FieldName(FieldStatus),
					msg("记录已审核，不能修改", "the record is approved and can no longer be edited"))
			}
			set[FieldStatus] = Str(to)
		}
	}
	if v, ok := set[FieldStatus]; ok {
		if to := textOf(v); to != from {
			if err := admitTransition(sc, from, to, ch, set, a.cur); err != nil {
				a.errs = append(a.errs, err)
			}
		}
	}
	return nil
}

// record returns the record as it will be, derived fields and all, and
// adds the errors of the whole record (every field's at once) that no
// field has already.
func (a *admission) record(reg, county string) Record {
	sc, set := a.sc, a.set
	rec := Record{Register: reg, County: county, Fields: make(map[string]Value, len(a.cur)+len(set)), Now: a.ch.Now}
	for k, v := range a.cur {
		rec.Fields[k] = v
	}
	for k, v := range set {
		if a.failed(k) {
			continue // judged already; keep the rest's errors apart
		}
		if v.IsNull() {
			delete(rec.Fields, k)
		} else {
			rec.Fields[k] = v
		}
	}
	if sc.Derive != nil {
		for k, v := range sc.Derive(rec) {
			if rec.Fields[k] != v {
				set[k] = v
				if v.IsNull() {
					delete(rec.Fields, k)
				} else {
					rec.Fields[k] = v
				}
			}
		}
	}
	a.clearIrrelevant(rec)
	if rec.Fields[FieldDeleted] != Bool(true) {
		for _, fe := range sc.Validate(rec) {
			if !a.failed(fe.Field) {
				a.fieldErr(ErrInvalid, fe.Field, fe.Msg)
			}
		}
	}
	return rec
}

// clearIrrelevant drops the values of fields that do not apply to the
// record as it will be (Schema.Irrelevant), as XLSForm does on save: a
// value typed into such a field is not written, and a stored one is
// cleared (it stays in the history). Only fields the author's role may
// edit are cleared, so that a change never writes a field its author may
// not; another role's field keeps its value, hidden and not required.
// Clearing one field can make another irrelevant (a detail of a cleared
// answer), so it repeats until nothing changes.
func (a *admission) clearIrrelevant(rec Record) {
	for changed := true; changed; {
		changed = false
		for _, k := range a.sc.Irrelevant(rec) {
			f, _ := a.sc.Field(k)
			if isEmpty(rec.Fields[k]) || !f.EditableBy(a.ch.Author.Role) || a.failed(k) {
				continue
			}
			delete(rec.Fields, k)
			if a.cur[k].IsNull() {
				delete(a.set, k)
			} else {
				a.set[k] = Null
			}
			changed = true
		}
	}
}

// KeepsRecord is Admit's first rule, for callers that hold only a
// record's register and county (a replica's batch, the server's record
// index): a record keeps its register and county for life, so a change
// naming others is refused (ErrScope), whoever signed it.
func KeepsRecord(recRegister, recCounty, register, county string) error {
	if register == recRegister && county == recCounty {
		return nil
	}
	return E(admitOp, ErrScope, CodeName("record_moved"), FieldName("county"), msg(
		"记录属于 %s/%s，不能改为 %s/%s（记录的台账和区县不能变更）",
		"record is %s/%s, not %s/%s (a record keeps its register and county)",
		recRegister, recCounty, register, county))
}

// admitCounty checks that county is a county of the gazetteer in the
// author's scope.
func admitCounty(county string, a Author, g *Gazetteer) error {
	if county == "" {
		return E(admitOp, ErrInvalid, FieldName("county"), Text{ZH: "缺少县（区）", EN: "county is missing"})
	}
	out := func(zh, en string) error {
		return E(admitOp, ErrScope, CodeName("scope"), FieldName("county"), msg(zh, en, county, county))
	}
	if a.County != "" && a.County != county {
		return out("区县 %s 不在本设备的权限范围内", "county %s is outside this device's scope")
	}
	if g == nil {
		g = DefaultGazetteer()
	}
	if g == nil {
		if !validCountyCode(county) {
			return out("未知的区县代码 %s", "unknown county code %s")
		}
		return nil
	}
	p, ok := g.ProvinceOf(county)
	if !ok {
		return out("未知的区县代码 %s", "unknown county code %s")
	}
	if a.Province != "" && p.Code != a.Province {
		return out("区县 %s 不在本设备的权限范围内", "county %s is outside this device's scope")
	}
	return nil
}

// forbiddenField says why role may not set field k to v, or nil. An
// empty role (not known here) is left to the server.
func forbiddenField(sc *Schema, k string, v Value, role Role) *Text {
	if role == "" {
		return nil
	}
	if k == FieldStatus {
		to := textOf(v)
		if to == "" || to == sc.Initial || entersStatus(sc, to, role) {
			return nil
		}
		t := msg("角色 %s 不能把记录置为“%s”", "role %s may not put a record into status %s", role, statusLabel(sc, to).ZH, role, statusLabel(sc, to).EN)
		return &t
	}
	f, ok := sc.FieldOrReserved(k)
	if !ok || f.EditableBy(role) || f.Computed {
		// Computed fields travel in made ops (derived on the device).
		return nil
	}
	t := msg("%s：无权修改此字段（角色 %s）", "%s: role %s may not set this field", f.Label.ZH, role, f.Label.EN, role)
	return &t
}

// entersStatus reports whether some transition role may make leads to
// status.
func entersStatus(sc *Schema, status string, role Role) bool {
	for _, t := range sc.Transitions {
		if t.To == status && slices.Contains(t.Roles, role) {
			return true
		}
	}
	return false
}

// admitTransition checks a status move from → to of a change being made
// and stamps it: a reviewer's move records who and when, an approval
// clears an earlier return's comment.
func admitTransition(sc *Schema, from, to string, ch Change, set, cur map[string]Value) error {
	tr, err := sc.Transition(from, to, ch.Author.Role)
	if err != nil {
		te := err.(*TransitionError)
		return &Error{Op: admitOp, Kind: ErrForbidden, Code: "transition", Field: FieldStatus, Msg: te.Msg, Err: err}
	}
	if ch.Author.Role == RoleCounty || ch.Author.Role == RoleProvince {
		set[FieldReviewedBy] = Str(ch.Author.Name)
		set[FieldReviewedAt] = DateTimeValue(ch.Now)
		if g, ok := NewFlow(sc).Gate(from); ok && g.Approve.To == to {
			if _, ok := set[FieldReviewComment]; !ok && !cur[FieldReviewComment].IsNull() {
				set[FieldReviewComment] = Null
			}
		}
	}
	if tr.Comment && textOf(set[FieldReviewComment]) == "" {
		return &Error{Op: admitOp, Kind: ErrInvalid, Field: FieldReviewComment,
			Msg: Text{ZH: "此操作需要填写审核意见", EN: "this step needs a review comment"}}
	}
	return nil
}

func statusLabel(sc *Schema, key string) Text {
	if st, ok := sc.Status(key); ok {
		return st.Label
	}
	return Text{ZH: key, EN: key}
}

// EditableFields returns the fields of sc that role may type in a form:
// not computed, and not limited to other roles. The form shows the others
// read-only and never sends them.
func (s *Schema) EditableFields(role Role) []string {
	var out []string
	for i := range s.Fields {
		if s.Fields[i].EditableBy(role) {
			out = append(out, s.Fields[i].Key)
		}
	}
	return out
}

func isField(k string) func(error) bool {
	return func(err error) bool {
		e, ok := err.(*Error)
		return ok && e.Field == k
	}
}

// joinSorted joins field errors in field order (the order of the map they
// came from is random), or returns nil.
func joinSorted(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].(*Error).Field < errs[j].(*Error).Field })
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

func textOf(v Value) string {
	s, _ := v.AsText()
	return s
}

// Beijing is the time zone of every datetime value and display (UTC+8,
// no daylight saving).
var Beijing = time.FixedZone("CST", 8*3600)

// DateTimeValue is t as a datetime field value (Beijing time, minute
// precision).
func DateTimeValue(t time.Time) Value {
	return Str(t.In(Beijing).Format(LayoutDateTime))
}
