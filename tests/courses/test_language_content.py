"""The Tày and Nùng content: the two courses and the dictionary seed files they draw on.

The seed files are checked by the dictionaries' own importer (lms.dictionary.services: headers,
required cells, keys, language, examples and their translations, a source on every row), each
source against the research log. Every word the two courses teach in a vocabulary table is an
entry of its language's seed file: a taught word always has a recorded source.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from lms.courses.checker import check_courses, load_folder
from lms.courses.models import Course
from lms.db import db
from lms.dictionary import services
from lms.sheets import read_rows
from lms.text import search_normal
from tests.learning.content import import_folder

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"
SEEDS = {"tyz": ROOT / "dictionaries" / "tyz.csv", "nut": ROOT / "dictionaries" / "nut.csv"}
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
def test_a_seed_file_passes_the_importer_s_checks(code):
    path = SEEDS[code]
    rows, problems = services.check_rows(read_rows(path.name, path.read_bytes(), services.LAYOUT))

    assert [str(problem) for problem in problems] == []
    assert {row.language for row in rows} == {code}
    for row in rows:
        # A source is a publication or a page with its address, never a bare word.
        assert "http" in row.source or re.search(r"\d{4}", row.source), row.number
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
