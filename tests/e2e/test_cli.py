"""The command line as a user drives it: help, exit codes, JSON output, the sandbox server, the demo."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.notion.client import make_client
from sync.sandbox.runtime import NOTION_TOKEN
from tests.conftest import ROOT
from tests.e2e.helpers import INTEGRATION, entry_id, real_job_env, write_real_job

CONFIG = str(ROOT / "scheduler.yaml")
SECRETS = (NOTION_TOKEN, "token-sync-bot")
SANDBOX_UP = [sys.executable, "-m", "sync", "sandbox", "up"]
COMMANDS = [
    ["run"],
    ["plan"],
    ["demo"],
    ["sandbox"],
    ["sandbox", "up"],
    ["sandbox", "fault"],
    ["sandbox", "human-edit"],
    ["sandbox", "notion-edit"],
    ["audit"],
    ["audit", "verify"],
    ["init"],
    ["schedule"],
    ["cron"],
    ["cron", "export"],
]


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # sandbox state files go to ./.sandbox
    for name in ("NOTION_TOKEN", "CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN", "CONFLUENCE_FLAVOR"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_that_teaches(runner, command) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output or command in (["sandbox"], ["cron"])


def test_run_prints_a_json_report_without_credentials(runner) -> None:
    result = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "demo", "--json"])
    assert result.exit_code == 1, result.output  # the demo seeds one entry with a problem
    report = json.loads(result.output)
    assert report["totals"] == {"published": 2, "held": 2, "problem": 1}
    assert report["exit_code"] == 1
    assert not any(secret in result.output for secret in SECRETS)

    again = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "demo", "--json"])
    second = json.loads(again.output)
    assert second["confluence"]["writes"] == second["notion"]["writes"] == 0


def test_plan_writes_nothing_and_says_why(runner) -> None:
    result = runner.invoke(cli, ["plan", "--config", CONFIG, "--job", "demo"])
    assert "dry run: nothing written" in result.output
    assert "create: approved, not yet published" in result.output


def test_missing_credentials_exit_2_with_the_fix(runner) -> None:
    result = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "support-emea"])
    assert result.exit_code == 2
    assert "Error: missing environment variables: NOTION_TOKEN, CONFLUENCE_URL, CONFLUENCE_TOKEN" in result.output
    assert "Fix:" in result.output


def test_unknown_job_names_the_known_ones(runner) -> None:
    result = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "nope"])
    assert result.exit_code == 2
    assert "no job named 'nope'" in result.output and "demo, demo-de, support-emea" in result.output


def test_demo_publishes_then_finds_nothing_to_do(runner) -> None:
    result = runner.invoke(cli, ["demo", "--config", CONFIG, "--confluence-flavor", "datacenter"])
    assert result.exit_code == 0, result.output
    assert "Second run: 0 Confluence writes, 0 Notion writes." in result.output
    assert "Customer says a critical integration is down right now  (page" in result.output
    # Fifteen days on: archived, revalidated with `sandbox notion-edit`, restored, then nothing to do.
    assert "- Customer escalates after an incomplete first answer: archived" in result.output
    # Its row says why once (the archive line), then who heard about it.
    row = result.output.split("- Customer escalates after an incomplete first answer: archived\n")[1]
    why = [line.removeprefix("sandbox · ").strip() for line in row.splitlines()[:2]]
    assert why[0].startswith("archive: owner revalidation overdue by") and why[1].startswith("reminder sent to ")
    assert "$ scenario-sync sandbox notion-edit" in result.output and '--set "Last revalidated=' in result.output
    assert "restore: revalidated or re-approved: restored from the archive" in result.output
    assert "Last run: 0 Confluence writes, 0 Notion writes." in result.output


def test_sandbox_up_prints_one_json_line_takes_faults_and_stops_on_sigterm(tmp_path) -> None:
    process = subprocess.Popen(
        [*SANDBOX_UP, "--confluence-flavor", "datacenter", "--no-rate-limit", "--state", "kept.json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        line = process.stdout.readline()
        coords = json.loads(line)
        assert set(coords) == {"notion", "confluence"}
        assert coords["confluence"]["flavor"] == "datacenter" and coords["confluence"]["user"] is None
        assert coords["notion"]["data_source_id"] and coords["confluence"]["space_key"] == "SUP"

        base = coords["confluence"]["base_url"]
        fault = subprocess.run(
            [sys.executable, "-m", "sync", "sandbox", "fault", base, "--status", "503", "--path", "/rest/api/space"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(fault.stdout)["added"]["status"] == 503
        headers = {"Authorization": f"Bearer {coords['confluence']['token']}"}
        assert httpx.get(f"{base}/rest/api/space", headers=headers).status_code == 503
        assert httpx.get(f"{base}/rest/api/space", headers=headers).status_code == 200

        parent = coords["confluence"]["parent_page_id"]
        subprocess.run(
            [sys.executable, "-m", "sync", "sandbox", "human-edit", base, "--page-id", parent, "--editor", "Sam Lee"],
            capture_output=True,
            check=True,
        )
        page = httpx.get(f"{base}/rest/api/content/{parent}?expand=version", headers=headers).json()
        assert (page["version"]["number"], page["version"]["by"]["displayName"]) == (2, "Sam Lee")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert process.stdout.read() == ""  # exactly one line
    kept = json.loads((tmp_path / "kept.json").read_text())  # state saved on the way out
    assert kept["info"]["data_source_id"] == coords["notion"]["data_source_id"]


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_a_real_job_takes_its_credentials_from_the_environment(runner, make_sandbox, tmp_path, monkeypatch, flavor):
    sandbox = make_sandbox(flavor=flavor)
    coords = sandbox.coordinates()
    config = write_real_job(sandbox, tmp_path)
    for name, value in real_job_env(sandbox).items():
        monkeypatch.setenv(name, value)

    result = runner.invoke(cli, ["run", "--config", str(config), "--job", "team", "--report", "out/report.json"])
    assert result.exit_code == 1, result.output
    assert "Entries: 2 published, 2 held, 1 problem" in result.output
    written = (tmp_path / "out" / "report.json").read_text()
    assert json.loads(written)["flavor"] == flavor
    for secret in (coords["notion"]["token"], coords["confluence"]["token"]):
        assert secret not in result.output and secret not in written


def test_a_config_error_names_the_job_and_key(runner, tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text("jobs:\n  - name: emea\n    mapping: m.yaml\n    confluence: {space: SUP}\n")
    result = runner.invoke(cli, ["run", "--config", str(config), "--job", "emea"])
    assert result.exit_code == 2
    assert "job 'emea': confluence.space_key: Field required" in result.output


def test_sandbox_notion_edit_marks_an_entry_revalidated(runner, make_sandbox) -> None:
    sandbox = make_sandbox()
    state = sandbox.notion.state
    page_id = next(pid for pid, page in state.pages.items() if page.data_source_id)
    url = sandbox.coordinates()["notion"]["base_url"]
    args = ["sandbox", "notion-edit", url, "--page-id", page_id, "--set", "Last revalidated=2030-01-02"]
    result = runner.invoke(cli, [*args, "--set", "Version=7", "--set", "Lifecycle=Retired"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)["properties"]
    assert shown["Last revalidated"]["date"]["start"] == "2030-01-02"
    assert shown["Version"]["number"] == 7 and shown["Lifecycle"]["status"]["name"] == "Retired"
    wrong = runner.invoke(cli, ["sandbox", "notion-edit", url, "--page-id", page_id, "--set", "Nope=1"])
    assert wrong.exit_code == 1 and "'Nope=1' does not name a property of the entry" in wrong.output


def test_a_sandbox_job_says_so_on_every_line(runner) -> None:
    result = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "demo"])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) > 5 and all(line.startswith("sandbox · ") for line in lines), result.output
    as_json = runner.invoke(cli, ["run", "--config", CONFIG, "--job", "demo", "--json"])
    assert json.loads(as_json.output)["sandbox"] is True


def test_a_sandbox_job_error_says_sandbox_too(runner, tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text("jobs:\n  - {name: demo, mapping: missing.yaml, confluence: {space_key: SUP}, sandbox: {}}\n")
    result = runner.invoke(cli, ["run", "--config", str(config), "--job", "demo"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"sandbox · Error: {tmp_path / 'missing.yaml'} does not exist",
        "sandbox · Fix: check the job's `mapping:` path",
    ]


def test_run_all_runs_every_job_and_exits_with_the_most_serious_code(runner) -> None:
    result = runner.invoke(cli, ["run", "--config", CONFIG, "--all", "--json"])
    assert result.exit_code == 2  # the sandbox jobs: 1 (an entry problem); support-emea: 2 (no credentials here)
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["job"] for r in reports] == ["demo", "demo-de"]  # one report per line, in the file's order
    assert {r["exit_code"] for r in reports} == {1} and all(r["sandbox"] for r in reports)
    assert "Error: job 'support-emea': missing environment variables" in result.stderr


def test_run_needs_one_job_or_all(runner) -> None:
    for args in ([], ["--job", "demo", "--all"]):
        result = runner.invoke(cli, ["run", "--config", CONFIG, *args])
        assert result.exit_code == 2 and "name one job with --job NAME, or pass --all" in result.output


def test_demo_needs_no_scheduler_yaml(runner, tmp_path) -> None:
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Second run: 0 Confluence writes, 0 Notion writes." in result.output
    assert list(tmp_path.iterdir()) == []


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert f"`scenario-sync {' '.join(command)}" in readme, command


def test_notion_edit_sets_each_kind_of_column_and_refuses_what_it_cannot_read(runner, make_sandbox) -> None:
    sandbox = make_sandbox()
    base = sandbox.coordinates()["notion"]["base_url"]
    page_id = entry_id(sandbox, INTEGRATION)

    def edit(*values: str):
        return runner.invoke(
            cli,
            ["sandbox", "notion-edit", base, "--page-id", page_id, *(part for v in values for part in ("--set", v))],
        )

    done = edit("Trigger keywords=outage, status page", "Version=7", "Last revalidated=2026-11-20")
    assert done.exit_code == 0, done.output
    client = make_client(sandbox.credentials())  # as Notion answers it
    try:
        props = client.pages.retrieve(page_id)["properties"]
    finally:
        client.close()
    assert [option["name"] for option in props["Trigger keywords"]["multi_select"]] == ["outage", "status page"]
    assert props["Version"]["number"] == 7 and props["Last revalidated"]["date"]["start"] == "2026-11-20"

    wrong = edit("Version=seven")
    assert wrong.exit_code != 0 and "'Version' is a number column: 'seven' is not a number" in wrong.output
    people = edit("Owner=Sam Lee")
    assert people.exit_code != 0 and "'Owner' is a people column, which this command cannot set" in people.output
    assert "Traceback" not in wrong.output + people.output
