"""Uploaded .zip files: nothing in them is trusted, and nothing unsafe gets in."""

from __future__ import annotations

import io
import stat
import struct
import unicodedata
import warnings
import zipfile

import pytest

from lms.courses import archive, checker
from tests.courses.conftest import EXAMPLE, folder_zip, zip_bytes

COURSE_FILES = {
    f"mau-tieng-tay/{path.relative_to(EXAMPLE).as_posix()}": path.read_bytes()
    for path in sorted(EXAMPLE.rglob("*"))
    if path.is_file()
}


def refusal(data: bytes) -> list[str]:
    with pytest.raises(archive.ArchiveError) as caught:
        archive.read_courses(data)
    return [str(problem) for problem in caught.value.problems]


def test_a_zipped_course_folder_reads_like_the_folder(app):
    sources = archive.read_courses(folder_zip(EXAMPLE))

    assert [source.slug for source in sources] == ["mau-tieng-tay"]
    report = checker.check_courses(sources)
    assert report.problems == []
    from_folder = checker.check_courses(checker.load_folder(EXAMPLE)[0])
    assert [lesson.html for lesson in report.courses[0].lessons] == [
        lesson.html for lesson in from_folder.courses[0].lessons
    ]


def test_clutter_from_other_systems_is_ignored(app):
    data = zip_bytes(
        {
            **COURSE_FILES,
            "__MACOSX/mau-tieng-tay/._course.md": b"\x00",
            "mau-tieng-tay/.DS_Store": b"\x00",
        }
    )
    sources = archive.read_courses(data)
    assert "course.md" in sources[0].files
    assert not any(".DS_Store" in name or "MACOSX" in name for name in sources[0].files)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Rar!\x1a\x07\x00", "Tệp tải lên không phải tệp .zip."),
        (b"PK\x03\x04" + b"\x00" * 100, "Tệp .zip bị hỏng, không đọc được."),
        (zip_bytes({}), "Gói .zip không có khóa học nào."),
        (
            zip_bytes({"course.md": "x", "01-a.md": "y"}),
            "Gói .zip phải chứa thư mục khóa học, ví dụ tieng-tay-co-ban/course.md: hãy nén cả "
            "thư mục, không chỉ các tệp bên trong.",
        ),
        (
            zip_bytes({**COURSE_FILES, "ghi-chu.txt": "x"}),
            "ghi-chu.txt: Tệp nằm ngoài thư mục khóa học; không nhận.",
        ),
    ],
)
def test_archives_that_are_not_course_folders(data, message):
    assert refusal(data) == [message]


@pytest.mark.parametrize(
    "name",
    [
        "../ngoai.md",
        "mau-tieng-tay/../../etc/passwd",
        "/etc/passwd",
        "C:/Windows/x.md",
        "mau-tieng-tay\\..\\..\\x.md",
        "mau-tieng-tay/./course.md",
        "mau-tieng-tay//course.md",
    ],
)
def test_paths_escaping_the_folder_are_refused(name):
    info = zipfile.ZipInfo(name)
    assert refusal(zip_bytes(COURSE_FILES, infos=[(info, b"x")])) == [
        f"{name}: Đường dẫn tuyệt đối hoặc trỏ ra ngoài thư mục khóa học; không nhận."
    ]


def test_symlinks_are_refused():
    info = zipfile.ZipInfo("mau-tieng-tay/02-bi-mat.md")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert refusal(zip_bytes(COURSE_FILES, infos=[(info, b"/etc/passwd")])) == [
        "mau-tieng-tay/02-bi-mat.md: Không nhận liên kết tượng trưng (symlink)."
    ]


def test_encrypted_and_repeated_entries_are_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the repeated name, on purpose here
        data = zip_bytes(COURSE_FILES, infos=[(zipfile.ZipInfo("mau-tieng-tay/course.md"), b"x")])
    # The general purpose flags: at 6 in the local header, 8 in the central directory.
    data = patch_headers(data, b"mau-tieng-tay/media/ban-phim.png", 6, 8, "<H", 0x1)
    assert refusal(data) == [
        "mau-tieng-tay/media/ban-phim.png: Tệp được mã hóa bằng mật khẩu; không đọc được.",
        "mau-tieng-tay/course.md: Tệp có hai lần trong gói .zip.",
    ]


