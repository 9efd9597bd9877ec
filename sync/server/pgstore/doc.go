// Package pgstore is a PostgreSQL backend of sync/server's Storage and
// BlobStorage (Store.Blobs), for provinces that run several stateless
// server instances behind a load balancer and want SQL access to the ops
// for analysts: every instance serves every op and every photo. Like
// sync/server/badgerstore it sits beside the interface it implements and
// imports sync/server.
//
// # Schema
//
// Open migrates the schema, in the connection's search_path, to the
// latest version: numbered migrations (migrations/NNN_name.sql, embedded)
// applied in order in one transaction, under a transaction-scoped
// advisory lock so that several instances may start at once; the version
// is the one row of lantian_schema_version. A database made before
// versions were recorded is recognised by its shape and migrated from
// the matching version; one at a newer version than the binary knows is
// refused (ErrSchemaTooNew). The tables:
//
//	lantian_counter  one row: the last server seq handed out
//	devices          enrolled devices, unique token hash
//	codes            one-time enrollment codes by hash
//	heads            each device's acknowledged seq and chain head
//	device_log       (device, seq): hash, eff, county, province,
//	                 server_seq (NULL for refused entries), refused code
//	                 and receipt (jsonb), raw op bytes (refused entries
//	                 only: an applied op's bytes are in ops), accepted
//	                 (when the server received it; NULL before 006)
//	ops              applied ops by server_seq with device, seq, county,
//	                 province, eff and raw bytes, and the seq of the
//	                 device's previous applied op in the province
//	                 (prev_province) and in the county (prev_county), 0
//	                 when none; indexed by (county, server_seq) and
//	                 (province, server_seq)
//	scope_heads      (device, county): seq of the device's last applied
//	                 op in that county (its greatest over the counties is
//	                 the last in the province: a device's applied ops are
//	                 all in one province)
//	blob_refs        (blob, county): the counties of the applied ops
//	                 that reference a photo
//	records          each record's home: the register and county of its
//	                 first applied op, which it keeps for life; Append
//	                 refuses an op naming others (see recordHomes for how
//	                 concurrent batches are decided)
//	op_reports       (device, seq, reporter): served ops a receiver
//	                 reported setting aside
//	withdrawals      seq: a revoked device's withdrawal (device, since,
//	                 at, reason), numbered in commit order under a table
//	                 lock
//	withdrawn_ops    ops rows moved out of ops by a withdrawal (so Pull
//	                 never serves them), with its seq
//	blobs            photos by SHA-256: bytes held, size announced,
//	                 complete, chunk size, and while unfinished the
//	                 SHA-256 state over the bytes held and who sent the
//	                 last part, when (see Blobs)
//	blob_chunks      (blob, n): chunk n of a photo's bytes
//
// The prev columns are the scope links of pull pages
// (protocol.PageOp.ScopePrev); migration 002 adds them and fills them in
// for the ops stored before they existed. Migration 004 adds records and,
// in a Go step (the record of an op is only in its binary form), fills
// in the homes of the records of the ops stored before it.
//
// # Cursor rule
//
// A pull cursor is a server seq, so a pull must never return seq 11 while
// seq 10 is still uncommitted: that op would commit later and every cursor
// at 11 would skip it. A PostgreSQL sequence cannot give that, because its
// values are handed out before commit and transactions commit in any
// order.
//
// Append therefore takes its server seqs from the single lantian_counter
// row with UPDATE ... SET n = n + k RETURNING n, inside the push
// transaction and after the head check. The row lock it takes is held
// until the transaction commits or rolls back, so the writers that assign
// seqs are serialised from that point to their commit: the next writer
// reads the counter only after the previous one has committed (PostgreSQL
// makes a transaction visible before it releases its locks) and gets
// greater seqs. Every snapshot therefore holds a prefix of the server
// seqs, and an op that commits after a pull's snapshot has a greater seq
// than every op the pull returned. A rolled-back Append leaves no hole:
// its counter update rolls back too. The price is one province-wide
// critical section per batch (insert and commit), the same as the Badger
// backend's mutex; the head check, decoding and signature verification
// stay outside it.
//
// # Head check
//
// Append locks the device's heads row (SELECT ... FOR UPDATE, the row
// created first with INSERT ... ON CONFLICT DO NOTHING) and fails with
// server.ErrStaleHead when it no longer equals the head the batch was
// verified against; two instances pushing the same device's batch at once
// therefore store it once, and the loser answers duplicates after the
// server re-reads the head.
//
// # Connections
//
// The store keeps a pgxpool of connections: at most 10, or the URL's
// pool_max_conns parameter (other pool_* parameters as pgxpool reads
// them). Reads run in
// autocommit mode (READ COMMITTED, one snapshot per statement). Pull reads
// a page in chunks of rows after the last seq read; since every snapshot
// holds a prefix of the server seqs, chunks read under successive
// snapshots still never pass an op that commits later.
package pgstore
