package app

import (
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/lantian-tz/lantian/app/county"
	"github.com/lantian-tz/lantian/assets"
)

// Languages the UI offers. Chinese is the default.
const (
	LangZH = "zh-CN"
	LangEN = "en"
)

// setLanguage makes lang.L answer in code (LangZH or LangEN). Fyne picks
// its localizer from the process locale, so the locale variables are set
// and the translations re-added, which makes Fyne choose again. This works
// on Linux and the BSDs (and in tests); on Windows, macOS and Android Fyne
// reads the system setting, so there the choice takes the system language.
func setLanguage(code string) {
	loc := "zh_CN.UTF-8"
	if strings.HasPrefix(code, "en") {
		loc = "en_US.UTF-8"
	}
	currentTextLang = textLang(code)
	os.Setenv("LC_ALL", loc)
	os.Setenv("LANGUAGE", "")
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		fyne.LogError("loading translations", err)
	}
	if err := county.LoadTranslations(); err != nil {
		fyne.LogError("loading county translations", err)
	}
}

// textLang is the model.Text language for code.
func textLang(code string) string {
	if strings.HasPrefix(code, "en") {
		return "en"
	}
	return "zh"
}
