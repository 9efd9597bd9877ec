package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/model"
	"github.com/lantian-tz/lantian/sync/protocol"
)

// codeAlphabet avoids 0/O and 1/I, which people misread from paper.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// newCode returns a random 12-character code (60 bits) as XXXX-XXXX-XXXX.
func newCode() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String()
}

// hashCode hashes an enrollment code as typed: case, spaces and dashes do
// not matter.
func hashCode(code string) [32]byte {
	norm := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
	return sha256.Sum256([]byte("lantian-enroll:" + norm))
}

// CheckScope validates a scope and role against the gazetteer and fills in
// the province of a county scope. Province devices cover a whole province;
// grid and county devices one county.
func CheckScope(g *model.Gazetteer, sc protocol.Scope, role model.Role) (protocol.Scope, error) {
	switch role {
	case model.RoleGrid, model.RoleCounty:
		p, ok := g.ProvinceOf(sc.County)
		if !ok {
			return sc, protocol.ErrBadScope.Withf("unknown county %q", sc.County)
		}
		if sc.Province != "" && sc.Province != p.Code {
			return sc, protocol.ErrBadScope.Withf("county %s is not in province %s", sc.County, sc.Province)
		}
		sc.Province = p.Code
	case model.RoleProvince:
		if _, ok := g.Province(sc.Province); !ok || sc.County != "" {
			return sc, protocol.ErrBadScope.Withf("a province device needs a province code and no county")
		}
	default:
		return sc, protocol.ErrBadRole.Withf("role %q", role)
	}
	return sc, nil
}

// IssueCode creates a one-time enrollment code for scope and role, valid
// for ttl from now, and returns it; the store keeps only its hash. The
// offline `lantian-server code` command and POST /v1/admin/codes use it.
func IssueCode(ctx context.Context, st Storage, g *model.Gazetteer, sc protocol.Scope, role model.Role, ttl time.Duration, now time.Time) (protocol.CodeResponse, error) {
	sc, err := CheckScope(g, sc, role)
	if err != nil {
		return protocol.CodeResponse{}, err
	}
	code := newCode()
	exp := now.Add(ttl)
	if err := st.CreateCode(ctx, Code{Hash: hashCode(code), Scope: sc, Role: role, Expires: exp}); err != nil {
		return protocol.CodeResponse{}, err
	}
	return protocol.CodeResponse{Code: code, Scope: sc, Role: role, Expires: protocol.Millis(exp)}, nil
}

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(r, protocol.ContentTypeJSON)
	if err != nil {
		return err
	}
	req, err := protocol.DecodeEnroll(b)
	if err != nil {
		return err
	}
	now := s.now()
	token := NewToken()
	d := Device{ID: req.Device, PublicKey: req.PublicKey, Label: req.Label, TokenHash: HashToken(token), Enrolled: now}
	code, err := s.store.Enroll(r.Context(), hashCode(req.Code), d, now)
	if err != nil {
		return err
	}
	s.log.Info("device enrolled", "device", d.ID, "label", d.Label, "province", code.Scope.Province,
		"county", code.Scope.County, "role", code.Role)
	s.writeJSON(w, r, http.StatusOK, protocol.EnrollResponse{
		Token: token, Device: d.ID, Scope: code.Scope, Role: code.Role, ServerTime: protocol.Millis(now),
	})
	return nil
}

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
	resp, err := IssueCode(r.Context(), s.store, s.gaz, sc, req.Role, ttl, s.now())
	if err != nil {
		return err
	}
	s.log.Info("enrollment code issued", "province", sc.Province, "county", sc.County, "role", req.Role,
		"by_admin", c.admin, "by_device", c.device.ID)
	s.writeJSON(w, r, http.StatusCreated, resp)
	return nil
}

// DeviceInfo returns the administrator's view of a device.
func DeviceInfo(d DeviceHead) protocol.DeviceInfo {
	return protocol.DeviceInfo{ID: d.ID, Label: d.Label, Scope: d.Scope, Role: d.Role, PublicKey: d.PublicKey,
		Enrolled: protocol.Millis(d.Enrolled), Revoked: d.Revoked, Acked: d.Head.Acked}
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
	resp := protocol.DevicesResponse{Devices: []protocol.DeviceInfo{}}
	for _, d := range all {
		if c.covers(d.Scope) {
			resp.Devices = append(resp.Devices, DeviceInfo(d))
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
	if err := s.store.Revoke(r.Context(), id); err != nil {
		return err
	}
	s.log.Warn("device revoked", "device", id, "label", d.Label, "by_admin", c.admin, "by_device", c.device.ID)
	d.Revoked = true
	h, err := s.store.Head(r.Context(), id)
	if err != nil && !errors.Is(err, protocol.ErrNotFound) {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, DeviceInfo(DeviceHead{Device: d, Head: h}))
	return nil
}
