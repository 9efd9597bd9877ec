-- Photos (server.BlobStorage), so that every instance on the database
-- serves every photo: one row per blob, complete or being uploaded, and
-- its bytes in chunks of chunk bytes each (the last one shorter), chunk n
-- holding the bytes from n*chunk. While an upload is unfinished, held is
-- the bytes stored, hash the SHA-256 state over them (so a later part,
-- through any instance, goes on hashing where the last one stopped), and
-- device and at say who sent the last part and when.
CREATE TABLE blobs (
	id       text PRIMARY KEY,
	held     bigint NOT NULL DEFAULT 0,
	total    bigint NOT NULL,
	complete boolean NOT NULL DEFAULT false,
	chunk    integer NOT NULL,
	hash     bytea,
	device   uuid,
	at       timestamptz NOT NULL);
CREATE TABLE blob_chunks (
	blob text NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
	n    integer NOT NULL,
	data bytea NOT NULL,
	PRIMARY KEY (blob, n));
-- Photos are compressed already: store the chunks without trying again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
