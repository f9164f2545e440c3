"""The course format: names, front matter and fenced blocks, read with real line numbers.

Everything here is pure: it reads text and reports problems, so `flask courses check`, the
importer and the upload page all apply the same rules. Values are read from the YAML nodes as
written (a plain `1.10` stays "1.10", `no` stays "no"), never through YAML 1.1's guessing.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import yaml

from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.languages import LANGUAGES

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MEDIA_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COURSE_FILE = "course.md"
MEDIA_DIR = "media"

CATEGORIES = {
    "digital-skills": _l("Năng lực số"),
    "foreign-language": _l("Ngoại ngữ"),
    "ethnic-language": _l("Tiếng dân tộc"),
}
LEVELS = {
    "beginner": _l("Cơ bản"),
    "intermediate": _l("Trung cấp"),
    "advanced": _l("Nâng cao"),
}

# Who a course is for: staff only (the default), or everyone, signed in or not.
AUDIENCES = {
    "staff": _l("Cán bộ, công chức của cơ quan"),
    "public": _l("Mọi người dân"),
}
STAFF, PUBLIC = "staff", "public"

COURSE_KEYS = (
    "title",
    "title_en",
    "category",
    "language",
    "level",
    "hours",
    "summary",
    "authors",
    "sources",
    "version",
    "audience",
    "synthetic_audio",
)
COURSE_REQUIRED = (
    "title",
    "category",
    "language",
    "level",
    "hours",
    "summary",
    "authors",
    "version",
)
LESSON_KEYS = ("title", "title_en", "minutes", "required")
LESSON_REQUIRED = ("title", "minutes")
MAX_HOURS = Decimal(500)
MAX_MINUTES = 600
MAX_TITLE = 200

BLOCK_KINDS = ("audio", "vocab", "quiz")
_FENCE_RE = re.compile(r"^(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\s`{]*)")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the content, located by file and line."""

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def __str__(self) -> str:
        label = _("lỗi") if self.is_error else _("cảnh báo")
        return f"{self.path}:{self.line}: {label}: {self.message}"


