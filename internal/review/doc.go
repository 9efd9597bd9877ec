// Package review is the county bureau's review workflow over the device
// store: the queue of records awaiting review, approving, returning with a
// comment, bulk approval, and edits by grid staff that reopen review of an
// approved record. Every action is one store.Append op, so it is signed
// and kept in the record's history.
//
// The review steps of a register are derived from its schema (see Flow):
// model.Transition has no explicit review marker, so a transition that
// only county or province roles may make is a review move, one with
// Comment set is a return, and one without is an approval.
package review
