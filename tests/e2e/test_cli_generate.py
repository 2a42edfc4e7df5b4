"""`preview` and `lint` as a user drives them against the sandbox: what they show, their exit codes, and that
they write nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.sandbox.runtime import Sandbox, SandboxOptions
from tests.conftest import ROOT
from tests.e2e.test_generate import INTEGRATION, edit_entry

CONFIG = str(ROOT / "scheduler.yaml")
REFUND = "Refund asked for outside the refund window"
BROKEN = "Customer asks for account access or data the agent may not share"


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # the demo job keeps its sandbox state in ./.sandbox
    return CliRunner()


@pytest.mark.parametrize("command", ["preview", "lint"])
def test_help_teaches_with_an_example(runner, command) -> None:
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--job" in result.output


def test_preview_shows_decision_prompt_clip_plan_and_findings_and_writes_nothing(runner) -> None:
    result = runner.invoke(cli, ["preview", "--config", CONFIG, "--job", "demo", "--entry", INTEGRATION])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Decision: publish\n  approved by legal, ops, product for version 2" in out
    assert "Prompt:\nGoal: Show a new agent how to take" in out and "\nKey steps:\n1. Acknowledge the urgency:" in out
    assert "Clip plan: 5 clips, " in out and "segments: veo-3.1 8 + 7, runway-gen-4.5 8 + 7" in out
    assert "Over-promise lint: no findings" in out

    run = json.loads(runner.invoke(cli, ["run", "--config", CONFIG, "--job", "demo", "--json"]).output)
    assert run["totals"]["published"] == 2  # nothing was published by the preview
    # Five statuses and one revalidation reminder: nothing was written back by the preview.
    assert run["notion"]["writes"] == 6


def test_preview_json_by_page_id_and_a_held_entry(runner) -> None:
    first = json.loads(runner.invoke(cli, ["lint", "--config", CONFIG, "--job", "demo", "--json"]).output)
    refund_id = next(e["entry"]["id"] for e in first["entries"] if e["entry"]["title"] == REFUND)
    result = runner.invoke(cli, ["preview", "--config", CONFIG, "--job", "demo", "--entry", refund_id, "--json"])
    data = json.loads(result.output)
    assert data["decision"] == "hold"
    assert data["reasons"][0] == "held: changed since legal approved version 2 (entry is version 3)"
    assert data["prompt"].startswith("Goal: Teach agents to decline") and len(data["clips"]) == 5
    assert 60 <= data["total_s"] <= 90 and data["findings"] == []


def test_preview_of_an_entry_with_a_problem_and_of_an_unknown_entry(runner) -> None:
    result = runner.invoke(cli, ["preview", "--config", CONFIG, "--job", "demo", "--entry", BROKEN])
    assert result.exit_code == 0
    assert "Decision: problem\n  4 Escalation rule: it is empty; set some text" in result.output
    missing = runner.invoke(cli, ["preview", "--config", CONFIG, "--job", "demo", "--entry", "Nope"])
    assert missing.exit_code == 2
    assert "Error: no entry with id or title 'Nope'" in missing.output and REFUND in missing.output


def test_lint_is_clean_on_the_demo(runner) -> None:
    result = runner.invoke(cli, ["lint", "--config", CONFIG, "--job", "demo"])
    assert result.exit_code == 0, result.output
    assert f"- {INTEGRATION}: clean" in result.output
    assert f"- {BROKEN}: not checked\n    not checked: 4 Escalation rule" in result.output
    assert "Findings: 0 blocking, 0 warning(s)" in result.output


def test_lint_exits_1_when_a_finding_blocks(runner, tmp_path) -> None:
    state = tmp_path / ".sandbox" / "demo-cloud-v1-available.json"
    with Sandbox(SandboxOptions(state_file=state, rate_limit=False)) as sandbox:  # saved on the way out
        edit_entry(sandbox, REFUND, "2 Immediate action", '"Let me make an exception and refund it."')
        edit_entry(sandbox, INTEGRATION, "QR immediate action", "Check the logs; it's 100% fixed by a restart.")

    result = runner.invoke(cli, ["lint", "--config", CONFIG, "--job", "demo"])
    assert result.exit_code == 1, result.output
    assert (
        f'- {REFUND}: 1 finding(s)\n    step 2 (State what you can do now): "Let me make an exception and refund"'
        in result.output
    )
    assert "Findings: 1 blocking, 1 warning(s)" in result.output

    data = json.loads(runner.invoke(cli, ["lint", "--config", CONFIG, "--job", "demo", "--json"]).output)
    assert (data["blocking"], data["warnings"]) == (1, 1)
    [warning] = next(e for e in data["entries"] if e["entry"]["title"] == INTEGRATION)["findings"]
    assert (warning["where"], warning["property"], warning["rule"]) == (
        "quick reference: immediate action",
        "QR immediate action",  # the column the author fixes it in
        "guarantee",
    )
    refund = next(e for e in data["entries"] if e["entry"]["title"] == REFUND)
    assert refund["findings"] == [
        {
            "where": "step 2 (State what you can do now)",
            "property": "2 Immediate action",
            "phrase": "Let me make an exception and refund",
            "rule": "refund-promise",
            "category": "refund",
            "blocking": True,
            "safer": "I can't refund this myself; I'll send it to billing, who review exceptions within two"
            " working days.",
        }
    ]


def test_a_job_policy_with_a_missing_file_is_a_config_error(runner, tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text(
        f"jobs:\n  - name: demo\n    mapping: {ROOT / 'mappings' / 'default.yaml'}\n"
        "    confluence: {space_key: SUP, parent_title: Walkthroughs}\n"
        "    lint: {rules: team-rules.yaml}\n    sandbox: {seed: demo}\n"
    )
    result = runner.invoke(cli, ["lint", "--config", str(config), "--job", "demo"])
    assert result.exit_code == 2
    assert f"job 'demo': lint.rules: {tmp_path / 'team-rules.yaml'} does not exist" in result.output


def test_a_job_with_its_own_templates_and_blocking_policy(runner, tmp_path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "walkthrough.txt.j2").write_text("TEAM PROMPT for {{ entry.title }}\n")
    config = tmp_path / "scheduler.yaml"
    config.write_text(
        f"jobs:\n  - name: demo\n    mapping: {ROOT / 'mappings' / 'default.yaml'}\n"
        "    confluence: {space_key: SUP, parent_title: Walkthroughs}\n"
        "    generate: {templates: prompts}\n    lint: {blocking: [roadmap, nonsense]}\n    sandbox: {seed: demo}\n"
    )
    result = runner.invoke(cli, ["preview", "--config", str(config), "--job", "demo", "--entry", INTEGRATION])
    assert result.exit_code == 2
    assert "lint.blocking names categories the rules do not have: nonsense" in result.output
    config.write_text(config.read_text().replace(", nonsense", ""))
    result = runner.invoke(cli, ["preview", "--config", str(config), "--job", "demo", "--entry", INTEGRATION])
    assert result.exit_code == 0, result.output
    assert f"Prompt:\nTEAM PROMPT for {INTEGRATION}" in result.output
