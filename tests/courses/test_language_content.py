"""The Tày and Nùng content: the two courses and the dictionary seed files they draw on.

The seed files are checked here against the exchange format the dictionaries' importer reads
(headers, required cells, keys, language, examples and their translations, a source on every
row), with the csv module only, so they are right before the importer ever sees them. Every word
the two courses teach in a vocabulary table is an entry of its language's seed file: a taught
word always has a recorded source.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from lms.courses.checker import check_courses, load_folder
from lms.courses.models import Course
from lms.db import db
from lms.languages import LANGUAGES
from lms.text import search_normal
from tests.learning.content import import_folder

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"
SEEDS = {"tyz": ROOT / "dictionaries" / "tyz.csv", "nut": ROOT / "dictionaries" / "nut.csv"}
HEADERS = {
    "Mã ngôn ngữ",
    "Mã mục từ",
    "Mục từ",
    "Nghĩa",
    "Từ loại",
    "Ví dụ",
    "Dịch ví dụ",
    "Phương ngữ",
    "Cách ghi",
    "Nguồn",
    "Trang",
}
REQUIRED = ("Mã ngôn ngữ", "Mã mục từ", "Mục từ", "Nghĩa", "Nguồn")
PARTS_OF_SPEECH = {
    "danh từ",
    "động từ",
    "tính từ",
    "số từ",
    "đại từ",
    "phó từ",
    "giới từ",
    "liên từ",
    "trợ từ",
    "thán từ",
    "cụm từ",
    "câu",
}
KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
VOCAB_RE = re.compile(r"^```vocab\n(.*?)^```", re.MULTILINE | re.DOTALL)
LANGUAGE_COURSES = {"tieng-tay-nhap-mon": "tyz", "tieng-nung-nhap-mon": "nut"}


def read_seed(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def headword(text: str) -> str:
    """A word as the cross-check compares it: normalised, without closing punctuation."""
    return search_normal(text).rstrip("?!. ")


@pytest.mark.parametrize("code", sorted(SEEDS))
def test_a_seed_file_follows_the_exchange_format(code):
    headers, rows = read_seed(SEEDS[code])

    if headers and headers[0] == "STT":
        headers = headers[1:]
    assert sorted(headers) == sorted(HEADERS)
    assert len(headers) == len(set(headers))
    assert code in LANGUAGES
    keys = set()
    for number, row in enumerate(rows, start=2):
        where = f"{SEEDS[code].name}:{number}"
        for header in REQUIRED:
            assert row[header].strip(), f"{where}: {header} is empty"
        assert row["Mã ngôn ngữ"] == code, where
        assert KEY_RE.fullmatch(row["Mã mục từ"]), where
        assert row["Mã mục từ"] not in keys, f"{where}: key {row['Mã mục từ']} repeated"
        keys.add(row["Mã mục từ"])
        assert unicodedata.is_normalized("NFC", row["Mục từ"]), where
        assert row["Mục từ"] == row["Mục từ"].strip(), where
        assert row["Từ loại"] in PARTS_OF_SPEECH | {""}, where
        examples = [part for part in row["Ví dụ"].split(" | ") if part]
        translations = [part for part in row["Dịch ví dụ"].split(" | ") if part]
        assert len(examples) == len(translations), f"{where}: examples and translations differ"
        # A source is a publication or a page with its address, never a bare word.
        assert "http" in row["Nguồn"] or re.search(r"\d{4}", row["Nguồn"]), where
    assert len(rows) >= 100


def test_both_seed_files_cite_only_the_logged_sources():
    log = (COURSES / "SOURCES-tay-nung.md").read_text(encoding="utf-8")
    for code, path in SEEDS.items():
        for row in read_seed(path)[1]:
            address = re.search(r"https?://\S+", row["Nguồn"])
            assert address, f"{code}: {row['Mã mục từ']} has no address"
            assert address.group(0) in log, f"{code}: {address.group(0)} is not in the log"


@pytest.mark.parametrize(("slug", "code"), sorted(LANGUAGE_COURSES.items()))
def test_every_word_a_course_teaches_is_a_sourced_entry(slug, code):
    entries = {headword(row["Mục từ"]) for row in read_seed(SEEDS[code])[1]}
    taught = []
    for lesson in sorted((COURSES / slug).glob("[0-9][0-9]-*.md")):
        for block in VOCAB_RE.findall(lesson.read_text(encoding="utf-8")):
            taught += [row["word"] for row in yaml.safe_load(block)["rows"] if "word" in row]

    assert taught
    assert [word for word in taught if headword(word) not in entries] == []


def test_the_tay_and_nung_courses_pass_the_checker_with_five_topics_each():
    sources, _is_collection = load_folder(COURSES)
    report = check_courses(sources, is_collection=True)

    assert report.errors == []
    assert report.warnings == []
    for slug, code in LANGUAGE_COURSES.items():
        folder = COURSES / slug
        meta = yaml.safe_load((folder / "course.md").read_text(encoding="utf-8").split("---")[1])
        assert meta["language"] == code
        assert meta["category"] == "ethnic-language"
        lessons = sorted(path.stem[3:] for path in folder.glob("[0-9][0-9]-*.md"))
        assert {"chao-hoi", "so-dem", "gia-dinh", "hoi-thoai"} <= set(lessons), slug
        assert len(lessons) >= 5
        for path in folder.glob("[0-9][0-9]-*.md"):
            assert "```quiz" in path.read_text(encoding="utf-8"), path.name


def test_the_nung_course_imports_with_its_sources(app, client, login, tmp_path):
    from tests.factories import make_person

    import_folder(COURSES / "tieng-nung-nhap-mon")
    course = db.session.query(Course).filter_by(slug="tieng-nung-nhap-mon").one()
    assert course.language == "nut"
    assert len(course.sources) >= 5
    make_person("mai", "Lò Thị Mai")
    db.session.commit()
    assert login("mai").status_code == 302

    page = client.get("/courses/tieng-nung-nhap-mon").get_data(as_text=True)
    assert "Nguồn tham khảo" in page
    assert "Sách học tiếng Tày Nùng" in page
    assert "Ngôn ngữ: Tiếng Nùng" in client.get("/courses/?q=nung&bo_dau=1").get_data(as_text=True)
