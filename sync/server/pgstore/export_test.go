package pgstore

// SetChunkBytes makes b store the blobs it starts in chunks of n bytes.
func SetChunkBytes(b *Blobs, n int) { b.chunk = n }
