package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/lantian-tz/lantian/assets"
)

// cjkFont is the bundled Droid Sans Fallback, used for every text style so
// that Chinese renders on machines without a CJK font.
var cjkFont = fyne.NewStaticResource("DroidSansFallbackFull.ttf", assets.CJKFont)

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

// Font returns the bundled CJK font for every style.
func (t *Theme) Font(fyne.TextStyle) fyne.Resource { return cjkFont }

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
