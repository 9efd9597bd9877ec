package protocol

import (
	"errors"
	"fmt"
	"testing"
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
		ErrBadKey, ErrBusy, ErrCursorAhead} {
		t.Run(e.Code, func(t *testing.T) {
			if e.Status < 400 || e.Msg.ZH == "" || e.Msg.EN == "" {
				t.Errorf("got status %d, msg %+v; want a 4xx/5xx status and both languages", e.Status, e.Msg)
			}
		})
	}
}
