package evidencecheck

import (
	"sync"
	"sync/atomic"

	"github.com/lantian-tz/lantian/internal/oplog"
	"github.com/lantian-tz/lantian/internal/photoexif"
	"github.com/lantian-tz/lantian/model"
)

// Live keeps a Checker of a store current for screens that check often:
// the reuse index is read again on the first use after the store changed
// (Changed, called from the store's events), and the photos' EXIF is read
// once per photo for the life of the Live.
type Live struct {
	src   Source
	opts  Options
	cache *photoexif.Cache

	gen   atomic.Uint64 // bumped by Changed
	mu    sync.Mutex
	cur   *Checker
	built uint64 // the gen cur was built at
}

// NewLive returns a Live over src.
func NewLive(src Source, o Options) *Live {
	return &Live{src: src, opts: o, cache: photoexif.NewCache(src.OpenBlob)}
}

// Changed says the store's records changed: the next Checker reads the
// reuse index again.
func (l *Live) Changed() { l.gen.Add(1) }

// Cache is the EXIF cache of the store's photos.
func (l *Live) Cache() *photoexif.Cache { return l.cache }

// Checker returns a checker over the store as it is now.
func (l *Live) Checker() (*Checker, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.gen.Load()
	if l.cur != nil && l.built == g {
		return l.cur, nil
	}
	c, err := NewChecker(l.src, l.cache, l.opts)
	if err != nil {
		return nil, err
	}
	l.cur, l.built = c, g
	return c, nil
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
