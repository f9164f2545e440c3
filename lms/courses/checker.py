"""Check course folders completely, and turn valid ones into what the importer stores.

Every rule of courses/README.md is enforced here, for a folder on disk (`flask courses`) and
for an uploaded .zip alike: both arrive as SourceCourse objects. Nothing here writes.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markupsafe import Markup

from lms.courses import format as fmt
from lms.courses import media as media_types
from lms.courses.format import Block, FileReport, MediaRef, Problem, TextLines
from lms.courses.quiz import QuizSpec, read_quiz_block
from lms.courses.render import (
    MEDIA_PATH,
    Links,
    audio_html,
    classify,
    quiz_slot_html,
    render_markdown,
    vocab_html,
)
from lms.dictionary import queries as dictionary_queries
from lms.dictionary.queries import EntryText
from lms.i18n import gettext as _
from lms.languages import APOSTROPHE_LANGUAGES, LANGUAGES
from lms.text import legacy_font_letters

MAX_TEXT_BYTES = 1024 * 1024
MAX_SLUG = 80

_INLINE_LINK_RE = re.compile(
    r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))+)"
)
_REFERENCE_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)")
_HTML_URL_RE = re.compile(r"<(\w+)\b[^>]*?\s(?:src|href)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)
_CALLOUT_LINE_RE = re.compile(r"^ {0,3}>\s*\[!([A-Za-z]+)\]")
_APOSTROPHE_WORD_RE = re.compile(r"[\w'\u2019\u02bc]*\w['\u2019\u02bc]\w[\w'\u2019\u02bc]*")
_APOSTROPHE_NAMES = {"'": "U+0027", "\u2019": "U+2019", "\u02bc": "U+02BC"}


# Sources -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileRef:
    """A file of a course: its size, and how to read it when needed."""

    size: int
    read: Callable[[], bytes]


@dataclass
class SourceCourse:
    """A course folder to check: its slug, how to name its files in messages, and its files."""

    slug: str
    display: str
    files: dict[str, FileRef]
    problems: list[Problem] = field(default_factory=list)

    def path(self, name: str) -> str:
        return f"{self.display}/{name}"


def is_ignored(name: str) -> bool:
    """Say whether a path is clutter left by an operating system (hidden files, __MACOSX)."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def load_folder(path: Path) -> tuple[list[SourceCourse], bool]:
    """Read a course folder, or a folder of course folders; return (courses, is_collection)."""
    display = str(path).rstrip("/") or "/"
    if _looks_like_course(path):
        return [_folder_course(path, display, path.resolve().name)], False
    courses = []
    for child in sorted(path.iterdir()):
        if is_ignored(child.name) or child.name.startswith("_") or not child.is_dir():
            continue
        courses.append(_folder_course(child, f"{display}/{child.name}", child.name))
    return courses, True


def _looks_like_course(path: Path) -> bool:
    if (path / fmt.COURSE_FILE).exists() or (path / fmt.MEDIA_DIR).is_dir():
        return True
    return any(fmt.LESSON_FILE_RE.match(child.name) for child in path.iterdir())


def _folder_course(folder: Path, display: str, slug: str) -> SourceCourse:
    course = SourceCourse(slug=slug, display=display, files={})
    if folder.is_symlink():
        course.problems.append(Problem(display, 1, _symlink_message()))
        return course
    for directory, dirnames, filenames in os.walk(folder):
        base = Path(directory)
        for name in list(dirnames):
            relative = (base / name).relative_to(folder).as_posix()
            if is_ignored(relative):
                dirnames.remove(name)
            elif (base / name).is_symlink():
                course.problems.append(Problem(course.path(relative), 1, _symlink_message()))
                dirnames.remove(name)
        for name in filenames:
            file = base / name
            relative = file.relative_to(folder).as_posix()
            if is_ignored(relative):
                continue
            if file.is_symlink():
                course.problems.append(Problem(course.path(relative), 1, _symlink_message()))
                continue
            course.files[relative] = FileRef(file.stat().st_size, file.read_bytes)
    return course


