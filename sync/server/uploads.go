package server

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lantian-tz/lantian/sync/protocol"
)

// Defaults of the bounds on unfinished blob uploads: a device uploads its
// photos one after another, so a few unfinished ones are the most it
// leaves behind when its link breaks.
const (
	DefaultUploadsPerDevice     = 16
	DefaultUploadBytesPerDevice = 128 << 20
	DefaultUploadExpiry         = 48 * time.Hour
	defaultUploadSweep          = time.Hour
)

// uploads keeps the unfinished blob uploads (as the blob storage lists
// them at start, then as parts arrive) to bound those of each device and
// to expire them.
type uploads struct {
	maxCount int   // ≤ 0: no bound
	maxBytes int64 // ≤ 0: no bound
	expiry   time.Duration
	m        *metrics

	mu       sync.Mutex
	byID     map[string]*upload
	byDevice map[uuid.UUID]*usage
}

// upload is one unfinished upload: the device that sent its last part,
// when, and the bytes announced (or held, when none were recorded).
type upload struct {
	device uuid.UUID
	bytes  int64
	at     time.Time
}

// usage is what a device's unfinished uploads hold.
type usage struct {
	count int
	bytes int64
}

// startUploads removes the expired unfinished uploads, notes the others
// and starts the sweep that removes them from then on.
func (s *Server) startUploads(cfg Config) error {
	u := &uploads{maxCount: cfg.UploadsPerDevice, maxBytes: cfg.UploadBytesPerDevice, expiry: cfg.UploadExpiry,
		m: s.metrics, byID: map[string]*upload{}, byDevice: map[uuid.UUID]*usage{}}
	if u.maxCount == 0 {
		u.maxCount = DefaultUploadsPerDevice
	}
	if u.maxBytes == 0 {
		u.maxBytes = DefaultUploadBytesPerDevice
	}
	if u.expiry <= 0 {
		u.expiry = DefaultUploadExpiry
	}
	s.uploads = u
	if err := s.sweepUploads(); err != nil {
		return err
	}
	every := cfg.UploadSweep
	if every <= 0 {
		every = defaultUploadSweep
	}
	stop, done := make(chan struct{}), make(chan struct{})
	s.stopSweep, s.sweepDone = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := s.sweepUploads(); err != nil {
					s.log.Error("sweeping unfinished uploads", "err", err)
				}
			}
		}
	}()
	return nil
}

// stopUploads stops the sweep (once).
func (s *Server) stopUploads() {
	s.mu.Lock()
	stop, done := s.stopSweep, s.sweepDone
	s.stopSweep = nil
	s.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// sweepUploads removes the unfinished uploads whose last part is older
// than the expiry. The blob storage's list decides (it survives
// restarts); the uploads it holds that the server had not noted (after a
// restart) are noted.
func (s *Server) sweepUploads() error {
	parts, err := s.blobs.Partials()
	if err != nil {
		return err
	}
	now := s.now()
	u := s.uploads
	var old []string
	listed := make(map[string]bool, len(parts))
	u.mu.Lock()
	for _, p := range parts {
		listed[p.ID] = true
		up, ok := u.byID[p.ID]
		switch {
		case ok && now.Sub(up.at) < u.expiry:
			// noted, with a part since the list was made, or to come
		case now.Sub(p.At) >= u.expiry:
			old = append(old, p.ID)
			u.drop(p.ID)
		case !ok:
			u.add(p.ID, &upload{device: p.Device, bytes: max(p.Total, p.Held), at: p.At})
		}
	}
	for id, up := range u.byID { // noted but gone from the list: forgotten in time
		if now.Sub(up.at) >= u.expiry && !listed[id] {
			u.drop(id)
		}
	}
	u.mu.Unlock()
	for _, id := range old {
		if err := s.blobs.Discard(id); err != nil {
			s.log.Error("removing an expired upload", "blob", id, "err", err)
			continue
		}
		s.metrics.expired.Inc()
		s.log.Info("expired upload removed", "blob", id)
	}
	return nil
}

// add records an upload (u.mu held).
func (u *uploads) add(id string, up *upload) {
	u.byID[id] = up
	us := u.byDevice[up.device]
	if us == nil {
		us = &usage{}
		u.byDevice[up.device] = us
	}
	us.count++
	us.bytes += up.bytes
	u.m.partials.Set(float64(len(u.byID)))
}

// drop forgets an upload (u.mu held).
func (u *uploads) drop(id string) {
	up, ok := u.byID[id]
	if !ok {
		return
	}
	delete(u.byID, id)
	if us := u.byDevice[up.device]; us != nil {
		us.count--
		us.bytes -= up.bytes
		if us.count <= 0 {
			delete(u.byDevice, up.device)
		}
	}
	u.m.partials.Set(float64(len(u.byID)))
}

// admit lets device send a part of blob id of total bytes, starting at
// start, at now: a part of an unfinished upload always (it is the
// device's from then on), a new upload when the device's unfinished ones
// leave room for it.
func (u *uploads) admit(device uuid.UUID, id string, start, total int64, now time.Time) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if up, ok := u.byID[id]; ok || start > 0 {
		if ok {
			u.drop(id)
		} else {
			up = &upload{bytes: total}
		}
		up.device, up.at = device, now
		u.add(id, up)
		return nil
	}
	if us := u.byDevice[device]; us != nil {
		if u.maxCount > 0 && us.count >= u.maxCount {
			return protocol.ErrUploadQuota.Withf("%d unfinished uploads; at most %d", us.count, u.maxCount)
		}
		if u.maxBytes > 0 && us.bytes+total > u.maxBytes {
			return protocol.ErrUploadQuota.Withf("%d bytes of unfinished uploads and %d more; at most %d", us.bytes, total, u.maxBytes)
		}
	} else if u.maxBytes > 0 && total > u.maxBytes {
		return protocol.ErrUploadQuota.Withf("%d bytes; at most %d unfinished", total, u.maxBytes)
	}
	u.add(id, &upload{device: device, bytes: total, at: now})
	return nil
}

// done records the outcome of a part: an upload that completed, or that
// holds nothing, is no longer unfinished.
func (u *uploads) done(id string, held int64, complete bool) {
	if !complete && held > 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.drop(id)
}
