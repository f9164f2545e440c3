"""Small courses written to a folder and loaded with the real check and import services."""

from __future__ import annotations

from pathlib import Path

from lms.courses import checker, importer
from lms.courses.models import Course
from lms.db import db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TAY = "tieng-tay-giao-tiep"
TAY_TITLE = "Tiếng Tày giao tiếp cơ bản"
# Strings that only the answer key holds: a page that shows one has leaked the key.
SECRET_FEEDBACK = "Pây nghĩa là đi, ghi nhớ nhé"
SECRET_SHORT_ANSWER = "slíp-đáp-án"

CHAO_HOI = f"""---
title: Chào hỏi
minutes: 15
---

## Lời chào

Người Tày chào nhau: *Pây lăng?* (Đi đâu?)

```quiz
id: on-tap-chao-hoi
title: Ôn tập bài chào hỏi
pass_mark: 60
questions:
  - id: pay
    type: single
    prompt: "“Pây” nghĩa là gì?"
    choices: [Ăn, Đi, Ngủ]
    answer: Đi
    feedback: "{SECRET_FEEDBACK}"
  - id: noong
    type: true-false
    prompt: "“Noọng” nghĩa là em."
    answer: đúng
  - id: muoi
    type: short
    prompt: Viết số 10 bằng tiếng Tày (gõ không dấu cũng được).
    answers: [{SECRET_SHORT_ANSWER}]
    ignore_diacritics: true
```

Sau bài kiểm tra, học tiếp bài số đếm.
"""

SO_DEM = """---
title: Số đếm
minutes: 20
---

## Số đếm

*slam* là ba, *slíp* là mười.

```quiz
id: on-tap-so-dem
pass_mark: 100
questions:
  - id: so
    type: multiple
    prompt: Những từ nào là số đếm?
    choices: [slam, kin, slíp, noọng]
    answers: [slam, slíp]
  - id: noi
    type: matching
    pairs:
      slam: ba
      slíp: mười
      kin: ăn
  - id: nghe
    type: listen
    audio: media/slam.ogg
    choices: ["1", "3", "10"]
    answer: "3"
```
"""

DOC_THEM = """---
title: Đọc thêm
minutes: 5
required: false
---

Bài đọc thêm về chữ t'ua.
"""


def course_md(
    title: str,
    *,
    category: str,
    language: str,
    summary: str,
    hours: str,
    audience: str = "",
    synthetic_audio: bool = False,
) -> str:
    audience_line = f"audience: {audience}\n" if audience else ""
    if synthetic_audio:
        audience_line += "synthetic_audio: true\n"
    return f"""---
title: {title}
category: {category}
language: {language}
level: beginner
hours: {hours}
summary: {summary}
authors:
  - Nhóm biên soạn thử
version: "1.0"
{audience_line}---

Giới thiệu khóa học **{title}**.
"""


def write_course(
    root: Path,
    slug: str,
    title: str,
    lessons: dict[str, str],
    *,
    category: str = "ethnic-language",
    language: str = "tyz",
    summary: str = "Khóa học thử.",
    hours: str = "1,5",
    media: dict[str, bytes] | None = None,
    audience: str = "",
    synthetic_audio: bool = False,
) -> Path:
    """Write a course folder under root; lessons maps file names to their text."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("[0-9][0-9]-*.md"):
        stale.unlink()
    (folder / "course.md").write_text(
        course_md(
            title,
            category=category,
            language=language,
            summary=summary,
            hours=hours,
            audience=audience,
            synthetic_audio=synthetic_audio,
        ),
        encoding="utf-8",
    )
    for name, text in lessons.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in (media or {}).items():
        path = folder / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def import_folder(path: Path) -> None:
    """Check and import a course folder (or a folder of courses) and commit, as the CLI does."""
    sources, is_collection = checker.load_folder(path)
    report = checker.check_courses(sources, is_collection=is_collection)
    assert report.errors == [], [str(problem) for problem in report.errors]
    importer.import_courses(report, retire_missing=is_collection)
    db.session.commit()


def tay_lessons(*, with_optional: bool = True) -> dict[str, str]:
    lessons = {"01-chao-hoi.md": CHAO_HOI, "02-so-dem.md": SO_DEM}
    if with_optional:
        lessons["03-doc-them.md"] = DOC_THEM
    return lessons


def write_tay_course(root: Path, lessons: dict[str, str] | None = None) -> Path:
    return write_course(
        root,
        TAY,
        TAY_TITLE,
        tay_lessons() if lessons is None else lessons,
        summary="Chào hỏi và số đếm bằng tiếng Tày; chữ t'ua và các chữ cái riêng.",
        media={"slam.ogg": (FIXTURES / "slam.ogg").read_bytes()},
    )


def make_tay_course(root: Path) -> Course:
    """Import the Tày course (two required lessons with quizzes, one optional) and return it."""
    import_folder(write_tay_course(root))
    return db.session.scalar(db.select(Course).where(Course.slug == TAY))


def make_other_courses(root: Path) -> None:
    """Import one course in each of the two other categories."""
    simple = {"01-bat-dau.md": "---\ntitle: Bắt đầu\nminutes: 10\n---\n\nNội dung.\n"}
    import_folder(
        write_course(
            root,
            "ky-nang-so",
            "Kỹ năng số cho công chức",
            simple,
            category="digital-skills",
            language="vi",
            summary="Dùng thư điện tử và dịch vụ công trực tuyến; đăng ký tài khoản định danh.",
            hours="4",
        )
    )
    import_folder(
        write_course(
            root,
            "tieng-anh",
            "Tiếng Anh giao tiếp",
            simple,
            category="foreign-language",
            language="en",
            summary="Chào hỏi và giới thiệu bản thân bằng tiếng Anh.",
            hours="8",
        )
    )


OPEN = "tin-hoc-cho-moi-nguoi"


def make_open_course(root: Path) -> None:
    """Import the Tày course (for staff) and a course open to everyone (audience: public)."""
    make_tay_course(root)
    import_folder(
        write_course(
            root,
            OPEN,
            "Tin học cho mọi người",
            tay_lessons(),
            category="digital-skills",
            language="vi",
            media={"slam.ogg": (FIXTURES / "slam.ogg").read_bytes()},
            audience="public",
        )
    )
