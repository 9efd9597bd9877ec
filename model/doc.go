// Package model holds Lantian's registers as data: schemas with their fields,
// validation, statuses and review transitions, field values in canonical
// form, and the gazetteer of the plan's scope. It uses the standard library
// only and does no I/O beyond decoding data handed to it.
//
// Registers() lists the sixteen schemas of the four families (farm coal,
// straw, livestock, dust); Lookup finds one by name. A schema checks single
// values (ValidateValue, for applying remote ops), whole records (Validate,
// Warnings) and status changes (Transition, NextStatuses). ParseInput and
// Display convert between canonical values and what users type and read.
//
// County codes are checked against the gazetteer installed with
// SetGazetteer (normally assets.ScopeJSON loaded once at start-up); until
// one is installed only their shape is checked. Rules that depend on the
// current time ("not in the future", "not updated for 35 days") use
// Record.Now, which the caller fills from its injected clock; a zero Now
// skips them.
//
// Thresholds that are proposals rather than official figures (INF in
// registers.md) live in data tables (limits.go, option lists at the top of
// each register file) so that they can be changed without touching the
// validation code.
package model
