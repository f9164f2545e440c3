"""The languages people study here, by the codes course files and dictionaries use.

A foundation: courses, the catalogue and the dictionaries all name languages from here.
"""

from __future__ import annotations

from lms.i18n import lazy_gettext as _l

# Language of study. Sán Dìu has no ISO 639 code, hence a BCP 47 private-use tag.
LANGUAGES = {
    "vi": _l("Tiếng Việt"),
    "en": _l("Tiếng Anh"),
    "zh": _l("Tiếng Trung (Hoa)"),
    "fr": _l("Tiếng Pháp"),
    "tyz": _l("Tiếng Tày"),
    "nut": _l("Tiếng Nùng"),
    "hnj": _l("Tiếng Mông"),
    "blu": _l("Tiếng Mông (Hmông Njua)"),
    "ium": _l("Tiếng Dao"),
    "mlc": _l("Tiếng Sán Chay (Cao Lan)"),
    "x-sandiu": _l("Tiếng Sán Dìu"),
}
# Languages written in the Tày-Nùng script, where apostrophes are part of words (t'ua).
APOSTROPHE_LANGUAGES = {"tyz", "nut"}
