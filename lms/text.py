"""Vietnamese text: NFC storage, names, collation keys and diacritic-free search folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Vietnamese alphabet in CLDR "vi" order, with the extra Latin letters of Tày-Nùng writing
# (f, j, w, z) placed where the Latin alphabet has them.
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_LETTER_RANK = {letter: 0x20 + index for index, letter in enumerate(_ALPHABET)}
_SPACE_RANK = 0x01
_DIGIT_BASE = 0x10
_OTHER_BASE = 0x100
_LEVEL_SEPARATOR = "000000"

# Marks that make a distinct letter of the base (ă â ê ô ơ ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone marks in CLDR "vi" secondary order: none, huyền, hỏi, ngã, sắc, nặng.
_TONE_WEIGHT = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
# Letters that legacy Vietnamese fonts (VNI, TCVN3 conversions) leave behind for ư / Ư.
LEGACY_FONT_LETTERS = {"\u01a3": "ư", "\u01a2": "Ư"}


def nfc(text: str) -> str:
    """Return text in Unicode NFC, the form everything is stored in."""
    return unicodedata.normalize("NFC", text)


def clean_name(text: str) -> str:
    """Return a person's or unit's name in NFC with single spaces and no outer blanks."""
    return " ".join(nfc(text).split())


def split_name(full_name: str, given_name_override: str | None = None) -> tuple[str, str]:
    """Split a Vietnamese full name into (family and middle names, given name)."""
    full_name = clean_name(full_name)
    if given_name_override:
        given = clean_name(given_name_override)
        if full_name.endswith(given):
            return full_name[: -len(given)].strip(), given
        return full_name, given
    family_and_middle, _, given = full_name.rpartition(" ")
    return family_and_middle, given


def _collation_elements(text: str) -> tuple[list[int], list[int], list[int]]:
    """Return the primary, secondary (tone) and tertiary (case) weights of text."""
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for char in nfc(text):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        if base.isspace():
            weight = _SPACE_RANK
        elif base.isdigit() and base.isascii():
            weight = _DIGIT_BASE + int(base)
        elif base.isalpha():
            lower = base.lower()
            letter = lower + "".join(mark for mark in marks if mark in _LETTER_MARKS)
            letter = unicodedata.normalize("NFC", letter)
            weight = _LETTER_RANK.get(letter, _OTHER_BASE + ord(nfc(lower)))
        else:
            continue  # punctuation and apostrophes do not decide the order of names
        tone = next((_TONE_WEIGHT[mark] for mark in marks if mark in _TONE_WEIGHT), 0)
        primary.append(weight)
        secondary.append(tone)
        tertiary.append(0 if base == base.lower() else 1)
    return primary, secondary, tertiary


# A pure function of its text: unit names are keyed on every page that lists the tree.
@lru_cache(maxsize=8192)
def collation_key(text: str) -> str:
    """Return a string that sorts text in Vietnamese order when compared byte by byte."""
    primary, secondary, tertiary = _collation_elements(text)
    return (
        "".join(f"{weight:06x}" for weight in primary)
        + _LEVEL_SEPARATOR
        + "".join(str(weight) for weight in secondary)
        + "".join(str(weight) for weight in tertiary)
    )


def person_sort_key(full_name: str, given_name_override: str | None = None) -> str:
    """Return the key ordering people by given name, then family and middle names."""
    family_and_middle, given = split_name(full_name, given_name_override)
    return collation_key(given) + "~" + collation_key(family_and_middle)


def fold(text: str) -> str:
    """Return text folded for search: no diacritics, no case, đ as d, one kind of apostrophe."""
    text = unicodedata.normalize("NFD", text.translate(_APOSTROPHES)).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("đ", "d")
    return " ".join(text.split())


def search_normal(text: str) -> str:
    """Return text normalised for case-insensitive search that still respects diacritics."""
    return " ".join(nfc(text.translate(_APOSTROPHES)).casefold().split())


_LEGACY_RE = re.compile("|".join(LEGACY_FONT_LETTERS))


def legacy_font_letters(text: str) -> list[tuple[int, str, str]]:
    """Return (offset, found, meant) for each letter left by a legacy Vietnamese font."""
    return [
        (m.start(), m.group(), LEGACY_FONT_LETTERS[m.group()]) for m in _LEGACY_RE.finditer(text)
    ]
