"""Baked badges: a PNG carrying the credential in an iTXt chunk (Open Badges 3.0 baking)."""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = "openbadgecredential"
SIZE = 256


@cache
def _badge_image() -> Image.Image:
    """The badge's picture: a gold medal on a ribbon, drawn once. (Pillow is imported here,
    when a badge is first baked: 20 ms of every start otherwise.)"""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(84, 150), (60, 250), (104, 226), (128, 250), (128, 160)], fill="#b3261e")
    draw.polygon([(172, 150), (196, 250), (152, 226), (128, 250), (128, 160)], fill="#8c1d18")
    draw.ellipse((28, 8, 228, 208), fill="#c99a2e", outline="#7a5a12", width=6)
    draw.ellipse((58, 38, 198, 178), outline="#fff4d6", width=4)
    draw.line([(88, 108), (118, 138), (170, 80)], fill="#fff4d6", width=14)
    return image


def bake(credential_json: str) -> bytes:
    """The badge PNG with the credential's JSON in one uncompressed iTXt chunk."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(KEYWORD, credential_json, zip=False)
    out = io.BytesIO()
    _badge_image().save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


class NotBaked(ValueError):
    """A PNG without exactly one readable openbadgecredential chunk."""


def unbake(data: bytes) -> str:
    """The credential text baked into a PNG, read from its chunks without decoding the image."""
    found: list[str] = []
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if len(body) != length:
            raise NotBaked("truncated chunk")
        position += 12 + length
        if kind == b"iTXt":
            found.extend(_itxt_text(body))
        if kind == b"IEND":
            break
    if len(found) != 1:
        raise NotBaked(f"{len(found)} credential chunks")
    return found[0]


def _itxt_text(body: bytes) -> list[str]:
    keyword, _, rest = body.partition(b"\0")
    if keyword.decode("latin-1") != KEYWORD or len(rest) < 2:
        return []
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    if compressed:
        if method != 0:
            raise NotBaked("unknown compression")
        # A credential is a few kilobytes: refuse to inflate a bomb past a megabyte.
        inflater = zlib.decompressobj()
        text = inflater.decompress(text, 1024 * 1024)
        if inflater.unconsumed_tail:
            raise NotBaked("too large")
    try:
        return [text.decode("utf-8")]
    except UnicodeDecodeError as error:
        raise NotBaked("not UTF-8") from error
