package model

import (
	"errors"
	"strings"
)

// ErrorKind classifies an Error: what went wrong, independent of where. Kinds
// travel on the wire (as their number and their name) and are stored in
// held-change reasons, so the list is append-only: a kind is never
// renumbered or removed, new kinds go at the end.
type ErrorKind uint8

// The kinds of Error. Append only.
const (
	// ErrUnclassified: not classified.
	ErrUnclassified ErrorKind = iota
	// ErrInvalid: a value or a record fails its register's validation.
	ErrInvalid
	// ErrForbidden: the author's role may not make this change (a field
	// reserved to other roles, a status move not theirs).
	ErrForbidden
	// ErrScope: outside the author's county or province, or a change of a
	// record's register or county (a record keeps both for life).
	ErrScope
	// ErrSchema: an unknown register or field, or a malformed op.
	ErrSchema
	// ErrDeleted: a change to a deleted record other than undeleting it.
	ErrDeleted
	// ErrNotFound: no such record, op, blob, device or key.
	ErrNotFound
	// ErrSignature: a signature does not verify with its device's key.
	ErrSignature
	// ErrChain: a device's hash chain is broken, has a gap or forks.
	ErrChain
	// ErrUnauthorized: no, a wrong or a revoked enrollment, token or code.
	ErrUnauthorized
	// ErrNetwork: the server could not be reached or the connection broke;
	// trying again later is the cure.
	ErrNetwork
	// ErrBusy: the server is busy or shutting down; try again later.
	ErrBusy
	// ErrTooLarge: a body, batch or blob over a limit.
	ErrTooLarge
	// ErrConflict: the other side expects something else (a sequence gap,
	// an upload offset, a cursor past the end).
	ErrConflict
	// ErrStorage: the local or the server's store failed.
	ErrStorage
	// ErrPassphrase: a store's passphrase is missing or wrong.
	ErrPassphrase
	// ErrBadInput: a request, file or bundle that cannot be read.
	ErrBadInput
	// ErrInternal: a bug or an unexpected failure on the other side.
	ErrInternal
)

var kindNames = [...]string{
	ErrUnclassified: "other",
	ErrInvalid:      "invalid",
	ErrForbidden:    "forbidden",
	ErrScope:        "scope",
	ErrSchema:       "schema",
	ErrDeleted:      "deleted",
	ErrNotFound:     "not_found",
	ErrSignature:    "signature",
	ErrChain:        "chain",
	ErrUnauthorized: "unauthorized",
	ErrNetwork:      "network",
	ErrBusy:         "busy",
	ErrTooLarge:     "too_large",
	ErrConflict:     "conflict",
	ErrStorage:      "storage",
	ErrPassphrase:   "passphrase",
	ErrBadInput:     "bad_input",
	ErrInternal:     "internal",
}

// String is the kind's stable name ("invalid", "scope", ...).
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind" + itoa(int(k))
}

// Error makes a kind a sentinel: errors.Is(err, model.ErrScope) holds for
// every *Error of that kind in err's tree.
func (k ErrorKind) Error() string { return "lantian: " + k.String() }

// KindNamed returns the kind of a stable name, ErrUnclassified when unknown (a
// newer peer's kind reads as unclassified, never as another kind).
func KindNamed(name string) ErrorKind {
	for k, n := range kindNames {
		if n == name {
			return ErrorKind(k)
		}
	}
	return ErrUnclassified
}

// MarshalText writes the kind's name (JSON bodies carry names, so a kind
// added later reads as ErrUnclassified on an older peer).
func (k ErrorKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *ErrorKind) UnmarshalText(b []byte) error {
	*k = KindNamed(string(b))
	return nil
}

// Error is Lantian's one error type, in the manner of upspin's errors.E:
// the operation that failed, its Kind, a stable machine-readable Code, a
// message for a person in both languages, the field it is about, and the
// cause. It is what the form shows under a field, what the store returns,
// what the server sends as a refusal and what the client decodes, so a
// rule's words are written once.
//
// Kinds are sentinels: errors.Is(err, model.ErrScope) holds for every
// scope error. Two Errors match under errors.Is when the target's set
// parts (Kind, Code, Field) are equal to the error's, so a sentinel of
// Code "gap" matches every gap error.
type Error struct {
	// Op is the operation that failed ("append", "push", "import", ...).
	Op string `json:"op,omitempty"`
	// Kind classifies the failure.
	Kind ErrorKind `json:"kind"`
	// Code is a stable reason within a kind ("gap", "bad_offset", ...).
	Code string `json:"code,omitempty"`
	// Msg explains the error to a person, in Chinese and English.
	Msg Text `json:"msg"`
	// Field is the field the error is about, when it is about one.
	Field string `json:"field,omitempty"`
	// Err is the cause; it does not travel.
	Err error `json:"-"`
}

