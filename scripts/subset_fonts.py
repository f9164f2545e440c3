"""Make the web fonts the certificate prints with: Noto Serif cut down to the letters this
platform shows (Vietnamese, the minority languages' letters the courses and dictionaries use,
punctuation and digits) as WOFF2, from the full fonts in fonts/.

    .venv/bin/python scripts/subset_fonts.py

writes lms/static/fonts/NotoSerif-{Regular,Bold}.woff2 (committed: running the app needs no
fontTools) and prints the unicode-range the stylesheet declares for them. Run it again when a
course or dictionary brings a letter the fonts lack (tests/learning/test_certificates.py says so).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "fonts"
TARGET = ROOT / "lms" / "static" / "fonts"
FACES = ("NotoSerif-Regular", "NotoSerif-Bold")
# Basic Latin and Latin-1, Latin Extended-A, the modifier apostrophe (ʼ), combining marks,
# Vietnamese (in Latin Extended Additional), dashes, quotes and ellipsis, the đồng sign.
RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x0100, 0x017F),
    (0x01A0, 0x01B0),  # ơ ư and their capitals
    (0x02BC, 0x02BC),
    (0x0300, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2026),
    (0x20AB, 0x20AB),
]


def content_letters() -> set[int]:
    """Every character of the courses and dictionaries, in both normal forms."""
    found: set[int] = set()
    for folder in ("courses", "dictionaries"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".md", ".csv") and path.is_file():
                text = path.read_text("utf-8")
                for form in ("NFC", "NFD"):
                    found.update(ord(char) for char in unicodedata.normalize(form, text))
    return {code for code in found if code >= 0x20}


def wanted() -> set[int]:
    codes = {code for first, last in RANGES for code in range(first, last + 1)}
    return codes | content_letters()


def unicode_range(codes: set[int]) -> str:
    """The codes as CSS unicode-range, runs joined."""
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return ", ".join(
        f"U+{first:04X}" if first == last else f"U+{first:04X}-{last:04X}" for first, last in runs
    )


def main() -> int:
    codes = wanted()
    kept: set[int] = set()
    for face in FACES:
        font = TTFont(SOURCE / f"{face}.ttf")
        options = subset.Options()
        options.flavor = "woff2"
        # The features Vietnamese and the minority letters need (marks placed over marks),
        # kerning, ligatures; no hinting: browsers of this decade rasterise without it.
        options.layout_features = ["ccmp", "locl", "mark", "mkmk", "kern", "liga", "calt"]
        options.hinting = False
        options.desubroutinize = True
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        available = set(font.getBestCmap())
        subsetter.populate(unicodes=codes & available)
        subsetter.subset(font)
        out = TARGET / f"{face}.woff2"
        font.flavor = "woff2"
        font.save(out)
        kept |= set(font.getBestCmap())
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")
    print("unicode-range:", unicode_range(kept))
    return 0


if __name__ == "__main__":
    sys.exit(main())