@dataclass
class FileReport:
    """Collects the problems of one file, by line."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)


# YAML with line numbers ----------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A loader that refuses aliases: they are never needed and can blow up into huge trees."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "alias", event.start_mark)
        return super().compose_node(parent, index)


def compose_yaml(text: str, first_line: int, report: FileReport) -> tuple[bool, yaml.Node | None]:
    """Parse text into YAML nodes; return (ok, node), reporting syntax errors at their line."""
    try:
        return True, yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark else 0)
        if error.problem == "alias":
            report.error(line, _("Không dùng bí danh YAML (“&” và “*”)."))
        else:
            column = (mark.column + 1) if mark else 1
            report.error(
                line,
                _(
                    "YAML không hợp lệ ở cột %(column)d: hãy kiểm tra thụt lề, dấu hai chấm và "
                    "dấu nháy.",
                    column=column,
                ),
            )
    except yaml.YAMLError:
        report.error(first_line, _("YAML không hợp lệ."))
    except RecursionError:
        report.error(first_line, _("YAML lồng nhau quá sâu."))
    return False, None


Entries = dict[str, tuple[yaml.Node, yaml.Node]]


class YamlReader:
    """Reads typed values out of YAML nodes, reporting each problem at the line of its value."""

    def __init__(self, report: FileReport, first_line: int):
        self.report = report
        self.first_line = first_line

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def error(self, node: yaml.Node, message: str) -> None:
        self.report.error(self.line(node), message)

    def mapping(self, node: yaml.Node | None, line: int, what: str) -> Entries | None:
        """Return the key/value pairs of a mapping node, reporting repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            at = self.line(node) if node is not None else line
            self.report.error(at, _("%(what)s phải gồm các dòng “khóa: giá trị”.", what=what))
            return None
        entries: Entries = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, _("Khóa phải là một từ, không phải danh sách hay bảng."))
                continue
            key = key_node.value
            if key in entries:
                first = self.line(entries[key][0])
                self.error(
                    key_node,
                    _("Khóa “%(key)s” bị lặp lại (lần đầu ở dòng %(line)d).", key=key, line=first),
                )
                continue
            entries[key] = (key_node, value_node)
        return entries

    def check_keys(
        self, entries: Entries, allowed: Sequence[str], required: Sequence[str], line: int
    ) -> None:
        """Report unknown keys (with the likely intended one) and missing required keys."""
        for key, (key_node, _value) in entries.items():
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = (
                _("Có phải là “%(key)s”?", key=close[0])
                if close
                else _("Các khóa dùng được: %(keys)s.", keys=", ".join(allowed))
            )
            self.error(
                key_node, _("Khóa “%(key)s” không có trong định dạng.", key=key) + " " + hint
            )
        for key in required:
            if key not in entries:
                self.report.error(line, _("Thiếu khóa bắt buộc “%(key)s”.", key=key))
            elif is_null(entries[key][1]):
                self.error(entries[key][0], _("“%(key)s” không được để trống.", key=key))

    def scalar(self, entries: Entries, key: str) -> tuple[str | None, yaml.Node | None]:
        """Return the text of a scalar value as written, or None when absent, empty or not text."""
        if key not in entries:
            return None, None
        node = entries[key][1]
        if is_null(node):
            return None, node
        if not isinstance(node, yaml.ScalarNode):
            self.error(
                node, _("“%(key)s” phải là một giá trị, không phải danh sách hay bảng.", key=key)
            )
            return None, node
        return node.value, node

    def text(self, entries: Entries, key: str, *, max_length: int | None = None) -> str | None:
        value, node = self.scalar(entries, key)
        if value is None or node is None:
            return None
        value = value.strip()
        if not value:
            self.error(node, _("“%(key)s” không được để trống.", key=key))
            return None
        if max_length is not None and len(value) > max_length:
            self.error(node, _("“%(key)s” dài quá %(n)d ký tự.", key=key, n=max_length))
            return None
        return value

    def choice(self, entries: Entries, key: str, options: Sequence[str]) -> str | None:
        value, node = self.scalar(entries, key)
        if value is None or node is None:
            return None
        if value not in options:
            self.error(
                node,
                _(
                    "“%(key)s” là “%(value)s”, phải là một trong: %(options)s.",
                    key=key,
                    value=value,
                    options=", ".join(options),
                ),
            )
            return None
        return value

    def integer(self, entries: Entries, key: str, low: int, high: int) -> int | None:
        value, node = self.scalar(entries, key)
        if value is None or node is None:
            return None
        if not re.fullmatch(r"\d+", value.strip()) or not low <= int(value) <= high:
            self.error(
                node,
                _(
                    "“%(key)s” phải là số nguyên từ %(low)d đến %(high)d.",
                    key=key,
                    low=low,
                    high=high,
                ),
            )
            return None
        return int(value)

    def boolean(
        self,
        entries: Entries,
        key: str,
        *,
        extra_true: Collection[str] = (),
        extra_false: Collection[str] = (),
    ) -> bool | None:
        value, node = self.scalar(entries, key)
        if value is None or node is None:
            return None
        if value in _TRUE or value in extra_true:
            return True
        if value in _FALSE or value in extra_false:
            return False
        self.error(node, _("“%(key)s” phải là true hoặc false.", key=key))
        return None

    def text_list(
        self, entries: Entries, key: str, *, allow_single: bool = False, max_length: int = 500
    ) -> list[tuple[str, yaml.Node]] | None:
        """Return the texts of a list (or of one value, when allowed) with their nodes."""
        if key not in entries or is_null(entries[key][1]):
            return None
        node = entries[key][1]
        if isinstance(node, yaml.ScalarNode) and allow_single:
            items = [node]
        elif isinstance(node, yaml.SequenceNode):
            items = node.value
        else:
            self.error(
                node, _("“%(key)s” phải là một danh sách (mỗi dòng bắt đầu bằng “- ”).", key=key)
            )
            return None
        texts: list[tuple[str, yaml.Node]] = []
        for item in items:
            if not isinstance(item, yaml.ScalarNode) or is_null(item) or not item.value.strip():
                self.error(
                    item, _("Mỗi mục của “%(key)s” phải là một dòng chữ không trống.", key=key)
                )
                continue
            if len(item.value.strip()) > max_length:
                self.error(
                    item, _("Một mục của “%(key)s” dài quá %(n)d ký tự.", key=key, n=max_length)
                )
                continue
            texts.append((item.value.strip(), item))
        return texts


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value in _NULLS


