"""The page view: storage format rendered the way Confluence shows it (pure: storage in, HTML out)."""

from __future__ import annotations

import pytest
from lxml import html

from sync.render import entry_page
from sync.sandbox.confluence.view import (
    AttachmentLink,
    PageInfo,
    ReportRow,
    ViewContext,
    render_body,
    render_page,
    safe_url,
)
from tests.core.test_render import DECISION, scenario
from tests.support.showcase import ATTACHMENTS, SHOWCASE
from tests.support.storage_text import missing_texts

ATTACHED = tuple(
    AttachmentLink(name, kind, len(data), f"/download/attachments/1/{name}?version=1")
    for name, (kind, data) in ATTACHMENTS.items()
)
REPORTED = [
    ReportRow(
        "Refund outside the window",
        "/pages/viewpage.action?pageId=7",
        '<ac:structured-macro ac:name="details"><ac:rich-text-body><table><tbody>'
        "<tr><th>Owner</th><td>Marcus</td></tr><tr><th>Version</th><td>3</td></tr>"
        "</tbody></table></ac:rich-text-body></ac:structured-macro><p>Other text.</p>",
    ),
    ReportRow("Feature we lack", "/pages/viewpage.action?pageId=8", "<p>No properties here.</p>", ("1", "5")),
]


def context(**overrides) -> ViewContext:
    base = {
        "attachments": ATTACHED,
        "page_url": lambda title, space: "/pages/viewpage.action?pageId=9" if title.startswith("Shift") else None,
        "labelled": lambda label: REPORTED if label == "walkthrough" else [],
        "user_name": lambda key: {"557058:abc": "Dana Editor"}.get(key, key),
    }
    base.update(overrides)
    return ViewContext(**base)


def tree(storage: str, ctx: ViewContext | None = None) -> html.HtmlElement:
    return html.fragment_fromstring(render_body(storage, ctx or context()))


def macro(name: str, body: str = "", **params: str) -> str:
    ps = "".join(f'<ac:parameter ac:name="{k}">{v}</ac:parameter>' for k, v in params.items())
    return f'<ac:structured-macro ac:name="{name}">{ps}{body}</ac:structured-macro>'


def rich(inner: str) -> str:
    return f"<ac:rich-text-body>{inner}</ac:rich-text-body>"


def test_page_properties_become_a_table_in_a_marked_block() -> None:
    out = tree(macro("details", rich("<table><tbody><tr><th>Owner</th><td>Priya</td></tr></tbody></table>"), id="s"))
    block = out.find_class("page-properties")[0]
    assert [c.text_content() for c in block.iter("th", "td")] == ["Owner", "Priya"]
    assert "s" not in out.text_content()  # the id parameter is not text on the page


@pytest.mark.parametrize(
    ("name", "kind"), [("info", "info"), ("tip", "success"), ("note", "warning"), ("warning", "error")]
)
def test_each_panel_has_its_colour_title_and_body(name: str, kind: str) -> None:
    out = tree(macro(name, rich("<p>Body text</p>"), title="Heads up"))
    panel = out.find_class(f"panel-{kind}")[0]
    assert panel.find_class("panel-title")[0].text == "Heads up"
    assert "Body text" in panel.text_content()


def test_expand_is_collapsed_details_with_its_title() -> None:
    out = tree(macro("expand", rich("<p>Inside</p>"), title="Video prompt"))
    details = out.find(".//details")
    assert details is not None and details.get("open") is None
    assert details.find("summary").text == "Video prompt"
    assert "Inside" in details.text_content()
    assert tree(macro("expand", rich("<p>x</p>"))).find(".//summary").text == "Click here to expand..."


def test_code_block_keeps_cdata_text_escaped_including_a_split_end_marker() -> None:
    body = '<ac:plain-text-body><![CDATA[if a < b && c: "]]]]><![CDATA[>"]]></ac:plain-text-body>'
    out = tree(macro("code", body, language="python", title="Example"))
    code = out.find(".//pre/code")
    assert code.text == 'if a < b && c: "]]>"'
    assert code.get("class") == "language-python"
    assert out.find_class("code-title")[0].text == "Example"
    assert "&lt; b &amp;&amp;" in render_body(macro("code", body))


