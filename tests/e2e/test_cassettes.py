"""Golden cassettes: the requests a full demo run sends, replayed with no emulator running. When the sync
sends anything else (another path, query or body, one request more or less) the replay fails: re-record
with `make cassettes` and review the cassette diff with the change."""

from __future__ import annotations

import base64
import re

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from sync.errors import SyncError
from sync.sandbox.runtime import NOTION_TOKEN
from tests.support.cassettes import (
    CONFLUENCE_PORT,
    FLAVORS,
    cassette_path,
    compare_shapes,
    data_source_of,
    demo_runs,
    make_vcr,
    record,
    replay_credentials,
    shapes,
)
from tests.support.report_schema import schema_errors

RERECORD = "the sync sends other requests than its golden cassette: run `make cassettes` and review the diff"


@pytest.mark.parametrize("flavor", FLAVORS)
def test_a_demo_run_sends_exactly_the_recorded_requests(flavor):
    with make_vcr().use_cassette(str(cassette_path(flavor)), allow_playback_repeats=False) as cassette:
        try:
            first, second = demo_runs(replay_credentials(flavor), data_source_of(flavor))
        except SyncError as error:  # a stage names the request no recorded interaction matches
            pytest.fail(f"{RERECORD}\n{error.message}")
        except CannotOverwriteExistingCassetteException as error:  # a request sent outside any stage
            pytest.fail(f"{RERECORD}\n{str(error)[:1500]}")
        unmatched = [p for r in (first, second) for e in r.entries if e.outcome == "failed" for p in e.problems]
        assert not unmatched and not first.errors and not second.errors, f"{RERECORD}: {unmatched}"
        unplayed = len(cassette) - cassette.play_count
        assert cassette.all_played, f"{RERECORD} ({unplayed} recorded requests were not sent)"

    assert first.confluence.writes > 0 and first.notion.writes > 0
    assert second.confluence.writes == second.notion.writes == 0  # the second run finds nothing to do
    assert first.totals.get("published") == second.totals.get("unchanged")
    for report in (first, second):
        assert schema_errors(report.to_json()) == []


@pytest.mark.parametrize("flavor", FLAVORS)
def test_cassettes_hold_no_credential_and_no_loopback_port(flavor):
    text = cassette_path(flavor).read_text(encoding="utf-8")
    basic = base64.b64encode(b"sync-bot@example.com:token-sync-bot").decode()
    for secret in (NOTION_TOKEN, "token-sync-bot", basic, "Bearer ", "Basic "):
        assert secret not in text
    assert "authorization" not in text.lower()
    assert "localhost" not in text
    assert {port for port in re.findall(r"127\.0\.0\.1:(\d+)", text)} <= {str(CONFLUENCE_PORT)}  # no random port


def test_recording_is_deterministic_so_a_diff_shows_only_real_changes(tmp_path):
    record("cloud", tmp_path / "a")
    record("cloud", tmp_path / "b")
    first = cassette_path("cloud", tmp_path / "a").read_text(encoding="utf-8")
    assert first == cassette_path("cloud", tmp_path / "b").read_text(encoding="utf-8")
    assert "token-sync-bot" not in first


def test_shapes_compare_statuses_and_key_paths_per_endpoint():
    emulated = shapes(cassette_path("cloud"))
    assert "GET /wiki/api/v2/spaces" in emulated and "PATCH /v1/pages/{id}" in emulated
    assert compare_shapes(emulated, emulated) == []

    live = {name: {"statuses": set(s["statuses"]), "keys": set(s["keys"])} for name, s in emulated.items()}
    live["GET /wiki/api/v2/spaces"]["keys"].add("results[].currentActiveAlias")
    live["PATCH /v1/pages/{id}"]["statuses"] = {200, 409}
    live["GET /wiki/rest/api/user/current"] = {"statuses": {200}, "keys": {"accountId"}}
    assert compare_shapes(emulated, live) == [
        "GET /wiki/api/v2/spaces: the emulator's answer lacks ['results[].currentActiveAlias']",
        "PATCH /v1/pages/{id}: status [200, 409] live, emulator [200]",
    ]
