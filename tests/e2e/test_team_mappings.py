"""Both shipped mappings end to end: the German team's database (steps under body headings, approvals in
one multi-select, or a status per review), on every Confluence surface."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sync.config import Job
from sync.sandbox.runtime import Sandbox
from sync.session import run_once
from tests.conftest import ROOT, no_sleep
from tests.e2e.helpers import pages as entry_pages

TEAM_DE = ROOT / "mappings" / "team-de.yaml"
PUBLISHED = {
    "Customer says a critical integration is down right now",
    "Customer escalates after an incomplete first answer",
}
BROKEN = "Customer asks for account access or data the agent may not share"


@pytest.fixture(params=["cloud", "datacenter", "cloud-v1-removed"])
def sandbox_de(request, make_sandbox) -> Sandbox:
    if request.param == "cloud-v1-removed":
        return make_sandbox(flavor="cloud", cloud_v1_content="removed", mapping=TEAM_DE)
    return make_sandbox(flavor=request.param, mapping=TEAM_DE)


def run(sandbox: Sandbox, job: Job, dry_run: bool = False):
    return run_once(job, sandbox.credentials(), sandbox.info["data_source_id"], dry_run, sleep=no_sleep)


def body_reads(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.notion.traffic.requests("GET", r"^/v1/blocks/.*/children$")]


def test_the_german_team_database_publishes_end_to_end(sandbox_de: Sandbox, demo_job: Job) -> None:
    job = demo_job.model_copy(update={"mapping": TEAM_DE})
    report, _ = run(sandbox_de, job)
    assert report.totals == {"published": 2, "held": 2, "problem": 1}
    by_title = {e.title: e for e in report.entries}
    assert by_title[BROKEN].problems == [
        "body: section 'Eskalationsregel': it is empty; write the escalation rule step under the heading"
    ]
    assert by_title["Customer asks for a feature we do not have"].reasons == [
        "held: legal review is 'Not started' for version 1"
    ]
    pages = entry_pages(sandbox_de)
    assert set(pages) == PUBLISHED
    body = pages["Customer says a critical integration is down right now"].body
    # The steps come from the body's sections; the rest of the body is shown as guidance.
    assert "<strong>Escalation rule: </strong><span>Production stopped for the customer" in body
    assert "<h2>Guidance</h2>" in body and '<ac:structured-macro ac:name="info"' in body
    assert "contract penalty or SLA credit" in body

    sandbox_de.notion.traffic.clear()
    sandbox_de.confluence.traffic.clear()
    second, _ = run(sandbox_de, job)
    assert second.totals == {"unchanged": 2, "held": 2, "problem": 1}
    assert sandbox_de.confluence.traffic.writes() == [] and sandbox_de.notion.traffic.writes() == []
    # Unchanged published entries are not read again; the broken one is, until it is fixed.
    broken_id = by_title[BROKEN].page_id
    assert body_reads(sandbox_de) == [f"/v1/blocks/{broken_id}/children"]


def test_reviews_as_a_status_per_review(make_sandbox, demo_job: Job, tmp_path: Path) -> None:
    data = yaml.safe_load(TEAM_DE.read_text(encoding="utf-8"))
    del data["approvals"]
    data["reviews"] = {
        name: {
            "state": {"property": f"{label}-Prüfung", "type": "status"},
            "approved_version": {"property": f"{label} für Fassung", "type": "number", "required": False},
        }
        for name, label in (("legal", "Recht"), ("ops", "Betrieb"), ("product", "Produkt"))
    }
    mapping = tmp_path / "team-de-status.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    sandbox = make_sandbox(mapping=mapping)
    source = sandbox.notion.state.data_sources[sandbox.info["data_source_id"]]
    kinds = {p.name: p.type for p in source.properties.values()}
    assert kinds["Recht-Prüfung"] == "status" and "Freigaben" not in kinds
    report, _ = run(sandbox, demo_job.model_copy(update={"mapping": mapping}))
    assert report.totals == {"published": 2, "held": 2, "problem": 1}
    feature = next(e for e in report.entries if e.title == "Customer asks for a feature we do not have")
    assert feature.reasons == ["held: legal review is 'In review' for version 1"]
