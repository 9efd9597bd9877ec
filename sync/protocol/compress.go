package protocol

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Content encodings of bodies, negotiated with Accept-Encoding and
// announced with Content-Encoding.
const (
	EncodingZstd     = "zstd"
	EncodingGzip     = "gzip"
	EncodingIdentity = "identity"
)

// AcceptEncoding is the Accept-Encoding value clients send.
const AcceptEncoding = "zstd, gzip"

// compressMin is the body size below which compression does not pay.
const compressMin = 256

// maxZstdWindow is the largest zstd window a peer may ask us to hold; a
// body's frames may ask for no more than its limit either (see
// zstdWindow).
const maxZstdWindow = 32 << 20

// minZstdWindowCap is the window a frame may always ask for, whatever
// the body's limit (streaming encoders ask for 1 MiB or more).
const minZstdWindowCap = 1 << 20

var (
	zencOnce sync.Once
	zenc     *zstd.Encoder
	zdecPool sync.Pool
)

func zstdEncoder() *zstd.Encoder {
	zencOnce.Do(func() {
		// EncodeAll is safe for concurrent use.
		zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	})
	return zenc
}

// Negotiate picks the response encoding for an Accept-Encoding header:
// zstd, then gzip, else identity. Quality values other than q=0 are
// ignored.
func Negotiate(accept string) string {
	var gz bool
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") && !strings.Contains(params, "q=0.") {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case EncodingZstd:
			return EncodingZstd
		case EncodingGzip:
			gz = true
		}
	}
	if gz {
		return EncodingGzip
	}
	return EncodingIdentity
}

// Compress encodes b with enc and returns the encoding actually used: small
// bodies stay identity.
func Compress(enc string, b []byte) ([]byte, string) {
	if len(b) < compressMin {
		return b, EncodingIdentity
	}
	switch enc {
	case EncodingZstd:
		return zstdEncoder().EncodeAll(b, make([]byte, 0, len(b)/3+64)), EncodingZstd
	case EncodingGzip:
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		_, _ = w.Write(b) // writes to a bytes.Buffer cannot fail
		_ = w.Close()
		return buf.Bytes(), EncodingGzip
	}
	return b, EncodingIdentity
}

// ReadBody reads a body with Content-Encoding enc and returns it
// decompressed. More than limit bytes, before or after decompression, fail
// with ErrTooLarge; an unknown encoding fails with ErrEncoding and corrupt
// compressed data with ErrBadRequest.
func ReadBody(r io.Reader, enc string, limit int64) ([]byte, error) {
	return ReadBodySized(r, enc, limit, -1, nil)
}

// ReadBodySized is ReadBody for a body of size bytes on the wire (-1 when
// unknown): an uncompressed body of known size is read into a buffer of
// exactly that size, others into one that doubles as it fills. Before the
// buffer is allocated or enlarged to n bytes, grow(n) is called (when not
// nil); an error from it ends the read and is returned as it is, so that
// a caller can bound the memory that bodies hold.
func ReadBodySized(r io.Reader, enc string, limit, size int64, grow func(n int64) error) ([]byte, error) {
	var src io.Reader
	hint := int64(-1)
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", EncodingIdentity:
		src, hint = r, size
	case EncodingGzip:
		zr, err := gzip.NewReader(io.LimitReader(r, limit+1))
		if err != nil {
			return nil, ErrBadRequest.With("gzip", err)
		}
		defer zr.Close()
		src = zr
	case EncodingZstd:
		d, _ := zdecPool.Get().(*zstd.Decoder)
		if d == nil {
			var err error
			// Pooled decoders serve every limit: the output limit is the
			// one of readAll; these bound what a hostile frame header
			// can make the decoder allocate.
			d, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(4*maxZstdWindow))
			if err != nil {
				return nil, ErrInternal.With("zstd", err)
			}
		}
		// The decoder keeps a window of the frame's size besides the
		// output: it is counted with the output in what grow bounds.
		br := bufio.NewReaderSize(io.LimitReader(r, limit+1), zstd.HeaderMaxSize)
		window, err := zstdWindow(br, limit)
		if err != nil {
			zdecPool.Put(d)
			return nil, err
		}
		if grow != nil {
			outer := grow
			grow = func(n int64) error { return outer(n + window) }
		}
		if err := d.Reset(br); err != nil {
			return nil, ErrBadRequest.With("zstd", err)
		}
		defer func() {
			_ = d.Reset(nil)
			zdecPool.Put(d)
		}()
		src = d
	default:
		return nil, ErrEncoding.Withf("content encoding %q", enc)
	}
	b, err := readAll(src, limit, hint, grow)
	if err != nil {
		var ge errGrow
		var pe *Error
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &ge):
			return nil, ge.err
		case errors.As(err, &pe):
			return nil, err
		case errors.As(err, &mbe):
			return nil, ErrTooLarge.With("", err)
		case errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded):
			return nil, ErrTooLarge.With("", err)
		}
		return nil, ErrBadRequest.With("body", err)
	}
	return b, nil
}

// zstdWindow reads (without consuming) the header of the first zstd
// frame in br and returns the window its decoder must keep: the frame's
// size for a single-segment frame. A window above the body's limit (but
// at least minZstdWindowCap), which decoding within the limit never
// needs, fails with ErrTooLarge; a header that does not parse, with
// ErrBadRequest.
func zstdWindow(br *bufio.Reader, limit int64) (int64, error) {
	head, err := br.Peek(zstd.HeaderMaxSize)
	if err != nil && len(head) == 0 {
		return 0, ErrBadRequest.With("zstd", err)
	}
	var h zstd.Header
	if err := h.Decode(head); err != nil {
		return 0, ErrBadRequest.With("zstd header", err)
	}
	w := h.WindowSize
	if h.SingleSegment {
		w = h.FrameContentSize
	}
	if most := uint64(min(maxZstdWindow, max(limit, minZstdWindowCap))); w > most {
		return 0, ErrTooLarge.Withf("zstd window of %d bytes; at most %d", w, most)
	}
	return int64(w), nil
}

// errGrow carries an error of a grow callback through readAll unchanged.
type errGrow struct{ err error }

func (e errGrow) Error() string { return e.err.Error() }

// readAll reads src to its end into a buffer of hint bytes (growing it
// when the hint is short or unknown), calling grow before each
// allocation (its errors come back as errGrow), and fails with
// ErrTooLarge past limit bytes.
func readAll(src io.Reader, limit, hint int64, grow func(int64) error) ([]byte, error) {
	c := hint
	if c < 0 {
		c = 512
	}
	c = min(max(c, 1), limit+1)
	alloc := func(n int64) error {
		if grow == nil {
			return nil
		}
		if err := grow(n); err != nil {
			return errGrow{err}
		}
		return nil
	}
	if err := alloc(c); err != nil {
		return nil, err
	}
	buf := make([]byte, 0, c)
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, ErrTooLarge.Withf("more than %d bytes", limit)
			}
			// Full: grow only if the body goes on.
			var probe [1]byte
			n, err := io.ReadAtLeast(src, probe[:], 1)
			if n == 0 {
				if err == io.EOF {
					return buf, nil
				}
				return nil, err
			}
			next := min(2*int64(cap(buf)), limit+1)
			if err := alloc(next); err != nil {
				return nil, err
			}
			nb := make([]byte, len(buf), next)
			copy(nb, buf)
			buf = append(nb, probe[0])
			continue
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, ErrTooLarge.Withf("more than %d bytes", limit)
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
