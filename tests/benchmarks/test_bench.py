"""The benchmark harness itself, at a tiny size and a fast clock, so it cannot rot (the benchmark is `make
bench`; this checks the harness's counting and arithmetic, not the sync's speed)."""

from __future__ import annotations

import pytest

from benchmarks.bench import (
    HEADER,
    RUNS,
    Limits,
    Settings,
    floor_seconds,
    markdown,
    measure_size,
    no_change_budget,
    read_chains,
)
from benchmarks.bench import _log_counts as log_counts
from sync.sandbox.faults import RequestRecord, Traffic

LIMITS = Limits(180, 60.0, 20.0, 40, 10.0, 10)


def test_floor_is_the_tightest_of_the_limits_and_says_which() -> None:
    settings = Settings(notion_latency_ms=100, confluence_latency_ms=200, inflight=4)
    # 361 Notion requests need three windows of 180: two full minutes of waiting at least.
    assert floor_seconds(361, 0, 4, 0, settings, LIMITS) == (120.0, "Notion budget")
    # 1,040 Confluence requests: 40 at once, the other 1,000 at 20/s = 50 s; latency: the chain of 1 + max(1, 1)
    # reads in a row, the other 1,038 four at a time: (2 + 1,038/4) x 0.2 = 52.3 s.
    seconds, bound = floor_seconds(0, 1040, 0, 1, settings, LIMITS)
    assert bound == "Confluence latency" and seconds == pytest.approx((2 + 1038 / 4) * 0.2)
    # A no-change run over 1,000 entries: Confluence's space, parent and index page at once, then ten listing
    # pages in a row (the manifest beside them): 14 requests, 11 in a row, the other three beside them;
    # Notion's schema and ten pages take 11 x 0.1 s.
    assert floor_seconds(11, 14, 10, 10, settings, LIMITS) == (pytest.approx((11 + 3 / 4) * 0.2), "Confluence latency")
    assert floor_seconds(11, 11, 10, 10, settings, LIMITS)[0] == pytest.approx(11 * 0.2)  # only the chain: bound by it
    # A small library: its one listing page goes beside the manifest.
    assert read_chains(1, 1) == (2, 2)


def test_the_listing_counted_is_the_search_by_the_managed_label() -> None:
    traffic = Traffic()
    for query in (
        "cql=space+%3D+%22SUP%22+and+type+%3D+page+and+title+%3D+%22Scenario+index+%28demo%29%22",
        "cql=space+%3D+%22SUP%22+and+label+%3D+%22scenario-sync-managed%22+and+ancestor+%3D+65539",
        "cql=space+%3D+%22SUP%22+and+label+%3D+%22scenario-sync-managed%22+and+ancestor+%3D+65539&cursor=abc",
    ):
        traffic.record(RequestRecord("GET", "/wiki/rest/api/content/search", query, 200))
    traffic.record(RequestRecord("GET", "/wiki/api/v2/spaces", "keys=SUP", 200))
    assert log_counts(traffic)["listing"] == 2 and log_counts(traffic)["answered"] == 4  # two listing pages


def test_no_change_budget_is_one_listing_page_per_hundred_plus_five() -> None:
    assert [no_change_budget(n) for n in (5, 100, 101, 5000)] == [6, 6, 7, 55]


def test_harness_measures_three_runs_at_a_tiny_size() -> None:
    settings = Settings(sizes=(5,), time_scale=50, notion_latency_ms=20, confluence_latency_ms=20)
    lines: list[str] = []
    first, unchanged, changed = measure_size(5, settings, LIMITS, lines.append)

    assert [m.run for m in (first, unchanged, changed)] == list(RUNS) and len(
        [line for line in lines if line.startswith("|")]
    ) == 3
    published = first.totals.get("published", 0)
    assert published >= 1 and first.confluence_writes >= published
    assert first.notion == first.report_requests["notion"]  # the emulator's log and the run report agree
    assert unchanged.notion_writes == unchanged.confluence_writes == 0
    assert unchanged.totals.get("unchanged") == published
    assert changed.totals.get("published") == 1  # 1% of 5 entries, rounded up
    for m in (first, unchanged, changed):
        assert m.floor > 0 and m.seconds > 0 and m.bound and 0 < m.peak_rss_mb < 1000
    table = markdown([first, unchanged, changed], settings, LIMITS, 1.0, (0.5, 0.5, 0.5))
    assert HEADER in table and "| 5 | no change |" in table and "time scale 50x" in table
