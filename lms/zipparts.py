"""Reading the parts of an uploaded .zip (a course package, an .xlsx) without trusting it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator


class LongerThanDeclared(Exception):
    """A part unpacked to more bytes than its header declares: the header lies."""


def declared_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> Iterator[bytes]:
    """Yield a part's bytes, size at a time, never more than it declares."""
    read = 0
    with archive.open(info) as handle:
        while chunk := handle.read(size):
            read += len(chunk)
            if read > info.file_size:
                raise LongerThanDeclared(info.filename)
            yield chunk
