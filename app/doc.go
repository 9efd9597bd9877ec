// Package app is Lantian's desktop and tablet UI (Fyne): the start-up
// flow (passphrase, first run, demo data), the home screen, a list and a
// form per register generated from its schema, record detail with history
// and conflicts, the patrol quick log, fire-point checks, sync, settings,
// shared-tablet users and quarantined changes. It talks to the device store
// directly and to the sync client through the small Syncer interface.
package app