def parse_decimal(text: str) -> Decimal | None:
    """Read a number written with a point or a Vietnamese decimal comma."""
    text = text.strip().replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# Files: front matter and body ----------------------------------------------------------------


@dataclass
class SourceFile:
    """A Markdown file split into front matter and body, with the line each starts on."""

    front_matter: yaml.Node | None
    body: list[str]
    body_first_line: int


def split_front_matter(lines: list[str], report: FileReport) -> SourceFile | None:
    """Split lines into the YAML front matter between `---` lines and the Markdown body."""
    if not lines or lines[0].rstrip() != "---":
        report.error(
            1,
            _(
                "Tệp phải bắt đầu bằng phần đầu (front matter): dòng “---”, các dòng "
                "“khóa: giá trị”, rồi dòng “---”."
            ),
        )
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        report.error(
            1, _("Phần đầu (front matter) mở ở dòng 1 nhưng không có dòng “---” đóng lại.")
        )
        return None
    ok, node = compose_yaml("\n".join(lines[1:end]), 2, report)
    if not ok:
        return None
    if node is None:
        report.error(1, _("Phần đầu (front matter) đang trống."))
        return None
    return SourceFile(front_matter=node, body=lines[end + 1 :], body_first_line=end + 2)


@dataclass
class Block:
    """A fenced block of our own syntax (audio, vocab, quiz) holding YAML."""

    kind: str
    fence_line: int
    lines: list[str]
    closed: bool

    @property
    def first_content_line(self) -> int:
        return self.fence_line + 1


@dataclass
class TextLines:
    """A run of Markdown lines; code fences inside are kept as they are."""

    first_line: int
    lines: list[str]
    code: list[bool]  # per line: inside a code fence (not Markdown to scan for links)


Segment = Block | TextLines


def scan_body(lines: list[str], first_line: int) -> list[Segment]:
    """Split a body into Markdown runs and our fenced blocks, as the renderer will see them."""
    segments: list[Segment] = []
    text = TextLines(first_line, [], [])
    index = 0
    # Where each possible closing line is, so that many unclosed fences cost no rescans.
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        if _FENCE_RE.match(line):
            closers.setdefault(line.rstrip(), []).append(number)

    def flush_text(next_line: int) -> TextLines:
        if text.lines:
            segments.append(text)
        return TextLines(next_line, [], [])

    while index < len(lines):
        line = lines[index]
        match = _FENCE_RE.match(line)
        if not match:
            text.lines.append(line)
            text.code.append(False)
            index += 1
            continue
        fence, info = match.group("fence"), match.group("info").lstrip(".")
        close = _next_line(closers, fence, index)
        if info in BLOCK_KINDS:
            text = flush_text(first_line + index)
            end = close if close is not None else len(lines)
            segments.append(
                Block(info, first_line + index, lines[index + 1 : end], closed=close is not None)
            )
            index = end + 1
            text.first_line = first_line + index
            continue
        if close is None:
            # An unclosed code fence is plain text to Markdown; scan it like text.
            text.lines.append(line)
            text.code.append(False)
            index += 1
            continue
        for j in range(index, close + 1):
            text.lines.append(lines[j])
            text.code.append(True)
        index = close + 1
    flush_text(first_line + index)
    return segments


# Shapes of Markdown that cost more than their size -------------------------------------------

# Python-Markdown and the HTML parser it uses read some shapes again for every mark: each "["
# without its "]" reads the rest of its paragraph, each "](" without its ")" likewise, each "<"
# that starts a tag without ">" the rest of the file, and nesting recurses per level. A 12,000
# "[" course.md took 20 s. Text with none of these shapes renders in time proportional to its
# size, so they are refused before anything is rendered.
MAX_LINE_CHARS = 5000
MAX_LINES = 10_000  # each line may start a block; a million short paragraphs took minutes
MAX_NESTING = 10  # quote markers, list markers and indentation (4 columns) at a line's start
MAX_BRACKET_DEPTH = 4  # "[" inside "[", or "(" inside a link's "(", more than this
# Each mark may become an element (a link, a table cell...), a placeholder and a pass of the
# sanitiser. A long lesson has a few hundred; 20,000 cost about a second.
MAX_MARKS = 20_000
_MARKS = "[*_`<&|"
_NO_MARKS = str.maketrans("", "", _MARKS)
_ESCAPE_RE = re.compile(r"\\.")
# A run of backticks, then text, then a run as long: each run is taken whole, so a line of
# backticks costs its length, not its length cubed.
CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_NESTING_RE = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*")
_MARKER_RE = re.compile(r">|[-*+]|\d{1,9}[.)]")
_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")


