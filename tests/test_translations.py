"""The English catalog covers every string the interface shows, with matching placeholders."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT / "lms"), METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_interface_string_has_an_english_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }
    missing = sorted(source_messages() - translated)
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing[:20])


def test_translations_keep_their_placeholders():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
