"""Every exit code, from the command line, as cron sees it: 0 all good, 1 entry problems (a title collision is
one), 2 configuration/permission/authentication with what to fix, 3 partial failure, 4 lock held, 130 Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.errors import EXIT_CODES, ExitCode, worst
from sync.sandbox.faults import Fault
from sync.sandbox.seed import SPACE_KEY
from tests.conftest import ROOT
from tests.e2e.helpers import real_job_env

MAPPING = ROOT / "mappings" / "default.yaml"
APPROVED = "Customer says a critical integration is down right now"


def _config(path: Path, coords: dict, **overrides: str) -> Path:
    values = {
        "mapping": str(MAPPING),
        "data_source_id": coords["notion"]["data_source_id"],
        "space_key": SPACE_KEY,
        "parent": f'parent_page_id: "{coords["confluence"]["parent_page_id"]}"',
        **overrides,
    }
    path.write_text(
        f"""
jobs:
  - name: team
    mapping: {values["mapping"]}
    notion: {{data_source_id: "{values["data_source_id"]}"}}
    confluence: {{space_key: {values["space_key"]}, {values["parent"]}}}
"""
    )
    return path


class RealJob:
    """A real (non-sandbox) job pointed at the running emulators through the environment, as a team runs one."""

    def __init__(self, sandbox, folder: Path) -> None:
        self.sandbox, self.folder = sandbox, folder
        self.coords = sandbox.coordinates()
        self.env = real_job_env(sandbox)
        self.config = _config(folder / "scheduler.yaml", self.coords)

    def run(self, *args: str, env: dict[str, str] | None = None, **overrides: str):
        config = _config(self.folder / "scheduler.yaml", self.coords, **overrides) if overrides else self.config
        runner = CliRunner()
        return runner.invoke(
            cli, ["run", "--config", str(config), "--job", "team", *args], env={**self.env, **(env or {})}
        )

    def trash_the_broken_entry(self) -> None:
        """The demo seeds one entry with a required field left empty; without it every entry is fine."""
        first = json.loads(self.run("--json", "--dry-run").output)
        broken = next(e["page_id"] for e in first["entries"] if e["outcome"] == "problem")
        self.sandbox.notion.state.update_page(broken, in_trash=True)


@pytest.fixture(params=["cloud", "datacenter"])
def real_job(request, make_sandbox, tmp_path, monkeypatch) -> RealJob:
    monkeypatch.chdir(tmp_path)
    for name in ("NOTION_TOKEN", "CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN", "CONFLUENCE_FLAVOR"):
        monkeypatch.delenv(name, raising=False)
    return RealJob(make_sandbox(flavor=request.param), tmp_path)


def test_the_codes_are_documented_in_help_once() -> None:
    for command in ([], ["run"]):
        text = " ".join(CliRunner().invoke(cli, [*command, "--help"]).output.split())
        for code, meaning in EXIT_CODES.items():
            assert f"{int(code)} {meaning}" in text
    readme = (ROOT / "README.md").read_text()
    for code in EXIT_CODES:
        assert f"| `{int(code)}` |" in readme


def test_worst_code_of_several_runs_is_the_one_that_most_needs_a_person() -> None:
    assert worst([0, 4, 1]) == 1
    assert worst([1, 3, 4]) == 3
    assert worst([3, 2, 0]) == 2
    assert worst([2, 130]) == 130
    assert worst([0, 4]) == 4
    assert worst([]) == 0


def test_0_all_good(real_job) -> None:
    real_job.trash_the_broken_entry()
    result = real_job.run()
    assert result.exit_code == ExitCode.OK, result.output
    assert "Entries: 2 published, 2 held" in result.output


def test_1_an_entry_with_a_problem(real_job) -> None:
    result = real_job.run()
    assert result.exit_code == ExitCode.ENTRY_PROBLEMS, result.output
    assert "4 Escalation rule: it is empty" in result.output


def test_1_a_title_collision_is_an_entry_problem_not_a_failure(real_job) -> None:
    real_job.trash_the_broken_entry()
    state = real_job.sandbox.confluence.state
    state.create_page(
        SPACE_KEY, APPROVED, "<p>Someone else's page</p>", real_job.coords["confluence"]["parent_page_id"]
    )
    result = real_job.run("--json")
    assert result.exit_code == ExitCode.ENTRY_PROBLEMS, result.output
    report = json.loads(result.output)
    clash = next(e for e in report["entries"] if e["title"] == APPROVED)
    assert clash["outcome"] == "problem"
    assert "already exists" in clash["problems"][0] and "rename the entry" in clash["problems"][0]
    assert report["totals"] == {"published": 1, "held": 2, "problem": 1}


CONFIG_ERRORS = {
    "space key": ({"space_key": "NOPE"}, {}, "Confluence space NOPE does not exist", "confluence.space_key"),
    "parent page": (
        {"parent": 'parent_page_id: "999999"'},
        {},
        "Confluence page 999999 (confluence.parent_page_id) does not exist",
        "confluence.parent_page_id",
    ),
    "parent title": (
        {"parent": 'parent_title: "No such parent"'},
        {},
        "no page titled 'No such parent' in space SUP",
        "parent_page_id",
    ),
    "data source": (
        {"data_source_id": "5f2b0d3c-0000-4000-8000-000000000000"},
        {},
        "Notion data source 5f2b0d3c-0000-4000-8000-000000000000 does not exist or is not shared",
        "Connections",
    ),
    "flavor": ({}, {"CONFLUENCE_FLAVOR": "server"}, "CONFLUENCE_FLAVOR: Input should be 'cloud' or 'datacenter'", ""),
    "notion token": ({}, {"NOTION_TOKEN": "secret_wrong"}, "reading Notion: access refused", "token"),
    "sandbox option": ({}, {}, "--confluence-flavor applies only to sandbox jobs", "CONFLUENCE_FLAVOR"),
}


@pytest.mark.parametrize("case", CONFIG_ERRORS, ids=str)
def test_2_configuration_names_what_to_fix(real_job, case) -> None:
    overrides, env, message, fix = CONFIG_ERRORS[case]
    args = ["--confluence-flavor", "cloud"] if case == "sandbox option" else []
    result = real_job.run(*args, env=env, **overrides)
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert f"Error: {message}" in result.output
    assert "Fix:" in result.output and fix in result.output
    assert "unexpected" not in result.output
    assert real_job.sandbox.confluence.traffic.writes() == []


def test_2_a_permission_the_confluence_user_lacks(real_job) -> None:
    real_job.sandbox.confluence.traffic.add_fault(Fault(status=403, path="space", times=10))
    result = real_job.run()
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert "Error: reading Confluence: access refused" in result.output and "permissions" in result.output


def test_2_the_data_source_not_shared_with_the_integration(real_job) -> None:
    real_job.sandbox.notion.state.set_shared(real_job.coords["notion"]["data_source_id"], False)
    result = real_job.run()
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert "is not shared with the integration" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nfields: [unclosed\n", "not valid YAML at line 3"),
        ("name: x\nfields: {}\n", "fields.title: Field required"),
    ],
    ids=["syntax", "schema"],
)
def test_2_a_broken_mapping_file_names_file_and_place(real_job, tmp_path, text, message) -> None:
    mapping = tmp_path / "broken.yaml"
    mapping.write_text(text)
    result = real_job.run(mapping=str(mapping))
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert f"Error: {mapping}: {message}" in result.output


def test_3_an_api_that_kept_failing(real_job) -> None:
    real_job.sandbox.confluence.traffic.add_fault(Fault(status=500, method="POST", path=r"(pages|content)$"))
    result = real_job.run()
    assert result.exit_code == ExitCode.PARTIAL, result.output
    assert "failed" in result.output and "HTTP 500" in result.output


def test_4_lock_held(real_job) -> None:
    lock = pytest.importorskip("sync.lock", reason="the job lock is not built yet")
    from sync.confluence import connect
    from sync.retry import ApiCaller

    real_job.run()  # the first run makes the job's index page, which carries the lease
    index = next(
        page
        for page in real_job.sandbox.confluence.state.pages.values()
        if (
            page.properties.get("scenario-sync-role") and page.properties["scenario-sync-role"].value["role"] == "index"
        )
    )
    adapter = connect(real_job.sandbox.credentials(), ApiCaller("confluence"))
    lock.Lease(adapter, index.id, lambda: datetime.now(UTC), holder="4242-cron", host="cron-2").acquire()
    notion = real_job.sandbox.notion.state  # an edit, so the next run has something to write (and needs the lease)
    edited = next(page_id for page_id, page in notion.pages.items() if page.data_source_id)
    notion.update_page(edited, {"Goal": {"rich_text": [{"text": {"content": "A new goal."}}]}})
    result = real_job.run()
    assert result.exit_code == ExitCode.LOCK_HELD, result.output
    assert "4242-cron on cron-2" in result.output and "Fix:" in result.output


_WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler);"
    " runpy.run_module('sync', run_name='__main__', alter_sys=True)"
)


def test_130_ctrl_c_during_a_run(make_sandbox, tmp_path) -> None:
    job = RealJob(make_sandbox(flavor="cloud"), tmp_path)
    traffic = job.sandbox.notion.traffic
    release = threading.Event()
    traffic.sleep = lambda seconds: release.wait(seconds)  # the slow answer waits until the test lets it go
    traffic.add_fault(Fault(kind="slow", delay=60, method="POST", path="/query$"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTION_", "CONFLUENCE_"))} | job.env
    process = subprocess.Popen(
        # As from a terminal: Ctrl-C at its default. A process inherits an ignored SIGINT (the test runner's
        # worker process may be ignoring it), and Python then never turns Ctrl-C into KeyboardInterrupt.
        [sys.executable, "-c", _WITH_CTRL_C, "run", "--config", str(job.config), "--job", "team"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        arrived = threading.Event()
        for _ in range(400):  # the run is inside its Notion query when Ctrl-C comes
            if traffic.requests(method="POST", path="/query$") or arrived.wait(0.05):
                break
        assert traffic.requests(method="POST", path="/query$"), "the run never reached its query"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == ExitCode.INTERRUPTED, err
    assert "Error: interrupted" in err and "Traceback" not in err
    assert job.sandbox.confluence.traffic.writes() == []
