package server

import (
	"net/http"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// handleReport records the ops of other devices that the calling device
// received and set aside: the server's checks should have refused them,
// so each is kept per op and reporter for the administrator
// (Storage.ReportCounts), logged and counted in the metrics the first
// time; only ops the server served to the caller count (Storage.Report).
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	d, err := s.authDevice(r)
	if err != nil {
		return err
	}
	b, err := readBodyMax(r, protocol.ContentTypeJSON, protocol.MaxReportBytes)
	if err != nil {
		return err
	}
	req, err := protocol.DecodeReportRequest(b)
	if err != nil {
		return err
	}
	recorded, err := s.store.Report(r.Context(), d.ID, d.Scope, req.Ops, s.now())
	if err != nil {
		return err
	}
	for _, o := range recorded {
		s.metrics.reported.WithLabelValues(o.Code).Inc()
		s.log.Warn("receiver set aside a served op", "reporter", d.ID, "device", o.Device, "seq", o.Seq, "code", o.Code)
	}
	s.writeJSON(w, r, http.StatusOK, protocol.ReportResponse{Recorded: len(recorded)})
	return nil
}
