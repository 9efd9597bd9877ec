package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// Enroll registers the device's public key with a one-time code from the
// county administrator. The returned response carries the bearer token
// (the caller keeps it, e.g. in the store's meta, and passes it as
// Config.Token later) and the device's scope and role. The client uses the
// token from then on.
func (c *Client) Enroll(ctx context.Context, code, label string) (protocol.EnrollResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.cfg.Store
	body, err := protocol.EncodeJSON(protocol.EnrollRequest{Code: code, Device: st.Device(), PublicKey: st.PublicKey(), Label: label})
	if err != nil {
		return protocol.EnrollResponse{}, err
	}
	rp, err := c.do(ctx, call{
		op: "enroll", method: http.MethodPost, path: protocol.PathEnroll,
		body: body, contentType: protocol.ContentTypeJSON, noAuth: true,
	}, nil)
	if err != nil {
		return protocol.EnrollResponse{}, err
	}
	var resp protocol.EnrollResponse
	if err := json.Unmarshal(rp.body, &resp); err != nil {
		return protocol.EnrollResponse{}, serverErr("enroll", "enroll response: %w", err)
	}
	if resp.Token == "" || resp.Device != st.Device() {
		return protocol.EnrollResponse{}, serverErr("enroll", "enroll response for device %s without token", resp.Device)
	}
	// The store writes only in the scope the device is enrolled for.
	en := store.Enrolled{Role: resp.Role, County: resp.Scope.County, Province: resp.Scope.Province}
	if err := st.RegisterDeviceAs(st.Device(), st.PublicKey(), "", en); err != nil {
		return protocol.EnrollResponse{}, err
	}
	c.token.Store(&resp.Token)
	return resp, nil
}
