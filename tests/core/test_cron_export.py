"""The snippets `cron export` prints, read back the way each scheduler reads them: YAML that loads, cron fields
croniter accepts, the job's time zone, no overlap, and credentials referenced by name, never by value."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from croniter import croniter

from sync.cli import cli
from sync.config import ConfluenceTarget, Job, NotionSource, SandboxSettings
from sync.cron_export import CREDENTIALS, Settings, export, on_calendar, resource_name
from sync.schedule import runs_between

CONFIG = Path("/srv/scenario-sync/scheduler.yaml")
SETTINGS = Settings(config=CONFIG, command=("/opt/venv/bin/scenario-sync",), version="0.1.0")
SECRET_VALUES = ("secret_real_notion_token_value", "confluence-api-token-value")


def job(name: str, schedule: str, timezone: str, mapping: str = "mappings/default.yaml") -> Job:
    return Job(
        name=name,
        schedule=schedule,
        timezone=timezone,
        mapping=CONFIG.parent / mapping,
        notion=NotionSource(data_source_id="ds-1"),
        confluence=ConfluenceTarget(space_key="SUP", parent_title="Walkthroughs"),
    )


JOBS = [
    job("Support EMEA", "0 6 * * 1-5", "Europe/Dublin"),
    job("support-us", "*/30 8-17 * * mon-fri", "America/New_York", "mappings/team-us.yaml"),
]


@pytest.fixture(autouse=True)
def secrets_in_the_environment(monkeypatch) -> None:
    """Real values sit in the environment while exporting: none may end up in a snippet."""
    monkeypatch.setenv("NOTION_TOKEN", SECRET_VALUES[0])
    monkeypatch.setenv("CONFLUENCE_TOKEN", SECRET_VALUES[1])


def _no_secret_values(text: str) -> None:
    assert not any(value in text for value in SECRET_VALUES)


def test_crontab_lines_have_valid_cron_fields_and_the_time_zone() -> None:
    text = export("crontab", JOBS, SETTINGS)
    _no_secret_values(text)
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "SHELL=/bin/sh"
    entries = lines[1:]
    assert entries[0::2] == ["CRON_TZ=Europe/Dublin", "CRON_TZ=America/New_York"]
    for entry, expected in zip(entries[1::2], JOBS, strict=True):
        fields = entry.split(None, 5)
        assert " ".join(fields[:5]) == expected.schedule and croniter.is_valid(" ".join(fields[:5]))
        command = shlex.split(fields[5])
        run = command[command.index("/opt/venv/bin/scenario-sync") :]
        assert run[:5] == ["/opt/venv/bin/scenario-sync", "run", "--config", str(CONFIG), "--job"]
        assert run[5] == expected.name  # quoted, though it has a space
        assert ". /etc/scenario-sync/scenario-sync.env" in fields[5]  # credentials from a file, by its name


def test_kubernetes_a_cronjob_per_job_forbidding_overlap_with_secrets_from_a_secret() -> None:
    text = export("kubernetes", JOBS, SETTINGS)
    _no_secret_values(text)
    documents = list(yaml.safe_load_all(text))
    assert [d["metadata"]["name"] for d in documents] == ["scenario-sync-support-emea", "scenario-sync-support-us"]
    for document, expected in zip(documents, JOBS, strict=True):
        assert document["apiVersion"] == "batch/v1" and document["kind"] == "CronJob"
        spec = document["spec"]
        assert croniter.is_valid(spec["schedule"]) and spec["schedule"] == expected.schedule
        assert spec["timeZone"] == expected.timezone
        assert spec["concurrencyPolicy"] == "Forbid"
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        (container,) = pod["containers"]
        assert container["command"] == [
            "scenario-sync",
            "run",
            "--config",
            "/config/scheduler.yaml",
            "--job",
            expected.name,
        ]
        assert container["envFrom"] == [{"secretRef": {"name": "scenario-sync"}}]
        assert "env" not in container
        items = {i["key"]: i["path"] for i in pod["volumes"][0]["configMap"]["items"]}
        assert items == {
            "scheduler.yaml": "scheduler.yaml",
            "mappings-default.yaml": "mappings/default.yaml",
            "mappings-team-us.yaml": "mappings/team-us.yaml",
        }
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", document["metadata"]["name"])
        assert len(document["metadata"]["name"]) <= 52
    assert "kubectl create secret generic scenario-sync --from-env-file" in text


def test_github_actions_a_workflow_per_job_in_its_time_zone_with_secrets_by_name() -> None:
    text = export("github-actions", JOBS, SETTINGS)
    _no_secret_values(text)
    workflows = list(yaml.safe_load_all(text))
    for workflow, expected in zip(workflows, JOBS, strict=True):
        (trigger,) = workflow["on"]["schedule"]  # "on" stays a string key (quoted), as YAML 1.1 would read `on:`
        assert trigger == {"cron": expected.schedule, "timezone": expected.timezone}
        assert croniter.is_valid(trigger["cron"])
        assert workflow["concurrency"] == {"group": resource_name(expected), "cancel-in-progress": False}
        steps = workflow["jobs"]["sync"]["steps"]
        run = next(step for step in steps if "env" in step)
        assert shlex.split(run["run"])[:6] == [
            "scenario-sync",
            "run",
            "--config",
            "scheduler.yaml",
            "--job",
            expected.name,
        ]
        assert run["env"] == {name: "${{ secrets." + name + " }}" for name in CREDENTIALS}
        assert any(step.get("run") == "pip install scenario-sync==0.1.0" for step in steps)
    # Not on the team's package index: a git URL instead, quoted for the shell.
    spec = "scenario-sync @ git+https://git.example.com/ops/scenario-sync@v0.1.0"
    text = export("github-actions", JOBS, replace(SETTINGS, package=spec))
    for workflow in yaml.safe_load_all(text):
        installs = [
            shlex.split(step["run"]) for step in workflow["jobs"]["sync"]["steps"] if "pip" in step.get("run", "")
        ]
        assert installs == [["pip", "install", spec]]
    assert f"installs {spec} with pip" in text


def test_systemd_a_oneshot_service_and_a_timer_per_job() -> None:
    text = export("systemd", JOBS, SETTINGS)
    _no_secret_values(text)
    units = dict(re.findall(r"^# ---- (\S+)\n(.*?)(?=^# ---- |\Z)", text, flags=re.M | re.S))
    assert set(units) == {f"{resource_name(j)}.{kind}" for j in JOBS for kind in ("service", "timer")}
    for expected in JOBS:
        service = configparser.ConfigParser(strict=False, interpolation=None)
        service.read_string(units[f"{resource_name(expected)}.service"])
        assert service["Service"]["Type"] == "oneshot"  # systemd never runs it twice at once
        assert service["Service"]["EnvironmentFile"] == "/etc/scenario-sync/scenario-sync.env"
        assert shlex.split(service["Service"]["ExecStart"])[-1] == expected.name
        assert service["Service"]["SuccessExitStatus"] == "1"
        timer = configparser.ConfigParser(strict=False, interpolation=None)
        timer.read_string(units[f"{resource_name(expected)}.timer"])
        assert timer["Timer"]["OnCalendar"].endswith(expected.timezone)
        assert timer["Timer"]["Persistent"] == "true"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 6 * * 1-5", ["Mon,Tue,Wed,Thu,Fri *-*-* 06:00:00 Europe/Dublin"]),
        ("*/30 8-17 * * *", ["*-*-* 08,09,10,11,12,13,14,15,16,17:00,30:00 Europe/Dublin"]),
        ("0 9 * * 7", ["Sun *-*-* 09:00:00 Europe/Dublin"]),
        ("0 0 1 */3 *", ["*-01,04,07,10-01 00:00:00 Europe/Dublin"]),
        # cron runs on the 1st OR on Mondays; systemd needs both values for that
        ("0 6 1 * mon", ["*-*-01 06:00:00 Europe/Dublin", "Mon *-*-* 06:00:00 Europe/Dublin"]),
    ],
)
def test_cron_to_on_calendar(expression, expected) -> None:
    assert on_calendar(expression, "Europe/Dublin") == expected


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
@pytest.mark.parametrize("expression", ["0 6 * * 1-5", "*/30 8-17 * * *", "15 7 1,15 * *", "0 6 1 * mon"])
def test_systemd_reads_the_timer_as_cron_does(expression) -> None:
    """systemd's own calendar parser gives the same next runs as croniter, away from a DST change."""
    base = datetime(2026, 11, 26, 12, tzinfo=UTC)
    expected = runs_between(expression, "America/New_York", base, datetime(2027, 3, 1, tzinfo=UTC))[:6]
    assert len(expected) == 6  # all before the clocks change on 14 March
    found: set[datetime] = set()
    for value in on_calendar(expression, "America/New_York"):
        out = subprocess.run(
            ["systemd-analyze", "calendar", "--iterations=6", f"--base-time={base:%Y-%m-%d %H:%M:%S} UTC", value],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TZ": "UTC", "SYSTEMD_COLORS": "0"},
        ).stdout
        stamps = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", out)
        found |= {datetime.fromisoformat(s).replace(tzinfo=UTC) for s in stamps}
    assert sorted(found)[:6] == expected