def test_status_lozenge_colour_and_unknown_colour_falls_back_to_grey() -> None:
    assert tree(macro("status", colour="Green", title="Approved")).find_class("status-green")[0].text == "Approved"
    assert tree(macro("status", colour="Chartreuse", title="x")).find_class("status-grey")


def test_image_from_attachment_and_from_url_and_missing() -> None:
    image = '<ac:image ac:alt="Flow" ac:width="120"><ri:attachment ri:filename="call-flow.png"/></ac:image>'
    img = tree(image).find(".//img")
    assert (img.get("src"), img.get("alt"), img.get("width")) == (ATTACHED[0].url, "Flow", "120")
    external = tree('<ac:image><ri:url ri:value="https://example.com/a.png"/></ac:image>').find(".//img")
    assert external.get("src") == "https://example.com/a.png"
    missing = tree('<ac:image><ri:attachment ri:filename="gone.png"/></ac:image>')
    assert missing.find(".//img") is None
    assert "Attachment not found: gone.png" in missing.text_content()
    assert tree('<ac:image><ri:url ri:value="javascript:alert(1)"/></ac:image>').find(".//img") is None
    plain = tree('<p><img src="https://example.com/b.png" alt="b"/><img src="javascript:x"/></p>').findall(".//img")
    assert [(i.get("src"), i.get("class")) for i in plain] == [
        ("https://example.com/b.png", "confluence-embedded-image")
    ]


def test_multimedia_macro_plays_the_attached_video_and_links_it() -> None:
    name = '<ac:parameter ac:name="name"><ri:attachment ri:filename="walkthrough.mp4"/></ac:parameter>'
    out = tree(f'<ac:structured-macro ac:name="multimedia">{name}</ac:structured-macro>')
    video = out.find(".//video")
    assert video.get("src") == ATTACHED[1].url and video.get("controls") is not None
    assert out.find(".//a").get("href") == ATTACHED[1].url
    gone = name.replace("walkthrough.mp4", "other.mp4")
    assert "Attachment not found: other.mp4" in tree(macro("multimedia", gone)).text_content()


def test_view_file_previews_an_image_and_links_any_other_file() -> None:
    def view_file(name: str) -> str:
        target = f'<ac:parameter ac:name="name"><ri:attachment ri:filename="{name}"/></ac:parameter>'
        return f'<ac:structured-macro ac:name="view-file">{target}</ac:structured-macro>'

    image = tree(view_file("call-flow.png"))
    assert image.find(".//img").get("src") == ATTACHED[0].url
    manifest = tree(view_file("clip-plan.json"))
    assert manifest.find(".//img") is None
    assert manifest.find(".//a").get("href") == ATTACHED[2].url
    assert "application/json" in manifest.text_content()
    assert "Attachment not found: gone.pdf" in tree(view_file("gone.pdf")).text_content()


def test_attachments_macro_lists_every_file_with_its_download_link() -> None:
    out = tree(macro("attachments"))
    links = {a.text: a.get("href") for a in out.iter("a")}
    assert links == {a.title: a.url for a in ATTACHED}
    assert "No files shared here yet." in tree(macro("attachments"), context(attachments=())).text_content()


def test_links_to_pages_attachments_urls_and_users() -> None:
    body = (
        '<p><ac:link><ri:page ri:content-title="Shift handover"/></ac:link> '
        '<ac:link><ri:page ri:content-title="Nowhere"/></ac:link> '
        '<ac:link><ri:attachment ri:filename="clip-plan.json"/></ac:link> '
        '<ac:link ac:anchor="steps"><ri:url ri:value="https://x.example/"/><ac:link-body><em>rich</em></ac:link-body>'
        '</ac:link> <ac:link><ri:user ri:account-id="557058:abc"/></ac:link></p>'
    )
    out = tree(body)
    links = [(a.text_content(), a.get("href")) for a in out.iter("a")]
    assert links == [
        ("Shift handover", "/pages/viewpage.action?pageId=9"),
        ("Nowhere", None),
        ("clip-plan.json", ATTACHED[2].url),
        ("rich", "https://x.example/#steps"),
    ]
    assert out.find_class("user-mention")[0].text == "@Dana Editor"


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,hi", "vbscript:x"])
def test_links_with_scripting_schemes_lose_their_target(href: str) -> None:
    assert safe_url(href) is None
    assert tree(f'<p><a href="{href}">click</a></p>').find(".//a").get("href") is None


