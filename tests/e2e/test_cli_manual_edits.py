"""The manual-edit policy from the command line: `manual_edits` in scheduler.yaml, `--keep-manual-edits` for a run."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sync.cli import cli
from tests.e2e.helpers import INTEGRATION, pages, real_job_env, write_real_job


@pytest.fixture
def team(make_sandbox, tmp_path, monkeypatch):
    """A real job (credentials from the environment) against a sandbox, and a way to write its config."""
    sandbox = make_sandbox()
    monkeypatch.chdir(tmp_path)
    for name, value in real_job_env(sandbox).items():
        monkeypatch.setenv(name, value)

    def config(extra: str = "") -> str:
        return str(write_real_job(sandbox, tmp_path, extra))

    return sandbox, config


def _run(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["run", "--job", "team", "--json", *args])
    assert result.exit_code == 1, result.output  # the demo's one broken entry
    return json.loads(result.output)


def _integration(report: dict) -> dict:
    return next(e for e in report["entries"] if e["title"] == INTEGRATION)


def test_keep_manual_edits_for_one_run_then_restore_by_default(team) -> None:
    sandbox, config = team
    path = config()
    _run("--config", path)
    page = pages(sandbox)[INTEGRATION]
    state = sandbox.confluence.state
    state.human_edit(page.id, state.add_user("Dana Editor", "dana@example.com", "dana"), body="<p>Dana</p>")

    kept = _integration(_run("--config", path, "--keep-manual-edits"))
    assert kept["action"] == "keep-edit" and "Dana Editor" in kept["action_reason"]
    assert state.pages[page.id].body == "<p>Dana</p>"
    restored = _integration(_run("--config", path))
    assert restored["action"] == "restore-edit" and state.pages[page.id].body != "<p>Dana</p>"


def test_manual_edits_keep_in_scheduler_yaml(team) -> None:
    sandbox, config = team
    path = config("    manual_edits: keep\n")
    _run("--config", path)
    page = pages(sandbox)[INTEGRATION]
    state = sandbox.confluence.state
    state.human_edit(page.id, state.add_user("Dana Editor", "dana@example.com", "dana"), body="<p>Dana</p>")
    assert _integration(_run("--config", path))["action"] == "keep-edit"


def test_an_unknown_policy_names_the_key_and_the_choices(team) -> None:
    _, config = team
    result = CliRunner().invoke(cli, ["run", "--config", config("    manual_edits: ignore\n"), "--job", "team"])
    assert result.exit_code == 2
    assert "job 'team': manual_edits" in result.output and "'restore' or 'keep'" in result.output