// E builds an Error. Each argument sets the part of its type: a string is
// Op, a Kind is Kind, a Text is Msg, a FieldName is Field, a CodeName is
// Code, an error is Err. An *Error cause lends its Kind, Code, Msg and
// Field where E's arguments leave them unset.
func E(args ...any) *Error {
	e := &Error{}
	for _, a := range args {
		switch a := a.(type) {
		case string:
			e.Op = a
		case ErrorKind:
			e.Kind = a
		case Text:
			e.Msg = a
		case FieldName:
			e.Field = string(a)
		case CodeName:
			e.Code = string(a)
		case *Error:
			e.Err = a
		case error:
			e.Err = a
		}
	}
	var c *Error
	if errors.As(e.Err, &c) {
		if e.Kind == ErrUnclassified {
			e.Kind = c.Kind
		}
		if e.Code == "" {
			e.Code = c.Code
		}
		if e.Msg == (Text{}) {
			e.Msg = c.Msg
		}
		if e.Field == "" {
			e.Field = c.Field
		}
	}
	return e
}

// FieldName is a field key given to E.
type FieldName string

// CodeName is an error code given to E.
type CodeName string

// Error renders the error: op, field, both languages and the cause.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	switch {
	case e.Msg.ZH != "" || e.Msg.EN != "":
		b.WriteString(e.Msg.ZH)
		b.WriteString(" / ")
		b.WriteString(e.Msg.EN)
	case e.Code != "":
		b.WriteString(e.Code)
	default:
		b.WriteString(e.Kind.String())
	}
	if e.Err != nil {
		var c *Error
		if !errors.As(e.Err, &c) || c.Msg != e.Msg {
			b.WriteString(": ")
			b.WriteString(e.Err.Error())
		} else if c.Err != nil {
			b.WriteString(": ")
			b.WriteString(c.Err.Error())
		}
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's kind, or an *Error whose set Kind,
// Code and Field equal e's (a target with none set matches nothing).
func (e *Error) Is(target error) bool {
	if k, ok := target.(ErrorKind); ok {
		return k == e.Kind && k != ErrUnclassified
	}
	t, ok := target.(*Error)
	if !ok || t.Kind == ErrUnclassified && t.Code == "" && t.Field == "" {
		return false
	}
	return (t.Kind == ErrUnclassified || t.Kind == e.Kind) &&
		(t.Code == "" || t.Code == e.Code) &&
		(t.Field == "" || t.Field == e.Field)
}

// KindOf returns the Kind of the first *Error in err's tree, ErrUnclassified
// when there is none.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrUnclassified
}

// MsgOf returns the person-facing text of the first *Error in err's tree
// that has one, and whether there was one.
func MsgOf(err error) (Text, bool) {
	for _, e := range all(err) {
		if e.Msg != (Text{}) {
			return e.Msg, true
		}
	}
	return Text{}, false
}

// FieldErrors returns every field's error in err's tree (errors.Join of
// field errors, as Admit returns them), in the order they were joined.
func FieldErrors(err error) []FieldError {
	var out []FieldError
	for _, e := range all(err) {
		if e.Field != "" {
			out = append(out, FieldError{Field: e.Field, Msg: e.Msg})
		}
	}
	return out
}

// all lists the *Errors in err's tree, depth first, outermost first; an
// *Error's own cause is not listed again when it repeats its field.
func all(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
		case *Error:
			out = append(out, x)
			var c *Error
			if errors.As(x.Err, &c) && c.Field == x.Field && c.Msg == x.Msg {
				return
			}
			walk(x.Err)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// Fields joins field errors into one error of kind (ErrInvalid when
// zero); nil when errs is empty.
func Fields(op string, kind ErrorKind, errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	if kind == ErrUnclassified {
		kind = ErrInvalid
	}
	es := make([]error, len(errs))
	for i, fe := range errs {
		es[i] = &Error{Op: op, Kind: kind, Field: fe.Field, Msg: fe.Msg}
	}
	return errors.Join(es...)
}
