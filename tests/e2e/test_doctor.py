"""`scenario-sync doctor` against the emulators with permissions taken away: each missing permission is
named with how to grant it, nothing is written (but one empty Notion update), and the exit code is 2."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from sync.cli import cli
from sync.doctor import diagnose
from tests.conftest import ROOT
from tests.e2e.helpers import real_job_env, write_real_job


def deny(base_url: str, permission: str) -> None:
    root = base_url.rstrip("/").removesuffix("/wiki")
    response = httpx.post(f"{root}/_sandbox/deny", json={"permission": permission})
    assert response.status_code == 200, response.text


def check(sandbox, demo_job, **credentials):
    creds = sandbox.credentials().model_copy(update=credentials)
    return {f.check: f for f in diagnose(demo_job, creds, sandbox.info["data_source_id"])}


def test_a_healthy_job_passes_every_check_and_leaves_nothing_behind(sandbox, demo_job, run_demo):
    run_demo(sandbox)  # managed pages exist: their edit permission is checked too
    sandbox.notion.traffic.clear()
    sandbox.confluence.traffic.clear()

    findings = check(sandbox, demo_job)

    assert all(f.ok for f in findings.values()), [f for f in findings.values() if not f.ok]
    cloud = sandbox.options.flavor == "cloud"
    assert ("Confluence archive" in findings) == cloud  # Data Center has no archive call
    assert "2 managed page(s)" in findings["Confluence update pages, labels and properties"].detail
    assert sandbox.confluence.traffic.writes() == []
    notion_writes = sandbox.notion.traffic.writes()
    assert [(w.method, w.path.rsplit("/", 2)[1]) for w in notion_writes] == [("PATCH", "data_sources")]


@pytest.mark.parametrize(
    ("permission", "failing", "fix"),
    [
        ("create:page", "Confluence create pages", "'Add pages'"),
        ("update:page", "Confluence update pages, labels and properties", "edit restrictions"),
        ("read:space", "Confluence space and parent", "'View' on space SUP"),
    ],
)
def test_a_missing_confluence_permission_is_named_with_its_grant(sandbox, demo_job, permission, failing, fix):
    deny(sandbox.confluence_base_url, permission)

    findings = check(sandbox, demo_job)

    broken = {name for name, f in findings.items() if not f.ok}
    assert broken == {failing}
    assert fix in findings[failing].fix
    assert all(f.ok for f in findings.values() if f.check.startswith("Notion"))


def test_archive_permission_is_checked_on_cloud(make_sandbox, demo_job):
    sandbox = make_sandbox(flavor="cloud")
    deny(sandbox.confluence_base_url, "archive:page")
    findings = check(sandbox, demo_job)
    assert {n for n, f in findings.items() if not f.ok} == {"Confluence archive"}
    assert "'Archive pages'" in findings["Confluence archive"].fix


@pytest.mark.parametrize(
    ("capability", "failing", "fix"),
    [
        ("update_content", "Notion write access", "'Update content' capability"),
        ("read_content", "Notion data source", "'Read content' capability"),
        ("read_comments", "Notion comments (reminders)", "'Read comments' and 'Insert comments' capabilities"),
    ],
)
def test_a_missing_notion_capability_is_named(make_sandbox, demo_job, capability, failing, fix):
    sandbox = make_sandbox(flavor="datacenter")
    deny(sandbox.notion_server.url, capability)

    findings = check(sandbox, demo_job)

    assert not findings[failing].ok and fix in findings[failing].fix
    assert findings["Confluence create pages"].ok  # the other side is still checked


def test_an_unshared_data_source_and_a_refused_token(make_sandbox, demo_job):
    sandbox = make_sandbox(flavor="cloud")
    httpx.post(
        f"{sandbox.notion_server.url}/_sandbox/share",
        json={"object_id": sandbox.info["data_source_id"], "shared": False},
    ).raise_for_status()
    findings = check(sandbox, demo_job)
    assert "share the database with the integration" in findings["Notion data source"].fix
    assert "Notion write access" not in findings  # meaningless without the data source

    findings = check(sandbox, demo_job, confluence_token=SecretStr("not-the-token"))
    assert not findings["Confluence space and parent"].ok
    assert "CONFLUENCE_USER / CONFLUENCE_TOKEN were refused" in findings["Confluence space and parent"].fix
    assert "Confluence create pages" not in findings


def test_status_columns_the_database_lacks(make_sandbox, demo_job, tmp_path):
    sandbox = make_sandbox(flavor="cloud")
    mapping = tmp_path / "team.yaml"
    text = (ROOT / "mappings" / "default.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("{property: Sync status, type: select}", "{property: Sync state, type: select}"))
    job = demo_job.model_copy(update={"mapping": mapping})

    findings = check(sandbox, job)

    column = findings["Notion status columns"]
    assert not column.ok and "'Sync state' (select)" in column.detail and "team.yaml" in column.fix


def test_the_command_exits_2_and_says_how_to_grant_what_is_missing(make_sandbox, tmp_path, monkeypatch):
    sandbox = make_sandbox(flavor="datacenter")
    coords = sandbox.coordinates()
    config = write_real_job(sandbox, tmp_path)
    for name, value in real_job_env(sandbox).items():
        monkeypatch.setenv(name, value)
    args = ["doctor", "--config", str(config), "--job", "team"]

    healthy = CliRunner().invoke(cli, args)
    assert healthy.exit_code == 0, healthy.output
    assert "MISSING" not in healthy.output

    deny(coords["confluence"]["base_url"], "create:page")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "MISSING Confluence create pages: may not add pages" in result.stdout
    assert "Fix: in space SUP, Space settings → Permissions: give the user 'Add pages'" in result.stdout
    assert coords["confluence"]["token"] not in result.output and coords["notion"]["token"] not in result.output

    as_json = CliRunner().invoke(cli, [*args, "--json"])
    findings = {f["check"]: f for f in json.loads(as_json.stdout)}
    assert as_json.exit_code == 2 and not findings["Confluence create pages"]["ok"]
    assert findings["Notion token"]["ok"] and findings["Confluence create pages"]["fix"].endswith("'Add pages'")


def test_sandbox_deny_takes_a_permission_from_the_command_line(make_sandbox, demo_job):
    sandbox = make_sandbox(flavor="cloud")
    result = CliRunner().invoke(cli, ["sandbox", "deny", sandbox.confluence_base_url, "--permission", "update:page"])
    assert result.exit_code == 0 and '"denied": ["update:page"]' in result.output
    assert not check(sandbox, demo_job)["Confluence update pages, labels and properties"].ok

    CliRunner().invoke(cli, ["sandbox", "deny", sandbox.confluence_base_url, "--permission", "update:page", "--allow"])
    assert check(sandbox, demo_job)["Confluence update pages, labels and properties"].ok
    refused = CliRunner().invoke(cli, ["sandbox", "deny", sandbox.notion_server.url, "--permission", "nope"])
    assert refused.exit_code == 1 and "unknown permission 'nope'" in refused.stderr


def test_every_doctor_command_has_help_with_an_example():
    for command in (["doctor"], ["sandbox", "deny"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert result.exit_code == 0 and "Example" in result.output
