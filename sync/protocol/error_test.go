package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/lantian-tz/lantian/model"
)

func TestErrorSurvivesTheWire(t *testing.T) {
	sent := ErrGap.With("device pushed 7", errors.New("local cause"))
	sent.Expected = 5
	got := DecodeError(409, EncodeError(sent))
	if !errors.Is(got, ErrGap) {
		t.Errorf("errors.Is(got, ErrGap): got false; want true (%v)", got)
	}
	if got.Expected != 5 || got.Status != 409 || got.Msg != ErrGap.Msg || got.Detail != sent.Detail {
		t.Errorf("got %+v; want %+v", got, sent)
	}
	if got.Err != nil {
		t.Errorf("cause travelled: got %v; want nil", got.Err)
	}
	wrapped := fmt.Errorf("push: %w", got)
	var pe *Error
	if !errors.As(wrapped, &pe) || pe.Code != CodeGap {
		t.Errorf("errors.As: got %v; want code %s", pe, CodeGap)
	}
	var me *model.Error
	if !errors.As(wrapped, &me) || me.Kind != model.ErrConflict || me.Code != CodeGap || me.Msg != ErrGap.Msg {
		t.Errorf("errors.As *model.Error: got %+v; want kind conflict, code gap and its message", me)
	}
	if !errors.Is(wrapped, model.ErrConflict) || errors.Is(wrapped, model.ErrScope) {
		t.Errorf("errors.Is by kind: got %v; want conflict and not scope", model.KindOf(wrapped))
	}
}

func TestErrorBodyCarriesTheModelError(t *testing.T) {
	sent := model.E("push", model.ErrScope, model.CodeName("outside"), model.FieldName("county"), model.Text{ZH: "超出范围", EN: "out of scope"})
	pe, ok := ErrorOf(fmt.Errorf("handler: %w", sent))
	if !ok || pe.Status != 403 {
		t.Fatalf("ErrorOf: got %v, %v (status %d); want a known 403", pe, ok, pe.Status)
	}
	body := EncodeError(pe)
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"op": "push", "kind": "scope", "code": "outside", "field": "county", "status": 403.0} {
		if raw[k] != want {
			t.Errorf("body %s: %s = %v; want %v", body, k, raw[k], want)
		}
	}
	got := DecodeError(403, body).Model()
	if got.Op != sent.Op || got.Kind != sent.Kind || got.Code != sent.Code || got.Msg != sent.Msg || got.Field != sent.Field {
		t.Errorf("got %+v; want %+v", got, sent)
	}
	if _, ok := ErrorOf(errors.New("disk on fire")); ok {
		t.Error("ErrorOf(plain error): got known; want internal")
	}
}

// TestDecodeErrorOfOlderServers reads bodies without a kind, as servers
// before the kind was sent wrote them: the code gives the kind.
func TestDecodeErrorOfOlderServers(t *testing.T) {
	tests := []struct {
		body string
		want *Error
		kind model.ErrorKind
	}{
		{`{"code":"gap","status":409,"msg":{"zh":"同步序号不连续","en":"sequence gap"},"expected":5}`, ErrGap, model.ErrConflict},
		{`{"code":"enroll_code_used","status":403,"msg":{"zh":"注册码已被使用","en":"enrollment code already used"}}`, ErrEnrollUsed, model.ErrUnauthorized},
		{`{"code":"busy","status":503}`, ErrBusy, model.ErrBusy},
		{`{"code":"from_the_future","status":413,"kind":"too_large"}`, nil, model.ErrTooLarge},
		{`{"code":"from_the_future","status":401}`, nil, model.ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var old struct {
				Msg model.Text `json:"msg"`
			}
			_ = json.Unmarshal([]byte(tt.body), &old)
			got := DecodeError(200, []byte(tt.body))
			if tt.want != nil && !errors.Is(got, tt.want) || got.Kind != tt.kind || got.Msg != old.Msg {
				t.Errorf("got %+v; want %v of kind %v with the body's message", got, tt.want, tt.kind)
			}
		})
	}
}

func TestDecodeErrorOfForeignBodies(t *testing.T) {
	tests := []struct {
		status int
		body   string
		want   *Error
	}{
		{502, "<html>bad gateway</html>", ErrInternal},
		{401, "", ErrUnauthorized},
		{413, "too big", ErrTooLarge},
		{400, `{"code":""}`, ErrBadRequest},
		{503, `{"code":"busy","status":503}`, ErrBusy},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status, tt.body), func(t *testing.T) {
			got := DecodeError(tt.status, []byte(tt.body))
			if !errors.Is(got, tt.want) || got.Status != tt.status {
				t.Errorf("got %v (%d); want %v (%d)", got, got.Status, tt.want, tt.status)
			}
		})
	}
}

func TestSentinelsAreComplete(t *testing.T) {
	for _, e := range []*Error{ErrBadRequest, ErrBadJSON, ErrBadFrame, ErrMediaType, ErrEncoding, ErrTooLarge,
		ErrTooManyOps, ErrUnknownVersion, ErrNotFound, ErrMethod, ErrUnauthorized, ErrRevoked, ErrForbidden,
		ErrEnrollUnknown, ErrEnrollUsed, ErrEnrollExpired, ErrDeviceExists, ErrDeviceMismatch, ErrGap,
		ErrBadOffset, ErrHashMismatch, ErrBlobTooLarge, ErrUnavailable, ErrInternal, ErrBadScope, ErrBadRole,
		ErrBadKey, ErrBusy, ErrTooManyTries, ErrCursorAhead} {
		t.Run(e.Code, func(t *testing.T) {
			if e.Status < 400 || e.Msg.ZH == "" || e.Msg.EN == "" || e.Kind == model.ErrUnclassified {
				t.Errorf("got status %d, msg %+v, kind %v; want a 4xx/5xx status, both languages and a kind", e.Status, e.Msg, e.Kind)
			}
		})
	}
}