def test_the_command_exports_real_jobs_and_leaves_sandbox_jobs_out(tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text(
        "jobs:\n"
        "  - {name: demo, mapping: m.yaml, confluence: {space_key: SUP}, sandbox: {}}\n"
        "  - {name: emea, schedule: '0 6 * * 1-5', timezone: Europe/Dublin, mapping: m.yaml,"
        " confluence: {space_key: SUP}}\n"
    )
    result = CliRunner().invoke(cli, ["cron", "export", "--config", str(config), "--format", "kubernetes"])
    assert result.exit_code == 0, result.output
    documents = [d for d in yaml.safe_load_all(result.output) if d]
    assert [d["metadata"]["name"] for d in documents] == ["scenario-sync-emea"]
    named = CliRunner().invoke(cli, ["cron", "export", "--config", str(config), "--format", "crontab", "--job", "demo"])
    assert named.exit_code == 0 and "--job demo" in named.output
    unknown = CliRunner().invoke(cli, ["cron", "export", "--config", str(config), "--format", "systemd", "--job", "x"])
    assert unknown.exit_code == 2 and "no job named 'x'" in unknown.output


def test_a_sandbox_job_is_never_exported_with_credentials() -> None:
    sandbox = Job(
        name="demo", mapping=Path("m.yaml"), confluence=ConfluenceTarget(space_key="S"), sandbox=SandboxSettings()
    )
    assert "demo" in export("crontab", [sandbox], SETTINGS)
