"""Files that travel with a page: the clip-plan manifest, videos and images from the Notion body.

The generate and read stages produce them; the publish stage attaches each to its Confluence page, deduplicated
by SHA-256 so an unchanged file is never uploaded again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

from sync.packing import pack, unpack


@dataclass(frozen=True)
class Attachment:
    """One file for one page. `name` is the attachment's file name on the page (stable across runs)."""

    name: str
    media_type: str
    stored: bytes | None  # the file, compressed if `packed`; None once its page is written (`hashed`)
    packed: bool = False

    @classmethod
    def compressed(cls, name: str, media_type: str, data: bytes) -> Attachment:
        """A file the sync makes (text: the clip plan) kept compressed until it is sent, a sixth of its size: a
        first run holds one for every page it writes, to its end."""
        return cls(name, media_type, pack(data), packed=True)

    @property
    def data(self) -> bytes:
        if self.stored is None:
            raise ValueError(f"attachment {self.name}: only its hash is kept (its page was written)")
        return unpack(self.stored) if self.packed else self.stored

    def hashed(self) -> Attachment:
        """The file's name, type and SHA-256 without the file: what a run keeps of one it has sent."""
        kept = Attachment(self.name, self.media_type, None)
        kept.__dict__["sha256"] = self.sha256  # the cached property's slot
        return kept

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
