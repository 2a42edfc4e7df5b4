"""Page bodies read through the official client: past 100 blocks, nested, every block type, Notion-hosted
media fetched in the same run; restricted, trashed and half-shared pages never stop the other entries."""

from __future__ import annotations

import pytest

from sync.sandbox.faults import Fault
from sync.sandbox.notion.state import NotionState
from sync.sandbox.runtime import Sandbox

APPROVED = "Customer says a critical integration is down right now"
OTHER = "Customer escalates after an incomplete first answer"


def entry_id(sandbox: Sandbox, title: str) -> str:
    state = sandbox.notion.state
    return next(p.id for p in state.pages.values() if state.title_of(p) == title)


def para(text: str) -> dict:
    return {"paragraph": {"rich_text": [{"text": {"content": text}}]}}


def bullet(text: str, children: list | None = None) -> dict:
    body: dict = {"rich_text": [{"text": {"content": text}}]}
    if children:
        body["children"] = children
    return {"bulleted_list_item": body}


def write_body(state: NotionState, page_id: str) -> dict[str, bytes]:
    """A long body: every block type, 250 paragraphs, a list nested 8 deep, a hosted image and video."""
    image = state.add_file("escalation map.png", "image/png", b"\x89PNG fake image")
    video = state.add_file("walkthrough.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42 fake video")
    every = [
        {"heading_1": {"rich_text": [{"text": {"content": "Before you answer"}}]}},
        {"callout": {"rich_text": [{"text": {"content": "Never promise a fix time."}}], "icon": {"emoji": "⚠️"}}},
        {"toggle": {"rich_text": [{"text": {"content": "Why"}}], "children": [para("Promises become contracts.")]}},
        {"quote": {"rich_text": [{"text": {"content": "Calm beats fast."}}]}},
        {"to_do": {"rich_text": [{"text": {"content": "Tag the thread"}}], "checked": False}},
        {"numbered_list_item": {"rich_text": [{"text": {"content": "first"}}]}},
        {"code": {"rich_text": [{"text": {"content": "tag: Integration-P1 ]]>"}}], "language": "yaml"}},
        {"divider": {}},
        {
            "table": {
                "table_width": 2,
                "has_column_header": True,
                "children": [
                    {"table_row": {"cells": [[{"text": {"content": "If"}}], [{"text": {"content": "Then"}}]]}},
                    {"table_row": {"cells": [[{"text": {"content": "P1"}}], [{"text": {"content": "tier-2"}}]]}},
                ],
            }
        },
        {
            "column_list": {
                "children": [
                    {"column": {"children": [para("left column")]}},
                    {"column": {"children": [para("right column")]}},
                ]
            }
        },
        {"synced_block": {"synced_from": None, "children": [para("shared wording")]}},
        {"image": {"file_upload": {"id": image.id}, "caption": [{"text": {"content": "who to call"}}]}},
        {"video": {"file_upload": {"id": video.id}}},
        {"image": {"external": {"url": "https://example.com/diagram.png"}}},
        {"file": {"external": {"url": "https://example.com/policy.pdf"}}},
        {"bookmark": {"url": "https://status.example.com"}},
        {"embed": {"url": "https://example.com/embed"}},
        {"equation": {"expression": "t_{reply} < 30"}},
    ]
    state.append_blocks(page_id, every)
    for start in range(0, 250, 100):  # at most 100 children per request
        state.append_blocks(
            page_id, [para(f"paragraph {i} <b>not bold</b>") for i in range(start, min(start + 100, 250))]
        )
    top = state.append_blocks(page_id, [bullet("level 1")])[0]
    parent = top
    for level in range(2, 9):  # Notion takes two levels per request: nest one append at a time
        parent = state.append_blocks(parent.id, [bullet(f"level {level}")])[0]
    return {"escalation map.png": b"\x89PNG fake image", "walkthrough.mp4": b"\x00\x00\x00\x18ftypmp42 fake video"}


