// Package protocol owns Lantian's sync wire format, version 1: the paths
// under /v1/, the request and response types of enrollment, push, pull,
// reports of ops set aside, blobs and administration, their encoding (JSON for small control
// messages, a compact binary framing around oplog's binary op form for
// op batches), body compression, limits, and the one error type that is
// every error body and that clients decode back into a Go error.
//
// Decoders never panic on malformed input; every one has a fuzz target.
// sync/PROTOCOL.md describes the same contract for people.
package protocol
