"""Bytes a run holds for every entry or page until its end, kept compressed: zlib's fastest level (a fifth to
a seventh of the JSON and storage-format text the sync keeps), and nothing at all for nothing (each compression
first sets up zlib's state, a quarter of a megabyte, which a page standing as published, one per unchanged
entry, need not pay for)."""

from __future__ import annotations

import zlib


def pack(data: bytes) -> bytes:
    return zlib.compress(data, 1) if data else b""


def unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed) if packed else b""
