"""Evidence PDFs that would run something when opened are refused, saying why."""

from __future__ import annotations

import io
import zlib

import pytest
from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.plans.models import EvidenceFile
from tests.security.conftest import table_counts


def pdf(*objects: bytes) -> bytes:
    """A small PDF of the given objects, numbered from 1."""
    body = b"%PDF-1.7\n"
    for number, content in enumerate(objects, 1):
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(
    *objects: bytes,
    first: int = 10,
    header: bytes = b"/Type /ObjStm",
    filters: bytes = b"/FlateDecode",
    encode=zlib.compress,
) -> bytes:
    """An object stream (PDF 1.5) packing objects first, first + 1, ..."""
    offsets, packed = [], b""
    for number, content in enumerate(objects, first):
        offsets.append(b"%d %d" % (number, len(packed)))
        packed += content + b"\n"
    index = b" ".join(offsets) + b"\n"
    dictionary = header + b" /N %d /First %d /Filter " % (len(objects), len(index)) + filters
    return stream(dictionary, encode(index + packed))


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
# A compressed page of text, and an image whose bytes happen to read like names: neither may
# make a PDF look dangerous.
CONTENT = stream(
    b"/Filter /FlateDecode", zlib.compress(b"BT /F1 12 Tf 72 712 Td (Chung nhan) Tj ET")
)
NOISE = stream(
    b"/Type /XObject /Subtype /Image /Width 4 /Height 4 /BitsPerComponent 8 "
    b"/ColorSpace /DeviceGray /Filter /DCTDecode",
    b"\xff\xd8\xff\xe0/JS /AA>>/JS(\xff\xd9",
)
CLEAN = pdf(CATALOG, PAGES, PAGE, CONTENT, NOISE)
CLEAN_PACKED = pdf(
    b"<< /Type /Catalog /Pages 10 0 R >>",
    object_stream(PAGES.replace(b"3 0 R", b"11 0 R"), PAGE.replace(b"2 0 R", b"10 0 R")),
)
BOMB = zlib.compress(b"0 0\n" + b" " * (40 * 1024 * 1024), 9)

DANGEROUS = {
    "javascript, hex-escaped": (
        pdf(b"<< /Type /Catalog /OpenAction << /S /J#61vaScript /#4A#53 (app.alert(1)) >> >>"),
        "/JavaScript",
    ),
    "launch action": (
        pdf(b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>"),
        "/Launch",
    ),
    "additional actions on a page": (
        pdf(CATALOG, PAGES, b"<< /Type /Page /Parent 2 0 R /#41A << /O 5 0 R >> >>"),
        "/AA",
    ),
    "embedded file": (
        pdf(b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>", b"<< /Names [] >>"),
        "/EmbeddedFiles",
    ),
    "rich media": (pdf(CATALOG, b"<< /Type /Annot /Subtype /RichMedia >>"), "/RichMedia"),
    "javascript in a compressed object stream": (
        pdf(
            b"<< /Type /Catalog /OpenAction 10 0 R >>",
            object_stream(b"<< /S /JavaScript /JS (app.launchURL('x')) >>"),
        ),
        "/JavaScript",
    ),
    "object stream named in hex escapes": (
        pdf(
            b"<< /Type /Catalog /OpenAction 10 0 R >>",
            object_stream(b"<< /S /Launch /F (calc) >>", header=b"/Type /Obj#53tm"),
        ),
        "/Launch",
    ),
    "object stream without its type": (
        pdf(
            b"<< /Type /Catalog /OpenAction 10 0 R >>",
            object_stream(b"<< /S /JavaScript /JS 11 0 R >>", b"(app.alert(1))", header=b""),
        ),
        "/JavaScript",
    ),
    "object stream behind two filters": (
        pdf(
            b"<< /Type /Catalog /OpenAction 10 0 R >>",
            object_stream(
                b"<< /S /Launch /F (calc) >>",
                filters=b"[/ASCIIHexDecode /FlateDecode]",
                encode=lambda data: zlib.compress(data).hex().encode() + b">",
            ),
        ),
        "/Launch",
    ),
}
UNREADABLE = {
    "object stream that unpacks too large": pdf(
        CATALOG,
        stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", BOMB),
    ),
    "object stream that is not deflate data": pdf(
        CATALOG, stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"\x00garbage")
    ),
    "object stream in a filter not checked": pdf(
        CATALOG, stream(b"/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode", b"\x80\x0b\x60")
    ),
}


def _year() -> int:
    return local_today().year


def _add_activity(client, data: bytes, name: str = "chung-chi.pdf"):
    year = _year()
    form = {
        "kind": "training",
        "title": "Lớp tập huấn",
        "organiser": "Sở Nội vụ",
        "starts_on": f"{year}-01-05",
        "ends_on": f"{year}-01-05",
        "hours": "4",
        "evidence": (io.BytesIO(data), name),
    }
    return client.post(f"/plans/{year}/activities", data=form, follow_redirects=True)


@pytest.mark.parametrize("name", DANGEROUS)
def test_pdfs_that_run_something_are_refused_saying_why(app, as_superuser, name):
    data, found = DANGEROUS[name]
    before = table_counts()
    page = _add_activity(as_superuser, data).get_data(as_text=True)
    assert "có thể tự chạy khi mở" in page
    assert f"({found})" in page
    assert table_counts() == before


@pytest.mark.parametrize("name", UNREADABLE)
def test_pdfs_whose_packed_objects_cannot_be_checked_are_refused(app, as_superuser, name):
    before = table_counts()
    page = _add_activity(as_superuser, UNREADABLE[name]).get_data(as_text=True)
    assert "không đọc được hoặc quá lớn để kiểm tra" in page
    assert table_counts() == before


@pytest.mark.parametrize("data", [CLEAN, CLEAN_PACKED], ids=["plain", "object stream"])
def test_ordinary_pdfs_are_accepted(app, as_superuser, data):
    page = _add_activity(as_superuser, data).get_data(as_text=True)
    assert "Đã thêm hoạt động ngoài nền tảng" in page
    assert db.session.scalars(select(EvidenceFile.size)).one() == len(data)
