package oplog

// ApplyResult counts what a replica did with a batch of remote ops (the
// device store's Apply; bundle import reports it). It lives here, beside
// the ops, so that code that only drives a replica through an interface
// (sync/bundle) need not import the replica's package.
type ApplyResult struct {
	// Applied ops were added to the log (including held ops whose
	// predecessor arrived).
	Applied int
	// Duplicates were already stored (or already held).
	Duplicates int
	// Held ops wait for a predecessor that has not arrived.
	Held int
	// Quarantined ops failed the replica's checks (signature, chain,
	// shape, admission, the record's register and county) and were set
	// aside, with the reason, instead of refusing the whole batch (a pull
	// page); the device's later ops wait behind them.
	Quarantined int
}