def _symlink_message() -> str:
    return _("Không nhận liên kết tượng trưng (symlink); hãy chép tệp thật vào thư mục.")


# What a valid course becomes -----------------------------------------------------------------


@dataclass
class CheckedMedia:
    path: str
    media_type: media_types.MediaType
    sha256: str
    size: int
    read: Callable[[], bytes]


@dataclass
class CheckedQuiz:
    slug: str
    title: str
    pass_mark: int
    questions: list[dict[str, Any]]
    position: int
    max_attempts: int | None = None
    wait_minutes: int | None = None


@dataclass
class CheckedLesson:
    slug: str
    position: int
    title: str
    minutes: int
    is_required: bool
    html: str
    quizzes: list[CheckedQuiz]
    title_en: str | None = None


@dataclass
class CheckedCourse:
    slug: str
    meta: fmt.CourseMeta
    intro_html: str
    lessons: list[CheckedLesson]
    media: list[CheckedMedia]
    # The course's text files as written (course.md and the lessons, by name): a version.
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckReport:
    """Every problem found, and the courses ready to import when there is no error."""

    courses: list[CheckedCourse]
    problems: list[Problem]
    is_collection: bool = False
    course_count: int = 0
    lesson_count: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]


# Checking ------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    """A Markdown file of a course after checking: its front matter values and body parts."""

    name: str
    report: FileReport
    text_lines: list[str]
    text: str = ""  # the file as written, decoded
    meta: Any = None
    segments: list = field(default_factory=list)
    blocks: dict[int, Any] = field(default_factory=dict)  # segment index -> parsed block
    refs: list[MediaRef] = field(default_factory=list)
    links: list[tuple[str, int, bool]] = field(default_factory=list)  # url, line, is_image


def check_courses(sources: list[SourceCourse], *, is_collection: bool = False) -> CheckReport:
    """Check every course; render and return them all when no course has an error."""
    problems: list[Problem] = []
    checked: list[CheckedCourse] = []
    lesson_count = 0
    for source in sources:
        course, course_problems, lessons = _check_course(source)
        problems.extend(course_problems)
        lesson_count += lessons
        if course is not None:
            checked.append(course)
    if any(problem.is_error for problem in problems):
        checked = []
    problems.sort(key=lambda problem: (problem.path, problem.line))
    return CheckReport(checked, problems, is_collection, len(sources), lesson_count)


