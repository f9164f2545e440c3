"""Dictionary files for tests, in the exchange layout."""

from __future__ import annotations

HEADER = (
    "Mã ngôn ngữ,Mã mục từ,Mục từ,Nghĩa,Từ loại,Ví dụ,Dịch ví dụ,Phương ngữ,Cách ghi,Nguồn,Trang"
)
SOURCE = "Sách học tiếng Tày Nùng, Ủy ban Dân tộc, 2002"


def dictionary_csv(*rows: str, header: str = HEADER) -> bytes:
    """A dictionary file: the header, then rows as CSV lines."""
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def entry_line(key: str, headword: str, meaning: str, **cells: str) -> str:
    """A CSV line of a Tày entry with a source; cells override a column (by its position name)."""
    values = {
        "language": "tyz",
        "key": key,
        "headword": headword,
        "meaning": meaning,
        "pos": "",
        "examples": "",
        "translations": "",
        "dialect": "",
        "transcription": "",
        "source": SOURCE,
        "page": "",
    } | cells
    return ",".join(f'"{value}"' if "," in value else value for value in values.values())
