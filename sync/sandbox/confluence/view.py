"""A page as Confluence shows it in a browser: storage XHTML in, an HTML document out. Pure.

Built with lxml on both sides, so text from a body is only ever text in the output (escaped by the
serialiser), and links are kept only for safe schemes. What a page refers to outside its body (its
attachments, other pages by title, users, pages carrying a label for the page-properties report) comes
in through a `ViewContext` of plain data and lookups, so the renderer never reads the emulator's state.

Macros follow Confluence's own rendering closely enough to judge a page: page properties (``details``),
the four panels and ``panel``, ``expand`` (collapsed; opens on click), ``code`` and ``noformat``,
``status`` lozenges, ``multimedia``, ``view-file``, ``attachments``, ``widget``, ``toc``, ``anchor``,
``section``/``column``, the page-properties report (``detailssummary``), images, links, emoticons, task
lists and layouts. A macro it does not know is a labelled placeholder with its body inside, never loose text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree, html
from lxml.html import builder as E

from sync.storage import parse_storage

AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"
AT = "{http://atlassian.com/template}"


# --- what the page refers to, handed in by whoever serves the view ---------------------------------------
@dataclass(frozen=True)
class AttachmentLink:
    title: str
    media_type: str
    size: int
    url: str
    version: int = 1


@dataclass(frozen=True)
class ReportRow:
    """A page a page-properties report lists: its title, link and storage body."""

    title: str
    url: str
    body: str
    ancestor_ids: tuple[str, ...] = ()  # for a report limited to `ancestor = ID`


@dataclass(frozen=True)
class PageInfo:
    title: str
    space_key: str = ""
    space_name: str = ""
    version: int = 1
    author: str = ""
    when: str = ""
    labels: tuple[str, ...] = ()
    ancestors: tuple[tuple[str, str], ...] = ()  # (title, url) from the space home down


def _no_page(title: str, space_key: str | None) -> str | None:
    return None


def _no_rows(label: str) -> list[ReportRow]:
    return []


def _same_name(key: str) -> str:
    return key


@dataclass(frozen=True)
class ViewContext:
    attachments: tuple[AttachmentLink, ...] = ()
    page_url: Callable[[str, str | None], str | None] = _no_page  # (title, space key) -> link
    labelled: Callable[[str], list[ReportRow]] = _no_rows  # label -> pages carrying it
    user_name: Callable[[str], str] = _same_name  # account id, user key or user name -> display name
    children: tuple[tuple[str, str], ...] = ()  # (title, url) of the page's child pages

    def attachment(self, filename: str) -> AttachmentLink | None:
        return next((a for a in self.attachments if a.title == filename), None)


# --- the renderer ------------------------------------------------------------------------------------------
_SAFE_SCHEMES = {"http", "https", "mailto", ""}
# XHTML elements shown as they are (attributes filtered); anything else becomes a span around its content.
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_INLINE = ("strong", "em", "b", "i", "u", "s", "del", "ins", "sub", "sup", "code", "span", "small", "big", "abbr")
_INLINE_MORE = ("cite", "q", "kbd", "var", "samp", "mark", "br")
_BLOCKS = ("p", "pre", "hr", "ul", "ol", "li", "blockquote", "div", "dl", "dt", "dd")
_TABLES = ("table", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "caption")
_PLAIN = {*_HEADINGS, *_INLINE, *_INLINE_MORE, *_BLOCKS, *_TABLES}
_KEEP_ATTRS = {"colspan", "rowspan", "start", "title", "datetime"}
_PANELS = {"info": "info", "tip": "success", "note": "warning", "warning": "error"}
_PANEL_ICONS = {"info": "i", "success": "✓", "warning": "!", "error": "!", "panel": ""}
_STATUS_COLOURS = {"grey", "red", "yellow", "green", "blue", "purple"}
_EMOTICONS = {
    "smile": "🙂",
    "sad": "🙁",
    "cheeky": "😛",
    "laugh": "😀",
    "wink": "😉",
    "thumbs-up": "👍",
    "thumbs-down": "👎",
    "information": "\u2139\ufe0f",
    "tick": "✅",
    "cross": "❌",
    "warning": "⚠️",
    "plus": "\u2795",
    "minus": "\u2796",
    "question": "❓",
    "light-on": "💡",
    "light-off": "💡",
    "yellow-star": "⭐",
    "red-star": "⭐",
    "green-star": "⭐",
    "blue-star": "⭐",
    "heart": "❤️",
    "broken-heart": "💔",
}
_VIDEO = re.compile(r"\.(mp4|m4v|webm|ogv|mov)$", re.IGNORECASE)
_AUDIO = re.compile(r"\.(mp3|wav|ogg|m4a)$", re.IGNORECASE)
_IMAGE = re.compile(r"\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """The URL if a browser may follow it from a page (no ``javascript:`` and the like), else None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in _SAFE_SCHEMES else None


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text_of(node: etree._Element) -> str:
    return "".join(node.itertext())


