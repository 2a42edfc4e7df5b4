"""The record of what was live: Confluence's page history answers for any date, on any host, and the
hash-chained audit log is a second copy whose edits are detected."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from sync.audit import verify
from sync.cli import cli
from sync.confluence import connect
from sync.retry import ApiCaller
from sync.session import run_once
from sync.upkeep import live_record
from tests.conftest import no_sleep
from tests.e2e.helpers import real_job_env, write_real_job
from tests.e2e.test_lifecycle import ESCALATION, edit, notion_id

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def test_audit_across_publish_update_archive_and_restore(sandbox, demo_job, tmp_path) -> None:
    log = tmp_path / "audit" / "demo.jsonl"
    job = demo_job.model_copy(update={"audit_log": str(log)})
    entry = notion_id(sandbox, ESCALATION)
    confluence = sandbox.confluence.state
    revalidated = sandbox.notion.state.clock().date() - timedelta(days=80)

    def run(day: int) -> None:
        confluence.clock = lambda: T0 + timedelta(days=day)  # when Confluence stamps each version
        now = datetime.now(UTC) + timedelta(days=day)
        run_once(job, sandbox.credentials(), sandbox.info["data_source_id"], sleep=no_sleep, clock=lambda: now)

    run(0)  # publish
    edit(sandbox, ESCALATION, {"Goal": {"rich_text": [{"text": {"content": "Win the customer back."}}]}})
    edit(
        sandbox,
        ESCALATION,
        {"Version": {"number": 5}, **{f"{r} approved version": {"number": 5} for r in ("Legal", "Ops", "Product")}},
    )
    run(2)  # update
    run(15)  # overdue: archived
    edit(sandbox, ESCALATION, {"Last revalidated": {"date": {"start": (revalidated + timedelta(days=96)).isoformat()}}})
    run(16)  # restored

    adapter = connect(sandbox.credentials(), ApiCaller("confluence", sleep=no_sleep))
    target = adapter.resolve_target("SUP", sandbox.info["parent_page_id"], None)

    def live(day: float):
        return live_record(adapter, target, job, entry, T0 + timedelta(days=day, hours=1))

    published, updated, archived, restored = live(0), live(2), live(15), live(16)
    assert published.record is not None and published.record["a"] == "create" and published.record["v"] == 4
    assert published.record["ok"]["legal"][0] == "Grace Okafor" and published.record["ok"]["product"][0] == "unmapped"
    assert updated.record is not None and updated.record["a"] == "update" and updated.record["v"] == 5
    assert updated.record["fp"] != published.record["fp"]
    assert archived.record is not None and archived.record["a"] == "archive"
    assert "the page was archived then: not current guidance" in archived.describe()
    assert restored.record is not None and restored.record["a"] == "restore" and restored.record["v"] == 5
    assert live(1).version.number == published.version.number  # between two writes: the earlier one

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["event"] for e in lines if e.get("entry") == entry] == ["create", "update", "archive", "restore"]
    assert any(e["event"] == "reminder" and entry in e["detail"] for e in lines)
    assert verify(log) == []


def test_audit_commands(make_sandbox, tmp_path, monkeypatch) -> None:
    sandbox = make_sandbox()
    log = tmp_path / "audit.jsonl"
    config = write_real_job(sandbox, tmp_path, f"    audit_log: {log.name}\n")
    for name, value in real_job_env(sandbox).items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(cli, ["run", "--config", str(config), "--job", "team"]).exit_code == 1
    entry = notion_id(sandbox, ESCALATION)

    answer = runner.invoke(cli, ["audit", "--config", str(config), "--job", "team", "--entry", entry])
    assert answer.exit_code == 0, answer.output
    assert (
        "page version 1" in answer.output
        and "legal: approved (by Grace Okafor)" in answer.output
        and "product: approved (approver column not mapped)" in answer.output
    )
    early = runner.invoke(
        cli, ["audit", "--config", str(config), "--job", "team", "--entry", entry, "--at", "2020-01-01"]
    )
    assert early.exit_code == 2 and "had no page yet on 2020-01-01" in early.output

    intact = runner.invoke(cli, ["audit", "verify", str(log)])
    assert intact.exit_code == 0 and "chain intact" in intact.output
    lines = log.read_text().splitlines()
    lines[0] = lines[0].replace('"create"', '"update"')
    log.write_text("\n".join(lines) + "\n")
    broken = runner.invoke(cli, ["audit", "verify", str(log)])
    assert broken.exit_code == 1
    assert "line 2: does not follow line 1" in broken.output and "Error:" in broken.output
