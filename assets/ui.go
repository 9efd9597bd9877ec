package assets

import "embed"

// Translations holds the UI translations, one go-i18n JSON file per
// language (zh-Hans.json, en.json), for lang.AddTranslationsFS(Translations,
// "translations"). Simplified Chinese is filed as zh-Hans, the tag Fyne's
// own strings use, so that zh-CN users get both ours and Fyne's dialogs in
// Chinese.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is the app icon (512×512 PNG).
//
//go:embed icon.png
var Icon []byte