def _size(num: int) -> str:
    if num < 1024:
        return f"{num} B"
    if num < 1024 * 1024:
        return f"{num / 1024:.1f} kB"
    return f"{num / 1024 / 1024:.1f} MB"


def _add_text(parent: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


@dataclass
class _Macro:
    name: str
    params: dict[str, etree._Element] = field(default_factory=dict)
    rich: etree._Element | None = None
    plain: str | None = None

    def param(self, key: str, default: str = "") -> str:
        node = self.params.get(key)
        return _text_of(node).strip() if node is not None else default

    @classmethod
    def read(cls, node: etree._Element) -> _Macro:
        macro = cls(node.get(f"{AC}name", "").strip())
        for child in node:
            local = _local(child.tag)
            if local == "parameter":
                macro.params[child.get(f"{AC}name", "")] = child
            elif local == "rich-text-body":
                macro.rich = child
            elif local == "plain-text-body":
                macro.plain = child.text or ""
        return macro


class _Renderer:
    def __init__(self, context: ViewContext) -> None:
        self.context = context
        self.headings: list[tuple[int, str, str]] = []  # (level, id, text) for the table of contents
        self.tocs: list[etree._Element] = []
        self._ids: set[str] = set()

    # children of a storage node into an output node, text and tails kept in order
    def into(self, out: etree._Element, node: etree._Element | None) -> etree._Element:
        if node is None:
            return out
        _add_text(out, node.text)
        for child in node:
            self.element(out, child)
            _add_text(out, child.tail)
        return out

    def element(self, out: etree._Element, node: etree._Element) -> None:
        if not isinstance(node.tag, str):  # comments and processing instructions are not shown
            return
        qname = etree.QName(node.tag)
        if qname.namespace is None:
            self.plain(out, node, qname.localname)
        elif node.tag in (f"{AC}structured-macro", f"{AC}macro"):
            self.macro(out, _Macro.read(node))
        elif node.tag == f"{AC}image":
            self.image(out, node)
        elif node.tag == f"{AC}link":
            self.link(out, node)
        elif node.tag == f"{AC}emoticon":
            fallback = node.get(f"{AC}emoji-fallback") or _EMOTICONS.get(node.get(f"{AC}name", ""), "")
            out.append(E.SPAN(fallback or f":{node.get(f'{AC}name', '')}:", E.CLASS("emoticon")))
        elif node.tag == f"{AC}task-list":
            self.tasks(out, node)
        elif node.tag == f"{AC}layout":
            self.into(self._sub(out, "div", "layout"), node)
        elif node.tag == f"{AC}layout-section":
            kind = re.sub(r"[^a-z_]", "", node.get(f"{AC}type", "single"))
            self.into(self._sub(out, "div", f"layout-section layout-{kind}"), node)
        elif node.tag == f"{AC}layout-cell":
            self.into(self._sub(out, "div", "layout-cell"), node)
        elif node.tag == f"{AC}inline-comment-marker":
            self.into(self._sub(out, "span", "inline-comment"), node)
        elif node.tag in (f"{AC}rich-text-body", f"{AC}parameter", f"{AC}adf-fallback"):
            self.into(out, node)
        elif node.tag == f"{AC}placeholder":  # editor-only instructions: Confluence does not show them
            return
        elif node.tag == f"{AC}adf-extension":
            fallback = next((c for c in node if _local(c.tag) == "adf-fallback"), None)
            if fallback is not None:
                self.into(out, fallback)
            else:
                self.placeholder(out, "editor extension", node)
        else:
            self.placeholder(out, f"{qname.localname} element", node)

    @staticmethod
    def _sub(out: etree._Element, tag: str, css: str = "") -> etree._Element:
        node = etree.SubElement(out, tag)
        if css:
            node.set("class", css)
        return node

    # plain XHTML, with only attributes that cannot script or style the page
    def plain(self, out: etree._Element, node: etree._Element, tag: str) -> None:
        if tag == "a":
            link = self._sub(out, "a")
            href = safe_url(node.get("href"))
            if href:
                link.set("href", href)
            if node.get("name") or node.get("id"):
                link.set("id", node.get("id") or node.get("name", ""))
            self.into(link, node)
            return
        if tag == "time":
            stamp = self._sub(out, "time", "date-lozenge")
            stamp.set("datetime", node.get("datetime", ""))
            if _text_of(node).strip():
                self.into(stamp, node)
            else:
                stamp.text = node.get("datetime", "")
            return
        if tag == "img":
            src = safe_url(node.get("src"))
            if src:
                out.append(E.IMG(E.CLASS("confluence-embedded-image"), src=src, alt=node.get("alt", "")))
            return
        copy = self._sub(out, tag if tag in _PLAIN else "span")
        for name in _KEEP_ATTRS:
            if node.get(name) is not None:
                copy.set(name, node.get(name, ""))
        if tag == "table":
            copy.set("class", "confluenceTable")
        if tag in _HEADINGS:
            text = _text_of(node).strip()
            anchor = self._anchor(text)
            copy.set("id", anchor)
            self.headings.append((int(tag[1]), anchor, text))
        self.into(copy, node)

    def _anchor(self, text: str) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "section"
        anchor, n = base, 1
        while anchor in self._ids:
            n += 1
            anchor = f"{base}-{n}"
        self._ids.add(anchor)
        return anchor

    # macros -------------------------------------------------------------------------------------------------
    def macro(self, out: etree._Element, macro: _Macro) -> None:
        handler = getattr(self, f"m_{macro.name.replace('-', '_')}", None)
        if handler is None:
            self.placeholder(out, f"macro: {macro.name or '(unnamed)'}", macro.rich, macro.plain)
        else:
            handler(out, macro)

    def placeholder(
        self, out: etree._Element, what: str, body: etree._Element | None = None, plain: str | None = None
    ) -> None:
        box = self._sub(out, "div", "macro-placeholder")
        box.set("data-unknown", what)
        self._sub(box, "div", "macro-placeholder-label").text = f"Unknown {what}"
        if body is not None:
            self.into(self._sub(box, "div", "macro-placeholder-body"), body)
        if plain:
            self._sub(box, "pre").text = plain

    def m_details(self, out: etree._Element, macro: _Macro) -> None:
        box = self._sub(out, "div", "page-properties")
        box.set("data-macro", "details")
        if macro.param("hidden").lower() == "true":
            hidden = self._sub(box, "details", "page-properties-hidden")
            self._sub(hidden, "summary").text = "Page properties (hidden on the page)"
            box = hidden
        self.into(box, macro.rich)

    def _panel(self, out: etree._Element, kind: str, macro: _Macro) -> None:
        panel = self._sub(out, "div", f"panel panel-{kind}")
        panel.set("data-macro", macro.name)
        if macro.param("icon", "true").lower() != "false" and _PANEL_ICONS.get(kind):
            self._sub(panel, "span", "panel-icon").text = _PANEL_ICONS[kind]
        content = self._sub(panel, "div", "panel-content")
        title = macro.param("title")
        if title:
            self._sub(content, "p", "panel-title").text = title
        self.into(content, macro.rich)

    def m_info(self, out: etree._Element, macro: _Macro) -> None:
        self._panel(out, _PANELS["info"], macro)

    def m_tip(self, out: etree._Element, macro: _Macro) -> None:
        self._panel(out, _PANELS["tip"], macro)

    def m_note(self, out: etree._Element, macro: _Macro) -> None:
        self._panel(out, _PANELS["note"], macro)

    def m_warning(self, out: etree._Element, macro: _Macro) -> None:
        self._panel(out, _PANELS["warning"], macro)

    def m_panel(self, out: etree._Element, macro: _Macro) -> None:
        self._panel(out, "panel", macro)

    def m_expand(self, out: etree._Element, macro: _Macro) -> None:
        box = self._sub(out, "details", "expand")
        box.set("data-macro", "expand")
        self._sub(box, "summary", "expand-title").text = macro.param("title") or "Click here to expand..."
        self.into(self._sub(box, "div", "expand-content"), macro.rich)

    def m_code(self, out: etree._Element, macro: _Macro) -> None:
        block = etree.Element("div", {"class": "code-block", "data-macro": macro.name})
        title = macro.param("title")
        if title:
            self._sub(block, "div", "code-title").text = title
        code = self._sub(self._sub(block, "pre"), "code")
        language = re.sub(r"[^a-z0-9+#-]", "", macro.param("language", "text").lower())
        code.set("class", f"language-{language or 'text'}")
        code.text = macro.plain or ""
        if macro.param("collapse").lower() == "true":
            folded = self._sub(out, "details", "expand")
            self._sub(folded, "summary", "expand-title").text = title or "Expand source"
            folded.append(block)
        else:
            out.append(block)

    m_noformat = m_code

    def m_status(self, out: etree._Element, macro: _Macro) -> None:
        colour = macro.param("colour", macro.param("color", "grey")).lower()
        css = f"status-lozenge status-{colour if colour in _STATUS_COLOURS else 'grey'}"
        if macro.param("subtle").lower() == "true":
            css += " status-subtle"
        lozenge = self._sub(out, "span", css)
        lozenge.set("data-macro", "status")
        lozenge.text = macro.param("title") or colour.upper()

    def m_anchor(self, out: etree._Element, macro: _Macro) -> None:
        name = macro.param("") or macro.param("name")
        self._sub(out, "a", "anchor").set("id", name)

    def m_excerpt(self, out: etree._Element, macro: _Macro) -> None:
        self.into(self._sub(out, "div", "excerpt"), macro.rich)

    def m_section(self, out: etree._Element, macro: _Macro) -> None:
        self.into(self._sub(out, "div", "section-macro"), macro.rich)

    def m_column(self, out: etree._Element, macro: _Macro) -> None:
        self.into(self._sub(out, "div", "column-macro"), macro.rich)

    def m_toc(self, out: etree._Element, macro: _Macro) -> None:
        self.tocs.append(self._sub(out, "nav", "toc-macro"))  # filled in once every heading is known

    def m_children(self, out: etree._Element, macro: _Macro) -> None:
        items = self._sub(out, "ul", "children-macro")
        for title, url in self.context.children:
            link = self._sub(self._sub(items, "li"), "a")
            link.text, link.attrib["href"] = title, url

    def m_widget(self, out: etree._Element, macro: _Macro) -> None:
        node = macro.params.get("url")
        target = node.find(f"{RI}url") if node is not None else None
        url = safe_url(target.get(f"{RI}value") if target is not None else macro.param("url"))
        card = self._sub(out, "div", "widget-card")
        card.set("data-macro", "widget")
        self._sub(card, "span", "widget-kind").text = "Embedded link"
        link = self._sub(card, "a")
        link.text = url or "(no link)"
        if url:
            link.set("href", url)

    def m_attachments(self, out: etree._Element, macro: _Macro) -> None:
        box = self._sub(out, "div", "attachments-macro")
        box.set("data-macro", "attachments")
        if not self.context.attachments:
            self._sub(box, "p", "empty").text = "No files shared here yet."
            return
        table = self._sub(box, "table", "confluenceTable attachments-table")
        head = self._sub(self._sub(table, "thead"), "tr")
        for heading in ("File", "Size", "Type", "Version"):
            self._sub(head, "th").text = heading
        body = self._sub(table, "tbody")
        for att in sorted(self.context.attachments, key=lambda a: a.title.lower()):
            row = self._sub(body, "tr")
            link = self._sub(self._sub(row, "td"), "a")
            link.text, link.attrib["href"] = att.title, att.url
            self._sub(row, "td").text = _size(att.size)
            self._sub(row, "td").text = att.media_type
            self._sub(row, "td").text = str(att.version)

    def _named_attachment(self, out: etree._Element, macro: _Macro) -> tuple[str, AttachmentLink | None]:
        """The attachment a macro's `name` parameter points at (an `ri:attachment` or plain text), with its
        file name; a missing one is shown as missing (None)."""
        node = macro.params.get("name")
        target = node.find(f"{RI}attachment") if node is not None else None
        filename = target.get(f"{RI}filename", "") if target is not None else macro.param("name")
        att = self.context.attachment(filename)
        if att is None:
            self._missing(out, filename)
        return filename, att

    def m_multimedia(self, out: etree._Element, macro: _Macro) -> None:
        filename, att = self._named_attachment(out, macro)
        if att is None:
            return
        box = self._sub(out, "div", "multimedia")
        box.set("data-macro", "multimedia")
        kind = "video" if _VIDEO.search(filename) or att.media_type.startswith("video/") else ""
        kind = kind or ("audio" if _AUDIO.search(filename) or att.media_type.startswith("audio/") else "")
        if kind:
            player = self._sub(box, kind)
            player.set("controls", "controls")
            player.set("src", att.url)
            player.set("preload", "metadata")
            for dim in ("width", "height"):
                if macro.param(dim).isdigit():
                    player.set(dim, macro.param(dim))
        link = self._sub(self._sub(box, "div", "multimedia-caption"), "a")
        link.text, link.attrib["href"] = filename, att.url

    def m_view_file(self, out: etree._Element, macro: _Macro) -> None:
        """A file preview: an image shows inline, any other file as a card linking to its download."""
        filename, att = self._named_attachment(out, macro)
        if att is None:
            return
        card = self._sub(out, "div", "widget-card view-file")
        card.set("data-macro", "view-file")
        if _IMAGE.search(filename) or att.media_type.startswith("image/"):
            img = self._sub(card, "img", "confluence-embedded-image")
            img.attrib.update({"src": att.url, "alt": filename})
        self._sub(card, "span", "widget-kind").text = f"File · {att.media_type} · {_size(att.size)}"
        link = self._sub(card, "a")
        link.text, link.attrib["href"] = filename, att.url

    def m_detailssummary(self, out: etree._Element, macro: _Macro) -> None:
        """The page-properties report: one row per page with the label, one column per property."""
        cql = macro.param("cql")
        label = macro.param("label")
        if not label:
            found = re.search(r"label\s*(?:=|in)\s*\(?\s*([\"'])(.+?)\1", cql)
            label = found.group(2) if found else ""
        ancestor = re.search(r"ancestor\s*=\s*['\"]?(\d+)", cql)
        pages = self.context.labelled(label) if label else []
        if ancestor is not None:
            pages = [row for row in pages if ancestor.group(1) in row.ancestor_ids]
        rows = [(row, _details_of(row.body)) for row in pages]
        headings = [h.strip() for h in macro.param("headings").split(",") if h.strip()]
        if not headings:
            headings = list(dict.fromkeys(key for _, props in rows for key in props))
        box = self._sub(out, "div", "page-properties-report")
        box.set("data-macro", "detailssummary")
        if not rows:
            self._sub(box, "p", "empty").text = f"No pages with the label '{label}' have page properties."
            return
        table = self._sub(box, "table", "confluenceTable")
        head = self._sub(self._sub(table, "thead"), "tr")
        self._sub(head, "th").text = macro.param("firstcolumn") or "Title"
        for heading in headings:
            self._sub(head, "th").text = heading
        body = self._sub(table, "tbody")
        for row, props in sorted(rows, key=lambda item: item[0].title.lower()):
            tr = self._sub(body, "tr")
            link = self._sub(self._sub(tr, "td"), "a")
            link.text, link.attrib["href"] = row.title, row.url
            for heading in headings:
                self._sub(tr, "td").text = props.get(heading, "")

    # images, links, tasks ------------------------------------------------------------------------------------
    def _missing(self, out: etree._Element, filename: str) -> None:
        box = self._sub(out, "span", "missing-attachment")
        box.text = f"Attachment not found: {filename or '(no name)'}"

    def image(self, out: etree._Element, node: etree._Element) -> None:
        target = next((c for c in node if _local(c.tag) in ("attachment", "url")), None)
        src: str | None = None
        if target is not None and _local(target.tag) == "attachment":
            att = self.context.attachment(target.get(f"{RI}filename", ""))
            if att is None:
                self._missing(out, target.get(f"{RI}filename", ""))
                return
            src = att.url
        elif target is not None:
            src = safe_url(target.get(f"{RI}value"))
        if not src:
            self._missing(out, "image without a source")
            return
        figure = self._sub(out, "span", "confluence-embedded-file-wrapper")
        img = self._sub(figure, "img", "confluence-embedded-image")
        img.set("src", src)
        img.set("alt", node.get(f"{AC}alt") or node.get(f"{AC}title") or "")
        for dim in ("width", "height"):
            if (node.get(f"{AC}{dim}") or "").isdigit():
                img.set(dim, node.get(f"{AC}{dim}", ""))
        caption = next((c for c in node if _local(c.tag) == "caption"), None)
        if caption is not None:
            self.into(self._sub(figure, "span", "image-caption"), caption)

    def link(self, out: etree._Element, node: etree._Element) -> None:
        target = next((c for c in node if etree.QName(c.tag).namespace == RI[1:-1]), None)
        href, default = None, ""
        kind = _local(target.tag) if target is not None else ""
        if target is not None and kind == "page":
            default = target.get(f"{RI}content-title", "")
            href = self.context.page_url(default, target.get(f"{RI}space-key"))
        elif target is not None and kind == "attachment":
            default = target.get(f"{RI}filename", "")
            att = self.context.attachment(default)
            href = att.url if att else None
        elif target is not None and kind == "url":
            default = target.get(f"{RI}value", "")
            href = safe_url(default)
        elif target is not None and kind == "user":
            key = target.get(f"{RI}account-id") or target.get(f"{RI}userkey") or target.get(f"{RI}username") or ""
            mention = self._sub(out, "span", "user-mention")
            mention.text = "@" + self.context.user_name(key)
            return
        elif target is not None and kind == "space":
            default = target.get(f"{RI}space-key", "")
        if node.get(f"{AC}anchor"):
            href = (href or "") + "#" + node.get(f"{AC}anchor", "")
            default = default or node.get(f"{AC}anchor", "")
        link = self._sub(out, "a", "confluence-link" if href else "confluence-link unresolved")
        if href:
            link.set("href", href)
        body = next((c for c in node if _local(c.tag) in ("link-body", "plain-text-link-body")), None)
        if body is not None and _local(body.tag) == "plain-text-link-body":
            link.text = body.text or default
        elif body is not None:
            self.into(link, body)
        else:
            link.text = default

    def tasks(self, out: etree._Element, node: etree._Element) -> None:
        items = self._sub(out, "ul", "task-list")
        for task in node:
            if _local(task.tag) != "task":
                continue
            done = any(_local(c.tag) == "task-status" and (c.text or "").strip() == "complete" for c in task)
            item = self._sub(items, "li", "task-complete" if done else "task")
            box = self._sub(item, "input")
            box.attrib.update({"type": "checkbox", "disabled": "disabled"})
            if done:
                box.set("checked", "checked")
            body = next((c for c in task if _local(c.tag) == "task-body"), None)
            self.into(self._sub(item, "span", "task-body"), body)

    def finish_tocs(self) -> None:
        for nav in self.tocs:
            items = self._sub(nav, "ul")
            for level, anchor, text in self.headings:
                item = self._sub(items, "li", f"toc-level-{level}")
                link = self._sub(item, "a")
                link.text, link.attrib["href"] = text, f"#{anchor}"


def _details_of(storage: str) -> dict[str, str]:
    """The key/value rows of the first page-properties block of a body (the report's cells)."""
    try:
        root = parse_storage(storage)
    except etree.XMLSyntaxError:
        return {}
    for macro in root.iter(f"{AC}structured-macro"):
        if macro.get(f"{AC}name") != "details":
            continue
        out: dict[str, str] = {}
        for row in macro.iter("tr"):
            cells = [c for c in row if c.tag in ("th", "td")]
            if len(cells) >= 2:
                out[" ".join(_text_of(cells[0]).split())] = " ".join(_text_of(cells[1]).split())
        return out
    return {}


def _body(storage: str, context: ViewContext) -> etree._Element:
    container = etree.Element("div", {"id": "main-content", "class": "wiki-content"})
    try:
        root = parse_storage(storage)
    except etree.XMLSyntaxError as error:
        box = etree.SubElement(container, "div", {"class": "macro-placeholder render-error"})
        box.text = f"This page's storage format could not be read: {error}"
        return container
    renderer = _Renderer(context)
    renderer.into(container, root)
    renderer.finish_tocs()
    return container


def render_body(storage: str, context: ViewContext = ViewContext()) -> str:
    """The body of a page as HTML. A body that does not parse is shown as a labelled error, not guessed at."""
    return html.tostring(_body(storage, context), encoding="unicode")


def _labels(labels: Iterable[str]) -> etree._Element:
    names = list(labels)
    box = E.DIV(E.CLASS("labels"), E.SPAN("Labels" if names else "No labels", E.CLASS("labels-heading")))
    for name in names:
        box.append(E.SPAN(name, E.CLASS("label")))
    return box


def render_page(info: PageInfo, storage: str, context: ViewContext = ViewContext()) -> str:
    """A whole HTML document for one page: header, breadcrumbs, title, byline, body, labels."""
    crumbs = E.NAV(E.CLASS("breadcrumbs"))
    for title, url in info.ancestors:
        crumbs.append(E.A(title, href=url))
        crumbs.append(E.SPAN(" / ", E.CLASS("crumb-sep")))
    byline = f"Version {info.version}"
    if info.author:
        byline += f" · last updated by {info.author}"
    if info.when:
        byline += f" on {info.when}"
    if context.attachments:
        byline += f" · {len(context.attachments)} attachment{'s' if len(context.attachments) != 1 else ''}"
    body = _body(storage, context)
    document = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.META(name="viewport", content="width=device-width, initial-scale=1"),
            E.TITLE(f"{info.title} - {info.space_name or info.space_key} - Confluence"),
            E.STYLE(STYLESHEET),
        ),
        E.BODY(
            E.HEADER(E.CLASS("topbar"), E.SPAN("Confluence", E.CLASS("product")), E.SPAN(info.space_name)),
            E.MAIN(
                E.CLASS("page"),
                crumbs,
                E.H1(info.title, id="title-text"),
                E.DIV(byline, E.CLASS("page-metadata")),
                body,
                _labels(info.labels),
            ),
        ),
    )
    return "<!DOCTYPE html>\n" + html.tostring(document, encoding="unicode")


