// Package server is Lantian's provincial sync server: an http.Handler for
// the version 1 protocol of sync/protocol (enrollment, push, pull, blobs,
// administration, health and metrics) over the small Storage and
// BlobStorage interfaces it declares. It verifies every pushed op's shape,
// schema, signature, hash chain and scope, stamps accepted ops with their
// server seq and effective time, and serves each device only the ops of
// its scope.
package server
