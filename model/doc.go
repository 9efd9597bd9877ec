// Package model holds Lantian's registers as data: schemas with their fields,
// validation, statuses and review transitions, field values in canonical
// form, and the gazetteer of the plan's scope. It uses the standard library
// only and does no I/O beyond decoding data handed to it.
package model
