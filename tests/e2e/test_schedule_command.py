"""`scenario-sync schedule` as an operator runs it: a process that logs each job's next run, reloads its
config on SIGHUP (keeping the old jobs when the new file is broken) and stops cleanly on SIGTERM; and the
runs it starts are real runs."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from sync.cli_schedule import _executor
from sync.schedule import Scheduler
from sync.starter import demo_job
from tests.conftest import ROOT

JOB = "  - {{name: {name}, schedule: '0 0 1 1 *', timezone: {zone}, mapping: m.yaml, confluence: {{space_key: S}}}}\n"


class Process:
    def __init__(self, config: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTION_", "CONFLUENCE_"))}
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "sync", "schedule", "--config", str(config)],
            cwd=config.parent,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.lines.put(line)

    def expect(self, text: str) -> str:
        seen = []
        while True:
            line = self.lines.get(timeout=30)
            seen.append(line)
            if text in line:
                return line
            assert "Traceback" not in line, "".join(seen)


def test_sighup_reloads_and_sigterm_stops(tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text("jobs:\n" + JOB.format(name="alpha", zone="Europe/Dublin"))
    process = Process(config)
    try:
        assert "2027-01-01 00:00 GMT" in process.expect("job alpha: next run")

        config.write_text("jobs:\n" + JOB.format(name="alpha", zone="UTC") + JOB.format(name="beta", zone="Asia/Tokyo"))
        process.popen.send_signal(signal.SIGHUP)
        process.expect("reloading the config")
        assert "2027-01-01 00:00 UTC" in process.expect("job alpha: next run")
        assert "2027-01-01 00:00 JST (15:00 UTC)" in process.expect("job beta: next run")

        config.write_text("jobs: [unclosed\n")
        process.popen.send_signal(signal.SIGHUP)
        assert "not valid YAML at line 2" in process.expect("config not reloaded, keeping the previous jobs")

        process.popen.send_signal(signal.SIGTERM)
        process.expect("stopped")
        assert process.popen.wait(timeout=30) == 0
    finally:
        if process.popen.poll() is None:
            process.popen.kill()


def test_ctrl_c_stops_the_scheduler_with_130(tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text("jobs:\n" + JOB.format(name="alpha", zone="UTC"))
    process = Process(config)
    try:
        process.expect("job alpha: next run")
        process.popen.send_signal(signal.SIGINT)
        assert process.popen.wait(timeout=30) == 130
    finally:
        if process.popen.poll() is None:
            process.popen.kill()


def test_a_broken_config_at_start_is_a_configuration_error(tmp_path) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text("jobs:\n" + JOB.format(name="alpha", zone="Mars/Olympus"))
    result = subprocess.run(
        [sys.executable, "-m", "sync", "schedule", "--config", str(config)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 2
    assert "job 'alpha': timezone: Value error, unknown time zone 'Mars/Olympus'" in result.stderr


def test_a_scheduled_run_is_a_real_run_with_its_report(tmp_path, caplog) -> None:
    caplog.set_level("INFO", "sync.schedule")
    job = demo_job(tmp_path / "state").model_copy(update={"schedule": "*/15 * * * *"})
    scheduler = Scheduler(
        lambda: [job], _executor(tmp_path / "reports"), clock=lambda: datetime(2026, 11, 30, tzinfo=UTC)
    )
    scheduler.configure()
    assert scheduler.tick(datetime(2026, 11, 30, 0, 15, tzinfo=UTC)) == ["demo"]
    scheduler.join()
    assert scheduler.slots["demo"].last_code == 1  # the demo data has one entry with a problem on purpose
    (report,) = (tmp_path / "reports" / "demo").glob("*.json")
    data = json.loads(report.read_text())
    assert data["sandbox"] is True and data["totals"] == {"published": 2, "held": 2, "problem": 1}
    assert "job demo (sandbox): 2 published, 2 held, 1 problem; 0 errors" in caplog.text
