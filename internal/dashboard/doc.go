// Package dashboard computes the figures a county bureau reports upward
// each month from the register records: farm coal replacement against the
// county's target, straw patrol coverage, fire-point verification, the
// livestock ammonia ledgers, and dust (monthly dustfall against the
// 7 t/(月·km²) limit with the township ranking, and construction sites
// keeping the six 100% measures). The figures are pure functions of the
// records (Builder, Compute), so they can be checked number by number; Load
// streams the records from the device store page by page.
package dashboard
