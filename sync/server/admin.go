package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

func (s *Server) handleIssueCode(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authAdmin(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, protocol.ContentTypeJSON)
	if err != nil {
		return err
	}
	req, err := protocol.DecodeCodeRequest(b)
	if err != nil {
		return err
	}
	sc, err := CheckScope(s.gaz, req.Scope, req.Role)
	if err != nil {
		return err
	}
	if !c.covers(sc) {
		return protocol.ErrForbidden.Withf("scope %s/%s is outside yours", sc.Province, sc.County)
	}
	if !c.admin && c.device.Role == model.RoleCounty && req.Role == model.RoleProvince {
		return protocol.ErrForbidden.Withf("a county device cannot issue province codes")
	}
	ttl := s.codeTTL
	if req.TTL != "" {
		ttl, _ = time.ParseDuration(req.TTL) // checked by DecodeCodeRequest
	}
	resp, err := IssueCode(r.Context(), s.store, s.gaz, sc, req.Role, ttl, s.maxCodeTTL, s.now())
	if err != nil {
		return err
	}
	s.log.Info("enrollment code issued", "province", sc.Province, "county", sc.County, "role", req.Role,
		"by_admin", c.admin, "by_device", c.device.ID, "client", client(r))
	s.writeJSON(w, r, http.StatusCreated, resp)
	return nil
}

// DeviceInfo returns the administrator's view of a device, of whose ops
// receivers reported setting aside reported, and withdrawn were
// withdrawn.
func DeviceInfo(d DeviceHead, reported, withdrawn int) protocol.DeviceInfo {
	return protocol.DeviceInfo{ID: d.ID, Label: d.Label, Scope: d.Scope, Role: d.Role, PublicKey: d.PublicKey,
		Enrolled: protocol.Millis(d.Enrolled), Revoked: d.Revoked, Acked: d.Head.Acked, SetAside: reported, Withdrawn: withdrawn}
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authAdmin(r)
	if err != nil {
		return err
	}
	all, err := s.store.Devices(r.Context())
	if err != nil {
		return err
	}
	reported, err := s.store.ReportCounts(r.Context())
	if err != nil {
		return err
	}
	withdrawn, err := WithdrawnCounts(r.Context(), s.store)
	if err != nil {
		return err
	}
	resp := protocol.DevicesResponse{Devices: []protocol.DeviceInfo{}}
	for _, d := range all {
		if c.covers(d.Scope) {
			resp.Devices = append(resp.Devices, DeviceInfo(d, reported[d.ID], withdrawn[d.ID]))
		}
	}
	slices.SortFunc(resp.Devices, func(a, b protocol.DeviceInfo) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authAdmin(r)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return protocol.ErrNotFound.Withf("device id %q", r.PathValue("id"))
	}
	d, err := s.store.Device(r.Context(), id)
	if err != nil {
		return err
	}
	if !c.covers(d.Scope) {
		return protocol.ErrForbidden.Withf("device %s is outside your scope", id)
	}
	// The body is optional: without one the ops stay served.
	var req protocol.RevokeRequest
	var since time.Time
	if r.ContentLength != 0 {
		b, err := readBody(r, protocol.ContentTypeJSON)
		if err != nil {
			return err
		}
		if req, since, err = protocol.DecodeRevokeRequest(b); err != nil {
			return err
		}
	}
	var by model.Role
	if !c.admin {
		by = c.device.Role
	}
	wd, err := RevokeDevice(r.Context(), s.store, s.province, id, req.Withdraw, since, by, s.now())
	if err != nil {
		return err
	}
	s.log.Warn("device revoked", "device", id, "label", d.Label, "by_admin", c.admin, "by_device", c.device.ID,
		"client", client(r), "withdraw", req.Withdraw, "since", since, "withdrawn", len(wd.Ops), "withdrawal", wd.Seq)
	d.Revoked = true
	h, err := s.store.Head(r.Context(), id)
	if err != nil && !errors.Is(err, protocol.ErrNotFound) {
		return err
	}
	reported, err := s.store.ReportCounts(r.Context())
	if err != nil {
		return err
	}
	withdrawn, err := WithdrawnCounts(r.Context(), s.store)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, DeviceInfo(DeviceHead{Device: d, Head: h}, reported[id], withdrawn[id]))
	return nil
}
