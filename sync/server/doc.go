// Package server is Lantian's provincial sync server: an http.Handler for
// the version 1 protocol of sync/protocol (enrollment, push, pull, reports
// of ops receivers set aside, blobs, administration, health and metrics)
// over the small Storage and BlobStorage interfaces it declares. It
// verifies every pushed op's shape, schema, hash chain and scope, and
// authenticates a pushed batch, a run of one device's chained ops, by its
// link to the device's stored head and its last op's signature: the signed
// head commits to every op before it through the chain (oplog.VerifyRun);
// an op that ends a run as some receiver is served it has its own
// signature checked too. Each op is stored with its own signature, which
// stays individually auditable (oplog.VerifyEach). It stamps accepted ops
// with their server seq and effective time, and serves each device only
// the ops of its scope.
//
// The storage backends sit beside this package and import it for the
// interfaces they implement: sync/server/badgerstore (Badger, the
// default) and sync/server/pgstore (PostgreSQL); sync/server/storetest
// holds the tests every backend passes.
package server
