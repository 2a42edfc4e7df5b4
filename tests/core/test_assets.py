"""A file the sync makes is kept compressed until it is sent; what is sent and hashed is the file itself."""

from __future__ import annotations

import hashlib
import json

from sync.assets import Attachment


def test_a_compressed_file_is_the_same_file_to_whoever_reads_it() -> None:
    data = json.dumps({"clips": [{"narration": "Acknowledge the urgency. " * 40} for _ in range(5)]}).encode()
    kept = Attachment.compressed("clip-plan.json", "application/json", data)
    plain = Attachment("clip-plan.json", "application/json", data)
    assert kept.data == data and kept.sha256 == hashlib.sha256(data).hexdigest() == plain.sha256
    assert len(kept.stored) * 6 < len(data)  # what a run holds of it
    assert Attachment.compressed("clip-plan.json", "application/json", data) == kept  # the same file, the same


def test_a_file_read_from_notion_is_kept_as_it_came() -> None:
    video = bytes(range(256)) * 4
    kept = Attachment("demo.mp4", "video/mp4", video)
    assert kept.stored is video and kept.data is video and not kept.packed
