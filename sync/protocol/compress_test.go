package protocol

import (
	"bytes"
	"errors"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestNegotiate(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", EncodingIdentity},
		{"gzip", EncodingGzip},
		{"gzip, zstd", EncodingZstd},
		{"br, gzip;q=0.5", EncodingGzip},
		{"zstd;q=0, gzip", EncodingGzip},
		{"ZSTD", EncodingZstd},
		{"br", EncodingIdentity},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			if got := Negotiate(tt.accept); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestCompressRoundTrip(t *testing.T) {
	body := bytes.Repeat([]byte("秸秆禁烧巡查 straw patrol "), 200)
	for _, enc := range []string{EncodingZstd, EncodingGzip, EncodingIdentity} {
		t.Run(enc, func(t *testing.T) {
			c, used := Compress(enc, body)
			if used != enc {
				t.Errorf("encoding: got %q; want %q", used, enc)
			}
			if enc != EncodingIdentity && len(c) >= len(body) {
				t.Errorf("compressed size: got %d; want < %d", len(c), len(body))
			}
			got, err := ReadBody(bytes.NewReader(c), used, int64(len(body)))
			if err != nil || !bytes.Equal(got, body) {
				t.Errorf("got %d bytes, %v; want %d bytes", len(got), err, len(body))
			}
		})
	}
}

func TestReadBodyLimits(t *testing.T) {
	bomb := make([]byte, 1<<20) // compresses to almost nothing
	tests := []struct {
		name string
		enc  string
		want error
	}{
		{EncodingZstd, EncodingZstd, ErrTooLarge},
		{EncodingGzip, EncodingGzip, ErrTooLarge},
		{EncodingIdentity, EncodingIdentity, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := Compress(tt.enc, bomb)
			if _, err := ReadBody(bytes.NewReader(c), tt.enc, 1000); !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
	t.Run("unknown encoding", func(t *testing.T) {
		if _, err := ReadBody(bytes.NewReader(nil), "br", 10); !errors.Is(err, ErrEncoding) {
			t.Errorf("got %v; want %v", err, ErrEncoding)
		}
	})
	t.Run("corrupt zstd", func(t *testing.T) {
		if _, err := ReadBody(bytes.NewReader([]byte("not zstd at all")), EncodingZstd, 100); !errors.Is(err, ErrBadRequest) {
			t.Errorf("got %v; want %v", err, ErrBadRequest)
		}
	})
}

// zstdFrameWithWindow is a zstd frame (an empty raw block) whose header
// asks for a window of 1<<(10+exp) bytes, as a streaming encoder's may.
func zstdFrameWithWindow(t *testing.T, exp byte) []byte {
	t.Helper()
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, exp << 3, 0x01, 0x00, 0x00}
	var h zstd.Header
	if err := h.Decode(frame); err != nil || h.WindowSize != 1<<(10+uint(exp)) {
		t.Fatalf("frame header %+v, %v; want a window of %d", h, err, 1<<(10+uint(exp)))
	}
	if got, err := ReadBody(bytes.NewReader(frame), EncodingZstd, 64<<20); err != nil || len(got) != 0 {
		t.Fatalf("the frame decodes to %d bytes, %v; want an empty body", len(got), err)
	}
	return frame
}

func TestReadBodyPooledDecoderServesLargerLimits(t *testing.T) {
	small, _ := Compress(EncodingZstd, bytes.Repeat([]byte("a"), 1000))
	if _, err := ReadBody(bytes.NewReader(small), EncodingZstd, 2000); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("秸秆"), 2<<20) // 12 MiB
	c, _ := Compress(EncodingZstd, big)
	got, err := ReadBody(bytes.NewReader(c), EncodingZstd, 64<<20)
	if err != nil || len(got) != len(big) {
		t.Errorf("got %d bytes, %v; want %d", len(got), err, len(big))
	}
}

// ReadBodySized reads a body of announced size into a buffer of exactly
// that size, asks before every allocation (so a caller can bound what
// bodies hold), and returns the caller's refusal as it is.
func TestReadBodySized(t *testing.T) {
	body := bytes.Repeat([]byte("灵寿县巡查"), 20000) // 300 000 bytes
	zbody, _ := Compress(EncodingZstd, body)
	// A frame that asks for a window larger than the limit (1 MiB here)
	// needs, sent before any of its data.
	bigWindow := zstdFrameWithWindow(t, 13) // 8 MiB
	refused := errors.New("no room")
	tests := []struct {
		name     string
		in       []byte
		enc      string
		size     int64
		room     int64 // grow refuses past it
		wantErr  error
		maxAsked int64 // the largest buffer asked for
		window   int64 // the decoder's window, asked for besides the buffer
	}{
		{"identity, size known", body, EncodingIdentity, int64(len(body)), 1 << 30, nil, int64(len(body)), 0},
		{"identity, size unknown", body, EncodingIdentity, -1, 1 << 30, nil, 2 * int64(len(body)), 0},
		{"zstd", zbody, EncodingZstd, int64(len(zbody)), 1 << 30, nil, 3 * int64(len(body)), int64(len(body))},
		{"no room", body, EncodingIdentity, -1, 100 << 10, refused, 100 << 10, 0},
		{"no room for a decompressed body", zbody, EncodingZstd, int64(len(zbody)), 100 << 10, refused, 100 << 10, 0},
		{"zstd window over the largest body", bigWindow, EncodingZstd, int64(len(bigWindow)), 1 << 30, ErrTooLarge, 0, 0},
		{"short announced size", body, EncodingIdentity, 1000, 1 << 30, nil, 2 * int64(len(body)), 0},
		{"over the limit", body, EncodingIdentity, -1, 1 << 30, ErrTooLarge, 300001, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked int64
			limit := int64(1 << 20)
			if tt.wantErr == ErrTooLarge && tt.enc == EncodingIdentity {
				limit = 300000 - 1
			}
			got, err := ReadBodySized(bytes.NewReader(tt.in), tt.enc, limit, tt.size, func(n int64) error {
				if n > tt.room {
					return refused
				}
				asked = max(asked, n)
				return nil
			})
			if tt.wantErr != nil {
				if err != tt.wantErr && !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v; want %v", err, tt.wantErr)
				}
				if tt.wantErr == refused && err != refused {
					t.Errorf("got %#v; want the refusal as it is", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("got %d bytes, %v; want the body", len(got), err)
			}
			if asked > tt.maxAsked || int64(cap(got))+tt.window != asked {
				t.Errorf("asked for %d, buffer of %d; want at most %d and the buffer asked for", asked, cap(got), tt.maxAsked)
			}
		})
	}
}
