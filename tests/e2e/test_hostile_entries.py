"""Hostile input through the whole path: text stays text, limits are named, one broken entry never stops
the others."""

from __future__ import annotations

from lxml import etree

from sync.sandbox.runtime import Sandbox
from sync.storage import storage_error
from tests.e2e.test_page_bodies import APPROVED, OTHER, bullet, entry_id

HOSTILE = (
    '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<script>alert(1)</script>]]>'
    "</ac:plain-text-body></ac:structured-macro> {html}<b>x</b>{html} ]]> &amp; \x07\x1b "
    "مرحبا بالعميل ‏שלום‎ 🧯🔥 e\u0301 \u202eevil"
)
WRAP = '<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{}</r>'


def rich(text: str) -> dict:
    return {"rich_text": [{"text": {"content": text[i : i + 2000]}} for i in range(0, len(text), 2000)]}


def test_hostile_text_bodies_and_owners(make_sandbox, run_demo) -> None:
    sandbox: Sandbox = make_sandbox()
    state = sandbox.notion.state
    hostile = entry_id(sandbox, APPROVED)
    state.update_page(
        hostile,
        {
            "Scenario": {"title": [{"text": {"content": "Angry customer <b>now</b> ]]> 🧯 مرحبا"}}]},
            "Goal": rich(HOSTILE + "g" * (2000 - len(HOSTILE))),  # one rich-text item at Notion's limit
            "Tone": rich("t" * 6000),  # several items
        },
    )
    paragraphs = [{"paragraph": rich(f"{i} {HOSTILE}")} for i in range(100)]
    for _ in range(19):  # 1,900 paragraphs, plus 100 levels of nesting below
        state.append_blocks(hostile, paragraphs)
    parent = state.append_blocks(hostile, [bullet(HOSTILE)])[0]
    for level in range(99):
        parent = state.append_blocks(parent.id, [bullet(f"level {level}")])[0]
    # A relation to a page the integration cannot see, in a column the mapping does not read.
    policies, policy_source = state.create_database(state.root_page_id, "Policies", {"Name": {"title": {}}})
    secret = state.create_page({"data_source_id": policy_source.id}, {"Name": {"title": [{"text": {"content": "x"}}]}})
    source = sandbox.info["data_source_id"]
    state.update_data_source(source, {"Policy": {"relation": {"data_source_id": policy_source.id}}})
    state.update_page(hostile, {"Policy": {"relation": [{"id": secret.id}]}})
    state.set_shared(policies.id, False)
    # Another entry with 100 keywords and a bot as its owner.
    bot = state.add_user("Zapier", type="bot")
    state.update_page(
        entry_id(sandbox, OTHER),
        {
            "Trigger keywords": {"multi_select": [{"name": f"kw {i} 🔥"} for i in range(100)]},
            "Owner": {"people": [{"id": bot.id}]},
        },
    )

    report, _ = run_demo(sandbox)
    by_title = {e.title: e for e in report.entries}
    title = "Angry customer <b>now</b> ]]> 🧯 مرحبا"
    assert by_title[title].outcome == "published", by_title[title].problems
    assert by_title[OTHER].problems == [
        "Owner: the owner is a bot (Zapier); set a person who can revalidate the entry",
        "Trigger keywords: 100 keywords; keep to 30 (each becomes a page label)",
    ]
    page = next(p for p in sandbox.confluence.state.children(sandbox.info["parent_page_id"]) if p.title == title)
    assert storage_error(page.body) is None
    root = etree.fromstring(WRAP.format(page.body).encode())
    text = "".join(root.itertext())
    shown = HOSTILE.replace("\x07", "").replace("\x1b", "")
    assert shown in text  # every character XML can carry, as text
    assert text.count(shown) >= 1901  # the goal and 1,900 paragraphs (and the list)
    assert "level 98" in text
    macros = {
        m.get("{http://atlassian.com/content}name") for m in root.iter("{http://atlassian.com/content}structured-macro")
    }
    assert "html" not in macros  # text never became a macro
    assert not list(root.iter("script"))
