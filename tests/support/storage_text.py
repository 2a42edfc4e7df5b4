"""The texts a reader should see from a storage body: every text node and CDATA body, and the titles of
panels, expands, code blocks and status lozenges; not the other macro parameters, task states or editor-only
placeholders (Confluence does not show those as text)."""

from __future__ import annotations

from lxml import etree

from sync.storage import parse_storage

AC = "{http://atlassian.com/content}"
HIDDEN = {f"{AC}parameter", f"{AC}placeholder", f"{AC}task-status", f"{AC}task-id"}


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def storage_texts(storage: str) -> list[str]:
    """Each non-blank text of the body, whitespace collapsed and case folded (CSS may uppercase a lozenge)."""
    texts: list[str] = []

    def walk(node: etree._Element) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            shown_parameter = child.tag == f"{AC}parameter" and child.get(f"{AC}name") == "title"
            if child.tag not in HIDDEN or shown_parameter:
                if child.text and child.text.strip():
                    texts.append(normalise(child.text))
                walk(child)
            if child.tail and child.tail.strip():
                texts.append(normalise(child.tail))

    root = parse_storage(storage)
    if root.text and root.text.strip():
        texts.append(normalise(root.text))
    walk(root)
    return texts


def missing_texts(storage: str, shown: str) -> list[str]:
    """The texts of `storage` that do not appear in `shown` (a page's visible text)."""
    visible = normalise(shown)
    return [text for text in storage_texts(storage) if text not in visible]
