"""A mapping without approved-version columns: an edit after approval sets the reviews back to "In review"
(the default there), the last approved page stays live, and the team's approval again releases the edit."""

from __future__ import annotations

from pathlib import Path

import yaml

from sync.session import run_once
from tests.conftest import ROOT, no_sleep
from tests.e2e.test_lifecycle import INTEGRATION, edit, notion_id, page_of


def mapping_without_version_columns(tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "mappings" / "default.yaml").read_text())
    for review in data["reviews"].values():
        review.pop("approved_version")
    path = tmp_path / "no-versions.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def review_states(sandbox, title: str) -> dict[str, str]:
    state = sandbox.notion.state
    page = state.pages[notion_id(sandbox, title)]
    source = state.data_sources[page.data_source_id]
    out = {}
    for schema in source.properties.values():
        if schema.name.endswith(" review"):
            options = {o["id"]: o["name"] for o in schema.config["options"]}
            out[schema.name] = options.get(page.values.get(schema.id), "")
    return out


def test_edit_after_approval_resets_reviews_and_reapproval_releases(make_sandbox, demo_job, tmp_path) -> None:
    mapping = mapping_without_version_columns(tmp_path)
    sandbox = make_sandbox(mapping=mapping)
    job = demo_job.model_copy(update={"mapping": mapping})

    def run():
        return run_once(job, sandbox.credentials(), sandbox.info["data_source_id"], sleep=no_sleep)[0]

    run()
    page = page_of(sandbox, INTEGRATION)
    approved_body = page.body
    edit(sandbox, INTEGRATION, {"Tone": {"rich_text": [{"text": {"content": "Breezy. Promise a fix today."}}]}})
    report = run()
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "held" and "changed since approval: tone" in row.reasons
    assert set(review_states(sandbox, INTEGRATION).values()) == {"In review"}
    assert sandbox.confluence.state.pages[page.id].body == approved_body

    run()  # the reviews are seen in review: nothing is released yet
    assert sandbox.confluence.state.pages[page.id].body == approved_body
    edit(sandbox, INTEGRATION, {f"{n} review": {"select": {"name": "Approved"}} for n in ("Legal", "Ops", "Product")})
    report = run()
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "published"
    assert "Promise a fix today." in sandbox.confluence.state.pages[page.id].body
