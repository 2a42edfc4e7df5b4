"""A page body, neutral of Notion and Confluence: blocks of rich text, nested, with media as asset references.

`sync.notion.blocks` builds it from the blocks API; `sync.render_blocks` turns it into storage format. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal[
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "bulleted",
    "numbered",
    "to_do",
    "toggle",
    "quote",
    "callout",
    "code",
    "equation",
    "divider",
    "table",
    "table_row",
    "columns",
    "column",
    "synced",
    "image",
    "video",
    "file",
    "bookmark",
    "embed",
    "child_page",
    "unsupported",
]
HEADINGS: tuple[BlockKind, ...] = ("heading_1", "heading_2", "heading_3")
MEDIA: tuple[BlockKind, ...] = ("image", "video", "file")


@dataclass(frozen=True)
class Span:
    """A run of text with its marks; `href` makes it a link (a URL, or a Notion page a mention points at)."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    underline: bool = False
    code: bool = False
    color: str = "default"
    href: str | None = None


@dataclass(frozen=True)
class Media:
    """An image, video or file: a Notion-hosted file travels as an attachment (`attachment` names it on the
    page); an external one stays a link."""

    url: str
    attachment: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: tuple[Span, ...] = ()
    children: tuple[Block, ...] = ()
    checked: bool = False  # to_do
    language: str = ""  # code
    icon: str = ""  # callout
    url: str = ""  # bookmark, embed
    media: Media | None = None
    caption: tuple[Span, ...] = ()
    cells: tuple[tuple[Span, ...], ...] = ()  # table_row
    header_row: bool = False  # table
    note: str = ""  # why a block could not be shown (unsupported, not shared)

    @property
    def plain(self) -> str:
        return plain(self.text)


@dataclass(frozen=True)
class Body:
    """A page's blocks, in order."""

    blocks: tuple[Block, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())  # what could not be read, and what to do

    def __len__(self) -> int:
        return sum(1 for _ in walk(self.blocks))


def plain(spans: tuple[Span, ...]) -> str:
    return "".join(span.text for span in spans)


def walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Every block, depth first, in reading order."""
    for block in blocks:
        yield block
        yield from walk(block.children)


def text_of(blocks: tuple[Block, ...]) -> str:
    """All the text of some blocks, one block per line (table cells and captions included)."""
    lines: list[str] = []
    for block in walk(blocks):
        parts = [block.plain, *(plain(cell) for cell in block.cells), plain(block.caption)]
        line = " ".join(p for p in parts if p)
        if line:
            lines.append(line)
    return "\n".join(lines)


def depth(blocks: tuple[Block, ...]) -> int:
    return max((1 + depth(b.children) for b in blocks), default=0)


def media(blocks: tuple[Block, ...]) -> list[Media]:
    return [b.media for b in walk(blocks) if b.media is not None]
