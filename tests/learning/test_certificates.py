"""Certificates: the facts as issued, a random code, a public check, fonts that print them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.db import db
from lms.learning import services
from lms.learning.models import Certificate
from lms.org.models import UnitKind
from tests.factories import make_person, make_unit
from tests.learning.content import TAY_TITLE
from tests.learning.steps import finish_lesson

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "lms" / "static"
_SPEC = spec_from_file_location("subset_fonts", ROOT / "scripts" / "subset_fonts.py")
assert _SPEC is not None and _SPEC.loader is not None
subset_fonts = module_from_spec(_SPEC)
_SPEC.loader.exec_module(subset_fonts)
CODE_GROUP = "[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}"
CODE_RE = re.compile(f"^{CODE_GROUP}-{CODE_GROUP}-{CODE_GROUP}$")


@pytest.fixture
def certificate(client, learner, tay) -> Certificate:
    """Lò Thị Mai's certificate for the Tày course, completed on 5 April 2024."""
    finish_lesson(client, "chao-hoi")
    finish_lesson(client, "so-dem")
    found = db.session.scalar(select(Certificate))
    found.completed_on = date(2024, 4, 5)
    db.session.commit()
    return found


def test_certificate_shows_name_course_hours_date_and_code(client, certificate):
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)

    assert "Lò Thị Mai" in page
    assert TAY_TITLE in page
    assert "Số tiết được tính: <strong>1,5</strong>" in page
    assert "Hoàn thành ngày 05 tháng 4 năm 2024" in page
    assert CODE_RE.match(certificate.code)
    assert certificate.code in page
    assert f"http://localhost/verify/{certificate.code}" in page


def test_certificate_wording_stays_vietnamese_in_the_english_interface(client, certificate):
    client.post("/language", data={"lang": "en"})

    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)

    assert '<article class="certificate" lang="vi"' in page
    assert "Số tiết được tính: <strong>1,5</strong>" in page
    assert "ngày 05 tháng 4 năm 2024" in page


def test_certificate_names_the_agency_as_it_was_called_that_day(client, learner, tay):
    make_unit("SDTTG", "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh", kind=UnitKind.AGENCY)
    db.session.commit()
    finish_lesson(client, "chao-hoi")
    finish_lesson(client, "so-dem")

    found = db.session.scalar(select(Certificate))

    assert found.issuer_name == "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh"
    assert "Sở Dân tộc và Tôn giáo tỉnh Bắc Ninh" in client.get(
        f"/certificates/{found.id}"
    ).get_data(as_text=True)


def test_someone_else_cannot_open_my_certificate(client, login, certificate):
    make_person("ban", "Hà Văn Bạn")
    db.session.commit()
    login("ban")

    assert client.get(f"/certificates/{certificate.id}").status_code == 404


def test_codes_are_random_and_use_unambiguous_characters():
    codes = {services.new_certificate_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(CODE_RE.match(code) for code in codes)
    assert not set("".join(codes)) & set("01ILO")


def test_anyone_can_verify_a_code_typed_in_any_case(app, certificate):
    anonymous = app.test_client()

    for typed in (certificate.code, certificate.code.lower(), f"  {certificate.code.lower()} "):
        response = anonymous.get("/verify", query_string={"code": typed})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Giấy chứng nhận hợp lệ" in page
        facts = re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page)
        assert facts == [
            ("Mã xác minh", certificate.code),
            ("Người được chứng nhận", "Lò Thị Mai"),
            ("Khóa học", TAY_TITLE),
            ("Số tiết", "1,5"),
            ("Ngày hoàn thành", "ngày 05 tháng 4 năm 2024"),
        ]
    assert anonymous.get(f"/verify/{certificate.code.lower()}").status_code == 200
    assert anonymous.get("/verify").headers["X-Robots-Tag"] == "noindex"


def _without_echo(page: str, typed: str) -> str:
    """The page with the typed code and per-session tokens taken out."""
    page = re.sub(r'value="[^"]*"', 'value=""', page)
    return page.replace(typed, "")


def test_unknown_codes_all_get_the_same_answer(app, certificate):
    anonymous = app.test_client()
    code = certificate.code
    close = ("2" if code[0] != "2" else "3") + code[1:]
    near_misses = [
        close,
        code.replace("-", ""),
        code[:-1],
        code + "X",
        "ABC",
        "x" * 200,
        "' OR 1=1",
    ]

    answers = set()
    for typed in near_misses:
        response = anonymous.get("/verify", query_string={"code": typed})
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "Không tìm thấy giấy chứng nhận" in page
        assert "Lò Thị Mai" not in page
        answers.add(_without_echo(page, typed))

    assert len(answers) == 1


def _letters_to_print() -> str:
    vowels = "aăâeêioôơuưy"
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    vietnamese = "".join(unicodedata.normalize("NFC", v + t) for v in vowels for t in tones)
    latin = "abcdefghijklmnopqrstuvwxyzđ"
    # Tày-Nùng letters (f, j, w, z, t'), the three apostrophes, and signs on the certificate.
    extra = "'\u2019\u02bc\u201c\u201d–-:,.()/"
    text = vietnamese + latin
    return text + text.upper() + extra + "0123456789"


@pytest.mark.parametrize("name", ["NotoSerif-Regular.woff2", "NotoSerif-Bold.woff2"])
def test_shipped_fonts_have_every_letter_a_certificate_or_a_course_may_print(name):
    from fontTools.ttLib import TTFont

    mapping = TTFont(STATIC / "fonts" / name).getBestCmap()
    # Every letter and mark the content writes (symbols such as → fall back to system fonts).
    used = "".join(
        chr(code)
        for code in subset_fonts.content_letters()
        if unicodedata.category(chr(code))[0] in "LMN"
    )
    letters = _letters_to_print() + used

    missing = sorted({char for char in letters if ord(char) not in mapping})

    assert missing == [], "run scripts/subset_fonts.py"


def test_stylesheet_loads_the_shipped_fonts_for_their_letters_only():
    from fontTools.ttLib import TTFont

    css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    for url in re.findall(r'url\("\.\./fonts/([^"]+)"\)', css):
        assert (STATIC / "fonts" / url).is_file()
    assert "NotoSerif-Regular.woff2" in css and "NotoSerif-Bold.woff2" in css
    # The range declared is the range the fonts hold: other letters fall back to the system.
    held = set(TTFont(STATIC / "fonts" / "NotoSerif-Regular.woff2").getBestCmap())
    assert css.count(f"unicode-range: {subset_fonts.unicode_range(held)};") == 2
    assert "SIL OPEN FONT LICENSE Version 1.1" in (STATIC / "fonts" / "OFL.txt").read_text()
    assert re.search(r"\.certificate \{[^}]*font-family: \"LMS Noto Serif\"", css)
    # Only the certificate's rule names the family (beside the two faces): no other page
    # downloads it.
    assert len(re.findall(r'font-family: "LMS Noto Serif"', css)) == 3
