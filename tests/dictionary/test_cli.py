"""`flask dictionary import` and `export`: a folder file by file, each whole or not at all."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.db import db
from lms.dictionary.models import DictionaryEntry
from tests.dictionary.files import dictionary_csv, entry_line


def test_a_folder_imports_its_good_files_and_names_the_bad_rows_of_the_others(app, tmp_path):
    (tmp_path / "tyz.csv").write_bytes(dictionary_csv(entry_line("kin", "kin", "ăn")))
    (tmp_path / "nut.csv").write_bytes(
        dictionary_csv(
            entry_line("dieu", "điêu", "một", language="nut"),
            entry_line("song", "slong", "hai", language="nut", source=""),
        )
    )
    (tmp_path / "ghi-chu.txt").write_text("không phải tệp từ điển")
    result = app.test_cli_runner().invoke(args=["dictionary", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert "tyz.csv: thêm 1, cập nhật 0, không đổi 0 mục từ." in result.output
    assert "Không nhập tệp “nut.csv”:" in result.output
    assert "Dòng 3, cột “Nguồn”" in result.output
    languages = db.session.scalars(select(DictionaryEntry.language)).all()
    assert languages == ["tyz"]


def test_an_export_is_the_import_layout(app, tmp_path):
    runner = app.test_cli_runner()
    source = tmp_path / "tyz.csv"
    source.write_bytes(dictionary_csv(entry_line("kin", "kin", "ăn", page="tr. 3")))
    assert runner.invoke(args=["dictionary", "import", str(source)]).exit_code == 0
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["dictionary", "export", "tyz", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Mã ngôn ngữ,Mã mục từ,Mục từ,Nghĩa")
    again = runner.invoke(args=["dictionary", "import", str(out)])
    assert "out.csv: thêm 0, cập nhật 0, không đổi 1 mục từ." in again.output
    assert db.session.scalar(select(func.count()).select_from(DictionaryEntry)) == 1
    refused = runner.invoke(args=["dictionary", "export", "xx", str(out)])
    assert refused.exit_code != 0 and "Không có tiếng nào mã “xx”" in refused.output
