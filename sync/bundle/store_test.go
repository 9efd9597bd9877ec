package bundle_test

import (
	"github.com/lantian-tz/lantian/internal/store"
	"github.com/lantian-tz/lantian/sync/bundle"
)

// The device store is what bundles are exported from and imported into.
// These checks live in a test so that the server, which links bundle for
// ImportServer, does not link the device store.
var (
	_ bundle.Source = (*store.Store)(nil)
	_ bundle.Target = (*store.Store)(nil)
)