def test_unknown_macro_is_a_labelled_placeholder_with_its_body_and_no_loose_parameters() -> None:
    out = tree("<p>before</p>" + macro("jira", rich("<p>Kept body</p>"), key="SUP-42", server="x") + "<p>after</p>")
    box = out.find_class("macro-placeholder")[0]
    assert box.find_class("macro-placeholder-label")[0].text == "Unknown macro: jira"
    assert "Kept body" in box.text_content()
    assert "SUP-42" not in out.text_content()
    assert [p.text for p in out.findall("p")] == ["before", "after"]


def test_page_properties_report_tabulates_labelled_pages_details() -> None:
    out = tree(macro("detailssummary", label="walkthrough"))
    table = out.find_class("page-properties-report")[0].find(".//table")
    rows = [[c.text_content() for c in tr] for tr in table.iter("tr")]
    assert rows == [
        ["Title", "Owner", "Version"],
        ["Feature we lack", "", ""],
        ["Refund outside the window", "Marcus", "3"],
    ]
    via_cql = tree(macro("detailssummary", cql='label = "walkthrough" and space = currentSpace()'))
    assert len(via_cql.findall(".//tbody/tr")) == 2
    under = tree(macro("detailssummary", cql="label = 'walkthrough' and ancestor = 5"))
    assert [a.text for a in under.iter("a")] == ["Feature we lack"]
    assert "No pages with the label 'none'" in tree(macro("detailssummary", label="none")).text_content()


def test_toc_tasks_emoticons_and_layouts() -> None:
    body = (
        macro("toc")
        + "<h2>One</h2><h3>Two</h3><h2>One</h2>"
        + "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Done it</ac:task-body>"
        + "</ac:task></ac:task-list>"
        + '<p><ac:emoticon ac:name="tick"/></p>'
        + '<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>L</p></ac:layout-cell>'
        + "<ac:layout-cell><p>R</p></ac:layout-cell></ac:layout-section></ac:layout>"
    )
    out = tree(body)
    assert [(a.text, a.get("href")) for a in out.find_class("toc-macro")[0].iter("a")] == [
        ("One", "#One"),
        ("Two", "#Two"),
        ("One", "#One-2"),
    ]
    assert out.find(".//input").get("checked") == "checked"
    assert "Done it" in out.text_content()
    assert "✅" in out.text_content()
    assert len(out.find_class("layout-cell")) == 2


def test_hostile_text_stays_text() -> None:
    storage = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; "
        '&lt;ac:structured-macro ac:name="warning"&gt;</p><p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">t</p>'
    )
    out = render_body(storage)
    assert "<script>" not in out and "<img" not in out
    parsed = html.fragment_fromstring(out)
    assert '<script>alert(1)</script> &lt; <ac:structured-macro ac:name="warning">' in parsed.text_content()
    assert parsed.find(".//p[@title]").get("title") == '"><img src=x onerror=alert(1)>'


def test_plain_elements_keep_no_event_or_style_attributes() -> None:
    out = tree('<p onclick="x()" style="color:red" class="evil"><span onmouseover="y()">t</span></p>')
    for node in out.iter():
        assert not {"onclick", "onmouseover", "style"} & set(node.attrib)


def test_unreadable_storage_is_a_labelled_error() -> None:
    out = tree("<p>unclosed")
    assert "storage format could not be read" in out.find_class("render-error")[0].text


