"""Credentials never leak: malformed tokens are refused when loaded, naming the variable; valid tokens go
through failing runs (401, 5xx, dropped connections, refused access, `--debug` traces) and appear nowhere in
stdout, stderr, the logs (debug, JSON and text) or the report file."""

from __future__ import annotations

import base64
import json
import logging
import traceback

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from sync.cli import cli
from sync.config import Credentials
from sync.errors import ApiFailure, ConfigError
from sync.redact import MASK, redact
from tests.e2e.helpers import write_real_job

# Shaped like the real thing, unique enough to grep for (and for their tell-tale middles).
NOTION_SECRET = "ntn_58210473929aB7dQxLeakCheckNotion0Zq"
CONFLUENCE_SECRET = "ATATT3xFfGF0LeakCheckConfluence9d8f7e6c5b4a"
USER_EMAIL = "sync-bot@example.com"
ENV = ("NOTION_TOKEN", "NOTION_BASE_URL", "CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN", "CONFLUENCE_FLAVOR")


def fragments() -> list[str]:
    basic = base64.b64encode(f"{USER_EMAIL}:{CONFLUENCE_SECRET}".encode()).decode()
    return [NOTION_SECRET, CONFLUENCE_SECRET, "LeakCheckNotion", "LeakCheckConfluence", basic]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for fragment in fragments():
            assert fragment not in text, f"a credential leaked: …{text[max(0, text.find(fragment) - 80) :][:200]}…"


@pytest.fixture
def real_job(make_sandbox, tmp_path, monkeypatch):
    """A job without `sandbox:` pointed at the emulators, which accept only the secrets above."""

    def start(flavor: str = "cloud", notion_token: str = NOTION_SECRET, confluence_token: str = CONFLUENCE_SECRET):
        sandbox = make_sandbox(flavor=flavor)
        sandbox.notion.token = NOTION_SECRET
        sandbox.confluence.state.api_user.api_token = CONFLUENCE_SECRET
        coords = sandbox.coordinates()
        config = write_real_job(sandbox, tmp_path)
        monkeypatch.chdir(tmp_path)
        for name in ENV:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("NOTION_TOKEN", notion_token)
        monkeypatch.setenv("NOTION_BASE_URL", coords["notion"]["base_url"])
        monkeypatch.setenv("CONFLUENCE_URL", coords["confluence"]["base_url"])
        monkeypatch.setenv("CONFLUENCE_TOKEN", confluence_token)
        monkeypatch.setenv("CONFLUENCE_FLAVOR", flavor)
        if flavor == "cloud":
            sandbox.confluence.state.api_user.email = USER_EMAIL
            monkeypatch.setenv("CONFLUENCE_USER", USER_EMAIL)
        return sandbox, config

    return start


def invoke(config, *extra: str, log_format: str = "json") -> tuple[int, str, str, str]:
    """Run the job with every output on: debug logs, the JSON report on stdout and in a file."""
    report = config.parent / "report.json"
    args = ["--log-level", "debug", "--log-format", log_format, *extra[:1], "run", "--config", str(config)]
    result = CliRunner().invoke(cli, [*args, "--job", "team", "--json", "--report", str(report), *extra[1:]])
    written = report.read_text(encoding="utf-8") if report.exists() else ""
    return result.exit_code, result.stdout, result.stderr, written


@pytest.mark.parametrize("variable", ["NOTION_TOKEN", "CONFLUENCE_TOKEN"])
@pytest.mark.parametrize("damage", ["\n", "\r\n", " ", "\t"], ids=["newline", "crlf", "trailing-space", "trailing-tab"])
def test_a_pasted_token_with_whitespace_is_a_config_error_naming_the_variable(real_job, variable, damage):
    secret = NOTION_SECRET if variable == "NOTION_TOKEN" else CONFLUENCE_SECRET
    tokens = {"notion_token": NOTION_SECRET, "confluence_token": CONFLUENCE_SECRET}
    tokens[variable.lower()] = secret + damage
    sandbox, config = real_job(**tokens)

    code, out, err, report = invoke(config)

    assert code == 2
    assert f"Error: {variable} contains whitespace or control characters" in err
    assert f"Fix: set {variable} again" in err
    assert_no_secret(out, err, report)
    # Refused before any request: never retried as a "connection failure".
    assert sandbox.notion.traffic.requests() == [] and sandbox.confluence.traffic.requests() == []


@pytest.mark.parametrize("value", ["ntn_abc\x07defghijkl", "ntn_abc defghijkl", "ntn_abc\x00defghijkl"])
def test_control_characters_anywhere_in_a_credential_are_refused_without_echoing_it(value):
    with pytest.raises(ConfigError) as raised:
        Credentials(notion_token=SecretStr(value))
    assert "NOTION_TOKEN" in raised.value.message and "defghijkl" not in raised.value.message


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_valid_tokens_stay_hidden_when_confluence_refuses_them(real_job, flavor):
    sandbox, config = real_job(flavor)
    sandbox.confluence.state.api_user.api_token = "some-other-token-123456"

    code, out, err, report = invoke(config, "--debug")

    assert code == 2
    assert "access refused" in err and "401" in err
    assert "Traceback" in err  # --debug shows the trace, causes included …
    assert_no_secret(out, err, report)  # … redacted like everything else


