"""Reminders an owner does not learn to ignore: one digest per owner per period, each due entry at most once
per due date, a fallback owner for what the owner cannot receive. Pure planning; posting is in notion/comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sync.config import RevalidationPolicy
from sync.lifecycle import Standing
from sync.model import Person

MARKER = "scenario-sync reminder"


@dataclass(frozen=True)
class Due:
    """An entry whose revalidation is due soon, overdue, or that was archived for it."""

    notion_id: str
    title: str
    owner: Person | None
    standing: Standing


@dataclass(frozen=True)
class Reminder:
    notion_id: str
    mention: tuple[str, ...]  # Notion user ids
    text: str
    key: str  # what "once" is counted by: the due date and the kind of reminder
    owner_key: str

    @property
    def marker(self) -> str:
        return f"[{MARKER} {self.key}]"


def same_period(last: date, today: date, period: str) -> bool:
    if period == "daily":
        return last == today
    return last.isocalendar()[:2] == today.isocalendar()[:2]


def _kind(standing: Standing) -> str:
    return "archived" if standing.archive else ("overdue" if standing.state == "overdue" else "due")


def plan_reminders(
    due: list[Due],
    state: dict[str, dict[str, Any]],
    digests: dict[str, str],
    active_users: dict[str, str],
    policy: RevalidationPolicy,
    fallback_id: str | None,
    today: date,
) -> list[Reminder]:
    """The comments to post now. `state` is each entry's manifest record (its `reminded` keys), `digests`
    the date of each owner's last digest, `active_users` id → name of people who can be mentioned."""
    pending: dict[str, list[tuple[Due, str]]] = {}
    for item in due:
        if item.standing.due is None:
            continue
        key = f"{item.standing.due.isoformat()}/{_kind(item.standing)}"
        if key in state.get(item.notion_id, {}).get("reminded", []):
            continue
        owner_ok = item.owner is not None and item.owner.id in active_users
        owner_key = item.owner.id if owner_ok and item.owner else f"fallback:{fallback_id}"
        pending.setdefault(owner_key, []).append((item, key))
    out: list[Reminder] = []
    for owner_key, items in pending.items():
        urgent = any(i.standing.archive for i, _ in items)
        last = digests.get(owner_key)
        # Due-soon entries wait for the owner's next digest; an archive is told at once.
        if not urgent and last is not None and same_period(date.fromisoformat(last), today, policy.digest):
            continue
        for item, key in items:
            mention: list[str] = []
            if not owner_key.startswith("fallback:"):
                mention.append(owner_key)
            if fallback_id and (owner_key.startswith("fallback:") or item.standing.state == "expired"):
                mention.append(fallback_id)
            if not mention:
                continue  # nobody can receive it: the run report says so through the entry's status
            others = [i.title for i, _ in items if i.notion_id != item.notion_id]
            text = item.standing.reason
            if owner_key.startswith("fallback:"):
                who = item.owner.name if item.owner else "no owner"
                text += f" (sent to the fallback owner: {who} cannot be reached in Notion)"
            if others:
                text += ". Also due from you: " + "; ".join(sorted(others))
            out.append(Reminder(item.notion_id, tuple(dict.fromkeys(mention)), text, key, owner_key))
    return out


def resolve_fallback(fallback: str | None, users: list[dict[str, Any]]) -> str | None:
    """A fallback owner given as a Notion user id or e-mail, as a user id."""
    if not fallback:
        return None
    for user in users:
        email = (user.get("person") or {}).get("email")
        if user.get("id") == fallback or (email and email.lower() == fallback.lower()):
            return str(user["id"])
    return None


def active_people(users: list[dict[str, Any]]) -> dict[str, str]:
    """Users who can be mentioned: people still in the workspace (bots and deactivated users are not listed)."""
    return {str(u["id"]): u.get("name") or "" for u in users if u.get("type") == "person"}
