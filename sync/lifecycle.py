"""Where a published entry stands in its life: current, due soon, overdue, or to be archived. Pure.

The clock is an input (the job's local date), so every boundary can be tested at any date and in any zone.
Revalidation counts from the entry's last-revalidated date, or, for an entry never revalidated, from the date
its current content was first approved (as the sync recorded it in Confluence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sync.config import RevalidationPolicy

State = Literal["current", "due_soon", "overdue", "expired", "retired", "gone"]
# Begins the reason of a standing that takes the entry's page out of use.
ARCHIVE = "archive: "


@dataclass(frozen=True)
class Standing:
    state: State
    reason: str  # in numbers as of today: for the run report, reminders and the archive record
    due: date | None = None  # the revalidation due date (None for retired or gone entries)
    status: str = ""  # the same in dates only, so the status written to Notion does not change every day

    def __post_init__(self) -> None:
        if not self.status:
            object.__setattr__(self, "status", self.reason)

    @property
    def archive(self) -> bool:
        """Expired (overdue past the grace period), retired, or gone from Notion."""
        return self.state in ("expired", "retired", "gone")

    @property
    def remind(self) -> bool:
        return self.state in ("due_soon", "overdue", "expired")


def local_date(now: datetime, zone: ZoneInfo) -> date:
    """Today where the job's team works: the date a due date is compared with."""
    return now.astimezone(zone).date()


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def standing(
    last_revalidated: date | None, first_approved: date | None, today: date, policy: RevalidationPolicy
) -> Standing:
    """The revalidation state of an active, approved entry on `today`."""
    since = last_revalidated or first_approved
    if since is None:  # approved only now: its window starts today
        since = today
    counted = f"last revalidated {last_revalidated}" if last_revalidated else f"never revalidated, approved {since}"
    due = since + timedelta(days=policy.window_days)
    window = f"window {_days(policy.window_days)}"
    left = (due - today).days
    if left > policy.remind_before_days:
        return Standing("current", f"revalidation due {due} ({counted})", due)
    if left >= 0:
        when = "today" if left == 0 else f"in {_days(left)}"
        status = f"revalidation due soon: {due} ({window}, {counted})"
        return Standing("due_soon", f"revalidation due {when} ({due}; {window}, {counted})", due, status)
    late = -left
    archive_on = due + timedelta(days=policy.grace_days + 1)
    if late <= policy.grace_days:
        grace_left = policy.grace_days - late
        return Standing(
            "overdue",
            f"owner revalidation overdue by {_days(late)}: archived in {_days(grace_left + 1)} unless revalidated"
            f" ({window}, grace {_days(policy.grace_days)}, {counted})",
            due,
            f"owner revalidation overdue since {due}: archived on {archive_on} unless revalidated ({counted})",
        )
    return Standing(
        "expired",
        f"{ARCHIVE}owner revalidation overdue by {_days(late)} ({window}, {counted})",
        due,
        f"{ARCHIVE}owner revalidation overdue since {due} ({window}, {counted})",
    )


def retired() -> Standing:
    return Standing("retired", f"{ARCHIVE}the entry's lifecycle is Retired")


def gone(why: str) -> Standing:
    return Standing("gone", f"{ARCHIVE}{why}")
