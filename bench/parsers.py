"""Time and memory of checking the worst uploads that fit within the size limits.

    .venv/bin/python bench/parsers.py                  # every case
    .venv/bin/python bench/parsers.py brackets nested  # cases whose name contains a word

Each case builds an adversarial input (a course .zip for the course check, a staff list for
the staff import) within the upload limits, then checks it in a child process of its own, as
the upload pages do (`read_courses` + `check_courses`, `read_rows`). It prints the child's CPU
time, its peak memory (`VmHWM`, the interpreter and the app included) and the first line of
its verdict, and exits 1 when a case takes 5 s or more, or 200 MB or more.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_SECONDS = 5.0
MAX_MB = 200
TEXT_BYTES = 1024 * 1024 - 1024  # a course file may hold 1 MB; leave room for front matter

FRONT_MATTER = """---
title: Khóa thử
category: digital-skills
language: {language}
level: beginner
hours: 1
summary: Khóa học để đo.
authors:
  - Nhóm đo
sources:
  - Nguồn đo
version: "1.0"
---

"""
LESSON = "---\ntitle: Bài một\nminutes: 5\n---\n\nNội dung.\n"


def _fill(unit: str, size: int = TEXT_BYTES, width: int = 4000) -> str:
    """unit repeated to size bytes, in lines of about width characters: one long paragraph."""
    line = unit * max(1, width // len(unit))
    line = line if line.endswith("\n") else line + "\n"
    return line * (size // len(line.encode()))


def _lines(make, size: int = TEXT_BYTES) -> str:
    lines, total, index = [], 0, 0
    while True:
        line = make(index) + "\n"
        total += len(line.encode())
        if total > size:
            return "".join(lines)
        lines.append(line)
        index += 1


def course_zip(body: str, *, language: str = "vi", front_matter: str | None = None) -> bytes:
    # Stored, not deflated: a file that compresses too well is refused before it is read.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        head = front_matter if front_matter is not None else FRONT_MATTER.format(language=language)
        archive.writestr("khoa-do/course.md", head + body)
        archive.writestr("khoa-do/01-bai-mot.md", LESSON)
    return buffer.getvalue()


def real_courses_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((ROOT / "courses").rglob("*")):
            if path.is_file() and path.parent != ROOT / "courses":
                archive.write(path, path.relative_to(ROOT / "courses").as_posix())
    return buffer.getvalue()


def bomb_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("khoa-do/course.md", FRONT_MATTER.format(language="vi"))
        archive.writestr("khoa-do/01-bai-mot.md", LESSON)
        archive.writestr("khoa-do/media/a.png", b"\0" * (19 * 1024 * 1024))
    return buffer.getvalue()


COURSE_CASES = {
    "brackets-12000": lambda: course_zip("[" * 12_000),
    "brackets-12000-lines": lambda: course_zip(_fill("[", 12_000)),
    "brackets-1mb": lambda: course_zip(_fill("[")),
    "brackets-lines": lambda: course_zip(_fill("[\n")),
    "images-open": lambda: course_zip(_fill("![")),
    "link-parens-open": lambda: course_zip(_fill("[a](")),
    "link-parens-closed-late": lambda: course_zip("[a](" * 100_000 + ")" * 100_000),
    "brackets-nested": lambda: course_zip("[" * 200_000 + "]" * 200_000),
    "brackets-matched": lambda: course_zip(_fill("[a] ")),
    "links-many": lambda: course_zip(_fill("[a](https://a.vn) ")),
    "tags-open": lambda: course_zip(_fill("<a ")),
    "tags-open-lines": lambda: course_zip(_fill("<a \n")),
    "tags-open-quote": lambda: course_zip(_fill('<a b="')),
    "tags-closed": lambda: course_zip(_fill("<b>x</b> ")),
    "lt-runs": lambda: course_zip(_fill("<")),
    "comments-open": lambda: course_zip(_fill("<!--")),
    "stars": lambda: course_zip(_fill("*")),
    "emphasis": lambda: course_zip(_fill("*a* ")),
    "underscores": lambda: course_zip(_fill("_a")),
    "backticks": lambda: course_zip(_fill("`")),
    "backtick-runs": lambda: course_zip(_fill("``a")),
    "quotes-nested": lambda: course_zip(_lines(lambda i: ">" * (i % 400) + " x")),
    "lists-nested": lambda: course_zip(_lines(lambda i: "    " * (i % 400) + "- x")),
    "lists-one-line": lambda: course_zip(_lines(lambda i: "- " * 2000 + "x")),
    "quote-list-one-line": lambda: course_zip(_lines(lambda i: "> - " * 1000 + "x")),
    "long-lines": lambda: course_zip(_lines(lambda i: "chữ " * 1249)),
    "short-lines": lambda: course_zip(_fill("x\n")),
    "paragraphs": lambda: course_zip(_fill("x\n\n")),
    "list-items": lambda: course_zip(_fill("- x\n")),
    "table-cells": lambda: course_zip("| a | b |\n|---|---|\n" + _fill("| x | y |\n")),
    "headings": lambda: course_zip(_fill("# x\n")),
    "paragraphs-10000": lambda: course_zip("x\n\n" * 4990),
    "list-items-10000": lambda: course_zip(_lines(lambda i: "- " + "chữ " * 24)[: 9990 * 100]),
    "quotes-10000": lambda: course_zip("> " + "chữ " * 20 + "\n>\n" * 4990),
    "words-10000-lines": lambda: course_zip(_lines(lambda i: "chữ " * 25)),
    "table-19000-cells": lambda: course_zip("|a|b|\n|-|-|\n" + "|x|y|\n" * 6300),
    "fences-unclosed": lambda: course_zip(_fill("```a\n")),
    "apostrophes": lambda: course_zip(_lines(lambda i: "a" * 4990 + "'b"), language="tyz"),
    "yaml-nested": lambda: course_zip(
        "", front_matter="---\ntitle: " + "[" * 500_000 + "\n---\n\nx\n"
    ),
    "zip-bomb": bomb_zip,
    "real-courses": real_courses_zip,
}


def _sheet_xml(rows: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def _header_row() -> str:
    from lms.staff.importer import COLUMNS

    cells = "".join(
        f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for index, name in enumerate(COLUMNS)
    )
    return f'<row r="1">{cells}</row>'


def _data_row(number: int) -> str:
    values = [
        f"Người Số {number}",
        "05/04/1990",
        "Nữ",
        "Tày",
        "Chuyên viên",
        "PHCTH",
        f"nguoi{number}@example.gov.vn",
        f"nguoi{number}",
    ]
    cells = "".join(
        f'<c r="{chr(65 + index)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for index, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def xlsx(sheet: str | None = None, shared_strings: str | None = None, styles: str | None = None):
    """A workbook written by openpyxl, with some of its parts replaced."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["x"])
    base = io.BytesIO()
    workbook.save(base)
    replaced = {
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings,
        "xl/styles.xml": styles,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replaced.get(info.filename) or source.read(info.filename)
            target.writestr(info.filename, data)
        for name, data in replaced.items():
            if data is not None and name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def shared_strings_xlsx(count: int) -> bytes:
    strings = "".join(f"<si><t>{index}</t></si>" for index in range(count))
    table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}">{strings}</sst>'
    )
    return xlsx(sheet=_sheet_xml(_header_row()), shared_strings=table)


