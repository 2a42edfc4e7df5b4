"""Confluence storage XHTML for an entry page, built with lxml, never by string concatenation. Pure.

Text from Notion is only ever element text or attribute values, so it cannot become markup or a macro;
characters XML cannot carry are dropped; code bodies go in CDATA with any `]]>` split; the result is
checked for well-formedness before anyone sends it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from lxml import etree

from sync import render_blocks
from sync.errors import SyncError
from sync.gate import Decision
from sync.generate.generator import Generated, default_generator
from sync.generate.manifest import FILE_NAME as MANIFEST_NAME
from sync.model import Scenario
from sync.storage import storage_error, xml_safe

AC = "http://atlassian.com/content"
RI = "http://atlassian.com/resource/identifier"
_NSMAP = {"ac": AC, "ri": RI}


class RenderError(SyncError):
    pass


class _Doc:
    """A storage document under a namespace-declaring wrapper that is cut off when serialised."""

    def __init__(self) -> None:
        self.root = etree.Element("root", nsmap=_NSMAP)
        self._cdata: dict[str, str] = {}
        self._nonce = secrets.token_hex(8)

    def el(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        if ":" in tag:
            prefix, local = tag.split(":", 1)
            tag = f"{{{_NSMAP[prefix]}}}{local}"
        node = etree.SubElement(parent, tag, {self._qname(k): xml_safe(v) for k, v in attrs.items()})
        if text is not None:
            node.text = xml_safe(text)
        return node

    @staticmethod
    def _qname(name: str) -> str:
        if "__" in name:  # ac__name -> ac:name (keyword arguments cannot hold a colon)
            prefix, local = name.split("__", 1)
            return f"{{{_NSMAP[prefix]}}}{local}"
        return name

    def macro(self, parent: etree._Element, name: str, **params: str) -> etree._Element:
        node = self.el(parent, "ac:structured-macro", ac__name=name, ac__schema_version="1")
        for key, value in params.items():
            self.el(node, "ac:parameter", value, ac__name=key)
        return node

    def cdata_body(self, macro: etree._Element, text: str) -> None:
        """A plain-text body, filled in as CDATA after serialisation (lxml's CDATA refuses `]]>`)."""
        token = f"cdata-{self._nonce}-{len(self._cdata)}"
        self._cdata[token] = xml_safe(text)
        self.el(macro, "ac:plain-text-body", token)

    def serialise(self) -> str:
        xml = etree.tostring(self.root, encoding="unicode")
        body = xml[xml.index(">") + 1 : xml.rindex("</root>")]
        for token, text in self._cdata.items():
            body = body.replace(token, "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>", 1)
        problem = storage_error(body)
        if problem is not None:  # a bug here, never the author's text: stop before sending it
            raise RenderError(f"rendered page is not well-formed storage format: {problem}")
        return body


def _table(doc: _Doc, parent: etree._Element, rows: Iterable[tuple[str, str]]) -> None:
    tbody = doc.el(doc.el(parent, "table"), "tbody")
    for key, value in rows:
        tr = doc.el(tbody, "tr")
        doc.el(tr, "th", key)
        doc.el(tr, "td", value)


def _walkthrough_video(doc: _Doc, root: etree._Element, generated: Generated) -> None:
    """The prompt to paste into a video model, the clip plan as a table, and the manifest attached beside it."""
    doc.el(root, "h2", "Walkthrough video")
    expand = doc.macro(root, "expand", title="Walkthrough video prompt")
    code = doc.macro(doc.el(expand, "ac:rich-text-body"), "code", language="text")
    doc.cdata_body(code, generated.prompt)
    if not generated.clips:
        return
    total = sum(c["duration_s"] for c in generated.clips)
    doc.el(root, "h3", f"Clip plan: {len(generated.clips)} clips, {total} s")
    targets = list(generated.clips[0]["targets"])
    tbody = doc.el(doc.el(root, "table"), "tbody")
    header = doc.el(tbody, "tr")
    for name in ["Clip", "Seconds", "On screen", "Overlays", "Narration", *targets]:
        doc.el(header, "th", name)
    for clip in generated.clips:
        tr = doc.el(tbody, "tr")
        doc.el(tr, "td", f"{clip['index']}. {clip['title']}")
        doc.el(tr, "td", str(clip["duration_s"]))
        doc.el(tr, "td", clip["message"] or "(nothing typed)")
        doc.el(tr, "td", " | ".join(clip["overlays"]))
        doc.el(tr, "td", f"{clip['narration']} ({clip['narration_wpm']:g} wpm)")
        for target in targets:
            mapping = clip["targets"][target]
            segments = " + ".join(str(s["rendered_s"]) for s in mapping["segments"])
            trimmed = f", trim {mapping['trimmed_s']}" if mapping["trimmed_s"] else ""
            doc.el(tr, "td", f"{segments}{trimmed}")
    p = doc.el(root, "p")
    doc.el(p, "span", "Clip metadata for the video tools: ")
    link = doc.el(p, "ac:link")
    doc.el(link, "ri:attachment", ri__filename=MANIFEST_NAME)
    doc.el(link, "ac:link-body", MANIFEST_NAME)


def entry_page(scenario: Scenario, decision: Decision, generated: Generated | None = None) -> str:
    """The page agents read: page properties, the steps to type, quick reference, escalation, and the
    walkthrough video (prompt, clip plan, manifest link)."""
    if generated is None:
        generated = default_generator().generate(scenario)
    doc = _Doc()
    root = doc.root
    details = doc.macro(root, "details", id="scenario")
    body = doc.el(details, "ac:rich-text-body")
    approvals = ", ".join(f"{name}: {review.state.label}" for name, review in sorted(scenario.reviews.items()))
    _table(
        doc,
        body,
        [
            ("Scenario", scenario.title),
            ("Keywords", ", ".join(scenario.keywords)),
            ("Owner", scenario.owner.name),
            ("Version", str(scenario.version)),
            ("Approvals", approvals),
            ("Last revalidated", scenario.last_revalidated.isoformat() if scenario.last_revalidated else "never"),
            ("Status", "; ".join(decision.reasons)),
            ("Over-promise lint", "\n".join(str(f) for f in generated.findings) or "no findings"),
        ],
    )
    p = doc.el(root, "p")
    doc.el(p, "strong", "Goal: ")
    doc.el(p, "span", scenario.goal)

    doc.el(root, "h2", "Key steps")
    steps = doc.el(root, "ol")
    for label, text in scenario.steps.ordered():
        item = doc.el(steps, "li")
        doc.el(item, "strong", label + ": ")
        doc.el(item, "span", text)

    warning = doc.macro(root, "warning", title="Escalation rule")
    doc.el(doc.el(warning, "ac:rich-text-body"), "p", scenario.steps.escalation_rule)

    doc.el(root, "h2", "Quick reference")
    q = scenario.quick_reference
    _table(
        doc,
        root,
        [
            ("Scenario", scenario.title),
            ("De-escalation phrase", q.de_escalation_phrase),
            ("Immediate action", q.immediate_action),
            ("Escalation rule", q.escalation_rule),
            ("Timeline expectation", q.timeline_expectation),
            ("Tone control", q.tone_control),
        ],
    )

    if scenario.guidance:  # the page body beyond the steps, as its author wrote it
        doc.el(root, "h2", "Guidance")
        render_blocks.blocks(doc, root, scenario.guidance)

    _walkthrough_video(doc, root, generated)

    source = doc.el(root, "p")
    doc.el(source, "em", "Maintained in Notion: ")
    doc.el(source, "a", scenario.url, href=scenario.url)
    return doc.serialise()
