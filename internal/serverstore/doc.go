// Package serverstore holds the provincial server's storage backends for
// sync/server: Badger (embedded, one process) for devices, enrollment
// codes, device logs and ops by server seq, and a directory of blobs named
// by SHA-256.
package serverstore
