package protocol

import (
	"fmt"
	"strconv"
	"strings"
)

// ValidBlobID reports whether id is a lowercase hex SHA-256, the name of
// every blob.
func ValidBlobID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// ContentRange is a PUT's byte range of a blob: bytes Start..End
// inclusive of a blob of Total bytes.
type ContentRange struct {
	Start, End, Total int64
}

// String formats r as a Content-Range header value.
func (r ContentRange) String() string {
	return fmt.Sprintf("bytes %d-%d/%d", r.Start, r.End, r.Total)
}

// ParseContentRange parses "bytes START-END/TOTAL" (TOTAL required).
func ParseContentRange(h string) (ContentRange, error) {
	bad := ErrBadRequest.Withf("bad Content-Range %q", h)
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return ContentRange{}, bad
	}
	span, total, ok := strings.Cut(rest, "/")
	if !ok {
		return ContentRange{}, bad
	}
	s, e, ok := strings.Cut(span, "-")
	if !ok {
		return ContentRange{}, bad
	}
	var r ContentRange
	var err1, err2, err3 error
	r.Start, err1 = strconv.ParseInt(s, 10, 64)
	r.End, err2 = strconv.ParseInt(e, 10, 64)
	r.Total, err3 = strconv.ParseInt(total, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || r.Start < 0 || r.End < r.Start || r.End >= r.Total {
		return ContentRange{}, bad
	}
	return r, nil
}
