"""Small recordings built byte by byte: Opus in Ogg and in WebM, of a given length, as the
container checks read them (the audio itself is not decodable, which no check needs)."""

from __future__ import annotations

import struct

PRE_SKIP = 312


def _ogg_page(payload: bytes, granule: int, sequence: int, header_type: int = 0) -> bytes:
    segments = []
    left = len(payload)
    while left >= 255:
        segments.append(255)
        left -= 255
    segments.append(left)
    header = b"OggS" + bytes([0, header_type]) + struct.pack("<qIII", granule, 7, sequence, 0)
    return header + bytes([len(segments)]) + bytes(segments) + payload


def ogg_opus(milliseconds: int = 1500) -> bytes:
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, PRE_SKIP, 48_000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 4) + b"test" + struct.pack("<I", 0)
    granule = PRE_SKIP + milliseconds * 48
    return (
        _ogg_page(head, 0, 0, header_type=2)
        + _ogg_page(tags, 0, 1)
        + _ogg_page(b"\xfc" + b"\x00" * 60, granule, 2, header_type=4)
    )


def _size(length: int) -> bytes:
    if length < 0x7F:
        return bytes([0x80 | length])
    return b"\x01" + length.to_bytes(7, "big")


def _element(element_id: int, payload: bytes) -> bytes:
    return (
        element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
        + _size(len(payload))
        + payload
    )


UNKNOWN = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def webm_opus(milliseconds: int = 1500, *, codec: bytes = b"A_OPUS") -> bytes:
    """What MediaRecorder writes: a segment and a cluster of unknown size, no duration."""
    header = _element(0x1A45DFA3, _element(0x4282, b"webm"))
    info = _element(0x1549A966, _element(0x2AD7B1, (1_000_000).to_bytes(3, "big")))
    tracks = _element(0x1654AE6B, _element(0xAE, _element(0xD7, b"\x01") + _element(0x86, codec)))
    blocks = b"".join(
        _element(0xA3, b"\x81" + struct.pack(">h", time) + b"\x80" + b"\x00" * 20)
        for time in range(0, milliseconds + 1, 20)
    )
    cluster = b"\x1f\x43\xb6\x75" + UNKNOWN + _element(0xE7, b"\x00") + blocks
    return header + b"\x18\x53\x80\x67" + UNKNOWN + info + tracks + cluster
