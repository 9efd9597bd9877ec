package evidencecheck

import (
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// Lister is the store's record listing.
type Lister interface {
	List(q store.Query) (store.Page, error)
}

// Index reads every record (not deleted) of the registers with photos and
// returns the photos attached to more than one of them. It works on the
// records as merged on this device, so after a sync a photo attached on
// two devices is found on both.
func Index(s Lister) (Reuse, error) {
	ix, err := buildIndex(s)
	if err != nil {
		return nil, err
	}
	out := Reuse{}
	for sha, recs := range ix.bySHA {
		if len(recs) > 1 {
			out[sha] = recs
		}
	}
	return out, nil
}

// index maps photos to the records they are attached to, and back, so
// that a changed record updates it in place.
type index struct {
	mu    sync.RWMutex
	bySHA map[string][]uuid.UUID
	byRec map[uuid.UUID][]string
}

func buildIndex(s Lister) (*index, error) {
	ix := &index{bySHA: map[string][]uuid.UUID{}, byRec: map[uuid.UUID][]string{}}
	for _, sc := range model.Registers() {
		if !HasPhotos(sc) {
			continue
		}
		q := store.Query{Register: sc.Name, Limit: 1000}
		for {
			page, err := s.List(q)
			if err != nil {
				return nil, fmt.Errorf("evidencecheck: index %s: %w", sc.Name, err)
			}
			for i := range page.Records {
				ix.setLocked(page.Records[i].Record, recordSHAs(sc, &page.Records[i]))
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	return ix, nil
}

// recordSHAs are the distinct photos of st (none when deleted).
func recordSHAs(sc *model.Schema, st *oplog.State) []string {
	if st.Deleted {
		return nil
	}
	var out []string
	for _, p := range Photos(sc, st) {
		if !slices.Contains(out, p.SHA) {
			out = append(out, p.SHA)
		}
	}
	return out
}

// set makes rec's photos shas (nil: rec has none, or is gone).
func (ix *index) set(rec uuid.UUID, shas []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.setLocked(rec, shas)
}

func (ix *index) setLocked(rec uuid.UUID, shas []string) {
	for _, sha := range ix.byRec[rec] {
		l := slices.DeleteFunc(ix.bySHA[sha], func(r uuid.UUID) bool { return r == rec })
		if len(l) == 0 {
			delete(ix.bySHA, sha)
		} else {
			ix.bySHA[sha] = l
		}
	}
	delete(ix.byRec, rec)
	if len(shas) == 0 {
		return
	}
	ix.byRec[rec] = shas
	for _, sha := range shas {
		ix.bySHA[sha] = append(ix.bySHA[sha], rec)
	}
}

// reuse returns the records each of shas is attached to, for those
// attached to more than one.
func (ix *index) reuse(shas []Photo) Reuse {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out Reuse
	for _, p := range shas {
		if l := ix.bySHA[p.SHA]; len(l) > 1 {
			if out == nil {
				out = Reuse{}
			}
			out[p.SHA] = slices.Clone(l)
		}
	}
	return out
}

// Source is what a Checker reads: the records and the photos' blobs.
type Source interface {
	Lister
	OpenBlob(sha string) (io.ReadCloser, error)
}

// Checker checks records against one reuse index, reading the photos'
// EXIF through a cache.
type Checker struct {
	cache *photoexif.Cache
	ix    *index
	opts  Options
}

// NewChecker builds the reuse index of s. cache may be shared between
// checkers (nil: a new one over s's blobs).
func NewChecker(s Source, cache *photoexif.Cache, o Options) (*Checker, error) {
	if cache == nil {
		cache = photoexif.NewCache(s.OpenBlob)
	}
	ix, err := buildIndex(s)
	if err != nil {
		return nil, err
	}
	return &Checker{cache: cache, ix: ix, opts: o}, nil
}

// Flags returns the flags of record st (nil for a register without
// photos).
func (c *Checker) Flags(sc *model.Schema, st *oplog.State) []Flag {
	ps := Photos(sc, st)
	if len(ps) == 0 {
		return nil
	}
	infos := make(map[string]photoexif.Info, len(ps))
	for _, p := range ps {
		if in, ok := c.cache.Get(p.SHA); ok {
			infos[p.SHA] = in
		}
	}
	return Check(sc, st, infos, c.ix.reuse(ps), c.opts)
}
