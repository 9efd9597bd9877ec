// Package client is the device side of sync: it pushes the device's
// pending ops to the provincial server in batches, quarantines the ones the
// server refuses, pulls the ops of its scope page by page (each page saved
// with its cursor in one store transaction), and moves photos both ways in
// resumable chunks. Every request is retried with exponential backoff and
// jitter on network errors and 5xx answers, never on 4xx; a cut at any
// byte leaves both sides consistent and the next Sync resends at most one
// batch. It also enrolls a device with a one-time code.
package client
