"""A Tày course whose lesson has a vocabulary table of many words, for the review deck."""

from __future__ import annotations

from pathlib import Path

from lms.courses.models import Course, Lesson
from lms.db import db
from tests.learning.content import FIXTURES, import_folder, write_course

SLUG = "tu-vung-tay"
WORDS = [
    ("đeo", "một"), ("slong", "hai"), ("slam", "ba"), ("slí", "bốn"), ("hả", "năm"),
    ("hốc", "sáu"), ("chất", "bảy"), ("pét", "tám"), ("cẩu", "chín"), ("slíp", "mười"),
    ("kin", "ăn"), ("nòn", "ngủ"), ("pây", "đi"), ("ma", "đến"), ("nặng", "ngồi"),
    ("pỏ", "bố"), ("mẻ", "mẹ"), ("noọng", "em"), ("pì", "anh, chị"), ("rườn", "nhà"),
    ("t'ua", "con (loại từ)"), ("mác", "quả"),
]  # fmt: skip


def vocab_lesson(words: list[tuple[str, str]], *, title: str = "Từ vựng") -> str:
    rows = "".join(
        f'  - word: "{word}"\n    meaning: "{meaning}"\n    audio: media/slam.ogg\n'
        for word, meaning in words
    )
    return f"---\ntitle: {title}\nminutes: 10\n---\n\n## Từ vựng\n\n```vocab\nrows:\n{rows}```\n"


def make_vocab_course(root: Path, words: list[tuple[str, str]] = WORDS, **more) -> Lesson:
    """Import a course of one lesson teaching words; return the lesson."""
    import_folder(
        write_course(
            root,
            SLUG,
            "Từ vựng tiếng Tày",
            {"01-tu-vung.md": vocab_lesson(words)},
            media={"slam.ogg": (FIXTURES / "slam.ogg").read_bytes()},
            **more,
        )
    )
    course = db.session.scalar(db.select(Course).where(Course.slug == SLUG))
    return course.lessons[0]
