"""A storage body that uses every element the page view knows (and one macro it does not), with the files
it refers to: the fixture of the view's unit tests and of the browser test."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 120, height: int = 60, rgb: tuple[int, int, int] = (0, 82, 204)) -> bytes:
    """A small solid-colour PNG, built by hand so no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


ATTACHMENTS = {
    "call-flow.png": ("image/png", png()),
    "walkthrough.mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42"),
    "clip-plan.json": ("application/json", b'{"clips": []}'),
}

SHOWCASE = """\
<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:parameter ac:name="id">scenario</ac:parameter>\
<ac:rich-text-body><table><tbody><tr><th>Owner</th><td>Priya Raman</td></tr>\
<tr><th>Review</th><td><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter>\
<ac:parameter ac:name="title">Approved</ac:parameter></ac:structured-macro></td></tr></tbody></table>\
</ac:rich-text-body></ac:structured-macro>\
<ac:structured-macro ac:name="toc"/>\
<h2>Panels</h2>\
<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Before you start</ac:parameter>\
<ac:rich-text-body><p>Read the whole thread first.</p></ac:rich-text-body></ac:structured-macro>\
<ac:structured-macro ac:name="note"><ac:rich-text-body><p>Refunds go through billing.</p></ac:rich-text-body>\
</ac:structured-macro>\
<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Escalation rule</ac:parameter>\
<ac:rich-text-body><p>Production down: tier-2 at once.</p></ac:rich-text-body></ac:structured-macro>\
<ac:structured-macro ac:name="tip"><ac:rich-text-body><p>Offer the status page link.</p></ac:rich-text-body>\
</ac:structured-macro>\
<h2>Prompt &amp; code</h2>\
<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Walkthrough video prompt</ac:parameter>\
<ac:rich-text-body><p>Hidden until opened.</p><ac:structured-macro ac:name="code">\
<ac:parameter ac:name="language">text</ac:parameter><ac:plain-text-body><![CDATA[Goal: <b>stay calm</b> ]]]]>\
<![CDATA[> & keep going]]></ac:plain-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>\
<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">Tag to use</ac:parameter>\
<ac:plain-text-body><![CDATA[Integration-P1]]></ac:plain-text-body></ac:structured-macro>\
<h2>Media</h2>\
<p><ac:image ac:alt="Call flow" ac:width="120"><ri:attachment ri:filename="call-flow.png"/></ac:image></p>\
<ac:structured-macro ac:name="multimedia"><ac:parameter ac:name="name"><ri:attachment ri:filename="walkthrough.mp4"/>\
</ac:parameter></ac:structured-macro>\
<ac:structured-macro ac:name="view-file"><ac:parameter ac:name="name"><ri:attachment ri:filename="clip-plan.json"/>\
</ac:parameter></ac:structured-macro>\
<ac:structured-macro ac:name="attachments"/>\
<h2>Links</h2>\
<p>See <ac:link><ri:page ri:content-title="Shift handover checklist"/><ac:plain-text-link-body>\
<![CDATA[the handover checklist]]></ac:plain-text-link-body></ac:link>, \
<ac:link><ri:attachment ri:filename="clip-plan.json"/></ac:link>, \
<ac:link><ri:url ri:value="javascript:alert(1)"/><ac:plain-text-link-body><![CDATA[a hostile link]]>\
</ac:plain-text-link-body></ac:link> and <a href="https://status.example.com">the status page</a>.</p>\
<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Tag the thread</ac:task-body></ac:task>\
<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>Hand to tier-2</ac:task-body></ac:task>\
</ac:task-list>\
<p>Text that looks like markup stays text: &lt;script&gt;alert(1)&lt;/script&gt; &amp; \
&lt;ac:structured-macro ac:name="x"&gt;</p>\
<h2>Report</h2>\
<ac:structured-macro ac:name="detailssummary"><ac:parameter ac:name="label">walkthrough</ac:parameter>\
</ac:structured-macro>\
<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">SUP-42</ac:parameter>\
<ac:rich-text-body><p>Body of a macro this site lacks.</p></ac:rich-text-body></ac:structured-macro>\
"""
