package server

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// countingBody counts the wire bytes of a request body.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}

// statusWriter records the status and the body bytes written.
type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// readBody checks the content type and reads a request body within the
// protocol's limits (control messages in JSON within maxControlBody),
// decompressing it. The buffer is sized by the announced length and, as
// a decompressed body grows, held in the server's body budget.
func readBody(r *http.Request, wantType string) ([]byte, error) {
	limit := int64(protocol.MaxBodyBytes)
	if wantType == protocol.ContentTypeJSON {
		limit = maxControlBody
	}
	return readBodyMax(r, wantType, limit)
}

// readBodyMax is readBody for a body of at most max bytes.
func readBodyMax(r *http.Request, wantType string, max int64) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != wantType {
		return nil, protocol.ErrMediaType.Withf("Content-Type %q; want %s", r.Header.Get("Content-Type"), wantType)
	}
	if r.ContentLength > max {
		return nil, protocol.ErrTooLarge.Withf("%d bytes; at most %d", r.ContentLength, max)
	}
	var grow func(int64) error
	if g, ok := r.Body.(*bodyGuard); ok {
		grow = g.reserve
	}
	return protocol.ReadBodySized(r.Body, r.Header.Get("Content-Encoding"), max, r.ContentLength, grow)
}

// writeError sends err as a protocol error body: a *protocol.Error as it
// is, a *model.Error with its kind's status, anything else as
// ErrInternal (logged).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	pe, known := protocol.ErrorOf(err)
	if !known || pe.Status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "client", client(r), "err", err)
	} else {
		s.log.Info("request refused", "method", r.Method, "path", r.URL.Path, "client", client(r), "code", pe.Code, "detail", pe.Detail)
	}
	setRetryAfter(w, pe)
	if g, ok := r.Body.(*bodyGuard); ok {
		g.limitDrain()
	}
	if pe.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lantian"`)
	}
	w.Header().Set("Content-Type", protocol.ContentTypeJSON)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(pe.Status)
	_, _ = w.Write(protocol.EncodeError(pe))
}

// writeBody sends body with content type ct, compressed as the client
// accepts.
func writeBody(w http.ResponseWriter, r *http.Request, status int, ct string, body []byte) {
	b, enc := protocol.Compress(protocol.Negotiate(r.Header.Get("Accept-Encoding")), body)
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-store")
	if enc != protocol.EncodingIdentity {
		h.Set("Content-Encoding", enc)
	}
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeJSON sends v as JSON.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := protocol.EncodeJSON(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBody(w, r, status, protocol.ContentTypeJSON, b)
}