# In the spirit of Confluence Cloud's page view (Atlassian Design System colours and spacing).
STYLESHEET = """
:root { --text: #172B4D; --subtle: #6B778C; --border: #DFE1E6; --link: #0052CC; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff; line-height: 1.714;
  font: 14px/1.714 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans", Ubuntu, sans-serif; }
a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }
.topbar { display: flex; gap: 16px; align-items: center; height: 56px; padding: 0 24px;
  border-bottom: 1px solid var(--border); color: var(--subtle); }
.topbar .product { font-weight: 600; color: #0052CC; font-size: 16px; }
.page { max-width: 960px; margin: 0 auto; padding: 16px 40px 64px; }
.breadcrumbs { font-size: 12px; color: var(--subtle); } .crumb-sep { color: #C1C7D0; }
#title-text { font-size: 28px; font-weight: 500; letter-spacing: -0.01em; margin: 12px 0 4px; line-height: 1.2; }
.page-metadata { color: var(--subtle); font-size: 12px; margin-bottom: 24px; }
.wiki-content h1, .wiki-content h2, .wiki-content h3 { font-weight: 500; margin: 28px 0 8px; line-height: 1.25; }
.wiki-content h2 { font-size: 20px; } .wiki-content h3 { font-size: 16px; font-weight: 600; }
.wiki-content p { margin: 8px 0; }
table.confluenceTable { border-collapse: collapse; margin: 12px 0; width: 100%; }
table.confluenceTable th, table.confluenceTable td { border: 1px solid #C1C7D0; padding: 7px 10px;
  vertical-align: top; text-align: left; }
table.confluenceTable th { background: #F4F5F7; font-weight: 600; }
.page-properties table.confluenceTable th { width: 28%; }
.panel { display: flex; gap: 12px; border-radius: 3px; padding: 12px 16px; margin: 12px 0; }
.panel-icon { flex: none; width: 18px; height: 18px; margin-top: 3px; border-radius: 50%; color: #fff;
  font: 700 12px/18px Arial, sans-serif; text-align: center; }
.panel-content { flex: 1; } .panel-content > p:first-child { margin-top: 0; }
.panel-content > :last-child { margin-bottom: 0; }
.panel-title { font-weight: 600; }
.panel-info { background: #DEEBFF; } .panel-info .panel-icon { background: #0052CC; }
.panel-success { background: #E3FCEF; } .panel-success .panel-icon { background: #00875A; }
.panel-warning { background: #FFFAE6; } .panel-warning .panel-icon { background: #FF8B00; }
.panel-error { background: #FFEBE6; } .panel-error .panel-icon { background: #DE350B; }
.panel-panel { background: #F4F5F7; border: 1px solid var(--border); }
details.expand { margin: 12px 0; border-radius: 3px; }
details.expand > summary { cursor: pointer; color: var(--text); padding: 4px 0; font-weight: 500; }
details.expand[open] { background: #FAFBFC; border: 1px solid var(--border); padding: 4px 12px 8px; }
.code-block { margin: 12px 0; border: 1px solid var(--border); border-radius: 3px; background: #F4F5F7; }
.code-title { padding: 6px 12px; border-bottom: 1px solid var(--border); font-weight: 600; background: #EBECF0; }
.code-block pre { margin: 0; padding: 10px 12px; overflow-x: auto; white-space: pre-wrap;
  font: 12px/1.6 "SFMono-Medium", "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.status-lozenge { display: inline-block; border-radius: 3px; padding: 0 4px; font-size: 11px; font-weight: 700;
  text-transform: uppercase; line-height: 16px; vertical-align: baseline; }
.status-grey { background: #DFE1E6; color: #42526E; } .status-red { background: #FFEBE6; color: #BF2600; }
.status-yellow { background: #FFF0B3; color: #172B4D; } .status-green { background: #E3FCEF; color: #006644; }
.status-blue { background: #DEEBFF; color: #0747A6; } .status-purple { background: #EAE6FF; color: #403294; }
.status-subtle { background: transparent; border: 1px solid currentColor; }
.macro-placeholder { border: 1px dashed #C1C7D0; background: #FAFBFC; padding: 8px 12px; margin: 12px 0; }
.macro-placeholder-label { font-size: 12px; color: var(--subtle); font-weight: 600; }
.confluence-embedded-file-wrapper { display: inline-block; margin: 8px 0; }
.confluence-embedded-image { max-width: 100%; border: 1px solid var(--border); display: block; }
.image-caption { display: block; color: var(--subtle); font-size: 12px; }
.multimedia { margin: 12px 0; } .multimedia video { max-width: 100%; background: #091E42; }
.multimedia-caption { font-size: 12px; }
.confluence-link.unresolved { color: #BF2600; }
.missing-attachment { color: #BF2600; background: #FFEBE6; padding: 0 4px; border-radius: 3px; }
.widget-card { border: 1px solid var(--border); border-radius: 3px; padding: 8px 12px; margin: 12px 0; }
.widget-kind { display: block; font-size: 11px; color: var(--subtle); text-transform: uppercase; }
.user-mention { background: #EBECF0; border-radius: 20px; padding: 0 6px; }
.task-list { list-style: none; padding-left: 4px; } .task-complete .task-body { text-decoration: line-through; }
.layout-section { display: grid; gap: 24px; grid-auto-flow: column; grid-auto-columns: 1fr; }
.inline-comment { background: #FFF0B3; }
.labels { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--border); font-size: 12px; }
.labels-heading { color: var(--subtle); margin-right: 8px; }
.label { display: inline-block; background: #F4F5F7; border-radius: 3px; padding: 0 6px; margin: 0 4px 4px 0; }
.toc-macro ul { list-style: none; padding-left: 0; } .toc-level-3 { padding-left: 16px; }
.date-lozenge { background: #EBECF0; border-radius: 3px; padding: 0 4px; }
"""