@dataclass
class _Shapes:
    """The first line and the count of each shape refused in one file."""

    found: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, line: int) -> None:
        first_and_count = self.found.setdefault(kind, [line, 0])
        first_and_count[1] += 1


def _shape_messages() -> dict[str, str]:
    return {
        "marks": _(
            "Tệp có quá %(max)d dấu định dạng Markdown ([ * _ ` < & |); dòng này vượt quá giới "
            "hạn. Hãy chia thành nhiều bài."
        ),
        "lines": _(
            "Tệp có quá %(max)d dòng; dòng này vượt quá giới hạn. Hãy chia thành nhiều bài."
        ),
        "line": _(
            "Dòng dài quá %(max)d ký tự (%(n)d dòng như vậy, dòng đầu tiên ở đây); hãy xuống dòng "
            "hoặc chia đoạn."
        ),
        "nesting": _(
            "Trích dẫn, danh sách hoặc thụt lề lồng nhau quá %(max)d lớp (%(n)d dòng như vậy, "
            "dòng đầu tiên ở đây)."
        ),
        "depth": _(
            "Dấu ngoặc “[” hoặc “(” của liên kết lồng nhau quá %(max)d lớp (%(n)d đoạn như vậy, "
            "đoạn đầu tiên ở đây)."
        ),
        "bracket": _(
            "Dấu “[” không có dấu “]” đóng trong cùng đoạn văn (%(n)d dấu như vậy, dấu đầu tiên ở "
            "dòng này); nếu muốn viết dấu [ thường, hãy viết \\[."
        ),
        "paren": _(
            "Liên kết “](” không có dấu “)” đóng trong cùng đoạn văn (%(n)d chỗ như vậy, chỗ đầu "
            "tiên ở dòng này)."
        ),
        "tag": _(
            "Dấu “<” mở một thẻ HTML nhưng không có dấu “>” đóng trên cùng dòng (%(n)d chỗ như "
            "vậy, chỗ đầu tiên ở dòng này); nếu muốn viết dấu nhỏ hơn, hãy viết &lt; hoặc thêm "
            "dấu cách sau “<”."
        ),
    }


def check_markdown_shapes(segments: Sequence[Segment], report: FileReport) -> bool:
    """Report Markdown whose rendering would cost more than its size; return whether none is."""
    shapes = _Shapes()
    lines = 0
    for segment in segments:
        if isinstance(segment, TextLines) and lines <= MAX_LINES:
            lines += len(segment.lines)
            if lines > MAX_LINES:
                shapes.add("lines", segment.first_line + len(segment.lines) - (lines - MAX_LINES))
    marks = 0
    for segment in segments:
        if isinstance(segment, TextLines) and marks <= MAX_MARKS:
            for offset, line in enumerate(segment.lines):
                marks += len(line) - len(line.translate(_NO_MARKS))
                if marks > MAX_MARKS:
                    shapes.add("marks", segment.first_line + offset)
                    break
    for segment in segments:
        if isinstance(segment, TextLines):
            _segment_shapes(segment, shapes)
    messages = _shape_messages()
    for kind, (at, count) in sorted(shapes.found.items(), key=lambda item: item[1][0]):
        limits = {
            "line": MAX_LINE_CHARS,
            "lines": MAX_LINES,
            "nesting": MAX_NESTING,
            "marks": MAX_MARKS,
        }
        limit = limits.get(kind, MAX_BRACKET_DEPTH)
        report.error(at, messages[kind] % {"max": limit, "n": count})
    return not shapes.found


