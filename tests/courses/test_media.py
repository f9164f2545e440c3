"""Media are recognised by their bytes, never by their names."""

from __future__ import annotations

import pytest

from lms.courses import media
from tests.courses.conftest import EXAMPLE

PNG = (EXAMPLE / "media" / "ban-phim.png").read_bytes()
MP3 = (EXAMPLE / "media" / "chao.mp3").read_bytes()
MP3_NO_TAG = (EXAMPLE / "media" / "so-dem" / "slip.mp3").read_bytes()
OGG = (EXAMPLE / "media" / "so-dem" / "slam.ogg").read_bytes()
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A mp42isom\x00\x00\x00\x08free"
MP4_VIDEO = b"\x00\x00\x00\x20ftypavc1\x00\x00\x02\x00avc1mp41\x00\x00\x00\x08free"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"
AAC_ADTS = b"\xff\xf1\x50\x80\x02\x1f\xfc"
SVG = b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_WITH_DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE svg><svg/>'


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.png", PNG, "image/png"),
        ("a.mp3", MP3, "audio/mpeg"),
        ("a.mp3", MP3_NO_TAG, "audio/mpeg"),
        ("a.ogg", OGG, "audio/ogg"),
        ("a.opus", OGG, "audio/ogg"),
        ("a.m4a", M4A, "audio/mp4"),
        ("a.jpg", JPEG, "image/jpeg"),
        ("a.jpeg", JPEG, "image/jpeg"),
        ("a.webp", WEBP, "image/webp"),
    ],
)
def test_accepted_media(name, data, content_type):
    found, error = media.check_media(name, data, len(data))
    assert error is None
    assert found.content_type == content_type


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.svg", PNG, "Không nhận tệp SVG (có thể chứa mã chạy được); hãy dùng PNG hoặc WebP."),
        ("a.png", SVG, "Không nhận tệp SVG (có thể chứa mã chạy được); hãy dùng PNG hoặc WebP."),
        (
            "a.png",
            SVG_WITH_DOCTYPE,
            "Không nhận tệp SVG (có thể chứa mã chạy được); hãy dùng PNG hoặc WebP.",
        ),
        ("a.mp3", PNG, "Tên tệp có đuôi “.mp3” nhưng nội dung là PNG; hãy đặt lại tên cho đúng."),
        ("a.png", OGG, "Tên tệp có đuôi “.png” nhưng nội dung là Ogg; hãy đặt lại tên cho đúng."),
        (
            "a.gif",
            PNG,
            "Đuôi tệp “.gif” không được nhận; dùng .mp3, .ogg, .m4a, .png, .jpg hoặc .webp.",
        ),
        (
            "a.mp4",
            MP4_VIDEO,
            "Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh (png, jpeg, webp).",
        ),
        (
            "a.m4a",
            AAC_ADTS,
            "Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh (png, jpeg, webp).",
        ),
        (
            "a.mp3",
            b"<html><script>alert(1)</script></html>",
            "Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh (png, jpeg, webp).",
        ),
        (
            "a.mp3",
            b"",
            "Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh (png, jpeg, webp).",
        ),
    ],
)
def test_refused_media(name, data, message):
    assert media.check_media(name, data, len(data)) == (None, message)


def test_oversized_media_is_refused_before_reading():
    assert media.check_media("a.mp3", b"", media.MAX_MEDIA_BYTES + 1) == (
        None,
        "Tệp media lớn quá 20 MB; hãy nén nhỏ lại (âm thanh mp3 64–128 kbps là đủ).",
    )
