// Package e2e holds Lantian's end-to-end sync tests: enrolled devices with
// real Badger stores syncing through the sync client with a real server
// (httptest, Badger storage in a temporary directory), with and without a
// fault-injecting proxy in between, and offline bundles between devices
// and the server. It has no code of its own beyond the tests; shared test
// fixtures are in the fixture subpackage.
package e2e