def test_zip_bombs_are_refused_by_their_compression_ratio():
    data = zip_bytes({**COURSE_FILES, "mau-tieng-tay/media/bom.mp3": bytes(10 * 1024 * 1024)})
    assert refusal(data) == [
        "mau-tieng-tay/media/bom.mp3: Tệp nén bất thường (tỉ lệ nén quá cao); không nhận."
    ]


def test_declared_sizes_and_file_count_are_limited(monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 4000)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 6000)
    monkeypatch.setattr(archive, "MAX_FILES", 3)
    assert refusal(zip_bytes(COURSE_FILES)) == [
        "mau-tieng-tay/media/chao.mp3: Tệp lớn quá 0 MB.",
        "Gói .zip có quá 3 tệp.",
        "Gói .zip khi giải nén lớn quá 0 MB.",
    ]


def patch_headers(
    data: bytes, name: bytes, local_at: int, central_at: int, fmt: str, value: int
) -> bytes:
    """Overwrite one field of name's local and central headers (offsets from each header)."""
    data = bytearray(data)
    for signature, name_length_at, name_at, field_at in (
        (b"PK\x03\x04", 26, 30, local_at),
        (b"PK\x01\x02", 28, 46, central_at),
    ):
        header = data.index(signature)
        while True:
            length = struct.unpack_from("<H", data, header + name_length_at)[0]
            if data[header + name_at : header + name_at + length] == name:
                struct.pack_into(fmt, data, header + field_at, value)
                break
            header = data.index(signature, header + 4)
    return bytes(data)


def test_an_entry_larger_than_it_declares_is_refused():
    # The uncompressed size: at 22 in the local header, 24 in the central directory.
    data = patch_headers(zip_bytes(COURSE_FILES), b"mau-tieng-tay/course.md", 22, 24, "<I", 10)
    # zipfile stops at the declared size, and the checksum of the cut data then fails.
    assert refusal(data) == ["mau-tieng-tay/course.md: Tệp bị hỏng, không giải nén được."]


def test_non_media_files_are_refused_by_the_check(app):
    data = zip_bytes(
        {
            **COURSE_FILES,
            "mau-tieng-tay/chay.exe": b"MZ\x90\x00",
            "mau-tieng-tay/media/trang.mp3": b"<html><script>alert(1)</script></html>",
        }
    )
    report = checker.check_courses(archive.read_courses(data))
    assert [str(problem) for problem in report.errors] == [
        "mau-tieng-tay/chay.exe:1: lỗi: Tệp này không thuộc định dạng khóa học: chỉ có course.md, "
        "các bài NN-ten-bai.md và tệp âm thanh, hình ảnh trong thư mục media/.",
        "mau-tieng-tay/media/trang.mp3:1: lỗi: Nội dung tệp không phải âm thanh (mp3, ogg, m4a) "
        "hay hình ảnh (png, jpeg, webp).",
    ]
    assert report.courses == []


def _without_utf8_flag(name: str, encoding: str) -> bytes:
    """A zip of the example course plus one file named name, its name's bytes in encoding and
    the UTF-8 flag not set, as Windows' "compressed folder" and older tools write them."""
    raw = unicodedata.normalize("NFD", name).encode(encoding)
    placeholder = "x" * len(raw)
    data = zip_bytes({**COURSE_FILES, f"mau-tieng-tay/{placeholder}": "# bài\n"})
    assert data.count(placeholder.encode()) == 2  # the local header and the central directory
    return data.replace(placeholder.encode(), raw)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1258"])
def test_names_written_without_the_utf8_flag_are_shown_as_written(app, encoding):
    data = _without_utf8_flag("01-Chào hỏi.md", encoding)
    with zipfile.ZipFile(io.BytesIO(data)) as check:
        garbled = [info.filename for info in check.infolist() if "Ch" in info.filename]
        assert garbled and garbled[0] != "mau-tieng-tay/01-Chào hỏi.md"  # as Python reads it

    report = checker.check_courses(archive.read_courses(data))

    messages = [str(problem) for problem in report.errors]
    assert any("mau-tieng-tay/01-Chào hỏi.md" in message for message in messages), messages
    assert not any("├" in message or "ß" in message for message in messages)
