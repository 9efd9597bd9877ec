package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/client"
	"github.com/lantian-tz/lantian/sync/e2e/fixture"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// sameModelError fails unless err holds a *model.Error with want's kind,
// code, message and field.
func sameModelError(t *testing.T, err error, want *model.Error) {
	t.Helper()
	var got *model.Error
	if !errors.As(err, &got) {
		t.Fatalf("err = %v; want a *model.Error", err)
	}
	if got.Kind != want.Kind || got.Code != want.Code || got.Msg != want.Msg || got.Field != want.Field {
		t.Errorf("got kind %v, code %q, msg %+v, field %q; want kind %v, code %q, msg %+v, field %q",
			got.Kind, got.Code, got.Msg, got.Field, want.Kind, want.Code, want.Msg, want.Field)
	}
	if !errors.Is(err, want.Kind) || !errors.Is(err, want) {
		t.Errorf("errors.Is(%v, kind %v / %+v): got false; want true", err, want.Kind, want)
	}
}

// TestServerErrorsCrossTheWire: what the server refuses with is, on the
// device, the same model.Error: kind, code, message and field.
func TestServerErrorsCrossTheWire(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	d := e.device("wrong code", fixture.Store(t), "", nil)
	_, err := d.c.Enroll(ctx, "WRONG-CODE-0000", "wrong code")
	sameModelError(t, err, protocol.ErrEnrollUnknown.Model())
	if !errors.Is(err, protocol.ErrEnrollUnknown) {
		t.Errorf("errors.Is(%v, ErrEnrollUnknown): got false; want true", err)
	}
	if me := (*model.Error)(nil); errors.As(err, &me) && me.Op != "enroll" {
		t.Errorf("op = %q; want enroll", me.Op)
	}

	stranger := e.device("stranger", fixture.Store(t), "not-a-token", nil)
	_, err = stranger.c.Sync(ctx, nil)
	sameModelError(t, err, protocol.ErrUnauthorized.Model())

	// A handler's own *model.Error, with a field, travels as it is.
	refusal := model.E("enroll", model.ErrScope, model.CodeName("outside"), model.FieldName("county"),
		model.Text{ZH: "区县不在本省", EN: "county outside this province"})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pe, _ := protocol.ErrorOf(refusal)
		w.Header().Set("Content-Type", protocol.ContentTypeJSON)
		w.WriteHeader(pe.Status)
		w.Write(protocol.EncodeError(pe))
	}))
	defer ts.Close()
	c := client.New(client.Config{BaseURL: ts.URL, Store: fixture.Store(t), Logger: fixture.Logger(t)})
	_, err = c.Enroll(ctx, "K7QM-3RTA-9WXE", "field")
	sameModelError(t, err, refusal)
}

// TestNetworkErrorKind: a server that cannot be reached is a
// model.ErrNetwork error with words for the user.
func TestNetworkErrorKind(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close()
	c := client.New(client.Config{
		BaseURL: url, Token: "t", Store: fixture.Store(t), Logger: fixture.Logger(t),
		Attempts: 2, Backoff: time.Millisecond, MaxBackoff: time.Millisecond,
	})
	_, err := c.Sync(context.Background(), nil)
	if !errors.Is(err, model.ErrNetwork) || model.KindOf(err) != model.ErrNetwork {
		t.Fatalf("err = %v (kind %v); want kind network", err, model.KindOf(err))
	}
	if msg, ok := model.MsgOf(err); !ok || msg.ZH == "" || msg.EN == "" {
		t.Errorf("message = %+v; want both languages", msg)
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		t.Errorf("got a server answer %v; want none", pe)
	}
}
