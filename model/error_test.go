package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestErrorIsMatchesSetParts(t *testing.T) {
	gap := &Error{Kind: ErrConflict, Code: "gap"}
	e := E("push", ErrConflict, CodeName("gap"), Text{ZH: "序号不连续", EN: "sequence gap"})
	wrapped := fmt.Errorf("sync: %w", e)
	tests := []struct {
		target error
		want   bool
	}{
		{gap, true},
		{&Error{Kind: ErrConflict}, true},
		{ErrConflict, true},
		{ErrScope, false},
		{&Error{Code: "gap"}, true},
		{&Error{Kind: ErrScope}, false},
		{&Error{Code: "bad_offset"}, false},
		{&Error{}, false},
	}
	for _, tt := range tests {
		if got := errors.Is(wrapped, tt.target); got != tt.want {
			t.Errorf("errors.Is(%v, %+v) = %v; want %v", wrapped, tt.target, got, tt.want)
		}
	}
}

func TestEInheritsFromCause(t *testing.T) {
	cause := &Error{Kind: ErrScope, Code: "scope", Msg: Text{ZH: "超出范围", EN: "out of scope"}, Field: "county"}
	e := E("apply", cause)
	if e.Kind != ErrScope || e.Code != "scope" || e.Field != "county" || e.Msg != cause.Msg {
		t.Errorf("got %+v; want kind, code, field and message of the cause", e)
	}
	if got, want := e.Error(), "apply: county: 超出范围 / out of scope"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestFieldErrorsFromJoin(t *testing.T) {
	errs := []FieldError{
		{Field: "phone", Msg: Text{ZH: "手机号格式不对", EN: "bad phone"}},
		{Field: "name", Msg: Text{ZH: "必填", EN: "required"}},
	}
	err := fmt.Errorf("store: %w", Fields("append", ErrUnclassified, errs))
	got := FieldErrors(err)
	if len(got) != 2 || got[0] != errs[0] || got[1] != errs[1] {
		t.Errorf("got %v; want %v", got, errs)
	}
	if KindOf(err) != ErrInvalid {
		t.Errorf("got kind %v; want invalid", KindOf(err))
	}
	if !errors.Is(err, &Error{Field: "name"}) {
		t.Errorf("errors.Is(err, field name) = false; want true")
	}
	if Fields("append", ErrInvalid, nil) != nil {
		t.Errorf("Fields of no errors is not nil")
	}
}

func TestKindTravelsByName(t *testing.T) {
	e := &Error{Kind: ErrSignature, Code: "bad_sig", Msg: Text{ZH: "签名无效", EN: "bad signature"}, Field: "sig"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got Error
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Kind != e.Kind || got.Code != e.Code || got.Msg != e.Msg || got.Field != e.Field {
		t.Errorf("round trip of %s: got %+v; want %+v", b, got, *e)
	}
	var newer Error
	if err := json.Unmarshal([]byte(`{"kind":"from_the_future","code":"x"}`), &newer); err != nil {
		t.Fatal(err)
	}
	if newer.Kind != ErrUnclassified {
		t.Errorf("an unknown kind name reads as %v; want other", newer.Kind)
	}
	for k := ErrUnclassified; k <= ErrInternal; k++ {
		if KindNamed(k.String()) != k {
			t.Errorf("kind %d: name %q reads back as %v", k, k, KindNamed(k.String()))
		}
	}
}
