"""Reading an uploaded .zip of courses without trusting anything it says about itself."""

from __future__ import annotations

import io
import posixpath
import stat
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lms.courses.checker import FileRef, SourceCourse, is_ignored
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.zipparts import LongerThanDeclared, declared_chunks

MAX_FILES = 1000
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 20 * 1024 * 1024
# Media barely compress and text compresses about 3-10 times; far more is a zip bomb.
MAX_RATIO = 100
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveProblem:
    """Something wrong with the archive itself, or with one of its entries."""

    message: str
    entry: str | None = None

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}" if self.entry else self.message


class ArchiveError(UserError):
    """An archive that is refused as a whole; problems says why."""

    def __init__(self, problems: list[ArchiveProblem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def read_courses(data: bytes) -> list[SourceCourse]:
    """Return the course folders inside a .zip, read in full, or raise ArchiveError."""
    # A local file header, or the end record alone (an empty archive).
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise ArchiveError([ArchiveProblem(_("Tệp tải lên không phải tệp .zip."))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ArchiveError([ArchiveProblem(_("Tệp .zip bị hỏng, không đọc được."))]) from error
    for info in entries:
        info.filename = _name_as_written(info)
    with archive:
        files = _checked_entries(entries)
        contents = {info.filename: _read_entry(archive, info) for info in files}
    return _courses(contents)


UTF8_FLAG = 0x800


def _name_as_written(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it. Without the UTF-8 flag Python reads a name as
    code page 437, but Windows' "Send to compressed folder" and many tools write UTF-8 (or the
    Vietnamese code page 1258) without setting it: "01-Chào hỏi.md" would show as
    "01-Ch├áo hß╗Åi.md". The bytes are taken back and read as UTF-8, else as cp1258."""
    if info.flag_bits & UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "cp1258"):
        try:
            return unicodedata.normalize("NFC", raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    return info.filename


def _checked_entries(entries: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Refuse the archive for any unsafe entry; return the entries to read."""
    problems: list[ArchiveProblem] = []
    files = []
    seen: set[str] = set()
    total = 0
    for info in entries:
        name = info.filename
        if is_ignored(name.rstrip("/")) and _is_safe_path(name):
            continue
        if not _is_safe_path(name):
            problems.append(
                ArchiveProblem(
                    _("Đường dẫn tuyệt đối hoặc trỏ ra ngoài thư mục khóa học; không nhận."), name
                )
            )
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(ArchiveProblem(_("Không nhận liên kết tượng trưng (symlink)."), name))
            continue
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            problems.append(
                ArchiveProblem(_("Tệp được mã hóa bằng mật khẩu; không đọc được."), name)
            )
            continue
        if name in seen:
            problems.append(ArchiveProblem(_("Tệp có hai lần trong gói .zip."), name))
            continue
        seen.add(name)
        if info.file_size > MAX_FILE_BYTES:
            problems.append(
                ArchiveProblem(
                    _("Tệp lớn quá %(mb)d MB.", mb=MAX_FILE_BYTES // (1024 * 1024)), name
                )
            )
            continue
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            problems.append(
                ArchiveProblem(_("Tệp nén bất thường (tỉ lệ nén quá cao); không nhận."), name)
            )
            continue
        total += info.file_size
        files.append(info)
    if len(files) > MAX_FILES:
        problems.append(ArchiveProblem(_("Gói .zip có quá %(n)d tệp.", n=MAX_FILES)))
    if total > MAX_TOTAL_BYTES:
        problems.append(
            ArchiveProblem(
                _(
                    "Gói .zip khi giải nén lớn quá %(mb)d MB.",
                    mb=MAX_TOTAL_BYTES // (1024 * 1024),
                )
            )
        )
    if problems:
        raise ArchiveError(problems)
    return files


def _is_safe_path(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if len(name) > 1 and name[1] == ":":  # a Windows drive, C:...
        return False
    parts = name.rstrip("/").split("/")
    return all(part not in ("", ".", "..") for part in parts) and posixpath.normpath(
        name
    ) == name.rstrip("/")


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read an entry, never more than it declares: a lying header is refused, not trusted."""
    try:
        chunks = list(declared_chunks(archive, info, _CHUNK))
    except LongerThanDeclared as error:
        raise ArchiveError(
            [ArchiveProblem(_("Tệp lớn hơn kích thước ghi trong gói .zip."), info.filename)]
        ) from error
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise ArchiveError(
            [ArchiveProblem(_("Tệp bị hỏng, không giải nén được."), info.filename)]
        ) from error
    except NotImplementedError as error:
        raise ArchiveError(
            [
                ArchiveProblem(
                    _("Tệp nén theo cách không hỗ trợ; hãy nén lại bằng ZIP thường."), info.filename
                )
            ]
        ) from error
    return b"".join(chunks)


def _reader(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _courses(contents: dict[str, bytes]) -> list[SourceCourse]:
    """Group the files by their top folder, one course each."""
    courses: dict[str, SourceCourse] = {}
    stray = []
    for name, data in sorted(contents.items()):
        folder, _sep, rest = name.partition("/")
        if not rest:
            stray.append(name)
            continue
        course = courses.setdefault(folder, SourceCourse(slug=folder, display=folder, files={}))
        course.files[rest] = FileRef(len(data), _reader(data))
    if stray and not courses or any(name == "course.md" for name in stray):
        raise ArchiveError(
            [
                ArchiveProblem(
                    _(
                        "Gói .zip phải chứa thư mục khóa học, ví dụ tieng-tay-co-ban/course.md: "
                        "hãy nén cả thư mục, không chỉ các tệp bên trong."
                    )
                )
            ]
        )
    if stray:
        raise ArchiveError(
            [
                ArchiveProblem(_("Tệp nằm ngoài thư mục khóa học; không nhận."), name)
                for name in stray
            ]
        )
    if not courses:
        raise ArchiveError([ArchiveProblem(_("Gói .zip không có khóa học nào."))])
    return list(courses.values())
