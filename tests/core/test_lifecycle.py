"""The revalidation lifecycle, table-driven: every state and boundary, with the clock as an input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync.config import RevalidationPolicy
from sync.lifecycle import gone, local_date, retired, standing

POLICY = RevalidationPolicy(window_days=90, remind_before_days=14, grace_days=0)
LAST = date(2026, 8, 3)  # due 2026-11-01


@pytest.mark.parametrize(
    ("today", "policy", "state", "reason"),
    [
        (date(2026, 10, 17), POLICY, "current", "revalidation due 2026-11-01 (last revalidated 2026-08-03)"),
        # 14 days before the due date: the first day of reminders
        (
            date(2026, 10, 18),
            POLICY,
            "due_soon",
            "revalidation due in 14 days (2026-11-01; window 90 days, last revalidated 2026-08-03)",
        ),
        (date(2026, 10, 23), POLICY, "due_soon", "revalidation due in 9 days"),
        (date(2026, 11, 1), POLICY, "due_soon", "revalidation due today"),
        # no grace: the day after the due date archives
        (
            date(2026, 11, 13),
            POLICY,
            "expired",
            "archive: owner revalidation overdue by 12 days (window 90 days, last revalidated 2026-08-03)",
        ),
        (date(2026, 11, 2), POLICY, "expired", "overdue by 1 day"),
        # with grace: overdue, still live, until the grace period is over
        (
            date(2026, 11, 2),
            RevalidationPolicy(grace_days=7),
            "overdue",
            "owner revalidation overdue by 1 day: archived in 7 days unless revalidated",
        ),
        (date(2026, 11, 8), RevalidationPolicy(grace_days=7), "overdue", "archived in 1 day unless revalidated"),
        (date(2026, 11, 9), RevalidationPolicy(grace_days=7), "expired", "overdue by 8 days"),
        # a shorter window and lead time
        (date(2026, 8, 31), RevalidationPolicy(window_days=30, remind_before_days=3), "due_soon", "due in 2 days"),
        (date(2026, 8, 29), RevalidationPolicy(window_days=30, remind_before_days=3), "current", "due 2026-09-02"),
    ],
)
def test_revalidation_states(today, policy, state, reason) -> None:
    result = standing(LAST, None, today, policy)
    assert result.state == state
    assert reason in result.reason
    assert result.archive == (state == "expired")
    assert result.remind == (state in ("due_soon", "overdue", "expired"))


def test_never_revalidated_counts_from_first_approval() -> None:
    result = standing(None, date(2026, 1, 10), date(2026, 4, 20), POLICY)
    assert result.state == "expired"
    assert result.reason == (
        "archive: owner revalidation overdue by 10 days (window 90 days, never revalidated, approved 2026-01-10)"
    )
    assert standing(None, date(2026, 1, 10), date(2026, 3, 1), POLICY).state == "current"


def test_approved_only_now_starts_its_window_today() -> None:
    assert standing(None, None, date(2030, 2, 28), POLICY).due == date(2030, 5, 29)


@pytest.mark.parametrize("last", [date(2025, 12, 20), date(2027, 12, 31), date(2028, 2, 29), date(2041, 6, 1)])
def test_any_clock_date(last) -> None:
    """Across year ends and leap days, the boundaries fall on the same day counts."""
    expected = {0: "current", 75: "current", 76: "due_soon", 90: "due_soon", 91: "expired", 400: "expired"}
    for days, state in expected.items():
        assert standing(last, None, last + timedelta(days=days), POLICY).state == state, days


@pytest.mark.parametrize(
    ("zone", "local"),
    [("UTC", date(2026, 11, 1)), ("Pacific/Auckland", date(2026, 11, 2)), ("America/Los_Angeles", date(2026, 11, 1))],
)
def test_the_job_time_zone_decides_the_day(zone, local) -> None:
    now = datetime(2026, 11, 1, 20, 30, tzinfo=UTC)  # already 2 November in Auckland
    today = local_date(now, ZoneInfo(zone))
    assert today == local
    expected = "expired" if local > date(2026, 11, 1) else "due_soon"
    assert standing(LAST, None, today, POLICY).state == expected


def test_retired_and_gone_archive_with_their_reason() -> None:
    assert retired().archive and retired().reason == "archive: the entry's lifecycle is Retired"
    left = gone("the entry left the data source")
    assert left.archive and left.due is None and left.reason == "archive: the entry left the data source"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"remind_before_days": 90}, "remind_before_days (90) must be less than window_days (90)"),
        ({"window_days": 0}, "greater than or equal to 1"),
        ({"digest": "hourly"}, "'daily' or 'weekly'"),
    ],
)
def test_policy_errors_name_the_key(policy, message) -> None:
    with pytest.raises(ValueError) as error:
        RevalidationPolicy(**policy)
    assert message in str(error.value)
