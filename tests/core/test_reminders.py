"""Reminder planning: one digest per owner per period, once per due date per entry, the fallback owner."""

from __future__ import annotations

from datetime import date

from sync.config import RevalidationPolicy
from sync.lifecycle import Standing
from sync.model import Person
from sync.reminders import Due, active_people, plan_reminders, resolve_fallback

ANA = Person(id="ana", name="Ana Ruiz")
BO = Person(id="bo", name="Bo Chen")
GONE = Person(id="gone", name="Former Colleague")
TODAY = date(2026, 10, 21)  # a Wednesday
USERS = [
    {"object": "user", "id": "ana", "type": "person", "name": "Ana Ruiz", "person": {"email": "ana@example.com"}},
    {"object": "user", "id": "bo", "type": "person", "name": "Bo Chen", "person": {"email": "bo@example.com"}},
    {"object": "user", "id": "lead", "type": "person", "name": "Team Lead", "person": {"email": "lead@example.com"}},
    {"object": "user", "id": "bot", "type": "bot", "name": "Some integration", "bot": {}},
]
PEOPLE = active_people(USERS)
POLICY = RevalidationPolicy(fallback_owner="lead@example.com")


def due(entry: str, owner: Person, state: str = "due_soon", day: date = date(2026, 10, 30)) -> Due:
    return Due(entry, f"Entry {entry}", owner, Standing(state, f"revalidation due {day}", day))  # type: ignore[arg-type]


def plan(items, state=None, digests=None, policy=POLICY, today=TODAY):
    fallback = resolve_fallback(policy.fallback_owner, USERS)
    return plan_reminders(items, state or {}, digests or {}, PEOPLE, policy, fallback, today)


def test_one_digest_per_owner_lists_the_other_entries() -> None:
    out = plan([due("a", ANA), due("b", ANA), due("c", BO)])
    assert [(r.notion_id, r.mention) for r in out] == [("a", ("ana",)), ("b", ("ana",)), ("c", ("bo",))]
    assert out[0].text.endswith("Also due from you: Entry b")
    assert "Also due" not in out[2].text


def test_once_per_due_date_per_entry() -> None:
    state = {"a": {"reminded": ["2026-10-30/due"]}}
    assert [r.notion_id for r in plan([due("a", ANA), due("b", ANA)], state)] == ["b"]
    # A new due date (the entry was revalidated, then fell due again) is reminded again.
    assert [r.notion_id for r in plan([due("a", ANA, day=date(2027, 1, 28))], state)] == ["a"]


def test_an_owner_hears_at_most_once_per_period() -> None:
    last_monday = {"ana": "2026-10-19"}
    assert plan([due("a", ANA)], digests=last_monday) == []  # weekly: same ISO week
    assert len(plan([due("a", ANA)], digests={"ana": "2026-10-18"})) == 1  # the week before
    daily = RevalidationPolicy(digest="daily", fallback_owner="lead")
    assert len(plan([due("a", ANA)], digests=last_monday, policy=daily)) == 1
    assert plan([due("a", ANA)], digests={"ana": "2026-10-21"}, policy=daily) == []


def test_an_archive_is_told_at_once_and_to_the_fallback_owner_too() -> None:
    out = plan([due("a", ANA, state="expired")], digests={"ana": "2026-10-20"})
    assert len(out) == 1 and out[0].mention == ("ana", "lead") and out[0].key == "2026-10-30/archived"


def test_a_deactivated_owner_or_a_bot_goes_to_the_fallback_owner() -> None:
    bot = Person(id="bot", name="Some integration")
    out = plan([due("a", GONE), due("b", bot)])
    assert [r.mention for r in out] == [("lead",), ("lead",)]
    assert "sent to the fallback owner: Former Colleague cannot be reached in Notion" in out[0].text


def test_without_a_fallback_owner_nobody_unreachable_is_mentioned() -> None:
    assert plan([due("a", GONE)], policy=RevalidationPolicy()) == []


def test_fallback_owner_by_id_or_email() -> None:
    assert resolve_fallback("LEAD@example.com", USERS) == "lead"
    assert resolve_fallback("lead", USERS) == "lead"
    assert resolve_fallback("nobody@example.com", USERS) is None
