"""Carry out a plan against the Confluence adapter; one failure never stops the rest.

Title swaps and chains go first, one by one in plan order; every other page is written with a few requests in
flight (the adapter's one rate limiter is shared by all threads). Results come back in plan order, whatever
the timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any

from sync import archive, overlap
from sync.audit import record, record_part
from sync.confluence.base import ConfluenceAdapter, Later, ManagedPage, Target
from sync.errors import PageChanged, PartialWrite, SyncError, TitleCollision, describe
from sync.limits import CONFLUENCE_IN_FLIGHT
from sync.plan import Action, ManualEdits, Plan
from sync.plan import plan as reconcile

# Pages written at once: each is a chain of requests (page, file, record), so more pages than request slots
# keep every slot busy to the last page; `ApiCaller.in_flight` holds the requests to CONFLUENCE_IN_FLIGHT.
PAGES_IN_FLIGHT = 3 * CONFLUENCE_IN_FLIGHT


@dataclass(frozen=True)
class Applied:
    action: Action
    page: ManagedPage | None
    error: str | None = None
    # The page is live but a later step failed (its labels, attachments or record): the next run completes it.
    incomplete: str | None = None
    entry_problem: bool = False  # the entry must change (a title collision), not a failure of the run


def _version_message(action: Action) -> str:
    desired = action.desired
    assert desired is not None
    approved = f", approved by {', '.join(desired.approvals)}" if desired.approvals else ""
    words = (
        f"scenario-sync: Notion version {desired.entry_version}{approved}, fingerprint {desired.fingerprint[:12]}"
        f" ({action.reason})"
    )
    # And the same in a short machine-readable form (what `scenario-sync audit` reads back).
    return words + record_part(version_record(action))


def version_record(action: Action) -> dict[str, Any]:
    """What the version message of `action` records, as `parse_message` reads it back."""
    desired = action.desired
    assert desired is not None
    fp = (desired.approval or {}).get("fingerprint")
    return record(action.kind, desired.entry_version, fp, desired.approval)


def apply_action(
    adapter: ConfluenceAdapter,
    target: Target,
    action: Action,
    lifecycle: archive.ArchiveContext | None = None,
    later: Later | None = None,
) -> ManagedPage | None:
    if action.kind == "archive" and lifecycle is not None:
        return archive.archive(adapter, target, action, lifecycle)
    if action.kind == "restore":
        return archive.restore(adapter, target, action)
    desired = action.desired
    if not action.writes or desired is None:
        return action.current
    message = _version_message(action)
    labels = list(desired.labels)
    if action.kind == "create":
        return adapter.create_page(
            target, desired.title, desired.body, labels, desired.meta(), message, desired.attachments
        )
    assert action.current is not None
    return adapter.update_page(
        action.current, desired.title, desired.body, labels, desired.meta(), message, desired.attachments, later=later
    )


def apply_one(
    adapter: ConfluenceAdapter,
    target: Target,
    action: Action,
    manual_edits: ManualEdits = "restore",
    lifecycle: archive.ArchiveContext | None = None,
    later: Later | None = None,
) -> Applied:
    """One action carried out; `later`: hears the page's record, to write beside what the run does next."""
    try:
        try:
            return Applied(action, apply_action(adapter, target, action, lifecycle, later))
        except PageChanged as changed:
            # Someone wrote the page since we read it: read it again and plan it again, once; never bump blindly.
            if action.current is None or action.desired is None:
                return Applied(action, None, changed.message)
            fresh = adapter.get_managed(action.current.id)
            again = reconcile([action.desired], [fresh], set(), manual_edits).actions[0]
            return Applied(again, apply_action(adapter, target, again, later=later))
    except PartialWrite as error:
        return Applied(action, error.page, incomplete=f"{error.message}; {error.fix}")
    except SyncError as error:
        if isinstance(error, TitleCollision):  # the entry must change, not the run: a problem, not a failure
            return Applied(action, None, f"{error.message}; {error.fix}", entry_problem=True)
        return Applied(action, None, error.message)
    except Exception as error:  # an API that kept failing: report it against this entry, go on
        return Applied(action, None, describe(error))
    finally:
        # Sent, or failed for good: a run holds every page to its end, and from now on reads only its hashes.
        if action.desired is not None:
            action.desired.let_go()


def apply(
    adapter: ConfluenceAdapter,
    target: Target,
    plan: Plan,
    manual_edits: ManualEdits = "restore",
    on_applied: Callable[[Applied], None] | None = None,
    workers: int = PAGES_IN_FLIGHT,
    lifecycle: archive.ArchiveContext | None = None,
    later: Later | None = None,
) -> list[Applied]:
    """Apply every action; `on_applied` hears each result as it lands (on the calling thread). `later`: hears
    the records of the pages written side by side (not those of title swaps and chains, which go one by one)."""
    done: dict[int, Applied] = {}
    latest: dict[str, ManagedPage] = {}  # a page written earlier in this run, at its new version

    def landed(index: int, result: Applied) -> None:
        done[index] = result
        if on_applied is not None:
            on_applied(result)

    for index, action in enumerate(plan.actions):
        if not action.serial:
            continue
        if action.current is not None and action.current.id in latest:
            action = replace(action, current=latest[action.current.id])
        result = apply_one(adapter, target, action, manual_edits, lifecycle)
        if result.page is not None:
            latest[result.page.id] = result.page
        landed(index, result)
    rest = [(i, a) for i, a in enumerate(plan.actions) if not a.serial]
    # Its own pool, not `overlap.pool`: a recording runs the writes on one worker, each result heard as it lands
    # (an inline pool would run them all as they are submitted, and hear them after, in no set order).
    with ThreadPoolExecutor(max_workers=max(1, workers), initializer=overlap.quiet) as pool:
        futures = {
            pool.submit(apply_one, adapter, target, a, manual_edits, lifecycle, later): i for i, a in rest if a.writes
        }
        for index, action in rest:
            if not action.writes:
                landed(index, Applied(action, action.current))
        for future in as_completed(futures):
            landed(futures[future], future.result())
    return [done[i] for i in sorted(done)]


class Records:
    """Pages' records written beside what the run does next: a record is the last of a page's writes, so the
    run goes on once the page and its files are in, and waits for the records with its own last writes (the
    lease's release names those still landing). A record that fails is reported; the next run completes it."""

    def __init__(self) -> None:
        self._pool = overlap.pool(CONFLUENCE_IN_FLIGHT)
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, Future[ManagedPage]]] = {}

    def later(self, page_id: str, version: int, record: Callable[[], ManagedPage]) -> None:
        with self._lock:
            self._pending[page_id] = (version, self._pool.submit(record))

    def landing(self) -> dict[str, int]:
        """The records on their way: page id → the record's version once written."""
        with self._lock:
            return {page_id: version for page_id, (version, future) in self._pending.items() if not future.done()}

    def wait(self) -> dict[str, str]:
        """Waits for every record on its way; what failed, in words, by page id (the page is live, unrecorded)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        self._pool.shutdown(wait=True)
        failed = {}
        for page_id, (_, future) in pending.items():
            error = future.exception()
            if isinstance(error, PartialWrite):
                failed[page_id] = f"{error.message}; {error.fix}"
            elif error is not None:
                failed[page_id] = describe(error)
        return failed
