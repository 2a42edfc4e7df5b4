"""The package as a team installs it: built into a wheel, installed into a fresh virtual environment, run from
an empty folder. The package comes from the wheel, never the source tree; only its dependencies are borrowed
from the project's environment (a .pth line), so the test needs no network and stays fast."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

from sync.config import load_schedule
from sync.starter import STARTER_SCHEDULE, default_mapping
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv with the wheel installed into it."""
    base = tmp_path_factory.mktemp("install")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", base / "dist", ROOT],
        check=True,
        capture_output=True,
    )
    wheel = next((base / "dist").glob("scenario_sync-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # The dependencies only: .pth files in that folder (the project's editable install) are not read from here.
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTION_", "CONFLUENCE_", "PYTHON"))}
    return subprocess.run(
        [bin_dir / "scenario-sync", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_package_comes_from_the_wheel_with_its_defaults(installed, tmp_path) -> None:
    where = subprocess.run(
        [
            installed / "python",
            "-c",
            "import sync, sync.starter as s; print(sync.__file__); print(s.default_mapping())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(path.startswith(str(installed.parent)) for path in where), where
    assert Path(where[1]).read_text() == default_mapping().read_text()  # the one source, shipped as is


def test_demo_works_from_an_empty_folder(installed, tmp_path) -> None:
    result = _run(installed, "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Second run: 0 Confluence writes, 0 Notion writes." in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(line.startswith("sandbox · ") for line in lines)
    assert list(tmp_path.iterdir()) == []  # the demo leaves nothing behind


def test_init_then_the_starter_jobs_run(installed, tmp_path) -> None:
    result = _run(installed, "init", "team", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "team"
    assert (folder / "mappings" / "default.yaml").read_text() == default_mapping().read_text()
    assert _run(installed, "init", "team", cwd=tmp_path).returncode == 2  # never overwrites silently

    sandbox = _run(installed, "run", "--job", "sandbox-demo", cwd=folder)
    assert sandbox.returncode == 1, sandbox.stderr  # the demo data has one entry with a problem on purpose
    assert "Entries: 2 published, 2 held, 1 problem" in sandbox.stdout

    real = _run(installed, "plan", "--job", "my-team", cwd=folder)
    assert real.returncode == 2
    assert "missing environment variables: NOTION_TOKEN" in real.stderr


def test_the_starter_is_valid_and_has_a_sandbox_and_a_real_job() -> None:
    jobs = load_schedule(STARTER_SCHEDULE).jobs
    assert [job.sandbox is not None for job in jobs] == [True, False]
    real = yaml.safe_load(STARTER_SCHEDULE.read_text())["jobs"][1]
    assert set(real) >= {"schedule", "timezone", "mapping", "notion", "confluence"}
