package evidencecheck

import (
	"errors"
	"sync"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/model"
)

// LiveSource is what a Live reads: a Source that also gets one record.
type LiveSource interface {
	Source
	Get(id uuid.UUID) (oplog.State, error)
}

// Live keeps a Checker of a store current for screens that check often.
// The reuse index is read in full once; afterwards the records the store
// says changed (Changed, called from the store's events) are read again
// one by one on the next use, and a change of too many records to list
// reads it all again. The photos' EXIF is read once per photo for the
// life of the Live.
type Live struct {
	src   LiveSource
	opts  Options
	cache *photoexif.Cache

	pmu     sync.Mutex // guards pending and all; never held for long
	pending map[uuid.UUID]bool
	all     bool

	mu sync.Mutex // serialises index updates
	ix *index
}

// maxPending is how many changed records are read one by one; more read
// the whole index again.
const maxPending = 20_000

// NewLive returns a Live over src.
func NewLive(src LiveSource, o Options) *Live {
	return &Live{src: src, opts: o, cache: photoexif.NewCache(src.OpenBlob), pending: map[uuid.UUID]bool{}}
}

// Changed says records changed (all: any record may have), as a store
// event does.
func (l *Live) Changed(records []uuid.UUID, all bool) {
	l.pmu.Lock()
	defer l.pmu.Unlock()
	if all || len(l.pending)+len(records) > maxPending {
		l.all = true
		clear(l.pending)
		return
	}
	for _, r := range records {
		l.pending[r] = true
	}
}

// Cache is the EXIF cache of the store's photos.
func (l *Live) Cache() *photoexif.Cache { return l.cache }

// Checker returns a checker over the store as it is now.
func (l *Live) Checker() (*Checker, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pmu.Lock()
	pending, all := l.pending, l.all
	l.pending, l.all = map[uuid.UUID]bool{}, false
	l.pmu.Unlock()
	if l.ix == nil || all {
		ix, err := buildIndex(l.src)
		if err != nil {
			l.Changed(nil, true) // try again next time
			return nil, err
		}
		l.ix = ix
	} else {
		for rec := range pending {
			st, err := l.src.Get(rec)
			switch {
			case errors.Is(err, store.ErrNotFound):
				l.ix.set(rec, nil)
				continue
			case err != nil:
				l.Changed([]uuid.UUID{rec}, false)
				return nil, err
			}
			var shas []string
			if sc, ok := model.Lookup(st.Register); ok {
				shas = recordSHAs(sc, &st)
			}
			l.ix.set(rec, shas)
		}
	}
	return &Checker{cache: l.cache, ix: l.ix, opts: l.opts}, nil
}

// Flags returns the flags of record st with the current checker.
func (l *Live) Flags(sc *model.Schema, st *oplog.State) ([]Flag, error) {
	if !HasPhotos(sc) {
		return nil, nil
	}
	c, err := l.Checker()
	if err != nil {
		return nil, err
	}
	return c.Flags(sc, st), nil
}