def test_showcase_loses_no_text_and_has_one_placeholder() -> None:
    out = tree(SHOWCASE)
    assert missing_texts(SHOWCASE, out.text_content()) == []
    assert [box.get("data-unknown") for box in out.find_class("macro-placeholder")] == ["macro: jira"]


def test_the_entry_page_the_sync_writes_renders_every_section() -> None:
    storage = entry_page(scenario('Say <b>calm</b> & "steady"'), DECISION)
    out = tree(storage, ViewContext())
    assert out.find_class("page-properties") and out.find_class("panel-error")
    assert out.find(".//details") is not None
    assert [h.text for h in out.iter("h2")] == ["Key steps", "Quick reference", "Walkthrough video"]
    assert out.find_class("macro-placeholder") == []
    assert missing_texts(storage, out.text_content()) == []


def test_whole_document_has_title_breadcrumbs_byline_labels_and_stylesheet() -> None:
    info = PageInfo(
        title="Refund <outside> window",
        space_key="SUP",
        space_name="Support",
        version=4,
        author="scenario-sync bot",
        when="26 Nov 2026 10:00 UTC",
        labels=("refund", "scenario-sync-managed"),
        ancestors=(("Support Home", "/pages/viewpage.action?pageId=1"),),
    )
    document = render_page(info, "<p>Body</p>", context())
    assert document.startswith("<!DOCTYPE html>")
    page = html.document_fromstring(document)
    assert page.find(".//title").text == "Refund <outside> window - Support - Confluence"
    assert page.get_element_by_id("title-text").text == "Refund <outside> window"
    assert "Version 4 · last updated by scenario-sync bot on 26 Nov 2026 10:00 UTC · 3 attachments" in (
        page.find_class("page-metadata")[0].text
    )
    assert [a.text for a in page.find_class("breadcrumbs")[0].iter("a")] == ["Support Home"]
    assert [s.text for s in page.find_class("label")] == ["refund", "scenario-sync-managed"]
    assert ".status-green" in page.find(".//style").text


# --- the route: the emulator serves the view at a page's web link, and attachments to the browser session ----
@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_web_link_serves_the_view_and_its_session_downloads_attachments(flavor: str) -> None:
    from werkzeug.test import Client

    from sync.sandbox.confluence.app import make_app
    from sync.sandbox.confluence.state import ConfluenceState

    state = ConfluenceState(flavor)  # type: ignore[arg-type]
    space = state.add_space("SUP", "Support")
    page = state.create_page("SUP", "Showcase", SHOWCASE, parent_id=space.homepage_id)
    state.create_page("SUP", "Shift handover checklist", "<p>x</p>", parent_id=space.homepage_id)
    for name, (kind, data) in ATTACHMENTS.items():
        state.add_attachment(page.id, name, data, kind)
    app = make_app(flavor, state)
    base = "/wiki" if flavor == "cloud" else ""
    browser = Client(app)
    download = f"{base}/download/attachments/{page.id}/call-flow.png?version=1"

    assert Client(app).get(download).status_code == 401  # no session, no credentials: the API's answer
    app.traffic.clear()
    view = browser.get(f"{base}/pages/viewpage.action?pageId={page.id}")
    assert view.status_code == 200 and view.mimetype == "text/html"
    document = html.document_fromstring(view.get_data(as_text=True))
    img = document.find(".//img")
    assert img.get("src") == download
    links = {a.text_content(): a.get("href") for a in document.iter("a")}
    handover = state.find_by_title("SUP", "Shift handover checklist")
    assert links["the handover checklist"] == f"{base}/pages/viewpage.action?pageId={handover.id}"
    got = browser.get(download)
    assert (got.status_code, got.data, got.mimetype) == (200, ATTACHMENTS["call-flow.png"][1], "image/png")
    assert browser.get(f"{base}/download/attachments/{page.id}/nope.png").status_code == 404
    assert app.traffic.log == []  # a person's browsing is not API traffic
    assert browser.get(f"{base}/pages/viewpage.action?pageId=999").status_code == 404
