package app

import "github.com/lantian-tz/lantian/internal/store"

// The device store is what the screens need.
var _ deviceStore = (*store.Store)(nil)
