"""Media files of a course, recognised by their content (magic bytes), never by their name."""

from __future__ import annotations

from dataclasses import dataclass

from lms.i18n import gettext as _

MAX_MEDIA_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 1024


@dataclass(frozen=True)
class MediaType:
    kind: str  # "audio" or "image"
    content_type: str
    extension: str  # used in the media URL
    label: str


MP3 = MediaType("audio", "audio/mpeg", "mp3", "MP3")
OGG = MediaType("audio", "audio/ogg", "ogg", "Ogg")
M4A = MediaType("audio", "audio/mp4", "m4a", "M4A")
PNG = MediaType("image", "image/png", "png", "PNG")
JPEG = MediaType("image", "image/jpeg", "jpg", "JPEG")
WEBP = MediaType("image", "image/webp", "webp", "WebP")
TYPES = (MP3, OGG, M4A, PNG, JPEG, WEBP)
BY_EXTENSION = {
    "mp3": MP3,
    "ogg": OGG,
    "oga": OGG,
    "opus": OGG,
    "m4a": M4A,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "webp": WEBP,
}
BY_URL_EXTENSION = {media_type.extension: media_type for media_type in TYPES}
# MP4 brands of audio files; video brands are refused even when the file holds audio.
_M4A_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41", b"iso2"}


class SvgRefused(Exception):
    """SVG can carry scripts and external references, so it is never accepted."""


def sniff(head: bytes) -> MediaType | None:
    """Return the type the first bytes of a file show, or None; raise SvgRefused for SVG."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return MP3
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return M4A
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text:
        raise SvgRefused
    return None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, then a layer other than 0 (which is AAC)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x3
    layer = (head[1] >> 1) & 0x3
    bitrate = head[2] >> 4
    return version != 1 and layer != 0 and bitrate != 0xF


def check_media(name: str, head: bytes, size: int) -> tuple[MediaType | None, str | None]:
    """Return (type, None) for an accepted file, else (None, the Vietnamese reason)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if size > MAX_MEDIA_BYTES:
        return None, _(
            "Tệp media lớn quá %(mb)d MB; hãy nén nhỏ lại (âm thanh mp3 64–128 kbps là đủ).",
            mb=MAX_MEDIA_BYTES // (1024 * 1024),
        )
    if extension == "svg":
        return None, _svg_refused()
    try:
        found = sniff(head)
    except SvgRefused:
        return None, _svg_refused()
    if found is None:
        return None, _(
            "Nội dung tệp không phải âm thanh (mp3, ogg, m4a) hay hình ảnh (png, jpeg, webp)."
        )
    expected = BY_EXTENSION.get(extension)
    if expected is None:
        return None, _(
            "Đuôi tệp “.%(ext)s” không được nhận; dùng .mp3, .ogg, .m4a, .png, .jpg hoặc .webp.",
            ext=extension,
        )
    if expected != found:
        return None, _(
            "Tên tệp có đuôi “.%(ext)s” nhưng nội dung là %(found)s; hãy đặt lại tên cho đúng.",
            ext=extension,
            found=found.label,
        )
    return found, None


def _svg_refused() -> str:
    return _("Không nhận tệp SVG (có thể chứa mã chạy được); hãy dùng PNG hoặc WebP.")
