package bundle

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// BlobRefs returns the names (lower-case SHA-256 hex) of the blobs op's
// values reference, sorted and without repeats: the items of photo lists.
// A value references blobs when it is a JSON list whose items are all
// SHA-256 names, which is the canonical form of a photos field; no other
// field kind holds such a list.
func BlobRefs(op *oplog.Op) []string {
	var out []string
	for _, v := range op.Set {
		s := string(v)
		if len(s) < 66 || s[0] != '[' || !strings.Contains(s, `"`) {
			continue
		}
		var items []string
		if json.Unmarshal([]byte(s), &items) != nil || len(items) == 0 {
			continue
		}
		if !slices.ContainsFunc(items, func(x string) bool { return !IsBlobName(x) }) {
			out = append(out, items...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IsBlobName reports whether s is a lower-case SHA-256 hex string.
func IsBlobName(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