def test_a_long_nested_body_with_every_block_type_and_hosted_media(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    page_id = entry_id(sandbox, APPROVED)
    files = write_body(sandbox.notion.state, page_id)
    report, plan = run_demo(sandbox, dry_run=True)
    create = next(a for a in plan.actions if a.title == APPROVED)
    assert create.desired is not None
    body = create.desired.body
    for expected in (
        "<h2>Guidance</h2>",
        "<h3><span>Before you answer</span></h3>",
        "<span>Never promise a fix time.</span>",
        "<![CDATA[tag: Integration-P1 ]]]]><![CDATA[>]]>",
        "<th><span>If</span></th>",
        "<span>right column</span>",
        "<span>shared wording</span>",
        "<span>paragraph 249 &lt;b&gt;not bold&lt;/b&gt;</span>",
        "<span>level 8</span>",
        '<a href="https://example.com/diagram.png">https://example.com/diagram.png</a>',
        '<a href="https://status.example.com">https://status.example.com</a>',
    ):
        assert expected in body, expected
    assert body.count("<ul>") == 8  # the nested list, every level
    from_body = [a for a in create.desired.attachments if a.name != "clip-plan.json"]  # the rest is generated
    attached = {a.name.split("-", 1)[1]: a for a in from_body}
    assert {name.replace(" ", "-"): data for name, data in files.items()} == {
        name: a.data for name, a in attached.items()
    }
    assert attached["walkthrough.mp4"].media_type == "video/mp4"
    for attachment in from_body:
        assert f'ri:filename="{attachment.name}"' in body
    # The body came in pages of 100, then each nested level on its own.
    reads = sandbox.notion.traffic.requests("GET", rf"^/v1/blocks/{page_id}/children$")
    assert len(reads) == 3 and "start_cursor" in reads[1].query
    downloads = sandbox.notion.traffic.requests("GET", "^/files/")
    assert len(downloads) == 2 and all(r.status == 200 for r in downloads)
    assert report.count("planned") == 2


def test_restricted_trashed_and_half_shared_entries_do_not_stop_the_others(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    state = sandbox.notion.state
    restricted = entry_id(sandbox, APPROVED)
    state.set_restricted(restricted)
    trashed = entry_id(sandbox, "Customer asks for a feature we do not have")
    state.trash(trashed)
    # A synced block copied from a page the integration cannot see.
    elsewhere = state.create_page({"page_id": state.root_page_id}, {"title": [{"text": {"content": "Private"}}]})
    original = state.append_blocks(elsewhere.id, [{"synced_block": {"synced_from": None, "children": [para("x")]}}])
    state.set_shared(elsewhere.id, False)
    half = entry_id(sandbox, OTHER)
    state.append_blocks(half, [{"synced_block": {"synced_from": {"block_id": original[0].id}}}, para("still here")])

    report, _ = run_demo(sandbox)
    by_title = {e.title: e for e in report.entries}
    assert "Customer asks for a feature we do not have" not in by_title  # trashed: not read at all
    assert by_title[APPROVED].outcome == "problem"
    assert by_title[APPROVED].problems == [
        "body: the integration may not open this page, so its body cannot be read; share the page with the "
        "integration (or lift its restriction) so its body can be read"
    ]
    assert by_title[OTHER].problems == [
        "body: a synced block shows content from a page not shared with the integration; "
        "share that page with the integration, or remove the synced block"
    ]
    assert by_title["Refund asked for outside the refund window"].outcome == "held"
    # Nor can its status be written back: reported, and the run counts as partial.
    assert len(report.errors) == 1 and APPROVED in report.errors[0] and "HTTP 403" in report.errors[0]


def test_a_hosted_file_that_cannot_be_fetched_fails_only_its_entry(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    state = sandbox.notion.state
    clip = state.add_file("clip.mp4", "video/mp4", b"v")
    state.append_blocks(entry_id(sandbox, APPROVED), [{"video": {"file_upload": {"id": clip.id}}}])
    sandbox.notion.traffic.add_fault(Fault(status=403, path="^/files/", times=10))
    report, _ = run_demo(sandbox)
    by_title = {e.title: e for e in report.entries}
    assert by_title[APPROVED].outcome == "problem"
    problem = by_title[APPROVED].problems[0]
    assert problem.startswith("body: the file 'clip.mp4' could not be fetched (HTTP 403); run again")
    assert "signature" not in problem and "/files/" not in problem  # the signed link is a key: never shown
    assert problem.endswith("; run again: Notion's file links expire after an hour, so files are fetched each run")
    assert by_title[OTHER].outcome == "published"


@pytest.mark.parametrize("status", [429, 529])
def test_throttled_body_reads_are_retried_after_retry_after(make_sandbox, run_demo, status: int) -> None:
    sandbox = make_sandbox()
    sandbox.notion.traffic.add_fault(Fault(status=status, retry_after=2, path=r"^/v1/blocks/.*/children$", times=2))
    slept: list[float] = []
    report, _ = run_demo(sandbox, sleep=slept.append)
    assert report.count("published") == 2 and slept.count(2.0) == 2
    assert report.notion.retries == 2