def _check_course(source: SourceCourse) -> tuple[CheckedCourse | None, list[Problem], int]:
    problems = list(source.problems)
    course_file = source.path(fmt.COURSE_FILE)
    if not fmt.SLUG_RE.match(source.slug) or len(source.slug) > MAX_SLUG:
        problems.append(
            Problem(
                course_file,
                1,
                _(
                    "Tên thư mục “%(name)s” không dùng được làm mã khóa học: chỉ dùng chữ thường "
                    "không dấu, số và dấu gạch ngang (ví dụ tieng-tay-co-ban).",
                    name=source.slug,
                ),
            )
        )

    lesson_names: dict[str, tuple[int, str]] = {}  # file name -> (number, slug)
    media_names: list[str] = []
    for name in sorted(source.files):
        error = _file_name_problem(name)
        if error:
            problems.append(Problem(source.path(name), 1, error))
        elif name.startswith(fmt.MEDIA_DIR + "/"):
            media_names.append(name)
        elif name != fmt.COURSE_FILE:
            match = fmt.LESSON_FILE_RE.match(name)
            assert match is not None  # _file_name_problem accepts only such names
            lesson_names[name] = (int(match.group(1)), match.group(2))

    # Course file and lessons.
    course_parsed = None
    if fmt.COURSE_FILE not in source.files:
        problems.append(Problem(course_file, 1, _("Thiếu tệp course.md.")))
    else:
        course_parsed = _parse_file(source, fmt.COURSE_FILE, fmt.read_course_meta)
    language = getattr(course_parsed.meta, "language", None) if course_parsed else None
    lessons = [_parse_file(source, name, fmt.read_lesson_meta) for name in lesson_names]
    if not lesson_names:
        problems.append(
            Problem(course_file, 1, _("Khóa học chưa có bài học nào (tệp NN-ten-bai.md)."))
        )
    _check_lesson_names(source, lesson_names, problems)

    parsed_files = ([course_parsed] if course_parsed else []) + lessons
    media = _check_media(source, media_names, problems)
    used: set[str] = set()
    entries = _check_entries(parsed_files, language) if language else {}
    for parsed in parsed_files:
        _check_references(source, parsed, lesson_names, media, used)
        problems.extend(parsed.report.problems)
    for name in media_names:
        if name not in used and name in media:
            problems.append(
                Problem(
                    source.path(name),
                    1,
                    _("Tệp media không được bài nào dùng; tệp này sẽ không được nhập."),
                    fmt.Severity.WARNING,
                )
            )
    if language in APOSTROPHE_LANGUAGES:
        problems.extend(_mixed_apostrophes(source, parsed_files))

    if any(problem.is_error for problem in problems) or course_parsed is None or not language:
        return None, problems, len(lessons)
    used_media = [media[name] for name in sorted(used)]
    links = Links(
        course_slug=source.slug,
        lessons={name: slug for name, (_number, slug) in lesson_names.items()},
        media={
            item.path: MEDIA_PATH.format(
                course=source.slug, sha256=item.sha256, extension=item.media_type.extension
            )
            for item in used_media
        },
    )
    checked_lessons = [
        _checked_lesson(parsed, lesson_names[parsed.name], links, language, entries)
        for parsed in lessons
    ]
    return (
        CheckedCourse(
            slug=source.slug,
            meta=course_parsed.meta,
            intro_html=_render(course_parsed, links, language, entries),
            lessons=sorted(checked_lessons, key=lambda lesson: lesson.position),
            media=used_media,
            texts={parsed.name: parsed.text for parsed in parsed_files},
        ),
        problems,
        len(lessons),
    )


def _file_name_problem(name: str) -> str | None:
    if name == fmt.COURSE_FILE or fmt.LESSON_FILE_RE.match(name):
        return None
    parts = name.split("/")
    if parts[0] == fmt.MEDIA_DIR and len(parts) > 1:
        if all(fmt.MEDIA_NAME_RE.match(part) for part in parts[1:]):
            return None
        return _(
            "Tên tệp media chỉ dùng chữ thường không dấu, số và các dấu - _ . "
            "(ví dụ media/chao-hoi.mp3)."
        )
    if len(parts) == 1 and name.lower().endswith(".md"):
        return _("Tên bài học phải có dạng NN-ten-bai.md (ví dụ 01-chao-hoi.md).")
    return _(
        "Tệp này không thuộc định dạng khóa học: chỉ có course.md, các bài NN-ten-bai.md và "
        "tệp âm thanh, hình ảnh trong thư mục media/."
    )


def _check_lesson_names(
    source: SourceCourse, lesson_names: dict[str, tuple[int, str]], problems: list[Problem]
) -> None:
    by_slug: dict[str, str] = {}
    by_number: dict[int, str] = {}
    for name, (number, slug) in lesson_names.items():
        if slug in by_slug:
            problems.append(
                Problem(
                    source.path(name),
                    1,
                    _(
                        "Mã bài “%(slug)s” trùng với bài “%(other)s”; mỗi bài cần một mã riêng.",
                        slug=slug,
                        other=by_slug[slug],
                    ),
                )
            )
        else:
            by_slug[slug] = name
        if number in by_number:
            problems.append(
                Problem(
                    source.path(name),
                    1,
                    _(
                        "Số thứ tự %(number)02d trùng với bài “%(other)s”.",
                        number=number,
                        other=by_number[number],
                    ),
                )
            )
        else:
            by_number[number] = name