def real_staff_xlsx() -> bytes:
    return xlsx(sheet=_sheet_xml(_header_row() + "".join(_data_row(n) for n in range(2, 20_002))))


def csv_file(text: str) -> bytes:
    from lms.staff.importer import COLUMNS

    return ("\ufeff" + ",".join(COLUMNS) + "\r\n" + text).encode()


STAFF_CASES = {
    "staff-shared-strings": lambda: shared_strings_xlsx(1_500_000),
    "staff-blank-rows": lambda: xlsx(
        sheet=_sheet_xml(_header_row() + "".join(f'<row r="{n}"/>' for n in range(2, 500_002)))
    ),
    "staff-row-gap": lambda: xlsx(
        sheet=_sheet_xml(_header_row() + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    ),
    "staff-wide-rows": lambda: xlsx(
        sheet=_sheet_xml(
            _header_row()
            + "".join(f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, 20_002))
        )
    ),
    "staff-one-huge-row": lambda: xlsx(
        sheet=_sheet_xml(_header_row() + '<row r="2">' + "<c><v>1</v></c>" * 2_000_000 + "</row>")
    ),
    "staff-deep-xml": lambda: xlsx(
        sheet=_sheet_xml(_header_row() + "<x>" * 300_000 + "</x>" * 300_000)
    ),
    "staff-big-styles": lambda: xlsx(
        sheet=_sheet_xml(_header_row()),
        styles='<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><cellXfs>' + "<xf/>" * 3_000_000 + "</cellXfs></styleSheet>",
    ),
    "staff-csv-blank-lines": lambda: csv_file("\r\n" * 9_000_000),
    "staff-csv-wide-row": lambda: csv_file("a," * 9_000_000),
    "staff-real-xlsx-20000": real_staff_xlsx,
}


# The child: check one input and report --------------------------------------------------------


def child(kind: str, path: str) -> None:
    from lms import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    data = Path(path).read_bytes()
    with app.test_request_context():
        start = time.process_time()
        if kind == "course":
            from lms.courses.archive import ArchiveError, read_courses
            from lms.courses.checker import check_courses

            try:
                report = check_courses(read_courses(data), is_collection=True)
                problems = [str(problem) for problem in report.errors]
                verdict = problems[0] if problems else "accepted"
            except ArchiveError as error:
                verdict = str(error.problems[0])
        else:
            from lms.staff.importer import StaffImportError, read_rows

            try:
                verdict = f"accepted: {len(read_rows('ds', data))} rows"
            except StaffImportError as error:
                verdict = str(error.problems[0])
        seconds = time.process_time() - start
    peak = _peak_mb()
    print(json.dumps({"seconds": seconds, "mb": peak, "verdict": verdict}))


def _peak_mb() -> float:
    """The process's peak resident memory since it started (ru_maxrss survives exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(name: str, kind: str, data: bytes) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as handle:
        handle.write(data)
    try:
        result = subprocess.run(
            [sys.executable, __file__, "--child", kind, handle.name],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        return {"seconds": float("nan"), "mb": float("nan"), "verdict": result.stderr[-300:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only cases whose name contains one")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    cases = [(name, "course", make) for name, make in COURSE_CASES.items()]
    cases += [(name, "staff", make) for name, make in STAFF_CASES.items()]
    failed = False
    print(f"{'case':<24} {'upload':>9} {'CPU':>7} {'peak':>7}  verdict")
    for name, kind, make in cases:
        if args.names and not any(word in name for word in args.names):
            continue
        data = make()
        result = run(name, kind, data)
        ok = result["seconds"] < MAX_SECONDS and result["mb"] < MAX_MB
        failed = failed or not ok
        verdict = " ".join(result["verdict"].split())[:90]
        print(
            f"{name:<24} {len(data) / 1024:>7.0f} K {result['seconds']:>5.2f} s "
            f"{result['mb']:>4.0f} MB  {'' if ok else 'FAIL '}{verdict}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
