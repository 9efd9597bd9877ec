// Package assets embeds Lantian's data files: the gazetteer of the plan's
// scope, the bundled CJK font and the UI translations.
package assets

import _ "embed"

// ScopeJSON is the gazetteer of provinces, cities and counties in the
// action plan's scope (a copy of shared/domain/scope.json).
//
//go:embed scope.json
var ScopeJSON []byte

// CJKFont is Droid Sans Fallback (Apache-2.0, see
// fonts/DroidSansFallbackFull.copyright), the font that gives the UI its
// Chinese glyphs.
//
//go:embed fonts/DroidSansFallbackFull.ttf
var CJKFont []byte