def _segment_shapes(segment: TextLines, shapes: _Shapes) -> None:
    brackets: list[int] = []  # line of each open "["
    parens: list[int | None] = []  # line of each open "(": a link's, or None for plain text
    link_parens = 0
    too_deep = False

    def end_paragraph() -> None:
        nonlocal too_deep, link_parens
        for line in brackets:
            shapes.add("bracket", line)
        for opened in parens:
            if opened is not None:
                shapes.add("paren", opened)
        brackets.clear()
        parens.clear()
        link_parens = 0
        too_deep = False

    for offset, (line, is_code) in enumerate(zip(segment.lines, segment.code, strict=True)):
        number = segment.first_line + offset
        if len(line) > MAX_LINE_CHARS:
            shapes.add("line", number)
            line = line[:MAX_LINE_CHARS]
        if is_code or not line.strip():
            end_paragraph()
            continue
        nesting = _NESTING_RE.match(line)  # matches every line, if only with ""
        prefix = nesting.group() if nesting else ""
        markers = len(_MARKER_RE.findall(prefix))
        indent = len(_MARKER_RE.sub("", prefix).expandtabs(4))
        if markers + indent // 4 > MAX_NESTING:
            shapes.add("nesting", number)
        text = CODE_SPAN_RE.sub("", _ESCAPE_RE.sub("", line))
        last_close = text.rfind(">")
        if any(match.start() > last_close for match in _TAG_START_RE.finditer(text)):
            shapes.add("tag", number)
        previous = ""
        for char in text:
            if char == "[":
                brackets.append(number)
                if len(brackets) > MAX_BRACKET_DEPTH and not too_deep:
                    too_deep = True
                    shapes.add("depth", number)
            elif char == "]":
                if brackets:
                    brackets.pop()
            elif char == "(":
                is_link = previous == "]"
                parens.append(number if is_link else None)
                link_parens += is_link
                if link_parens and len(parens) > MAX_BRACKET_DEPTH and not too_deep:
                    too_deep = True
                    shapes.add("depth", number)
            elif char == ")" and parens and parens.pop() is not None:
                link_parens -= 1
            previous = char
    end_paragraph()


def _next_line(closers: dict[str, list[int]], text: str, after: int) -> int | None:
    """Return the first line after `after` that reads text, or None."""
    numbers = closers.get(text, [])
    position = bisect.bisect_right(numbers, after)
    return numbers[position] if position < len(numbers) else None


def block_yaml(block: Block, report: FileReport) -> tuple[YamlReader, Entries] | None:
    """Parse a block's YAML into key/value entries; None (reported) when it cannot be read."""
    kind = block.kind
    if not block.closed:
        report.error(
            block.fence_line,
            _("Khối “%(kind)s” mở ở dòng này nhưng không có dòng “```” đóng lại.", kind=kind),
        )
        return None
    ok, node = compose_yaml("\n".join(block.lines), block.first_content_line, report)
    if not ok:
        return None
    reader = YamlReader(report, block.first_content_line)
    entries = reader.mapping(node, block.fence_line, _("Khối “%(kind)s”", kind=kind))
    if entries is None:
        return None
    return reader, entries


# Front matter schemas ------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseMeta:
    title: str
    category: str
    language: str
    level: str
    hours: Decimal
    summary: str
    authors: list[str]
    sources: list[str]
    version: str
    audience: str = STAFF
    # The course's recordings are a speech synthesiser's, not a speaker's: said where they play.
    synthetic_audio: bool = False
    # The title in English, for records read elsewhere (xAPI statements); optional.
    title_en: str | None = None


@dataclass(frozen=True)
class LessonMeta:
    title: str
    minutes: int
    is_required: bool
    title_en: str | None = None


