#!/usr/bin/python3
"""Build the CJK fonts the app bundles (assets/fonts).

The app draws all text with one bundled font per weight, since Fyne cannot
fall back to a second bundled font for a missing character. This script
takes the regular and bold faces of Noto Sans CJK SC (Debian package
fonts-noto-cjk, SIL Open Font Licence 1.1) out of their .ttc collections
(Fyne cannot load collections), subsets them to the characters the app
shows, and writes them as OpenType (.otf, CFF outlines) with the licence:

  assets/fonts/NotoSansCJKsc-Regular-subset.otf
  assets/fonts/NotoSansCJKsc-Bold-subset.otf
  assets/fonts/NotoSansCJK-LICENSE.txt

The characters kept are:
  - printable ASCII and Latin-1, general punctuation, CJK symbols and
    punctuation, full-width forms, arrows, units and the symbols the
    app's labels use;
  - the 3,755 characters of GB 2312 level 1 (the common Hanzi; generated
    from Python's gb2312 codec, rows 16-55);
  - every non-ASCII character in the repository's Go sources (schema
    labels and options, messages, demo names), translations
    (assets/translations, app/county/translations), the gazetteer
    (assets/scope.json) and the townships and villages
    (assets/places.tsv.gz);
but not the few in EXCLUDE, which Fyne then draws with its own font.

app/theme_test.go checks that every character of the schemas, the
translations and the gazetteer is in both fonts; rerun this script when
that test fails (new labels or place names).

Requirements (Debian/Ubuntu): apt-get install fonts-noto-cjk python3-fonttools

Usage, from the repository root:
  /usr/bin/python3 packaging/fonts/make-cjk-fonts.py   (the Debian python3 with python3-fonttools)
  [--source-dir /usr/share/fonts/opentype/noto]
The output depends only on the input fonts and the repository's text, so
running it twice gives the same files.
"""

import argparse
import gzip
import os
import re
import sys

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

FAMILY = "Noto Sans CJK SC"
FACES = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
OUT_DIR = os.path.join("assets", "fonts")
SCAN_DIRS = ["app", "model", "internal", "assets", "sync", "main.go"]
SCAN_EXT = (".go", ".json")
PLACES = os.path.join("assets", "places.tsv.gz")

# Left out so that Fyne draws them with its own Latin font: Noto Sans CJK
# SC centres the ellipsis on the line (Chinese style), which reads wrong
# after English words ("Import…" as "Import⋯"); on the baseline it reads
# well in both languages.
EXCLUDE = {"\u2026"}

RANGES = [
    (0x20, 0x7E),      # ASCII
    (0xA0, 0xFF),      # Latin-1 (°, ±, ×, ·, ²...)
    (0x2010, 0x205E),  # general punctuation (—, …, ‘’ “”, ‰, ※)
    (0x2100, 0x215F),  # letterlike symbols and number forms (℃, №, Ⅰ)
    (0x2190, 0x21FF),  # arrows (→)
    (0x2460, 0x24FF),  # enclosed numbers (①)
    (0x25A0, 0x25FF),  # geometric shapes (●, ○, ■, △)
    (0x2600, 0x2613),  # a few symbols (★)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。「」【】〔〕)
    (0x3200, 0x33FF),  # enclosed CJK and CJK compatibility (㎡, ㎏)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF01, 0xFFEF),  # full-width forms (，：；！？（）％)
]


def gb2312_level1():
    """The characters of GB 2312 level 1: rows 16 to 55."""
    out = set()
    for row in range(16, 56):
        for cell in range(1, 95):
            try:
                out.add(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # row 55 ends at cell 89
    return out


def repo_chars(root):
    """Every non-ASCII character in the repository's sources and data."""
    out = set()
    for entry in SCAN_DIRS:
        path = os.path.join(root, entry)
        files = [path] if os.path.isfile(path) else [
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
        for f in sorted(files):
            if not f.endswith(SCAN_EXT):
                continue
            with open(f, encoding="utf-8", errors="ignore") as fh:
                out.update(c for c in fh.read() if ord(c) > 0x7E and c.isprintable())
    with gzip.open(os.path.join(root, PLACES), "rt", encoding="utf-8") as fh:
        out.update(c for c in fh.read() if ord(c) > 0x7E and c.isprintable())
    return out


def face(collection, style):
    """The font of collection whose family is FAMILY."""
    for font in TTCollection(collection).fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    sys.exit(f"{collection}: no {FAMILY} {style}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-dir", default="/usr/share/fonts/opentype/noto")
    ap.add_argument("--root", default=".")
    args = ap.parse_args()

    chars = {chr(c) for lo, hi in RANGES for c in range(lo, hi + 1)}
    chars |= gb2312_level1()
    chars |= repo_chars(args.root)
    chars -= EXCLUDE
    text = "".join(sorted(chars))

    out_dir = os.path.join(args.root, OUT_DIR)
    copyright = ""
    for style, ttc in FACES.items():
        font = face(os.path.join(args.source_dir, ttc), style)
        copyright = font["name"].getDebugName(0)
        opts = Options()
        # No layout features: they pull in the Japanese, Korean and
        # traditional variants (locl) and vertical forms, which the app
        # never shows; kerning of Latin text is kept.
        opts.layout_features = ["kern"]
        opts.hinting = False  # Fyne rasterises without hints
        opts.name_IDs = ["*"]
        opts.name_languages = ["*"]
        opts.notdef_outline = True
        opts.drop_tables += ["VORG", "vhea", "vmtx"]  # vertical text unused
        sub = Subsetter(opts)
        sub.populate(text=text)
        sub.subset(font)
        out = os.path.join(out_dir, f"NotoSansCJKsc-{style}-subset.otf")
        # Fixed timestamps keep the output reproducible.
        font["head"].modified = font["head"].created
        font.recalcTimestamp = False
        font.save(out, reorderTables=True)
        cmap = font.getBestCmap()
        missing = [c for c in text if ord(c) not in cmap]
        print(f"{out}: {os.path.getsize(out)} bytes, {len(cmap)} characters"
              f" ({len(missing)} of the {len(text)} asked for are not in {FAMILY})")

    with open("/usr/share/doc/fonts-noto-cjk/copyright", encoding="utf-8") as fh:
        deb = fh.read()
    m = re.search(r"^License: SIL-1.1\n((?: .*\n)+)", deb, re.M)
    ofl = "\n".join("" if l.strip() == "." else l[1:] for l in m.group(1).splitlines()) if m else ""
    with open(os.path.join(out_dir, "NotoSansCJK-LICENSE.txt"), "w", encoding="utf-8") as fh:
        fh.write(f"{FAMILY} (Regular, Bold), subset for Lantian by packaging/fonts/make-cjk-fonts.py\n"
                 "from Debian's fonts-noto-cjk; upstream https://github.com/notofonts/noto-cjk\n\n"
                 f"{copyright}\n\n"
                 "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n\n"
                 f"{ofl}\n")


if __name__ == "__main__":
    main()
