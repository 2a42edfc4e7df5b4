"""Confluence storage format: well-formedness, checked as Confluence checks a body before storing it."""

from __future__ import annotations

import html.entities
import re

from lxml import etree

# Confluence parses storage format with its own namespaces declared and HTML's named entities known.
_WRAP_OPEN = (
    '<ac:root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier" '
    'xmlns:at="http://atlassian.com/template">'
)
_WRAP_CLOSE = "</ac:root>"
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _html_entities_to_chars(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return match.group(0)
        return f"&#{html.entities.name2codepoint[name]};"

    return _ENTITY.sub(replace, text)


def storage_error(body: str) -> str | None:
    """None when `body` is well-formed storage XHTML, else the parser's complaint."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        etree.fromstring((_WRAP_OPEN + _html_entities_to_chars(body) + _WRAP_CLOSE).encode(), parser)
    except etree.XMLSyntaxError as error:
        return str(error)
    return None


# Characters XML 1.0 cannot carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Drop the characters XML cannot carry; everything else stays text."""
    return _NOT_XML.sub("", text)


def parse_storage(body: str) -> etree._Element:
    """A storage body as an element tree under a namespace-declaring ``ac:root`` (raises on malformed input)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
    )
    return etree.fromstring((_WRAP_OPEN + _html_entities_to_chars(body) + _WRAP_CLOSE).encode(), parser)
