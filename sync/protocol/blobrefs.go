package protocol

import (
	"slices"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/model"
)

// BlobRefs returns the names (lower-case SHA-256 hex) of the blobs op's
// photo fields reference, sorted and without repeats. Fields are photo
// fields by the op's register schema; an op of an unknown register
// references none.
func BlobRefs(op *oplog.Op) []string {
	sc, ok := model.Lookup(op.Register)
	if !ok {
		return nil
	}
	var out []string
	for k, v := range op.Set {
		if f, ok := sc.Field(k); !ok || f.Kind != model.KindPhotos {
			continue
		}
		items, err := v.AsList()
		if err != nil {
			continue
		}
		for _, sha := range items {
			if ValidBlobID(sha) {
				out = append(out, sha)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
