"""The generate stage in whole runs: the page shows prompt, clip plan and manifest link; lint findings hold an
entry or warn its reviewers, in Confluence and in Notion; a plan that cannot fit is the entry's problem."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
from lxml import etree

from sync.config import LintPolicy
from sync.notion.client import make_client
from sync.session import run_once
from tests.conftest import no_sleep
from tests.e2e.helpers import entry_id, reapprove
from tests.e2e.test_walking_skeleton import children, notion_status

INTEGRATION = "Customer says a critical integration is down right now"
AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"
WRAP = '<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{}</r>'


def edit_entry(sandbox, title: str, column: str, text: str) -> None:
    """A person edits one column of an entry in Notion (through the official client)."""
    client = make_client(sandbox.credentials())
    try:
        pages = client.data_sources.query(sandbox.info["data_source_id"])["results"]
        page = next(p for p in pages if "".join(t["plain_text"] for t in p["properties"]["Scenario"]["title"]) == title)
        client.pages.update(page["id"], properties={column: {"rich_text": [{"text": {"content": text}}]}})
    finally:
        client.close()


def properties_table(tree) -> dict[str, str]:
    details = next(m for m in tree.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == "details")
    return {tr.find("th").text: "".join(tr.find("td").itertext()) for tr in details.iter("tr")}


def test_pages_show_prompt_clip_plan_and_manifest_link_and_carry_the_manifest(sandbox, run_demo) -> None:
    _, plan = run_demo(sandbox)
    page = children(sandbox)[INTEGRATION]
    tree = etree.fromstring(WRAP.format(page.body))
    text = "".join(tree.itertext())

    assert "Walkthrough video" in text
    prompt = next(m for m in tree.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == "code")
    assert prompt.find(f"{AC}plain-text-body").text.startswith("Goal: Show a new agent how to take")
    header, *rows = tree.xpath("//h3[starts-with(., 'Clip plan: 5 clips')]/following-sibling::table[1]//tr")
    assert [th.text for th in header] == [
        "Clip", "Seconds", "On screen", "Overlays", "Narration", "veo-3.1", "runway-gen-4.5", "luma-ray-2"
    ]  # fmt: skip
    assert len(rows) == 5 and rows[0][0].text == "1. Acknowledge the urgency"
    assert rows[0][5].text == "8 + 7" and rows[3][2].text == "(nothing typed)"
    link = tree.find(f".//{AC}link/{RI}attachment")
    assert link.get(f"{RI}filename") == "clip-plan.json"
    assert properties_table(tree)["Over-promise lint"] == "no findings"

    [uploaded] = page.attachments  # published with its page
    assert (uploaded.title, uploaded.version) == ("clip-plan.json", 1)
    manifest = json.loads(uploaded.data)
    assert manifest["entry"]["title"] == INTEGRATION and len(manifest["clips"]) == 5
    desired = next(a.desired for a in plan.actions if a.title == INTEGRATION)
    [attachment] = desired.attachments  # what the run keeps of the file once sent: its name, type and hash
    digest = hashlib.sha256(uploaded.data).hexdigest()
    assert (attachment.name, attachment.media_type, attachment.sha256) == ("clip-plan.json", "application/json", digest)
    with pytest.raises(ValueError, match="only its hash is kept"):
        _ = attachment.data

    sandbox.confluence.traffic.clear()
    _, again = run_demo(sandbox)
    assert [a.kind for a in again.actions if a.title == INTEGRATION] == ["noop"]
    assert sandbox.confluence.traffic.writes() == []  # an unchanged manifest is never uploaded again
    assert [(a.title, a.version) for a in children(sandbox)[INTEGRATION].attachments] == [("clip-plan.json", 1)]


def test_a_blocking_finding_holds_the_entry_and_the_approved_page_stays_live(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    run_demo(sandbox)
    live = children(sandbox)[INTEGRATION]
    edit_entry(sandbox, INTEGRATION, "5 Close", '"Sorry again, I\'ll refund this month in full for the trouble."')
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))  # approved as written: only the lint holds it

    report, plan = run_demo(sandbox)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "held"
    assert row.reasons[0] == (
        'held: step 5 (Close): "I\'ll refund" (refund-promise, blocks publication): a refund or credit promised by '
        "the agent, outside the refund rule; safer: \"I can't refund this myself; I'll send it to billing, who "
        'review exceptions within two working days."'
    )
    assert [a.kind for a in plan.actions if a.title == INTEGRATION] == ["keep"]
    assert children(sandbox)[INTEGRATION].version == live.version
    status, message, _ = notion_status(sandbox)[INTEGRATION]
    assert status == "Held" and message.startswith('held: step 5 (Close): "I\'ll refund"')


def test_a_warning_is_published_for_reviewers_on_the_page_and_in_notion(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox(flavor="datacenter")
    edit_entry(sandbox, INTEGRATION, "5 Close", '"You\'re in the P1 queue now, and this will definitely be looked at."')
    report, _ = run_demo(sandbox)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "published"
    assert row.findings == [
        'step 5 (Close): "definitely" (guarantee, warning): a guarantee or an absolute the team cannot stand behind; '
        'safer: "This is the fix that has worked for this error; I\'ll check with you that it holds."'
    ]
    lint_row = properties_table(etree.fromstring(WRAP.format(children(sandbox)[INTEGRATION].body)))["Over-promise lint"]
    assert lint_row == row.findings[0]
    status, message, _ = notion_status(sandbox)[INTEGRATION]
    assert status == "Published" and message.endswith("\nwarning: " + row.findings[0])

    sandbox.confluence.traffic.clear()
    sandbox.notion.traffic.clear()
    run_demo(sandbox)  # the findings are stable: nothing to write the second time
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []


def test_a_clip_plan_that_cannot_fit_is_the_entrys_problem_naming_the_column(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    edit_entry(sandbox, INTEGRATION, "4 Escalation rule", " ".join(["Escalate to tier-2 when production is down."] * 9))
    report, _ = run_demo(sandbox)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "problem"
    assert row.problems == [
        "4 Escalation rule: step 4 (Escalation rule) needs 27 s at 150 words a minute, the fastest allowed: "
        "63 spoken words; a clip lasts at most 20 s: the step may have at most 46 words"
    ]
    assert INTEGRATION not in children(sandbox)
    assert notion_status(sandbox)[INTEGRATION][:2] == ("Problem", row.problems[0])


def test_a_changed_plan_is_uploaded_once_as_a_new_version(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox(flavor="datacenter")
    run_demo(sandbox)
    edit_entry(
        sandbox, INTEGRATION, "5 Close", "\"You're in the P1 queue now; you'll hear from us within 30 minutes.\""
    )
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))
    run_demo(sandbox)
    [manifest] = children(sandbox)[INTEGRATION].attachments
    assert manifest.version == 2 and b"in the P1 queue now; you'll hear" in manifest.data
    sandbox.confluence.traffic.clear()
    run_demo(sandbox)
    assert sandbox.confluence.traffic.writes() == []


def kept_checks(sandbox) -> dict[str, object]:
    """Notion id → the checks the job's manifest keeps for that entry (the manifest in its property, or in the
    file the property names)."""
    index = next(p for p in sandbox.confluence.state.pages.values() if "scenario-sync-manifest" in p.properties)
    manifest = index.properties["scenario-sync-manifest"].value
    if "attachment" in manifest:
        data = next(a.data for a in index.attachments if a.title == manifest["attachment"])
        manifest = json.loads(gzip.decompress(data))
    return {notion_id: facts.get("checks") for notion_id, facts in manifest["entries"].items()}


def test_checks_kept_for_an_unchanged_entry_stand_until_the_policy_changes(sandbox, demo_job) -> None:
    def run(job):
        report, _ = run_once(job, sandbox.credentials(), sandbox.info["data_source_id"], sleep=no_sleep)
        return next(e for e in report.entries if e.title == INTEGRATION)

    edit_entry(sandbox, INTEGRATION, "5 Close", '"You\'re in the P1 queue now, and this will definitely be looked at."')
    row = run(demo_job)
    assert row.outcome == "published" and row.findings[0].startswith(
        'step 5 (Close): "definitely" (guarantee, warning)'
    )
    kept = kept_checks(sandbox)
    warned = kept.pop(entry_id(sandbox, INTEGRATION))
    assert [(f["rule"], f["blocking"]) for f in warned["findings"]] == [("guarantee", False)]
    assert kept and all(isinstance(checks, str) for checks in kept.values())  # nothing to say: the key alone

    sandbox.confluence.traffic.clear()
    sandbox.notion.traffic.clear()
    assert run(demo_job).findings == row.findings  # as kept: nothing written
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []

    # The same lines under a policy that blocks guarantees: checked again, and held.
    stricter = demo_job.model_copy(update={"lint": LintPolicy(blocking=[*demo_job.lint.blocking, "guarantee"])})
    live = children(sandbox)[INTEGRATION].version
    held = run(stricter)
    assert held.outcome == "held" and held.reasons[0].startswith(
        'held: step 5 (Close): "definitely" (guarantee, blocks'
    )
    assert children(sandbox)[INTEGRATION].version == live  # the approved page stays live
    assert kept_checks(sandbox)[entry_id(sandbox, INTEGRATION)]["findings"][0]["blocking"] is True
