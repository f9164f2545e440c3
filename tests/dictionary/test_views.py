"""The public dictionary pages: anyone may read published entries, with their sources."""

from __future__ import annotations

from lms.db import db
from lms.dictionary import services
from tests.dictionary.files import dictionary_csv, entry_line


def load(*rows: str) -> None:
    services.import_file("tay.csv", dictionary_csv(*rows))
    db.session.commit()


def test_an_anonymous_visitor_finds_a_word_and_reads_its_source(client):
    load(
        entry_line("kin", "kin", "ăn", pos="động từ", page="tr. 7"),
        entry_line("pi-noong", "pì noọng", "anh em"),
    )
    index = client.get("/dictionary/")
    assert index.status_code == 200
    assert "Tiếng Tày" in index.text and "2 mục từ" in index.text
    found = client.get("/dictionary/tyz?q=an")
    assert found.status_code == 200
    assert "2 mục từ phù hợp với “an”." in found.text
    assert found.text.index("/dictionary/tyz/kin") < found.text.index("/dictionary/tyz/pi-noong")
    page = client.get("/dictionary/tyz/kin")
    assert page.status_code == 200
    assert "Sách học tiếng Tày Nùng, Ủy ban Dân tộc, 2002" in page.text
    assert "tr. 7" in page.text and "động từ" in page.text


def test_unknown_languages_and_entries_are_not_found(client):
    load(entry_line("kin", "kin", "ăn"))
    assert client.get("/dictionary/xx").status_code == 404
    assert client.get("/dictionary/vi").status_code == 404
    assert client.get("/dictionary/tyz/khong-co").status_code == 404
    assert client.get("/dictionary/nut/kin").status_code == 404


def test_a_long_list_pages_in_a_fixed_number_of_queries(client, count_queries):
    load(*(entry_line(f"tu-{n}", f"từ {n}", f"nghĩa {n}") for n in range(5)))
    client.get("/dictionary/tyz?q=tu")  # the reference data, read once while unchanged
    few = count_queries(lambda: client.get("/dictionary/tyz?q=tu"))
    load(*(entry_line(f"tu-{n}", f"từ {n}", f"nghĩa {n}") for n in range(5, 80)))
    client.get("/dictionary/tyz?q=tu&page=2")
    many = count_queries(lambda: client.get("/dictionary/tyz?q=tu&page=2"))
    assert few == many
    second = client.get("/dictionary/tyz?q=tu&page=2")
    assert "Trang 2 / 3" in second.text


def test_a_source_address_is_a_link_and_markup_in_an_entry_is_text(client):
    load(
        entry_line(
            "kin",
            "<b>kin</b>",
            "ăn",
            source="Slon phuối Tày - Nùng bài 5 https://tay-nung.blogspot.com/bai-5.html",
        )
    )
    page = client.get("/dictionary/tyz/kin").text
    assert '<a href="https://tay-nung.blogspot.com/bai-5.html"' in page
    assert "&lt;b&gt;kin&lt;/b&gt;" in page and "<b>kin</b>" not in page