def _decode(data: bytes, report: FileReport) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report.error(
            line,
            _("Tệp không phải văn bản UTF-8 (có byte lạ ở dòng này); hãy lưu lại dạng UTF-8."),
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_unicode(lines: list[str], report: FileReport) -> list[str]:
    """Report legacy-font letters and text not in NFC; return the lines in NFC."""
    not_nfc = [
        number for number, line in enumerate(lines, 1) if not unicodedata.is_normalized("NFC", line)
    ]
    if not_nfc:
        report.warning(
            not_nfc[0],
            _(
                "Văn bản chưa ở dạng Unicode NFC (%(n)d dòng, dòng đầu tiên ở đây); sẽ được "
                "chuẩn hóa NFC khi nhập.",
                n=len(not_nfc),
            ),
        )
    normal = [unicodedata.normalize("NFC", line) for line in lines]
    for number, line in enumerate(normal, 1):
        for _offset, found, meant in legacy_font_letters(line):
            report.error(
                number,
                _(
                    "Ký tự “%(found)s” (U+%(code)04X) do phông chữ cũ để lại; hãy thay bằng "
                    "“%(meant)s”.",
                    found=found,
                    code=ord(found),
                    meant=meant,
                ),
            )
    return normal


def _parse_file(
    source: SourceCourse,
    name: str,
    read_meta: Callable[[yaml.Node | None, FileReport], fmt.CourseMeta | fmt.LessonMeta | None],
) -> ParsedFile:
    report = FileReport(source.path(name))
    parsed = ParsedFile(name=name, report=report, text_lines=[])
    ref = source.files[name]
    if ref.size > MAX_TEXT_BYTES:
        report.error(1, _("Tệp văn bản lớn quá 1 MB; hãy chia thành nhiều bài."))
        return parsed
    text = _decode(ref.read(), report)
    if text is None:
        return parsed
    parsed.text = text
    parsed.text_lines = _check_unicode(text.split("\n"), report)
    source_file = fmt.split_front_matter(parsed.text_lines, report)
    if source_file is None:
        return parsed
    parsed.meta = read_meta(source_file.front_matter, report)
    parsed.segments = fmt.scan_body(source_file.body, source_file.body_first_line)
    # Links are looked for only in text of a bounded shape: the search costs like rendering.
    is_bounded = fmt.check_markdown_shapes(parsed.segments, report)
    is_lesson = name != fmt.COURSE_FILE
    quiz_lines: dict[str, int] = {}
    has_content = False
    for index, segment in enumerate(parsed.segments):
        if isinstance(segment, TextLines):
            has_content = has_content or any(line.strip() for line in segment.lines)
            if is_bounded:
                _collect_links(segment, parsed)
            continue
        has_content = True
        parsed.blocks[index] = _parse_block(segment, parsed, is_lesson, quiz_lines)
    if is_lesson and not has_content:
        report.error(source_file.body_first_line - 1, _("Bài học chưa có nội dung."))
    return parsed


def _parse_block(
    block: Block, parsed: ParsedFile, is_lesson: bool, quiz_lines: dict[str, int]
) -> fmt.AudioBlock | fmt.VocabBlock | QuizSpec | None:
    report = parsed.report
    if block.kind == "audio":
        return fmt.read_audio_block(block, report, parsed.refs)
    if block.kind == "vocab":
        return fmt.read_vocab_block(block, report, parsed.refs)
    if not is_lesson:
        report.error(
            block.fence_line, _("Bài kiểm tra phải nằm trong một bài học, không ở course.md.")
        )
        return None
    quiz = read_quiz_block(block, report, parsed.refs)
    if quiz is not None and quiz.slug in quiz_lines:
        report.error(
            block.fence_line,
            _(
                "Mã bài kiểm tra “%(id)s” trùng với khối ở dòng %(line)d.",
                id=quiz.slug,
                line=quiz_lines[quiz.slug],
            ),
        )
        return None
    if quiz is not None:
        quiz_lines[quiz.slug] = block.fence_line
    return quiz


def _collect_links(segment: TextLines, parsed: ParsedFile) -> None:
    for offset, (line, is_code) in enumerate(zip(segment.lines, segment.code, strict=True)):
        if is_code:
            continue
        number = segment.first_line + offset
        text = fmt.CODE_SPAN_RE.sub("", line)
        for match in _INLINE_LINK_RE.finditer(text):
            parsed.links.append((match.group(2).strip("<>"), number, match.group(1) == "!"))
        reference = _REFERENCE_RE.match(text)
        if reference:
            parsed.links.append((reference.group(1).strip("<>"), number, False))
        for match in _HTML_URL_RE.finditer(text):
            parsed.links.append(
                (match.group(2).strip("\"'"), number, match.group(1).lower() == "img")
            )
        callout = _CALLOUT_LINE_RE.match(text)
        if callout and callout.group(1).upper() not in ("NOTE", "TIP", "IMPORTANT", "WARNING"):
            parsed.report.error(
                number,
                _(
                    "Loại hộp chú thích “[!%(kind)s]” không có; dùng NOTE, TIP, IMPORTANT hoặc "
                    "WARNING.",
                    kind=callout.group(1),
                ),
            )


def _check_media(
    source: SourceCourse, names: list[str], problems: list[Problem]
) -> dict[str, CheckedMedia]:
    """Check each media file by its content; return the good ones by path."""
    good = {}
    for name in names:
        ref = source.files[name]
        if ref.size > media_types.MAX_MEDIA_BYTES:
            media_type, error = media_types.check_media(name, b"", ref.size)
        else:
            data = ref.read()
            media_type, error = media_types.check_media(
                name, data[: media_types.SNIFF_BYTES], len(data)
            )
        if error:
            problems.append(Problem(source.path(name), 1, error))
            continue
        assert media_type is not None  # check_media gives a type or a reason
        good[name] = CheckedMedia(
            path=name,
            media_type=media_type,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            read=ref.read,
        )
    return good


def _check_references(
    source: SourceCourse,
    parsed: ParsedFile,
    lesson_names: dict[str, tuple[int, str]],
    media: dict[str, CheckedMedia],
    used: set[str],
) -> None:
    report = parsed.report
    for url, line, is_image in parsed.links:
        target = classify(url)
        if target.kind == "scheme":
            report.error(
                line,
                _(
                    "Địa chỉ “%(url)s” không được phép: chỉ dùng http, https, mailto, bài học "
                    "hoặc tệp trong media/.",
                    url=url,
                ),
            )
        elif target.kind == "relative":
            report.error(
                line,
                _(
                    "Địa chỉ “%(url)s” không trỏ tới bài học (NN-ten-bai.md), course.md hay tệp "
                    "trong media/ của khóa học.",
                    url=url,
                ),
            )
        elif target.kind == "lesson" and target.path not in lesson_names:
            report.error(
                line, _("Liên kết tới “%(url)s” nhưng khóa học không có bài này.", url=target.path)
            )
        elif target.kind == "media":
            _check_media_ref(
                source, MediaRef(url, line, "image" if is_image else None), report, media, used
            )
        elif target.kind == "external" and is_image:
            report.error(
                line,
                _(
                    "Ảnh “%(url)s” ở trang web khác sẽ không hiện; hãy chép ảnh vào media/.",
                    url=url,
                ),
            )
    for ref in parsed.refs:
        _check_media_ref(source, ref, report, media, used)


def _check_entries(parsed_files: list[ParsedFile], language: str) -> dict[str, EntryText]:
    """Find the dictionary entries the vocabulary rows name (published ones, of the course's
    language): one query for the whole course, none when no row names an entry."""
    named = [
        (parsed, row)
        for parsed in parsed_files
        for block in parsed.blocks.values()
        if isinstance(block, fmt.VocabBlock)
        for row in block.rows
        if row.entry is not None
    ]
    if not named:
        return {}
    entries = dictionary_queries.entry_texts(
        language, {row.entry for _p, row in named if row.entry}
    )
    for parsed, row in named:
        if row.entry not in entries:
            parsed.report.error(
                row.line,
                _(
                    "Từ điển “%(language)s” không có mục từ mã “%(key)s” đã công bố: hãy nhập "
                    "mục từ vào từ điển (hoặc công bố nó) trước khi nhập khóa học.",
                    language=LANGUAGES.get(language, language),
                    key=row.entry,
                ),
            )
    return entries


def _check_media_ref(
    source: SourceCourse,
    ref: MediaRef,
    report: FileReport,
    media: dict[str, CheckedMedia],
    used: set[str],
) -> None:
    target = classify(ref.target)
    if target.kind != "media":
        report.error(
            ref.line,
            _(
                "“%(url)s” phải là đường dẫn tới tệp trong media/ (ví dụ media/chao-hoi.mp3).",
                url=ref.target,
            ),
        )
        return
    if target.path not in source.files:
        report.error(ref.line, _("Không tìm thấy tệp media “%(path)s”.", path=target.path))
        return
    item = media.get(target.path)
    if item is None:
        return  # the file itself is reported
    if ref.kind == "audio" and item.media_type.kind != "audio":
        report.error(
            ref.line, _("“%(path)s” không phải tệp âm thanh (mp3, ogg, m4a).", path=target.path)
        )
        return
    if ref.kind == "image" and item.media_type.kind != "image":
        report.error(
            ref.line, _("“%(path)s” không phải tệp hình ảnh (png, jpeg, webp).", path=target.path)
        )
        return
    used.add(target.path)


def _mixed_apostrophes(source: SourceCourse, files: list[ParsedFile]) -> list[Problem]:
    """Report apostrophes inside words that differ from the kind the course mostly uses."""
    found: list[tuple[str, int, str, str]] = []  # path, line, apostrophe, word
    for parsed in files:
        for number, line in enumerate(parsed.text_lines, 1):
            for match in _APOSTROPHE_WORD_RE.finditer(line):
                for char in set(match.group()) & set(_APOSTROPHE_NAMES):
                    found.append((parsed.report.path, number, char, match.group()))
    counts = Counter(char for _path, _line, char, _word in found)
    if len(counts) < 2:
        return []
    main = max(counts, key=lambda char: (counts[char], char == "'"))
    return [
        Problem(
            path,
            line,
            _(
                "Dấu nháy “%(char)s” (%(code)s) trong “%(word)s” khác với dấu “%(main)s” "
                "(%(main_code)s) dùng ở %(n)d chỗ khác trong khóa học; hãy dùng một loại.",
                char=char,
                code=_APOSTROPHE_NAMES[char],
                word=word,
                main=main,
                main_code=_APOSTROPHE_NAMES[main],
                n=counts[main],
            ),
            fmt.Severity.WARNING,
        )
        for path, line, char, word in found
        if char != main
    ]


# Rendering -----------------------------------------------------------------------------------


def _render(parsed: ParsedFile, links: Links, language: str, entries: dict[str, EntryText]) -> str:
    parts: list[str | Markup] = []
    for index, segment in enumerate(parsed.segments):
        if isinstance(segment, TextLines):
            parts.append("\n".join(segment.lines))
            continue
        block = parsed.blocks[index]
        if isinstance(block, fmt.AudioBlock):
            parts.append(audio_html(block))
        elif isinstance(block, fmt.VocabBlock):
            parts.append(vocab_html(block, language, entries))
        elif isinstance(block, QuizSpec):
            parts.append(quiz_slot_html(block.slug))
    return render_markdown(parts, links)


def _checked_lesson(
    parsed: ParsedFile,
    name: tuple[int, str],
    links: Links,
    language: str,
    entries: dict[str, EntryText],
) -> CheckedLesson:
    number, slug = name
    quizzes: list[CheckedQuiz] = []
    for block in parsed.blocks.values():
        if not isinstance(block, QuizSpec):
            continue
        questions = []
        for question in block.questions:
            audio = question["audio"]
            questions.append(
                {**question, "audio": links.url(audio, external=False) if audio else None}
            )
        quizzes.append(
            CheckedQuiz(
                slug=block.slug,
                title=block.title,
                pass_mark=block.pass_mark,
                questions=questions,
                position=len(quizzes) + 1,
                max_attempts=block.max_attempts,
                wait_minutes=block.wait_minutes,
            )
        )
    meta: fmt.LessonMeta = parsed.meta
    return CheckedLesson(
        slug=slug,
        position=number,
        title=meta.title,
        minutes=meta.minutes,
        is_required=meta.is_required,
        html=_render(parsed, links, language, entries),
        quizzes=quizzes,
        title_en=meta.title_en,
    )
