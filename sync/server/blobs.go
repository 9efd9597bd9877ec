package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// handleBlobGet answers GET (the blob, with Range support) and HEAD (200
// with Content-Length when complete; 404 with the bytes held in
// Lantian-Upload-Offset while an upload is partial). A device may
// download only the photos of ops in its scope (404 for others, as for a
// blob the server lacks); HEAD, which uploads use, tells any device
// whether the server holds a blob.
func (s *Server) handleBlobGet(w http.ResponseWriter, r *http.Request) error {
	d, err := s.authDevice(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if r.Method == http.MethodHead {
		size, complete, err := s.blobs.Stat(id)
		if err != nil {
			return err
		}
		if !complete {
			w.Header().Set(protocol.HeaderUploadOffset, strconv.FormatInt(size, 10))
			w.WriteHeader(http.StatusNotFound)
			return nil
		}
		w.Header().Set("Content-Type", protocol.ContentTypeBlob)
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		w.Header().Set(protocol.HeaderUploadOffset, strconv.FormatInt(size, 10))
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if ok, err := s.blobInScope(r.Context(), d, id); err != nil {
		return err
	} else if !ok {
		return protocol.ErrNotFound.Withf("blob %s: none in this device's scope", id)
	}
	f, _, err := s.blobs.Open(id)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", protocol.ContentTypeBlob)
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+id+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}

// handleBlobPut stores a blob, whole or one part at a time
// (Content-Range: bytes START-END/TOTAL, START = the bytes held). A new
// upload must fit in the device's bounds on unfinished uploads; a part
// longer than its range is refused (413) and the upload keeps what it
// held.
func (s *Server) handleBlobPut(w http.ResponseWriter, r *http.Request) error {
	d, err := s.authDevice(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !protocol.ValidBlobID(id) {
		return protocol.ErrNotFound.Withf("blob id %q is not a lowercase hex SHA-256", id)
	}
	var rng protocol.ContentRange
	if h := r.Header.Get("Content-Range"); h != "" {
		var err error
		if rng, err = protocol.ParseContentRange(h); err != nil {
			return err
		}
	} else {
		if r.ContentLength < 0 {
			return protocol.ErrBadRequest.Withf("Content-Length or Content-Range is required")
		}
		if r.ContentLength == 0 {
			return protocol.ErrBadRequest.Withf("empty blob")
		}
		rng = protocol.ContentRange{Start: 0, End: r.ContentLength - 1, Total: r.ContentLength}
	}
	if rng.Total > protocol.MaxBlobBytes {
		return protocol.ErrBlobTooLarge.Withf("%d bytes; at most %d", rng.Total, protocol.MaxBlobBytes)
	}
	part := rng.End - rng.Start + 1
	if r.ContentLength > part {
		if held, _, err := s.blobs.Stat(id); err == nil {
			w.Header().Set(protocol.HeaderUploadOffset, strconv.FormatInt(held, 10))
		}
		return errPartTooLong.Withf("%d bytes for a range of %d", r.ContentLength, part)
	}
	if _, complete, err := s.blobs.Stat(id); err != nil {
		return err
	} else if !complete {
		if err := s.uploads.admit(d.ID, id, rng.Start, rng.Total, s.now()); err != nil {
			return err
		}
	}
	held, complete, err := s.blobs.Write(id, rng.Start, rng.Total, &exactReader{r: r.Body, n: part}, Upload{Device: d.ID, At: s.now()})
	s.uploads.done(id, held, complete)
	if !complete && held == 0 {
		if derr := s.blobs.Discard(id); derr != nil {
			s.log.Error("removing an empty upload", "blob", id, "err", derr)
		}
	}
	w.Header().Set(protocol.HeaderUploadOffset, strconv.FormatInt(held, 10))
	if err != nil {
		return err
	}
	switch {
	case complete:
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
	return nil
}

// errPartTooLong refuses a part with more bytes than its Content-Range.
var errPartTooLong = protocol.ErrTooLarge.With("part longer than its Content-Range", nil)

// exactReader reads the n bytes of a part and fails with errPartTooLong
// (of kind model.ErrTooLarge, so the part is dropped whole) when the
// body goes on past them.
type exactReader struct {
	r io.Reader
	n int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.n <= 0 {
		var probe [1]byte
		if n, err := io.ReadAtLeast(e.r, probe[:], 1); n > 0 {
			return 0, errPartTooLong
		} else if err != io.EOF && err != io.ErrUnexpectedEOF {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.n {
		p = p[:e.n]
	}
	n, err := e.r.Read(p)
	e.n -= int64(n)
	if err == io.EOF && e.n > 0 {
		return n, io.EOF // short: a cut part
	}
	if err == io.EOF {
		err = nil // the probe above decides
	}
	return n, err
}

// blobInScope reports whether an applied op in d's scope references blob
// id.
func (s *Server) blobInScope(ctx context.Context, d Device, id string) (bool, error) {
	counties, err := s.store.BlobCounties(ctx, id)
	if err != nil {
		return false, err
	}
	for _, c := range counties {
		if d.Scope.County != "" {
			if c == d.Scope.County {
				return true, nil
			}
			continue
		}
		if p, ok := s.gaz.ProvinceOf(c); ok && p.Code == d.Scope.Province {
			return true, nil
		}
	}
	return false, nil
}
