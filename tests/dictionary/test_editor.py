"""The dictionary editor: entries typed in and corrected, files imported through the page (all
rows or none, or only checked), the whole dictionary exported as .csv or .xlsx."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.db import db
from lms.dictionary import services
from lms.dictionary.models import DictionaryEntry
from lms.roles import Role
from lms.sheets import Layout, read_rows
from tests.dictionary.files import SOURCE, dictionary_csv, entry_line
from tests.factories import make_person

EDITOR = "/admin/dictionary/"


@pytest.fixture
def editor(app, login):
    make_person("bientap", "Vi Văn Biên", roles=(Role.EDITOR,))
    db.session.commit()
    login("bientap")


def load(*rows: str) -> None:
    services.import_file("tyz.csv", dictionary_csv(*rows))
    db.session.commit()


def entries() -> dict[str, DictionaryEntry]:
    db.session.expire_all()
    return {entry.key: entry for entry in db.session.scalars(select(DictionaryEntry))}


def entry_form(**fields: str) -> dict[str, str]:
    return {
        "key": "pi-noong",
        "headword": "pì noọng",
        "meanings": "anh em\nhọ hàng",
        "part_of_speech": "danh từ",
        "examples": "Pì noọng slăm bấu?\nPì noọng mà",
        "translations": "Anh em khỏe không?\nAnh em đến",
        "dialect": "Cao Bằng",
        "transcription": "",
        "source": SOURCE,
        "source_page": "tr. 12",
        "published": "1",
    } | fields


def upload(client, data: bytes, name: str = "tyz.csv", **form: str):
    return client.post(
        EDITOR,
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


# Entries typed in ----------------------------------------------------------------------------


def test_an_entry_typed_in_is_saved_found_and_recorded(client, editor):
    response = client.post(f"{EDITOR}tyz/new", data=entry_form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/dictionary/tyz/pi-noong")
    saved = entries()["pi-noong"]
    assert saved.meanings == ["anh em", "họ hàng"]
    assert saved.examples == [
        ["Pì noọng slăm bấu?", "Anh em khỏe không?"],
        ["Pì noọng mà", "Anh em đến"],
    ]
    assert (saved.part_of_speech, saved.dialect, saved.source_page) == (
        "danh từ",
        "Cao Bằng",
        "tr. 12",
    )
    # Found both ways on the public pages, as an imported entry is.
    assert "pi-noong" in client.get("/dictionary/tyz?q=pi noong").text
    assert "pi-noong" in client.get("/dictionary/tyz?q=ho hang").text
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("dictionary.%"))
    ).one()
    assert (event.action, event.entity_id) == ("dictionary.entry.add", saved.id)


def test_a_refused_entry_keeps_what_was_typed_and_says_what_by_each_field(client, editor):
    response = client.post(
        f"{EDITOR}tyz/new",
        data=entry_form(
            key="Pì noọng",
            headword="",
            source="",
            part_of_speech="danh tu",
            translations="Anh em khỏe không?",
        ),
    )

    assert response.status_code == 400
    page = response.text
    assert "Mã “Pì noọng” chỉ được gồm chữ thường không dấu" in page
    assert 'id="f-headword-error">Không được để trống.' in page
    assert "Mỗi mục từ cần nguồn" in page
    assert "“danh tu” không phải từ loại nào" in page
    assert "Có 2 ví dụ nhưng 1 bản dịch" in page
    assert "Pì noọng slăm bấu?" in page and "Cao Bằng" in page  # kept as typed
    assert entries() == {}


def test_a_key_already_taken_is_refused_by_the_key_field(client, editor):
    load(entry_line("pi-noong", "pì noọng", "anh em"))

    response = client.post(f"{EDITOR}tyz/new", data=entry_form(meanings="họ hàng"))

    assert response.status_code == 400
    assert 'id="f-key-error">Mã “pi-noong” đã là mã của mục từ “pì noọng”.' in response.text
    assert entries()["pi-noong"].meanings == ["anh em"]


def test_correcting_an_entry_keeps_its_key_and_unpublishing_hides_it(client, editor):
    load(entry_line("pi-noong", "pì noọng", "anh em"))
    form = client.get(f"{EDITOR}tyz/pi-noong")
    assert form.status_code == 200 and "anh em" in form.text

    response = client.post(
        f"{EDITOR}tyz/pi-noong",
        data=entry_form(key="doi-ma", meanings="anh chị em", published=""),
    )

    assert response.status_code == 302
    saved = entries()
    assert list(saved) == ["pi-noong"]  # the key names the entry for good
    assert saved["pi-noong"].meanings == ["anh chị em"]
    assert saved["pi-noong"].is_published is False
    assert client.get("/dictionary/tyz/pi-noong").status_code == 404
    assert "pi-noong" not in client.get("/dictionary/tyz?q=anh").text
    # Editors still see it, marked.
    listing = client.get(f"{EDITOR}tyz?q=anh").text
    assert "pi-noong" in listing and "Chưa công bố" in listing
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "dictionary.entry.update")
    ).one()
    assert (event.before["meanings"], event.before["is_published"]) == (["anh em"], True)
    assert (event.after["meanings"], event.after["is_published"]) == (["anh chị em"], False)


def test_the_editors_list_pages_in_a_fixed_number_of_queries(client, editor, count_queries):
    load(*(entry_line(f"tu-{n}", f"từ {n}", f"nghĩa {n}") for n in range(5)))
    client.get(f"{EDITOR}tyz")  # the reference data, read once while unchanged (lms.reference)
    few = count_queries(lambda: client.get(f"{EDITOR}tyz"))
    load(*(entry_line(f"tu-{n}", f"từ {n}", f"nghĩa {n}") for n in range(5, 80)))
    client.get(f"{EDITOR}tyz?page=2")
    many = count_queries(lambda: client.get(f"{EDITOR}tyz?page=2"))
    assert few == many


# Files through the page ----------------------------------------------------------------------


def test_a_checked_file_saves_nothing_and_is_imported_without_choosing_it_again(client, editor):
    data = dictionary_csv(entry_line("kin", "kin", "ăn"), entry_line("non", "nòn", "ngủ"))

    checked = upload(client, data, check_only="1")

    assert checked.status_code == 200
    assert "không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: thêm 2" in checked.text
    assert entries() == {}
    token = checked.text.split('name="file_pending" value="')[1].split('"')[0]
    imported = client.post(EDITOR, data={"file_pending": token})
    assert imported.status_code == 302
    assert sorted(entries()) == ["kin", "non"]


def test_a_file_with_bad_rows_lists_them_by_row_and_saves_nothing(client, editor):
    load(entry_line("kin", "kin", "ăn"))
    data = dictionary_csv(
        entry_line("kin", "kin", "ăn cơm"),
        entry_line("non", "nòn", "ngủ", source=""),
        entry_line("kin", "kin", "ăn"),
    )

    response = upload(client, data)

    assert response.status_code == 400
    assert "có 2 lỗi nên chưa nhập dòng nào" in response.text
    assert "Dòng 3, cột “Nguồn”: mỗi mục từ cần nguồn" in response.text
    assert "Dòng 4, cột “Mã mục từ”: mã “kin” đã có ở dòng 2." in response.text
    assert entries()["kin"].meanings == ["ăn"]
    assert "non" not in entries()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "tu-dien.pdf", "không phải bảng tính .xlsx hoặc .csv"),
        (b"", "trong.csv", "Tệp “trong.csv” trống."),
        ("Mục từ,Nghĩa\nkin,ăn\n".encode(), "thieu-cot.csv", "thiếu cột “Mã ngôn ngữ”"),
    ],
)
def test_what_is_not_a_dictionary_file_is_refused(client, editor, data, name, message):
    response = upload(client, data, name)
    assert response.status_code == 400
    assert message in response.text
    assert entries() == {}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_unchanged_formula_like_text_included(client, editor, kind):
    load(
        entry_line("kin", "kin", "ăn", examples="Kin khẩu", translations="Ăn cơm"),
        entry_line("tu-noi", "-ấy", "=1+1; @tên; +một"),
        entry_line("tua", "t'ua", "con (loại từ)"),
    )
    hidden = entries()["tua"]
    services.set_published(hidden, False)
    db.session.commit()

    response = client.get(f"{EDITOR}tyz/export.{kind}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f"tu-dien-tyz.{kind}")
    rows = read_rows(f"tyz.{kind}", response.data, Layout(services.EXPORT_COLUMNS))
    assert [row.cells[services.HEADWORD] for row in rows] == ["-ấy", "kin", "t'ua"]
    assert rows[0].cells[services.MEANING] == "=1+1 ; @tên ; +một"
    if kind == "csv":  # a spreadsheet opening it runs no formula
        assert "'-ấy" in response.data.decode("utf-8-sig")
    summary = services.import_file(f"tyz.{kind}", response.data)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 3)
