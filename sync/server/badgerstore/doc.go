// Package badgerstore is the provincial server's default storage backend:
// Badger (embedded, one process) for devices, enrollment codes, device
// logs and ops by server seq, and a directory of blobs named by SHA-256.
// It implements the Storage and BlobStorage interfaces that sync/server
// declares, and so imports sync/server, never the other way round.
package badgerstore
