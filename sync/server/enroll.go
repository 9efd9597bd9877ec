package server

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-tz/lantian/sync/protocol"
)

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) error {
	addr := client(r)
	if blocked, wait := s.enrollTries.blocked(addr); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.log.Warn("enrollment refused: too many wrong codes", "addr", addr)
		return protocol.ErrTooManyTries.Withf("retry in %s", wait.Round(time.Second))
	}
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
	if errors.Is(err, protocol.ErrEnrollUnknown) || errors.Is(err, protocol.ErrEnrollUsed) || errors.Is(err, protocol.ErrEnrollExpired) {
		s.enrollTries.failed(addr)
	}
	if err != nil {
		return err
	}
	s.log.Info("device enrolled", "device", d.ID, "label", d.Label, "province", code.Scope.Province,
		"county", code.Scope.County, "role", code.Role, "client", addr)
	d.Scope, d.Role = code.Scope, code.Role
	stmt, err := VouchDevice(r.Context(), s.store, s.province, d, now)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, protocol.EnrollResponse{
		Token: token, Device: d.ID, Scope: code.Scope, Role: code.Role, ServerTime: protocol.Millis(now),
		Statement: stmt,
	})
	return nil
}
