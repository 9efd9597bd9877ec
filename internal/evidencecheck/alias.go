// Package evidencecheck keeps the photo evidence checks of
// internal/photocheck (the one place their rules live) over a device
// store: the index of photos attached to several records, and a checker
// that follows the store's changes.
package evidencecheck

import "github.com/lantian-tz/lantian/internal/photocheck"

// The checks themselves, from internal/photocheck.
type (
	Kind    = photocheck.Kind
	Options = photocheck.Options
	Flag    = photocheck.Flag
	Reuse   = photocheck.Reuse
	Photo   = photocheck.Photo
)

// Kinds of doubt.
const (
	TimeOff = photocheck.TimeOff
	FarAway = photocheck.FarAway
	NoTime  = photocheck.NoTime
	NoGPS   = photocheck.NoGPS
	Reused  = photocheck.Reused
)

var (
	Check     = photocheck.Check
	Photos    = photocheck.Photos
	HasPhotos = photocheck.HasPhotos
	Summary   = photocheck.Summary
	PackNotes = photocheck.PackNotes
)
