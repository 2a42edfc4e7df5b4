"""Cheap when nothing changed: 250 entries, bodies read only for the entries edited since their publish,
asserted on the Notion emulator's request log; an edit in the same minute as the last read is still seen."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sync.config import Job
from sync.mapping import Mapping
from sync.report import RunReport
from sync.run import run_job
from sync.sandbox.demo_content import DEMO_ENTRIES
from sync.sandbox.runtime import Sandbox
from sync.sandbox.seed import seed_notion
from sync.session import open_services
from tests.conftest import no_sleep
from tests.e2e.helpers import pages, reapprove

APPROVED = DEMO_ENTRIES[0]


class Wall:
    """The wall clock of both the Notion emulator and the sync, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(second=5, microsecond=0) + timedelta(minutes=5)

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: int = 0, second: int = 0) -> None:
        self.now = (self.now + timedelta(minutes=minutes)).replace(second=second)


@pytest.fixture
def big(make_sandbox) -> tuple[Sandbox, Wall, Mapping]:
    sandbox = make_sandbox(seed="empty")
    mapping = Mapping.load(sandbox.options.mapping)
    wall = Wall()
    sandbox.notion.state.clock = wall
    entries = [
        dataclasses.replace(APPROVED, title=f"{APPROVED.title} #{i:03}", keywords=(f"k{i}",)) for i in range(250)
    ]
    _, data_source = seed_notion(sandbox.notion.state, mapping, entries)
    sandbox.info["data_source_id"] = data_source
    return sandbox, wall, mapping


def run(sandbox: Sandbox, job: Job, mapping: Mapping, wall: Wall) -> RunReport:
    sandbox.notion.traffic.clear()
    sandbox.confluence.traffic.clear()
    with open_services(sandbox.credentials(), sleep=no_sleep) as services:
        services.clock = wall
        report, _ = run_job(job, mapping, services, sandbox.info["data_source_id"])
    return report


def body_reads(sandbox: Sandbox) -> list[str]:
    return [r.path.split("/")[3] for r in sandbox.notion.traffic.requests("GET", r"^/v1/blocks/.*/children$")]


def edit_body(sandbox: Sandbox, page_id: str, text: str) -> None:
    state = sandbox.notion.state
    person = next(u.id for u in state.users.values() if u.type == "person")
    state.append_blocks(page_id, [{"paragraph": {"rich_text": [{"text": {"content": text}}]}}], edited_by=person)


def test_three_changed_of_250_means_three_body_reads(big, demo_job: Job) -> None:
    sandbox, wall, mapping = big
    first = run(sandbox, demo_job, mapping, wall)
    assert first.totals == {"published": 250}
    assert len(sandbox.notion.traffic.requests("POST", "/query$")) == 3  # 100 per page
    assert len(body_reads(sandbox)) == 250

    ids = [e.page_id for e in first.entries]
    wall.at(minutes=3, second=10)
    changed = ids[7], ids[120], ids[249]
    for page_id in changed:
        edit_body(sandbox, page_id, "Added after publishing: check the status page first.")
    wall.at(minutes=3, second=10)
    second = run(sandbox, demo_job, mapping, wall)
    assert sorted(body_reads(sandbox)) == sorted(changed)  # exactly the three edited bodies
    # The body is approved content: an edit after approval is held, its last approved page stays live.
    assert second.totals == {"held": 3, "unchanged": 247}
    assert all("changed since approval" in e.reasons[0] for e in second.entries if e.outcome == "held")
    entry_pages = {p.id for p in pages(sandbox).values()}
    assert not [r for r in sandbox.confluence.traffic.writes() if r.path.rstrip("/").split("/")[-1] in entry_pages]

    # Held for their bodies, they are not read again while nobody edits them; an edited one is.
    held = [(e.page_id, e.reasons) for e in second.entries if e.outcome == "held"]
    wall.at(minutes=3)
    again = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [] and again.totals == {"held": 3, "unchanged": 247}
    assert [(e.page_id, e.reasons) for e in again.entries if e.outcome == "held"] == held
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []
    edit_body(sandbox, changed[1], "And once more.")
    wall.at(minutes=3)
    once_more = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [changed[1]] and once_more.totals == {"held": 3, "unchanged": 247}

    for page_id in changed:
        reapprove(sandbox, page_id)
    wall.at(minutes=3)
    third = run(sandbox, demo_job, mapping, wall)
    assert sorted(body_reads(sandbox)) == sorted(changed)
    assert third.totals == {"published": 3, "unchanged": 247}

    wall.at(minutes=3)
    fourth = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [] and fourth.totals == {"unchanged": 250}
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []


