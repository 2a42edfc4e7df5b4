"""Archive that can be undone, and restore: the two lifecycle actions of a plan, carried out.

Archive moves the page under the job's "Archived scenarios" page with a banner on top and its keyword
labels swapped for the archived label, recording on the page what restore needs. `native` mode (Cloud,
retired or deleted entries only) uses Confluence's own archive instead, which nothing can undo through
the API. Restore moves the page back with its labels and the current approved body.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sync.audit import record, record_part
from sync.confluence.base import ConfluenceAdapter, ManagedPage, Target
from sync.index_page import banner
from sync.plan import Action


@dataclass
class ArchiveContext:
    today: str
    archive_parent: Callable[[], str]  # the "Archived scenarios" page, made when first needed


def message(action: Action, entry_version: int | None, approval: dict | None) -> str:
    fp = (approval or {}).get("fingerprint")
    words = f"scenario-sync: {action.kind} ({action.reason})"
    return words + record_part(record(action.kind, entry_version, fp, approval))


def archive(adapter: ConfluenceAdapter, target: Target, action: Action, ctx: ArchiveContext) -> ManagedPage:
    page = action.current
    assert page is not None and page.meta is not None
    keywords = sorted(label for label in page.labels if not label.startswith("scenario-sync-"))
    record = {
        "reason": action.reason,
        "date": ctx.today,
        "mode": action.mode,
        "former_parent": target.parent_id,
        "labels": keywords,
    }
    meta = replace(page.meta, archived=record)
    text = message(action, page.meta.entry_version, page.meta.approval)
    if action.mode == "native":
        return adapter.archive_native(page, meta)
    _, _, body = adapter.get_body(page.id)
    return adapter.archive_page(page, ctx.archive_parent(), banner(action.reason, ctx.today) + body, meta, text)


def restore(adapter: ConfluenceAdapter, target: Target, action: Action) -> ManagedPage:
    page, desired = action.current, action.desired
    assert page is not None and desired is not None
    text = message(action, desired.entry_version, desired.approval)
    return adapter.restore_page(
        page, target.parent_id, desired.title, desired.body, list(desired.labels), desired.meta(), text
    )
