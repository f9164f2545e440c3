"""What a recording is, told by its content: Opus in Ogg or in WebM (what browsers record with
MediaRecorder), and how long it lasts, read from the container itself. Nothing here trusts a
file's name or the type the browser sent."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

OGG = "audio/ogg"
WEBM = "audio/webm"
EXTENSIONS = {OGG: "ogg", WEBM: "webm"}
# Where an approved recording is served (lms.dictionary.recording_views.audio).
RECORDING_PATH = "/recordings/{id}.{extension}"
_OPUS_RATE = 48_000  # Opus granule positions count 48 kHz samples, whatever the input rate
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def recording_path(recording_id: int, content_type: str) -> str:
    return RECORDING_PATH.format(id=recording_id, extension=EXTENSIONS[content_type])


@dataclass(frozen=True)
class Audio:
    content_type: str
    milliseconds: int


class NotAudio(ValueError):
    """Not Opus in Ogg or WebM, or a file too damaged to read its length."""


def inspect(data: bytes) -> Audio:
    """The recording's kind and length, or NotAudio."""
    if data.startswith(b"OggS"):
        return Audio(OGG, _ogg_milliseconds(data))
    if data.startswith(_EBML_MAGIC):
        return Audio(WEBM, _webm_milliseconds(data))
    raise NotAudio("not ogg or webm")


# Ogg ------------------------------------------------------------------------------------------


def _ogg_pages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(granule position, payload) of each page, in order."""
    offset = 0
    while offset + 27 <= len(data):
        if data[offset : offset + 4] != b"OggS":
            raise NotAudio("broken ogg page")
        granule = struct.unpack_from("<q", data, offset + 6)[0]
        segments = data[offset + 26]
        table = data[offset + 27 : offset + 27 + segments]
        if len(table) != segments:
            raise NotAudio("truncated ogg page")
        start = offset + 27 + segments
        end = start + sum(table)
        if end > len(data):
            raise NotAudio("truncated ogg page")
        yield granule, data[start:end]
        offset = end


def _ogg_milliseconds(data: bytes) -> int:
    pages = list(_ogg_pages(data))
    if not pages or not pages[0][1].startswith(b"OpusHead") or len(pages[0][1]) < 19:
        raise NotAudio("ogg without an opus stream")
    pre_skip = struct.unpack_from("<H", pages[0][1], 10)[0]
    last = max(granule for granule, _payload in pages)
    if last <= 0:
        raise NotAudio("ogg without audio")
    return max(0, last - pre_skip) * 1000 // _OPUS_RATE


# WebM (EBML) ---------------------------------------------------------------------------------

# Elements whose content is read as more elements (their size may be "unknown", as live
# recordings write the segment and its clusters).
_MASTERS = {
    0x1A45DFA3,  # EBML header
    0x18538067,  # Segment
    0x1549A966,  # Info
    0x1654AE6B,  # Tracks
    0xAE,  # TrackEntry
    0x1F43B675,  # Cluster
    0xA0,  # BlockGroup
}
_TIMECODE_SCALE, _DURATION, _CODEC = 0x2AD7B1, 0x4489, 0x86
_CLUSTER_TIME, _SIMPLE_BLOCK, _BLOCK = 0xE7, 0xA3, 0xA1
_DOC_TYPE = 0x4282


def _vint(data: bytes, offset: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """A variable-length integer: (value, its length, whether all its value bits are ones)."""
    if offset >= len(data):
        raise NotAudio("truncated webm")
    first = data[offset]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or offset + length > len(data):
        raise NotAudio("broken webm number")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[offset + 1 : offset + length]:
        value = (value << 8) | byte
    all_ones = (first & (0xFF >> length)) == (0xFF >> length) and all(
        byte == 0xFF for byte in data[offset + 1 : offset + length]
    )
    return value, length, all_ones


def _webm_milliseconds(data: bytes) -> int:
    scale = 1_000_000  # ns per timecode tick, unless Info says otherwise
    duration = None
    codecs = []
    doc_type = b""
    cluster_time = 0
    last_time = 0
    offset = 0
    while offset < len(data):
        element, id_length, _ones = _vint(data, offset, keep_marker=True)
        size, size_length, unknown = _vint(data, offset + id_length, keep_marker=False)
        start = offset + id_length + size_length
        if element in _MASTERS:
            offset = start  # read what it holds as the next elements
            continue
        if unknown or start + size > len(data):
            raise NotAudio("truncated webm element")
        payload = data[start : start + size]
        offset = start + size
        if element == _DOC_TYPE:
            doc_type = payload
        elif element == _TIMECODE_SCALE:
            scale = int.from_bytes(payload, "big") or scale
        elif element == _DURATION and size in (4, 8):
            duration = struct.unpack(">f" if size == 4 else ">d", payload)[0]
        elif element == _CODEC:
            codecs.append(payload)
        elif element == _CLUSTER_TIME:
            cluster_time = int.from_bytes(payload, "big")
        elif element in (_SIMPLE_BLOCK, _BLOCK) and size >= 4:
            _track, track_length, _ = _vint(payload, 0, keep_marker=False)
            relative = struct.unpack_from(">h", payload, track_length)[0]
            last_time = max(last_time, cluster_time + relative)
    if doc_type not in (b"webm", b"matroska") or b"A_OPUS" not in codecs:
        raise NotAudio("webm without an opus track")
    ticks = duration if duration is not None and duration > 0 else last_time
    return int(ticks * scale // 1_000_000)
