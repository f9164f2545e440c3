"""Dictionary files: checked row by row, saved all or none, searched both ways, exported as
they import; and the seed dictionaries import clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.db import db
from lms.dictionary import queries, services
from lms.dictionary.models import DictionaryEntry, DictionaryWord
from lms.sheets import SheetError
from tests.dictionary.files import HEADER, dictionary_csv, entry_line

ROOT = Path(__file__).resolve().parents[2]


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(DictionaryEntry)) or 0


def test_the_seed_dictionaries_import_clean_and_a_second_import_changes_nothing(app):
    for name, count in (("tyz.csv", 159), ("nut.csv", 132)):
        data = (ROOT / "dictionaries" / name).read_bytes()
        assert services.import_file(name, data).added >= count - 20
        db.session.commit()
        again = services.import_file(name, data)
        assert (again.added, again.updated) == (0, 0)
    assert entries() > 250


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_saved(app):
    data = dictionary_csv(
        entry_line("kin", "kin", "ăn"),
        entry_line("Pì Noọng", "pì noọng", "anh em"),
        entry_line("slam", "slam", "ba", source=""),
        entry_line("kin", "kin", "ăn", language="xx"),
        entry_line("noong", "noọng", "em", examples="Noọng kin | Noọng pây", translations="Em ăn"),
        entry_line("ngau", "ngau", "", pos="danh ngữ"),
    )
    with pytest.raises(SheetError) as refused:
        services.import_file("tay.csv", data)
    text = str(refused.value)
    assert "Dòng 3, cột “Mã mục từ”: mã “Pì Noọng” chỉ được gồm chữ thường" in text
    assert "Dòng 4, cột “Nguồn”: mỗi mục từ cần nguồn" in text
    assert "Dòng 5, cột “Mã ngôn ngữ”: mã “xx” không phải mã ngôn ngữ nào" in text
    assert "Dòng 6, cột “Dịch ví dụ”: có 2 ví dụ nhưng 1 bản dịch" in text
    assert "Dòng 7, cột “Nghĩa”: không được để trống." in text
    assert "Dòng 7, cột “Từ loại”: “danh ngữ” không phải từ loại nào" in text
    db.session.rollback()
    assert entries() == 0


def test_a_key_twice_in_a_file_is_refused_on_its_second_row(app):
    data = dictionary_csv(entry_line("kin", "kin", "ăn"), entry_line("kin", "kìn", "gần"))
    with pytest.raises(SheetError, match="Dòng 3, cột “Mã mục từ”: mã “kin” đã có ở dòng 2"):
        services.import_file("tay.csv", data)


def test_a_language_without_a_standard_script_needs_its_transcription(app):
    data = dictionary_csv(entry_line("an", "an", "ăn", language="x-sandiu"))
    with pytest.raises(SheetError, match="Dòng 2, cột “Cách ghi”"):
        services.import_file("sandiu.csv", data)
    written = dictionary_csv(
        entry_line("an", "an", "ăn", language="x-sandiu", transcription="phiên âm Quốc ngữ")
    )
    assert services.import_file("sandiu.csv", written).added == 1


def test_missing_columns_are_said_before_any_row(app):
    header = HEADER.replace(",Nguồn", "")
    with pytest.raises(SheetError, match="thiếu cột “Nguồn”"):
        services.import_file("tay.csv", dictionary_csv("tyz,kin,kin,ăn,,,,,,", header=header))


def test_a_changed_row_updates_its_entry_and_its_search_words(app):
    services.import_file("tay.csv", dictionary_csv(entry_line("kin", "kin", "ăn")))
    db.session.commit()
    changed = services.import_file("tay.csv", dictionary_csv(entry_line("kin", "kin", "ăn; xơi")))
    db.session.commit()
    assert (changed.added, changed.updated) == (0, 1)
    assert [e.key for e in queries.search("tyz", "xoi").items] == ["kin"]
    words = db.session.scalars(select(DictionaryWord.word).order_by(DictionaryWord.word)).all()
    assert words == ["an", "kin", "xoi"]


def test_search_both_ways_without_diacritics_or_apostrophes_best_first(app):
    services.import_file(
        "tay.csv",
        dictionary_csv(
            entry_line("kin", "kin", "ăn"),
            entry_line("kin-khau", "kin khẩu", "ăn cơm"),
            entry_line("pi-noong", "pì noọng", "anh em", pos="danh từ"),
            entry_line("tua", "t'ua", "con (loại từ)"),
            entry_line("an", "ăn", "cái (loại từ)"),
            entry_line("giu", "giữ", "giữ", page="tr. 5"),
        ),
    )
    db.session.commit()

    def keys(text: str) -> list[str]:
        return [entry.key for entry in queries.search("tyz", text).items]

    # The headword itself, then a headword starting so, then a meaning's word.
    assert keys("kin") == ["kin", "kin-khau"]
    assert keys("an") == ["an", "kin", "kin-khau", "pi-noong"]
    assert keys("Ăn cơm") == ["kin-khau"]
    assert keys("pi noong") == keys("PÌ NOỌNG") == ["pi-noong"]
    assert keys("tua") == keys("t’ua") == ["tua"]
    assert keys("khong co") == []
    assert len(keys("")) == 6


def test_unpublished_entries_are_neither_found_nor_shown(app):
    services.import_file("tay.csv", dictionary_csv(entry_line("kin", "kin", "ăn")))
    entry = db.session.scalar(select(DictionaryEntry))
    services.set_published(entry, False)
    db.session.commit()
    assert queries.search("tyz", "kin").total == 0
    assert queries.entry("tyz", "kin") is None
    assert queries.languages() == []
    services.set_published(entry, True)
    db.session.commit()
    assert [found.key for found in queries.search("tyz", "an").items] == ["kin"]


def test_an_export_imports_unchanged(app):
    data = dictionary_csv(
        entry_line(
            "noong",
            "noọng",
            "em; em gái",
            pos="danh từ",
            examples="Noọng kin | Noọng pây",
            translations="Em ăn | Em đi",
            dialect="Tày Cao Bằng",
            page="tr. 12",
        ),
        entry_line("kin", "kin", "ăn"),
    )
    services.import_file("tay.csv", data)
    db.session.commit()
    exported = services.export_csv("tyz")
    again = services.import_file("tyz.csv", exported)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    entry = queries.entry("tyz", "noong")
    assert entry is not None
    assert entry.examples == [["Noọng kin", "Em ăn"], ["Noọng pây", "Em đi"]]
    assert entry.meanings == ["em", "em gái"]