def test_an_edit_in_the_same_minute_as_the_read_is_still_seen(big, demo_job: Job) -> None:
    sandbox, wall, mapping = big
    first = run(sandbox, demo_job, mapping, wall)
    target = first.entries[0].page_id

    wall.at(minutes=2, second=5)
    edit_body(sandbox, target, "First edit.")
    reapprove(sandbox, target)
    wall.at(second=15)
    run(sandbox, demo_job, mapping, wall)  # reads the first edit at :15 and publishes it
    assert body_reads(sandbox) == [target]
    wall.at(second=40)
    edit_body(sandbox, target, "Second edit, same minute.")  # last_edited_time does not move: same minute

    wall.at(minutes=3, second=0)
    again = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [target]  # the read at :15 may have missed it: read again
    # Seen: the second edit was never approved, so the entry is held and the first edit stays live.
    (seen,) = [e for e in again.entries if e.page_id == target]
    assert seen.outcome == "held" and "changed since approval" in seen.reasons[0]
    assert "First edit." in pages(sandbox)[first.entries[0].title].body

    reapprove(sandbox, target)
    wall.at(minutes=3)
    run(sandbox, demo_job, mapping, wall)
    assert "Second edit, same minute." in pages(sandbox)[first.entries[0].title].body
    wall.at(minutes=3)
    run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == []  # read a whole minute after the edit: settled


def test_a_person_editing_the_confluence_page_gets_the_body_read_to_restore_it(big, demo_job: Job) -> None:
    sandbox, wall, mapping = big
    first = run(sandbox, demo_job, mapping, wall)
    page = next(iter(pages(sandbox).values()))
    editor = sandbox.confluence.state.add_user("Dana Editor", "dana@example.com", "dana")
    sandbox.confluence.state.human_edit(page.id, editor)
    wall.at(minutes=2)
    second = run(sandbox, demo_job, mapping, wall)
    entry = next(e for e in first.entries if e.title == page.title)
    assert body_reads(sandbox) == [entry.page_id]
    assert second.count("published") == 1


class Shared:
    """One monotonic clock for the emulator's budget and the sync's limiter; sleeping moves it."""

    def __init__(self) -> None:
        self.t = 500.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def test_bodies_read_concurrently_stay_within_the_per_minute_budget(big, demo_job: Job) -> None:
    """250 bodies, read a few at a time, plus the write-backs: well past 180 requests, and hardly a 429, because
    every thread takes from the one limiter of the integration."""
    sandbox, wall, mapping = big
    shared = Shared()
    sandbox.notion.traffic.clock = shared
    sandbox.notion.traffic.set_budget(180)
    with open_services(sandbox.credentials(), sleep=shared.sleep, clock=shared) as services:
        services.clock = wall
        report, _ = run_job(demo_job, mapping, services, sandbox.info["data_source_id"])
    assert report.totals == {"published": 250}
    log = sandbox.notion.traffic.requests()
    refused = [r for r in log if r.status == 429]
    # At most a request or two per window turn, sent just before it and counted just after (threads in flight
    # straddle it); each one waited out and retried.
    assert len(log) > 500 and len(refused) <= 7 and report.notion.retries == len(refused)
    assert shared.t - 500.0 >= 120  # the run spent at least two windows waiting its turn


@pytest.mark.parametrize("surface", ["cloud", "datacenter", "cloud-v1-removed"])
def test_a_body_held_for_re_approval_is_read_once_until_it_changes(make_sandbox, demo_job: Job, surface) -> None:
    # What the run that held it read stays in the manifest, on every surface; re-approval reads and publishes.
    flavor = (
        {"flavor": "cloud", "cloud_v1_content": "removed"} if surface == "cloud-v1-removed" else {"flavor": surface}
    )
    sandbox = make_sandbox(seed="empty", **flavor)
    mapping = Mapping.load(sandbox.options.mapping)
    wall = Wall()
    sandbox.notion.state.clock = wall
    entries = [dataclasses.replace(APPROVED, title=f"{APPROVED.title} #{i}", keywords=(f"k{i}",)) for i in range(3)]
    _, sandbox.info["data_source_id"] = seed_notion(sandbox.notion.state, mapping, entries)
    first = run(sandbox, demo_job, mapping, wall)
    assert first.totals == {"published": 3}

    target = first.entries[1].page_id
    wall.at(minutes=3, second=10)
    edit_body(sandbox, target, "Added after approval: promise a callback today.")
    wall.at(minutes=3, second=10)
    held = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [target] and held.totals == {"held": 1, "unchanged": 2}
    for _ in range(2):
        wall.at(minutes=3)
        again = run(sandbox, demo_job, mapping, wall)
        assert body_reads(sandbox) == [] and again.totals == {"held": 1, "unchanged": 2}
        assert [e.reasons for e in again.entries if e.outcome == "held"] == [
            e.reasons for e in held.entries if e.outcome == "held"
        ]
        assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []

    reapprove(sandbox, target)
    wall.at(minutes=3)
    published = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [target] and published.totals == {"published": 1, "unchanged": 2}
    wall.at(minutes=3)
    quiet = run(sandbox, demo_job, mapping, wall)
    assert body_reads(sandbox) == [] and quiet.totals == {"unchanged": 3}
    assert sandbox.confluence.traffic.writes() == [] and sandbox.notion.traffic.writes() == []