def read_course_meta(node: yaml.Node | None, report: FileReport) -> CourseMeta | None:
    """Check course.md's front matter; return its values when all are valid."""
    reader = YamlReader(report, 2)
    entries = reader.mapping(node, 1, _("Phần đầu (front matter)"))
    if entries is None:
        return None
    errors_before = len(report.problems)
    reader.check_keys(entries, COURSE_KEYS, COURSE_REQUIRED, 1)
    title = reader.text(entries, "title", max_length=MAX_TITLE)
    title_en = reader.text(entries, "title_en", max_length=MAX_TITLE)
    category = reader.choice(entries, "category", list(CATEGORIES))
    language = reader.choice(entries, "language", list(LANGUAGES))
    level = reader.choice(entries, "level", list(LEVELS))
    hours = None
    raw_hours, hours_node = reader.scalar(entries, "hours")
    if raw_hours is not None and hours_node is not None:
        hours = parse_decimal(raw_hours)
        if hours is None or hours <= 0 or hours > MAX_HOURS or hours != round(hours, 2):
            reader.error(
                hours_node,
                _(
                    "“hours” (số tiết) phải là số dương, tối đa 2 chữ số thập phân, không quá "
                    "%(max)d (ví dụ 8 hoặc 1,5).",
                    max=int(MAX_HOURS),
                ),
            )
            hours = None
    summary = reader.text(entries, "summary", max_length=2000)
    authors = reader.text_list(entries, "authors", allow_single=True, max_length=200)
    if authors == [] and not entries["authors"][1].value:
        reader.error(entries["authors"][1], _("“authors” cần ít nhất một tên."))
    sources = reader.text_list(entries, "sources", allow_single=True)
    version = reader.text(entries, "version", max_length=40)
    audience = (
        reader.choice(entries, "audience", list(AUDIENCES)) if "audience" in entries else STAFF
    )
    synthetic_audio = reader.boolean(entries, "synthetic_audio")
    # Every missing or invalid value has been reported, so no problem means all are set.
    if (
        len(report.problems) > errors_before
        or title is None
        or category is None
        or language is None
        or level is None
        or hours is None
        or summary is None
        or authors is None
        or version is None
        or audience is None
    ):
        return None
    return CourseMeta(
        title=title,
        category=category,
        language=language,
        level=level,
        hours=hours,
        summary=summary,
        authors=[text for text, _node in authors],
        sources=[text for text, _node in sources or []],
        version=version,
        audience=audience,
        synthetic_audio=synthetic_audio is True,
        title_en=title_en,
    )


def read_lesson_meta(node: yaml.Node | None, report: FileReport) -> LessonMeta | None:
    """Check a lesson's front matter; return its values when all are valid."""
    reader = YamlReader(report, 2)
    entries = reader.mapping(node, 1, _("Phần đầu (front matter)"))
    if entries is None:
        return None
    errors_before = len(report.problems)
    reader.check_keys(entries, LESSON_KEYS, LESSON_REQUIRED, 1)
    title = reader.text(entries, "title", max_length=MAX_TITLE)
    title_en = reader.text(entries, "title_en", max_length=MAX_TITLE)
    minutes = reader.integer(entries, "minutes", 1, MAX_MINUTES)
    required = reader.boolean(entries, "required")
    if len(report.problems) > errors_before or title is None or minutes is None:
        return None
    return LessonMeta(
        title=title, minutes=minutes, is_required=required is not False, title_en=title_en
    )


# Our blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaRef:
    """A reference to a file in media/, with the line it was written on and what it must be."""

    target: str
    line: int
    kind: str | None  # "audio", "image" or None for any media


@dataclass(frozen=True)
class AudioBlock:
    src: str
    caption: str
    transcript: str | None


@dataclass(frozen=True)
class VocabRow:
    """A row of a vocabulary table: its own word, meaning and recording, or a dictionary entry
    of the course's language (entry: its key), whose headword and meaning it shows and whose
    native recording, once approved, plays instead of the row's audio."""

    word: str | None
    meaning: str | None
    audio: str | None
    note: str | None
    entry: str | None = None
    line: int = 0


@dataclass(frozen=True)
class VocabBlock:
    caption: str | None
    columns: tuple[str, str] | None
    rows: list[VocabRow]


AUDIO_KEYS = ("src", "caption", "transcript")
VOCAB_KEYS = ("caption", "columns", "rows")
VOCAB_ROW_KEYS = ("word", "meaning", "audio", "note", "entry")
ENTRY_KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def read_audio_block(block: Block, report: FileReport, refs: list[MediaRef]) -> AudioBlock | None:
    parsed = block_yaml(block, report)
    if parsed is None:
        return None
    reader, entries = parsed
    before = len(report.problems)
    reader.check_keys(entries, AUDIO_KEYS, ("src", "caption"), block.fence_line)
    src = _media_value(reader, entries, "src", "audio", refs)
    caption = reader.text(entries, "caption", max_length=500)
    transcript = reader.text(entries, "transcript", max_length=10_000)
    if len(report.problems) > before or src is None or caption is None:
        return None
    return AudioBlock(src=src, caption=caption, transcript=transcript)


