package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/lantian-tz/lantian/assets"
)

// cjkFont and cjkFontBold are the bundled Noto Sans CJK SC faces, used for
// every text style so that Chinese renders, in bold too, on machines
// without a CJK font. Fyne takes one font per style (and falls back only
// to its own Latin font and the system's), so the subset must hold every
// character the app shows (see theme_test.go).
var (
	cjkFont     = fyne.NewStaticResource("NotoSansCJKsc-Regular-subset.otf", assets.CJKFont)
	cjkFontBold = fyne.NewStaticResource("NotoSansCJKsc-Bold-subset.otf", assets.CJKFontBold)
)

// appIcon is the window and launcher icon.
var appIcon = fyne.NewStaticResource("icon.png", assets.Icon)

// Theme is Lantian's theme: Fyne's default with the bundled CJK font for
// all text and, on touch devices, larger text and paddings.
type Theme struct {
	fyne.Theme
	touch bool
}

// NewTheme returns the theme; touch enlarges sizes for fingers.
func NewTheme(touch bool) *Theme {
	return &Theme{Theme: theme.DefaultTheme(), touch: touch}
}

// Font returns the bundled CJK font: its bold face for bold text, the
// regular one for every other style (it has no italic).
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return cjkFontBold
	}
	return cjkFont
}

// Color keeps the default palette with a sky-blue primary colour.
func (t *Theme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		return color.NRGBA{R: 0x1e, G: 0x88, B: 0xe5, A: 0xff}
	}
	return t.Theme.Color(n, v)
}

// Size enlarges text, paddings and inline icons on touch devices.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	if !t.touch {
		return s
	}
	switch n {
	case theme.SizeNameText, theme.SizeNameInlineIcon:
		return s * 1.25
	case theme.SizeNamePadding, theme.SizeNameInnerPadding:
		return s * 1.5
	}
	return s
}
