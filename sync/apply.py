"""Carry out a plan against the Confluence adapter, one action at a time; one failure never stops the rest."""

from __future__ import annotations

from dataclasses import dataclass

from sync.confluence.base import ConfluenceAdapter, ManagedPage, Target
from sync.errors import SyncError, TitleCollision, describe
from sync.plan import Action, Plan


@dataclass(frozen=True)
class Applied:
    action: Action
    page: ManagedPage | None
    error: str | None = None


def _version_message(action: Action) -> str:
    desired = action.desired
    assert desired is not None
    return f"scenario-sync: Notion version {desired.entry_version} ({action.reason})"


def apply_action(adapter: ConfluenceAdapter, target: Target, action: Action) -> ManagedPage | None:
    desired = action.desired
    if not action.writes or desired is None:
        return action.current
    message = _version_message(action)
    if action.kind == "create":
        taken = adapter.title_taken(target, desired.title)
        if taken is not None:
            raise TitleCollision(
                f"a page titled '{desired.title}' already exists (id {taken}) and is not managed by scenario-sync",
                "rename the entry in Notion or the other page in Confluence",
            )
        return adapter.create_page(target, desired.title, desired.body, list(desired.labels), desired.meta(), message)
    assert action.current is not None
    return adapter.update_page(
        action.current, desired.title, desired.body, list(desired.labels), desired.meta(), message
    )


def apply(adapter: ConfluenceAdapter, target: Target, plan: Plan) -> list[Applied]:
    results: list[Applied] = []
    for action in plan.actions:
        try:
            results.append(Applied(action, apply_action(adapter, target, action)))
        except SyncError as error:
            results.append(Applied(action, None, error.message))
        except Exception as error:  # an API that kept failing: report it against this entry, go on
            results.append(Applied(action, None, describe(error)))
    return results
