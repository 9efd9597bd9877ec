// Package bundle owns Lantian's offline hand-over files: one device's ops
// since a sequence number and the photos they reference, in one
// zstd-compressed file signed with the device's key. A bundle carries the
// same ops a sync would, where there is no network at all: from a field
// tablet to the county bureau's computer on a USB stick, or to the
// provincial server's import command.
//
// Import verifies everything (signature, every op's signature and hash
// chain, every blob's hash, the province) before it writes anything, so a
// damaged, cut, altered or foreign bundle leaves the receiving store as it
// was. Importing the same bundle twice changes nothing.
package bundle