def test_valid_tokens_stay_hidden_when_notion_refuses_them(real_job):
    sandbox, config = real_job()
    sandbox.notion.token = "ntn_someoneelse000000000000000000"

    code, out, err, report = invoke(config, "--debug", log_format="text")

    assert code == 2 and "access refused" in err
    assert_no_secret(out, err, report)


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_valid_tokens_stay_hidden_through_server_errors_and_dropped_connections(real_job, flavor):
    sandbox, config = real_job(flavor)
    creates = "/wiki/api/v2/pages$" if flavor == "cloud" else "/rest/api/content$"
    # Creates are never repeated blindly: a 500 and a dropped connection fail their entries at once.
    from sync.sandbox.faults import Fault

    sandbox.confluence.traffic.add_fault(Fault(kind="status", status=500, method="POST", path=creates, times=1))
    sandbox.confluence.traffic.add_fault(Fault(kind="drop", method="POST", path=creates, times=1))

    code, out, err, report = invoke(config)

    assert code == 3
    if out.strip():  # a partial run reports; a run stopped by a failed index write says so on stderr
        assert json.loads(out)["totals"]["failed"] == 2 and json.loads(report)["exit_code"] == 3
    else:
        assert "Error:" in err
    assert '"status": 500' in err and "api request" in err  # the debug request lines are there …
    assert_no_secret(out, err, report)  # … and say nothing secret


def test_a_token_that_slips_past_loading_is_not_retried_and_not_printed(sandbox, run_demo, caplog):
    """Defence in depth: a credential built without validation still never goes out in a message."""
    bad = Credentials.model_construct(
        **{**dict(sandbox.credentials()), "notion_token": SecretStr(NOTION_SECRET + "\n")}
    )
    with caplog.at_level(logging.DEBUG, logger="scenario_sync"), pytest.raises(ApiFailure) as raised:
        run_demo(sandbox, credentials=dict(bad))
    trace = "".join(traceback.format_exception(raised.value))
    assert NOTION_SECRET in trace  # the library's own message has it: what the CLI prints goes through redact
    assert_no_secret(str(raised.value), redact(trace))
    # httpx refused the header before sending: one attempt per request, not six "connection failures" each
    # (the run starts its first Notion requests side by side, and Confluence's, which are logged too).
    notion = [r for r in caplog.records if r.getMessage() == "api request" and getattr(r, "api", "") == "notion"]
    assert notion and [r.retry for r in notion] == [0] * len(notion) and len(notion) <= 2
    assert sandbox.notion.traffic.requests() == []


def test_redact_hides_registered_values_and_token_shapes():
    Credentials(notion_token=SecretStr(NOTION_SECRET), confluence_token=SecretStr(CONFLUENCE_SECRET))
    text = f"Illegal header value b'Bearer {NOTION_SECRET}\\n' Authorization: Basic dXNlcjp0b2tlbjEyMzQ1Ng=="
    hidden = redact(text)
    assert NOTION_SECRET not in hidden and "dXNlcjp0b2tlbjEyMzQ1Ng" not in hidden and MASK in hidden
    assert redact("ATATT3xFfGF0unknown0000000000 and ntn_unknown00000000000000") == f"{MASK} and {MASK}"
    assert redact("Basic authentication failed for the token") == "Basic authentication failed for the token"


def test_valid_tokens_stay_hidden_when_reads_keep_failing_and_connections_drop(sandbox, run_demo, capsys):
    """Retried reads (5xx, then dropped connections) until the run gives up, with every log line on."""
    from sync import logs
    from sync.sandbox.faults import Fault

    sandbox.notion.token = NOTION_SECRET
    sandbox.confluence.state.api_user.api_token = CONFLUENCE_SECRET
    credentials = {"notion_token": SecretStr(NOTION_SECRET), "confluence_token": SecretStr(CONFLUENCE_SECRET)}
    sandbox.notion.traffic.add_fault(Fault(status=503, method="POST", path="/query$", times=3))
    sandbox.notion.traffic.add_fault(Fault(kind="drop", method="POST", path="/query$", times=3))
    logs.configure("debug", "json")
    try:
        with pytest.raises(ApiFailure) as raised:
            run_demo(sandbox, credentials=credentials)
        trace = redact("".join(traceback.format_exception(raised.value)))
    finally:
        logs.configure()
    err = capsys.readouterr().err
    retries = [json.loads(line)["retry"] for line in err.splitlines() if '"api request"' in line and "/query" in line]
    assert retries == [0, 1, 2, 3, 4, 5]  # six attempts, each logged
    assert_no_secret(err, trace, raised.value.message)


def test_a_broken_config_file_with_tokens_set_prints_neither(real_job):
    _, config = real_job()
    config.write_text("jobs: [\n  - name: team\n", encoding="utf-8")
    code, out, err, report = invoke(config)
    assert code == 2 and "not valid YAML" in err
    assert_no_secret(out, err, report)


def test_a_report_never_carries_a_credential_whatever_a_message_held():
    from datetime import UTC, datetime

    from sync.report import EntryReport, RunReport

    Credentials(notion_token=SecretStr(NOTION_SECRET))
    report = RunReport(job="team", flavor="cloud", dry_run=False, started_at=datetime.now(UTC))
    report.errors.append(f"status write-back failed: header 'Bearer {NOTION_SECRET}' refused")
    report.entries.append(EntryReport(page_id="p", title="t", outcome="failed", problems=[f"token {NOTION_SECRET}"]))
    assert_no_secret(json.dumps(report.to_json()))