def read_vocab_block(block: Block, report: FileReport, refs: list[MediaRef]) -> VocabBlock | None:
    parsed = block_yaml(block, report)
    if parsed is None:
        return None
    reader, entries = parsed
    before = len(report.problems)
    reader.check_keys(entries, VOCAB_KEYS, ("rows",), block.fence_line)
    caption = reader.text(entries, "caption", max_length=500)
    columns = None
    headings = reader.text_list(entries, "columns", max_length=100)
    if headings is not None:
        if len(headings) != 2:
            reader.error(
                entries["columns"][1],
                _("“columns” phải có đúng hai tên cột: cột từ và cột nghĩa."),
            )
        else:
            columns = (headings[0][0], headings[1][0])
    rows: list[VocabRow] = []
    rows_node = entries["rows"][1] if "rows" in entries else None
    row_nodes = rows_node.value if isinstance(rows_node, yaml.SequenceNode) else []
    if rows_node is not None and not is_null(rows_node) and not row_nodes:
        reader.error(rows_node, _("“rows” phải là danh sách các từ, mỗi từ bắt đầu bằng “- ”."))
    for row_node in row_nodes:
        row_line = reader.line(row_node)
        row = reader.mapping(row_node, row_line, _("Mỗi dòng của bảng từ vựng"))
        if row is None:
            continue
        if "entry" in row:
            entry_row = _entry_row(reader, row, row_line, refs)
            if entry_row is not None:
                rows.append(entry_row)
            continue
        reader.check_keys(row, VOCAB_ROW_KEYS, ("meaning", "audio"), row_line)
        word = reader.text(row, "word", max_length=200)
        meaning = reader.text(row, "meaning", max_length=500)
        audio = _media_value(reader, row, "audio", "audio", refs)
        note = reader.text(row, "note", max_length=500)
        if meaning and audio:
            rows.append(VocabRow(word=word, meaning=meaning, audio=audio, note=note, line=row_line))
    if len(report.problems) > before or not rows:
        return None
    return VocabBlock(caption=caption, columns=columns, rows=rows)


def _entry_row(
    reader: YamlReader, row: Entries, line: int, refs: list[MediaRef]
) -> VocabRow | None:
    """A row naming a dictionary entry: the word and meaning are the entry's, written once in
    the dictionary; the row's audio, if any, plays until a native recording is approved."""
    reader.check_keys(row, VOCAB_ROW_KEYS, ("entry",), line)
    for written in ("word", "meaning"):
        if written in row:
            reader.error(
                row[written][0],
                _(
                    "Dòng có “entry” lấy từ và nghĩa từ mục từ của từ điển; bỏ “%(key)s” ở đây "
                    "(muốn sửa thì sửa mục từ).",
                    key=written,
                ),
            )
    key = reader.text(row, "entry", max_length=80)
    if key is not None and not ENTRY_KEY_RE.fullmatch(key):
        reader.error(
            row["entry"][1],
            _(
                "“%(key)s” không phải mã mục từ: mã gồm chữ thường không dấu, chữ số và dấu gạch "
                "nối, như cột “Mã mục từ” của tệp từ điển (ví dụ pi-noong).",
                key=key,
            ),
        )
        return None
    audio = _media_value(reader, row, "audio", "audio", refs) if "audio" in row else None
    note = reader.text(row, "note", max_length=500)
    if key is None:
        return None
    return VocabRow(word=None, meaning=None, audio=audio, note=note, entry=key, line=line)


def _media_value(
    reader: YamlReader, entries: Entries, key: str, kind: str, refs: list[MediaRef]
) -> str | None:
    value = reader.text(entries, key, max_length=255)
    if value is not None:
        refs.append(MediaRef(value, reader.line(entries[key][1]), kind))
    return value
