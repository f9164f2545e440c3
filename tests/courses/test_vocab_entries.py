"""Vocabulary rows that name a dictionary entry: the word and its meaning live in the dictionary
once; lessons show them as the dictionary has them today."""

from __future__ import annotations

from sqlalchemy import select

from lms.courses.models import Course, Lesson
from lms.db import db
from lms.dictionary import services as dictionary
from lms.dictionary.models import DictionaryEntry
from tests.dictionary.files import dictionary_csv, entry_line
from tests.factories import make_person

LESSON = "02-so-dem.md"
ENTRY_ROWS = """```vocab
caption: Số đếm
columns: [Tiếng Tày, Tiếng Việt]
rows:
  - entry: slam
    audio: media/so-dem/slam.ogg
  - entry: slip
    note: còn gặp cách viết khác
  - word: slíp
    meaning: mười
    audio: media/so-dem/slip.mp3
```"""


def use_entry_rows(collection, block: str = ENTRY_ROWS) -> None:
    """Replace the example lesson's vocabulary table with block."""
    path = collection / "mau-tieng-tay" / LESSON
    text = path.read_text("utf-8")
    start = text.index("```vocab")
    end = text.index("```", start + 3) + 3
    path.write_text(text[:start] + block + text[end:], "utf-8")


def load_dictionary(*lines: str) -> None:
    dictionary.import_file("tyz.csv", dictionary_csv(*lines))
    db.session.commit()


def import_courses(runner, collection):
    return runner.invoke(args=["courses", "import", str(collection)])


def lesson_html() -> str:
    db.session.expire_all()
    return db.session.scalars(select(Lesson).where(Lesson.slug == "so-dem")).one().body_html


def test_a_row_naming_an_entry_shows_its_headword_and_meaning(app, runner, collection):
    load_dictionary(entry_line("slam", "slam", "ba"), entry_line("slip", "slíp", "mười; số 10"))
    use_entry_rows(collection)

    result = import_courses(runner, collection)

    assert result.exit_code == 0, result.output
    html = lesson_html()
    assert '<tr data-entry="slam"><td lang="tyz">slam</td><td>ba</td>' in html
    # A row without audio of its own has no player until a recording is approved.
    assert '<tr data-entry="slip"><td lang="tyz">slíp</td><td>mười; số 10<br>' in html
    assert '<small class="vocab-note">còn gặp cách viết khác</small></td><td></td></tr>' in html
    # A row written out in the lesson is as before, with no mark.
    assert '<tr><td lang="tyz">slíp</td><td>mười</td>' in html


def test_the_lesson_page_shows_the_entry_as_the_dictionary_has_it_now(
    app, runner, collection, client, login
):
    load_dictionary(entry_line("slam", "slam", "ba"), entry_line("slip", "slíp", "mười"))
    use_entry_rows(collection)
    assert import_courses(runner, collection).exit_code == 0
    make_person("hocvien")
    db.session.commit()
    login("hocvien")
    # The dictionary is corrected after the course was imported: the lesson follows.
    load_dictionary(entry_line("slam", "slam", "ba (số đếm)"), entry_line("slip", "slíp", "mười"))

    page = client.get("/courses/mau-tieng-tay/so-dem").get_data(as_text=True)

    assert '<tr data-entry="slam"><td lang="tyz">slam</td><td>ba (số đếm)</td>' in page
    # Taken back from the dictionary: the row keeps what it showed at import.
    dictionary.set_published(
        db.session.scalars(select(DictionaryEntry).where(DictionaryEntry.key == "slam")).one(),
        False,
    )
    db.session.commit()
    page = client.get("/courses/mau-tieng-tay/so-dem").get_data(as_text=True)
    assert '<tr data-entry="slam"><td lang="tyz">slam</td><td>ba</td>' in page


def test_an_entry_missing_from_the_dictionary_is_an_error_on_its_line(app, runner, collection):
    load_dictionary(entry_line("slam", "slam", "ba"))
    use_entry_rows(collection)

    result = import_courses(runner, collection)

    assert result.exit_code != 0
    lines = (collection / "mau-tieng-tay" / LESSON).read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "entry: slip" in text)
    assert f"02-so-dem.md:{line}" in result.output
    assert "Từ điển “Tiếng Tày” không có mục từ mã “slip” đã công bố" in result.output
    assert db.session.scalars(select(Course)).all() == []


def test_an_unpublished_entry_cannot_be_named(app, runner, collection):
    load_dictionary(entry_line("slam", "slam", "ba"), entry_line("slip", "slíp", "mười"))
    entry = db.session.scalars(select(DictionaryEntry).where(DictionaryEntry.key == "slip")).one()
    dictionary.set_published(entry, False)
    db.session.commit()
    use_entry_rows(collection)

    result = import_courses(runner, collection)

    assert "không có mục từ mã “slip” đã công bố" in result.output
    assert db.session.scalars(select(Course)).all() == []


def test_a_row_naming_an_entry_does_not_write_the_word_again(app, runner, collection):
    load_dictionary(entry_line("slam", "slam", "ba"), entry_line("slip", "slíp", "mười"))
    use_entry_rows(
        collection,
        ENTRY_ROWS.replace("  - entry: slip\n", "  - entry: slip\n    meaning: mười\n"),
    )

    result = import_courses(runner, collection)

    assert "Dòng có “entry” lấy từ và nghĩa từ mục từ của từ điển; bỏ “meaning”" in result.output
    assert db.session.scalars(select(Course)).all() == []


def test_an_entry_key_is_written_as_the_dictionary_writes_keys(app, runner, collection):
    use_entry_rows(collection, ENTRY_ROWS.replace("entry: slip", "entry: Slíp 10"))

    result = import_courses(runner, collection)

    assert "“Slíp 10” không phải mã mục từ" in result.output
    assert db.session.scalars(select(Course)).all() == []


def test_a_lesson_without_entry_rows_asks_the_dictionary_nothing(
    app, runner, collection, client, login, sql_statements
):
    assert import_courses(runner, collection).exit_code == 0
    make_person("hocvien")
    db.session.commit()
    login("hocvien")

    statements = sql_statements(lambda: client.get("/courses/mau-tieng-tay/so-dem"))

    assert not any("dictionary_entry" in statement for statement in statements)
