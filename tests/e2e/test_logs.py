"""Logs and progress as an operator sees them: JSON lines on stderr with one run id, a line per API request
and per entry decision, the `--json` report alone on stdout; progress reported by the run's stages."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sync.cli import cli
from tests.conftest import ROOT

CONFIG = str(ROOT / "scheduler.yaml")


def test_json_logs_go_to_stderr_with_one_run_id_and_the_report_stays_alone_on_stdout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["--log-level", "debug", "--log-format", "json", "run", "--config", CONFIG, "--job", "demo", "--json"]
    )
    report = json.loads(result.stdout)  # nothing but the report
    lines = [json.loads(line) for line in result.stderr.splitlines()]

    assert {line["run_id"] for line in lines} == {report["run_id"]}
    assert report["run_id"].startswith("sandbox-")  # a sandbox job's log lines say so too
    requests = [line for line in lines if line["msg"] == "api request"]
    assert len(requests) >= report["notion"]["requests"] + report["confluence"]["requests"]
    assert {(r["api"], r["method"], r["status"]) for r in requests} >= {
        ("notion", "POST", 200),
        ("confluence", "GET", 200),
    }
    assert all(r["path"].startswith(("/v1/", "/wiki/")) and r["duration_ms"] >= 0 and r["retry"] == 0 for r in requests)

    decisions = {line["page_id"]: line for line in lines if line["logger"] == "scenario_sync.run"}
    assert {e["page_id"]: e["outcome"] for e in report["entries"]} == {k: v["outcome"] for k, v in decisions.items()}
    assert all(line["level"] == "info" for line in decisions.values())


def test_text_logs_at_info_leave_out_the_request_lines(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--log-level", "info", "run", "--config", CONFIG, "--job", "demo"])
    decisions = [line for line in result.stderr.splitlines() if " INFO run=" in line]
    assert decisions and all("scenario_sync.run: entry " in line for line in decisions)
    assert len({line.split(": entry ", 1)[1].rsplit(":", 1)[0] for line in decisions}) == 5  # each entry decided
    assert "api request" not in result.stderr


def test_a_retried_request_says_which_retry_it_was(sandbox, run_demo, caplog):
    from sync.sandbox.faults import Fault

    sandbox.notion.traffic.add_fault(Fault(status=503, method="POST", path="/query$", times=2))
    with caplog.at_level("DEBUG", logger="scenario_sync"):
        run_demo(sandbox)
    queries = [r for r in caplog.records if r.getMessage() == "api request" and r.path.endswith("/query")]
    assert [(q.retry, q.status) for q in queries] == [(0, 503), (1, 503), (2, 200)]


def test_the_stages_report_their_progress(sandbox, run_demo):
    seen: list[tuple[str, int, int | None]] = []
    report, _ = run_demo(sandbox, progress=lambda stage, done, total=None: seen.append((stage, done, total)))
    stages = [s for s, _, _ in seen]
    assert stages.index("read Notion") < stages.index("apply")
    assert [(d, t) for s, d, t in seen if s == "read Notion"] == [(len(report.entries), None)]  # one page of 100
    entries = len(report.entries)
    applied = [(d, t) for s, d, t in seen if s == "apply"]
    assert applied[-1] == (entries, entries) and all(t == entries for _, t in applied)


def test_requests_made_from_a_worker_thread_keep_the_run_id(capsys):
    from concurrent.futures import ThreadPoolExecutor

    from sync import logs
    from sync.retry import ApiCaller

    logs.configure("debug", "json")
    try:
        with logs.run_context("run-1234"):
            caller = ApiCaller("notion", sleep=lambda _: None)
        with ThreadPoolExecutor(1) as pool:  # a new thread starts without the run's context
            pool.submit(caller.call, lambda: None, idempotent=True).result()
    finally:
        logs.configure()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(line["msg"], line["run_id"]) for line in lines] == [("api request", "run-1234")]
