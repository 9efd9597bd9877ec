// Package store is a device's local store on Badger: its identity (device id
// and ed25519 key), its own hash-chained op log and the ops received from
// other devices, the merged state of every record with the secondary indexes
// lists page through, the sync bookkeeping (cursor, acknowledged seq, held
// ops, this device's ops the server refused and received ops set aside),
// the role and scope other devices were enrolled for, small app settings,
// and photos as content-addressed files next to the database.
//
// Every write is one Badger transaction, synced to disk before the method
// returns. State and indexes are derived from the log and can be rebuilt
// from it at any time (Rebuild) and checked against it (Check).
package store
