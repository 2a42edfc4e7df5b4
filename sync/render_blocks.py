"""A page body (`sync.blocks`) as Confluence storage format, into a document being built. Pure.

Text is only ever element text or attribute values (never parsed), so nothing written in Notion can become
markup or a macro. Links keep only web and mail schemes. Notion-hosted media are shown from the page's own
attachments (`ri:attachment`); external media stay links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from sync.blocks import Block, Span, plain
from sync.storage import xml_safe

if TYPE_CHECKING:
    from sync.render import _Doc

SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Notion's named colours as CSS (its palette, approximately); anything else renders uncoloured.
_COLORS = {
    "gray": "#787774",
    "brown": "#9f6b53",
    "orange": "#d9730d",
    "yellow": "#cb912f",
    "green": "#448361",
    "blue": "#337ea9",
    "purple": "#9065b0",
    "pink": "#c14c8a",
    "red": "#d44c47",
}
# Body headings sit below the page's own section headings (h2).
_HEADING_TAG = {"heading_1": "h3", "heading_2": "h4", "heading_3": "h5"}
_LISTS = {"bulleted": "ul", "numbered": "ol"}


def safe_href(url: str | None) -> str | None:
    if not url:
        return None
    return url if url.strip().lower().startswith(SAFE_SCHEMES) else None


def spans(doc: _Doc, parent: etree._Element, items: tuple[Span, ...]) -> None:
    """Rich text: each span wrapped in its marks, innermost first."""
    for span in items:
        if not span.text:
            continue
        href = safe_href(span.href)
        node = parent
        if href:
            node = doc.el(node, "a", href=href)
        if span.color in _COLORS:
            node = doc.el(node, "span", style=f"color: {_COLORS[span.color]};")
        for on, tag in ((span.bold, "strong"), (span.italic, "em"), (span.underline, "u"), (span.code, "code")):
            if on:
                node = doc.el(node, tag)
        if span.strike:
            node = doc.el(node, "span", style="text-decoration: line-through;")
        if node is parent:
            doc.el(node, "span", span.text)
        else:
            node.text = xml_safe(span.text)


def blocks(doc: _Doc, parent: etree._Element, items: tuple[Block, ...]) -> None:
    """Blocks in order; consecutive list items of one kind share one list."""
    open_list: etree._Element | None = None
    open_kind = ""
    for block in items:
        if block.kind in _LISTS:
            if open_list is None or open_kind != block.kind:
                open_list, open_kind = doc.el(parent, _LISTS[block.kind]), block.kind
            item = doc.el(open_list, "li")
            spans(doc, item, block.text)
            blocks(doc, item, block.children)
            continue
        open_list, open_kind = None, ""
        _block(doc, parent, block)


def _paragraph(doc: _Doc, parent: etree._Element, text: tuple[Span, ...]) -> etree._Element:
    p = doc.el(parent, "p")
    spans(doc, p, text)
    return p


def _block(doc: _Doc, parent: etree._Element, block: Block) -> None:
    match block.kind:
        case "paragraph":
            _paragraph(doc, parent, block.text)
            blocks(doc, parent, block.children)  # indented paragraphs: shown after, in order
        case "heading_1" | "heading_2" | "heading_3":
            spans(doc, doc.el(parent, _HEADING_TAG[block.kind]), block.text)
            blocks(doc, parent, block.children)
        case "to_do":
            task = doc.el(doc.el(parent, "ac:task-list"), "ac:task")
            doc.el(task, "ac:task-status", "complete" if block.checked else "incomplete")
            body = doc.el(task, "ac:task-body")
            spans(doc, body, block.text)
            blocks(doc, parent, block.children)
        case "toggle":
            expand = doc.macro(parent, "expand", title=plain(block.text) or "Details")
            blocks(doc, doc.el(expand, "ac:rich-text-body"), block.children)
        case "quote":
            quote = doc.el(parent, "blockquote")
            _paragraph(doc, quote, block.text)
            blocks(doc, quote, block.children)
        case "callout":
            panel = doc.macro(parent, "info", icon="true")
            body = doc.el(panel, "ac:rich-text-body")
            p = doc.el(body, "p")
            if block.icon:
                doc.el(p, "span", block.icon + " ")
            spans(doc, p, block.text)
            blocks(doc, body, block.children)
        case "code":
            code = doc.macro(parent, "code", language=block.language or "text")
            doc.cdata_body(code, plain(block.text))
            _caption(doc, parent, block)
        case "equation":
            doc.el(doc.el(parent, "p"), "code", plain(block.text))
        case "divider":
            doc.el(parent, "hr")
        case "table":
            _table(doc, parent, block)
        case "columns":
            section = doc.el(doc.macro(parent, "section"), "ac:rich-text-body")
            for column in block.children:
                blocks(doc, doc.el(doc.macro(section, "column"), "ac:rich-text-body"), column.children)
        case "column" | "synced":
            if block.note:
                doc.el(doc.el(parent, "p"), "em", f"({block.note})")
            blocks(doc, parent, block.children)
        case "image" | "video" | "file":
            _media(doc, parent, block)
        case "bookmark" | "embed":
            _link(doc, parent, block.url, plain(block.caption) or block.url)
        case "child_page":
            p = doc.el(parent, "p")
            doc.el(p, "em", "Sub-page in Notion: ")
            spans(doc, p, block.text)
        case _:
            doc.el(doc.el(parent, "p"), "em", f"({block.note or 'a block not shown here'})")


def _link(doc: _Doc, parent: etree._Element, url: str, label: str) -> None:
    p = doc.el(parent, "p")
    href = safe_href(url)
    if href:
        doc.el(p, "a", label, href=href)
    else:  # not a web link: show it as text, never as an active link
        doc.el(p, "span", label)


def _caption(doc: _Doc, parent: etree._Element, block: Block) -> None:
    if block.caption:
        spans(doc, doc.el(doc.el(parent, "p"), "em"), block.caption)


def _media(doc: _Doc, parent: etree._Element, block: Block) -> None:
    media = block.media
    if media is None:
        return
    if media.attachment is None:
        _link(doc, parent, media.url, plain(block.caption) or media.name or media.url)
        return
    if block.kind == "image":
        image = doc.el(parent, "ac:image", ac__alt=plain(block.caption) or media.attachment)
        doc.el(image, "ri:attachment", ri__filename=media.attachment)
    else:
        macro = doc.macro(parent, "multimedia" if block.kind == "video" else "view-file")
        param = doc.el(macro, "ac:parameter", ac__name="name")
        doc.el(param, "ri:attachment", ri__filename=media.attachment)
    _caption(doc, parent, block)


def _table(doc: _Doc, parent: etree._Element, block: Block) -> None:
    tbody = doc.el(doc.el(parent, "table"), "tbody")
    for index, row in enumerate(block.children):
        tr = doc.el(tbody, "tr")
        cell_tag = "th" if block.header_row and index == 0 else "td"
        for cell in row.cells:
            spans(doc, doc.el(tr, cell_tag), cell)
