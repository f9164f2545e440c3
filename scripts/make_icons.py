"""Draw the app's icons (static/icons/icon-<size>.png) from the favicon's shapes: a green
rounded square and an open book. Run by hand after changing the design; the PNGs are committed.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "lms" / "static" / "icons"
GREEN, WHITE = (0x0B, 0x5D, 0x3B), (0xFF, 0xFF, 0xFF)
# The favicon's 32×32 drawing: the book's two pages as quadrilaterals.
PAGES = [((5, 9), (15, 11), (15, 24), (5, 22)), ((27, 9), (17, 11), (17, 24), (27, 22))]


def inside(point: tuple[float, float], polygon: tuple[tuple[int, int], ...]) -> bool:
    x, y = point
    found = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            found = not found
    return found


def pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) of the 32×32 drawing (full bleed: maskable icons get cropped)."""
    return WHITE if any(inside((x, y), page) for page in PAGES) else GREEN


def png(size: int) -> bytes:
    rows = b"".join(
        b"\x00"
        + bytes(
            channel
            for column in range(size)
            for channel in pixel((column + 0.5) * 32 / size, (row + 0.5) * 32 / size)
        )
        for row in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
        print(f"{OUT / f'icon-{size}.png'}")


if __name__ == "__main__":
    main()
