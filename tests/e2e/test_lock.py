"""One run per job at a time: the lease on the job's index page, across processes and hosts."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

import pytest

from sync.confluence import connect
from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY
from sync.errors import ApiFailure, LockHeld
from sync.index_page import MANIFEST_KEY
from sync.lock import LOCK_KEY, Lease
from sync.retry import ApiCaller
from sync.sandbox.faults import Fault
from sync.upkeep import MANIFEST_FILE, SETTLE_PAUSES, IndexSite
from tests.conftest import no_sleep
from tests.e2e.helpers import (
    INTEGRATION,
    entry_id,
    pages,
    real_job_env,
    reapprove,
    run_with,
    set_keywords,
    write_real_job,
)

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def index_page(sandbox):
    return next(
        p
        for p in sandbox.confluence.state.pages.values()
        if (p.properties.get("scenario-sync-role") and p.properties["scenario-sync-role"].value["role"] == "index")
    )


def adapter(sandbox):
    return connect(sandbox.credentials(), ApiCaller("confluence", sleep=no_sleep))


def test_a_race_for_a_fresh_lease_is_lost_with_409(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    first = Lease(adapter(sandbox), page_id, lambda: T0, holder="a", host="host-a")
    second = Lease(adapter(sandbox), page_id, lambda: T0, holder="b", host="host-b")
    seen_a, seen_b = first.read(), second.read()  # both read the same version of the lease
    first.take(seen_a)
    with pytest.raises(LockHeld) as held:
        second.take(seen_b)
    assert held.value.exit_code == 4
    assert "took its lease first: a on host-a" in held.value.message


def test_a_held_lease_stops_another_run_naming_the_holder(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    now = datetime.now(UTC)
    Lease(adapter(sandbox), page_id, lambda: now, holder="4242-cron", host="cron-2").acquire()
    with pytest.raises(LockHeld) as held:
        Lease(adapter(sandbox), page_id, lambda: now + timedelta(minutes=5)).acquire()
    assert "4242-cron on cron-2 since" in held.value.message


def test_an_expired_lease_is_taken_over_and_reported(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    crashed = Lease(adapter(sandbox), page_id, lambda: datetime.now(UTC) - timedelta(hours=2), holder="dead", host="h1")
    crashed.acquire()  # and never released: the run crashed
    sandbox.notion.state.update_page(
        next(iter(p for p in sandbox.notion.state.pages if sandbox.notion.state.pages[p].data_source_id)),
        {"Goal": {"rich_text": [{"text": {"content": "A new goal."}}]}},
    )
    report, _ = run_demo(sandbox)
    assert any(w.startswith("took over an expired lease from dead on h1") for w in report.warnings)
    assert sandbox.confluence.state.pages[page_id].properties[LOCK_KEY].value["released"] is True


def test_a_run_whose_lease_was_taken_over_stops_at_renewal(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    slow = Lease(adapter(sandbox), page_id, lambda: T0, holder="slow", host="h1")
    slow.acquire()
    Lease(adapter(sandbox), page_id, lambda: T0 + timedelta(hours=1), holder="next", host="h2").acquire()
    with pytest.raises(LockHeld, match="taken over by another run"):
        slow.renew()  # its version check fails: 409


def test_a_dry_run_takes_no_lease(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    before = sandbox.confluence.state.pages[page_id].properties[LOCK_KEY].version
    run_demo(sandbox, dry_run=True)
    assert sandbox.confluence.state.pages[page_id].properties[LOCK_KEY].version == before


def test_two_processes_one_runs_the_other_exits_4(make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox(flavor="datacenter")
    config = write_real_job(sandbox, tmp_path)
    env = os.environ | real_job_env(sandbox)
    # The first run's first entry page takes a while to be created, with its lease held.
    sandbox.confluence.traffic.add_fault(Fault(kind="slow", delay=4, method="POST", path="/rest/api/content$", skip=1))
    command = [sys.executable, "-m", "sync", "run", "--config", str(config), "--job", "team"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(400):  # until the first run holds the lease
        index = [p for p in sandbox.confluence.state.pages.values() if LOCK_KEY in p.properties]
        if index and not index[0].properties[LOCK_KEY].value.get("released"):
            break
        time.sleep(0.05)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    _, err = first.communicate(timeout=120)
    assert second.returncode == 4, second.stderr
    assert "Error: another run of this job holds its lease:" in second.stderr
    assert first.returncode == 1, err  # the seed's problem entry; everything else published
    titles = [p.title for p in sandbox.confluence.state.pages.values()]
    assert len(titles) == len(set(titles))


def test_a_long_run_renews_its_lease_and_a_short_one_does_not(sandbox, run_demo) -> None:
    run_demo(sandbox)
    page_id = index_page(sandbox).id
    now = [T0]
    lease = Lease(adapter(sandbox), page_id, lambda: now[0], holder="long", host="h")
    lease.acquire()
    version = sandbox.confluence.state.pages[page_id].properties[LOCK_KEY].version
    now[0] = T0 + timedelta(minutes=2)
    lease.renew_if_due()
    assert sandbox.confluence.state.pages[page_id].properties[LOCK_KEY].version == version
    now[0] = T0 + timedelta(minutes=6)
    lease.renew_if_due()
    renewed = sandbox.confluence.state.pages[page_id].properties[LOCK_KEY]
    assert renewed.version == version + 1 and renewed.value["expires"] == (now[0] + timedelta(minutes=15)).isoformat()


def test_an_index_page_created_but_not_marked_is_adopted(sandbox, run_demo) -> None:
    # The run fails between creating the index page and marking it; the next run adopts the page.
    sandbox.confluence.traffic.add_fault(Fault(status=500, method="POST", path="/properties$"))
    sandbox.confluence.traffic.add_fault(
        Fault(status=500, method="PUT", path="/property/scenario-sync-role$", times=10)
    )
    with pytest.raises(ApiFailure, match="reading Confluence failed"):
        run_demo(sandbox)
    sandbox.confluence.traffic.faults.clear()
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    assert sum(p.title == "Scenario index (demo)" for p in sandbox.confluence.state.pages.values()) == 1
    assert "scenario-sync-role" in index_page(sandbox).properties


def test_a_page_someone_else_made_under_the_index_title_is_not_taken(make_sandbox, run_demo) -> None:
    sandbox = make_sandbox()
    parent = sandbox.info["parent_page_id"]
    sandbox.confluence.state.create_page("SUP", "Scenario index (demo)", "<p>My own notes</p>", parent_id=parent)
    with pytest.raises(Exception, match="was not created by scenario-sync"):
        run_demo(sandbox)


def listings(sandbox) -> int:
    """The run's reads of its managed pages (the CQL search by the marker label) in the emulator's log."""
    searches = sandbox.confluence.traffic.requests("GET", r"/content/search$")
    return sum(MANAGED_LABEL in unquote_plus(r.query) for r in searches)


def index_lookups(sandbox) -> int:
    """The run's lookups of its index page by title (through CQL or by the title itself)."""
    return sum("Scenario index" in unquote_plus(r.query) for r in sandbox.confluence.traffic.requests("GET"))


def test_a_writing_run_reads_confluence_once_when_no_run_held_the_lease_since(sandbox, run_demo) -> None:
    run_demo(sandbox)
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))
    sandbox.confluence.traffic.log.clear()
    report, _ = run_demo(sandbox)
    assert report.count("published") == 1
    # The lease taken over the version read with the manifest proves nothing was written since that read.
    assert listings(sandbox) == 1
    lock = index_page(sandbox).properties[LOCK_KEY]
    assert lock.value["released"] is True
    writes = [r for r in sandbox.confluence.traffic.writes() if r.status < 400]
    assert len(writes) >= 3  # the lease, the page, the lease released


def test_a_run_whose_lease_moved_since_its_read_reads_again_under_the_lease(sandbox, run_demo) -> None:
    # Another run takes and releases the lease between this run's read and its own take: what this run
    # read may be stale, so its take fails the version check and it reads Confluence again under the lease.
    run_demo(sandbox)
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))
    traffic, state = sandbox.confluence.traffic, sandbox.confluence.state
    index_id = index_page(sandbox).id
    serve = traffic.take_fault
    moved: list[int] = []

    def other_run_first(method: str, path: str):
        if method in ("PUT", "POST") and not moved:  # this run's first write is its lease
            version = state.get_property(index_id, LOCK_KEY).version
            other = {"holder": "7-other", "host": "cron-2", "started": "2026-11-26T06:00:00+00:00"}
            state.update_property(index_id, LOCK_KEY, {**other, "expires": "x"}, version + 1)
            state.update_property(index_id, LOCK_KEY, {**other, "released": True}, version + 2)
            moved.append(version)
        return serve(method, path)

    traffic.take_fault = other_run_first  # type: ignore[method-assign]
    traffic.log.clear()
    report, _ = run_demo(sandbox)
    assert moved, "the run never wrote"
    assert report.count("published") == 1 and not report.errors
    # The second pass decides every entry again as the first did (from the entries as listed, not from
    # what the first pass kept of them).
    assert sorted(row.outcome for row in report.entries) == ["held", "held", "problem", "published", "unchanged"]
    assert listings(sandbox) == 2
    assert index_lookups(sandbox) == 2  # the first read's, then the page to hold the lease on: once each
    assert state.get_property(index_id, LOCK_KEY).value["holder"] != "7-other"
    assert sum(p.title == INTEGRATION for p in state.pages.values()) == 1


def test_a_first_run_makes_its_index_page_and_reads_it_under_the_lease_without_looking_it_up_again(
    sandbox, run_demo
) -> None:
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    # Not found by the first read (on Cloud, its search and then, as the search index lags writes, the title
    # itself); made (and marked) when the lease is to be taken: one lookup by title more, and the index page's
    # properties read once under the lease.
    assert index_lookups(sandbox) == (2 if sandbox.options.flavor == "datacenter" else 3)
    index_id = index_page(sandbox).id
    reads = sandbox.confluence.traffic.requests("GET", rf"/{index_id}/propert(y|ies)$")
    assert len([r for r in reads if "key=" not in r.query]) == 1, reads  # all of them (the lease reads its own)


# --- the lease let go beside the run's last writes --------------------------------------------------------------
def _site(sandbox, demo_job, sleep=no_sleep) -> IndexSite:
    """The job's index site as a run reads it, on a Confluence whose pauses are `sleep`'s."""
    confluence = connect(sandbox.credentials(), ApiCaller("confluence", sleep=sleep))
    where = demo_job.confluence
    return IndexSite.open(confluence, confluence.resolve_target(where.space_key, None, where.parent_title), demo_job)


@pytest.mark.parametrize("kept", ["in its property", "as a file"])
def test_a_run_lets_its_lease_go_naming_the_manifest_it_leaves(sandbox, run_demo, demo_job, monkeypatch, kept) -> None:
    if kept == "as a file":
        monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)  # as if the job managed hundreds of pages
    for change in (False, True):
        if change:
            reapprove(sandbox, entry_id(sandbox, INTEGRATION))
        report, _ = run_demo(sandbox)
        assert report.count("published") >= 1 and not report.errors
        index = index_page(sandbox)
        lock, manifest = index.properties[LOCK_KEY], index.properties[MANIFEST_KEY]
        assert lock.value["released"] is True
        # The release went beside the manifest's writes and names what they left: its property's version,
        # and the SHA-256 of the file the property names (none while the manifest fits in the property).
        landing = lock.value["landing"]
        named = landing["manifest"]
        assert named["version"] == manifest.version
        # And the records still landing as it let go (the pages it wrote last), at the versions they then took.
        state = sandbox.confluence.state
        assert all(state.get_property(pid, PROPERTY_KEY).version == v for pid, v in landing["records"].items())
        assert set(landing["records"]) <= {p.id for p in state.pages.values()}
        if kept == "as a file":
            file = next(a.data for a in index.attachments if a.title == MANIFEST_FILE)
            assert manifest.value == {"attachment": MANIFEST_FILE}
            assert named["sha256"] == hashlib.sha256(file).hexdigest()
        else:
            assert named["sha256"] is None and "entries" in manifest.value

    slept: list[float] = []
    site = _site(sandbox, demo_job, slept.append)  # the next run reads it at once: nothing to wait for
    assert slept == [] and site.landing == landing and INTEGRATION in json.dumps(site.manifest.to_json())


class LastRunsWrites:
    """The manifest writes of a run that let its lease go beside them: on their way until `land` is called
    (the property, when the manifest is kept in it, at the first pause of the run that reads; the file at the
    pause `file_at`; or never)."""

    def __init__(self, sandbox, demo_job, file_at: int | None) -> None:
        site = _site(sandbox, demo_job)
        self.before = site.manifest.to_json()
        self.manifest = site.manifest.copy()
        self.manifest.digests["owner@example.com"] = "2026-11-27"  # what that run changed
        self.value, self.file, kept = site._writes(self.manifest)
        self.confluence, self.page_id, self.prop = site.adapter, site.page_id, site.prop
        self.file_at, self.pauses = file_at, []
        lease = Lease(self.confluence, site.page_id, lambda: T0, holder="9-last", host="cron-1")
        lease.acquire()
        version = site.prop.version + (1 if self.value is not None else 0)
        lease.release({"manifest": {"version": version, "sha256": kept.get("sha256")}, "records": {}})

    def land(self, pause: float) -> None:
        self.pauses.append(pause)
        if len(self.pauses) == 1 and self.value is not None:
            self.confluence.set_property(self.page_id, MANIFEST_KEY, self.value, self.prop)
        if self.file is not None and len(self.pauses) == self.file_at:
            self.confluence.put_attachment(self.page_id, MANIFEST_FILE, self.file, "application/gzip")


@pytest.mark.parametrize("file_at", [None, 1, 3], ids=["in its property", "file with it", "file later"])
def test_a_run_that_reads_before_the_last_runs_manifest_lands_waits_for_it(
    sandbox, run_demo, demo_job, monkeypatch, file_at
) -> None:
    if file_at is not None:
        monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)
    run_demo(sandbox)
    last = LastRunsWrites(sandbox, demo_job, file_at)
    # Kept as a file, the manifest changes the file alone (the property names it, no more).
    assert (last.file is None) == (file_at is None) == (last.value is not None)

    site = _site(sandbox, demo_job, last.land)

    assert site.manifest.to_json() == last.manifest.to_json() != last.before
    assert last.pauses == list(SETTLE_PAUSES[: file_at or 1])  # one pause per try, each twice the one before
    assert not site._file_stale()


def test_a_manifest_that_never_lands_is_waited_for_a_few_seconds_then_read_as_it_stands(
    sandbox, run_demo, demo_job, monkeypatch
) -> None:
    # The last run's manifest writes failed after it let its lease go: the next run waits its few pauses
    # (6.3 s in all), then reads the manifest as it stands and writes it anew, so the run after it need not wait.
    monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)
    run_demo(sandbox)
    last = LastRunsWrites(sandbox, demo_job, file_at=None)
    pauses: list[float] = []

    site = _site(sandbox, demo_job, pauses.append)

    assert pauses == list(SETTLE_PAUSES) and sum(pauses) < 7
    assert site.manifest.to_json() == last.before
    sandbox.confluence.traffic.log.clear()
    report, _ = run_demo(sandbox)
    assert not report.errors
    assert report.count("unchanged") == 2 and report.count("published") == 0
    assert {r.path.rsplit("/", 1)[-1] for r in sandbox.confluence.traffic.writes()} >= {"attachment"}
    named = index_page(sandbox).properties[LOCK_KEY].value["landing"]["manifest"]
    file = next(a.data for a in index_page(sandbox).attachments if a.title == MANIFEST_FILE)
    assert named["sha256"] == hashlib.sha256(file).hexdigest()
    pauses.clear()
    assert _site(sandbox, demo_job, pauses.append).manifest.to_json() == last.before and pauses == []


def test_a_run_whose_lease_moved_waits_under_it_for_the_manifest_the_other_run_left(
    sandbox, run_demo, demo_job, monkeypatch
) -> None:
    # As above, another run takes and lets go the lease between this run's read and its take; its manifest
    # writes are still on their way when this run reads again under the lease: it waits for them, and what it
    # writes keeps what that run wrote.
    monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)
    run_demo(sandbox)
    reapprove(sandbox, entry_id(sandbox, INTEGRATION))
    traffic, state = sandbox.confluence.traffic, sandbox.confluence.state
    index_id = index_page(sandbox).id
    site = _site(sandbox, demo_job)
    theirs = site.manifest.copy()
    theirs.digests["owner@example.com"] = "2026-11-27"
    value, file, stored = site._writes(theirs)
    assert value is None and file is not None  # kept as a file: the file alone changes
    serve, moved, pauses = traffic.take_fault, [], []

    def other_run_first(method: str, path: str):
        if method in ("PUT", "POST") and not moved:  # this run's first write is its lease
            version = state.get_property(index_id, LOCK_KEY).version
            other = {"holder": "7-other", "host": "cron-2", "started": "2026-11-26T06:00:00+00:00"}
            landing = {"manifest": {"version": site.prop.version, "sha256": stored["sha256"]}, "records": {}}
            state.update_property(index_id, LOCK_KEY, {**other, "expires": "x"}, version + 1)
            state.update_property(index_id, LOCK_KEY, {**other, "released": True, "landing": landing}, version + 2)
            moved.append(version)
        return serve(method, path)

    def their_writes_land(pause: float) -> None:  # at the first pause of the wait for them (not a retry's)
        if pause == SETTLE_PAUSES[0] and not pauses:
            pauses.append(pause)
            site.adapter.put_attachment(index_id, MANIFEST_FILE, file, "application/gzip")

    traffic.take_fault = other_run_first  # type: ignore[method-assign]
    traffic.log.clear()
    report, _ = run_demo(sandbox, sleep=their_writes_land)

    assert moved and pauses == [SETTLE_PAUSES[0]]  # it waited, and read them once they landed
    assert report.count("published") == 1 and not report.errors
    assert listings(sandbox) == 2
    kept = _site(sandbox, demo_job).manifest
    assert kept.digests.get("owner@example.com") == "2026-11-27"  # theirs, kept
    assert INTEGRATION in json.dumps(kept.to_json())


def test_a_run_reading_while_the_last_runs_records_land_waits_for_them(sandbox, demo_job, monkeypatch) -> None:
    """Two runs, one after the other: the first writes a changed page and lets its lease go while the page's
    record is still on its way (held here until the second run's first pause); the second run reads in that
    moment, waits for the record the release names, and finds the page as the first run left it, rather than
    taking the first run's own write for an interrupted one and writing the page again."""
    run_with(sandbox, demo_job)
    set_keywords(sandbox, INTEGRATION, ["integration down", "status page"])
    page = pages(sandbox)[INTEGRATION]
    version = page.version  # as published (the emulator's page object moves on)
    state, confluence = sandbox.confluence.state, sandbox.confluence
    real, go = confluence.dispatch, threading.Event()

    def record_waits(endpoint, request, args):
        if request.method == "PUT" and re.search(rf"/{page.id}/propert(y|ies)/", request.path):
            go.wait(10)
        return real(endpoint, request, args)

    monkeypatch.setattr(confluence, "dispatch", record_waits)
    first: list[Any] = []
    thread = threading.Thread(target=lambda: first.append(run_with(sandbox, demo_job)))
    thread.start()
    index_id = index_page(sandbox).id
    named = _eventually(lambda: (Lease.landing(state.get_property(index_id, LOCK_KEY)) or {}).get("records"))
    assert page.id in named and state.pages[page.id].version == version + 1  # the text is in, not the record
    holder = state.get_property(index_id, LOCK_KEY).value["holder"]

    pauses: list[float] = []

    def lands(pause: float) -> None:
        pauses.append(pause)
        go.set()
        _eventually(lambda: state.get_property(page.id, PROPERTY_KEY).version >= named[page.id])

    second = run_with(sandbox, demo_job, prepare=lambda services: setattr(services.confluence_caller, "sleep", lands))
    thread.join(10)

    assert pauses == [SETTLE_PAUSES[0]]
    assert first[0].count("published") == 1 and not first[0].errors
    assert {row.outcome for row in second.entries if row.title == INTEGRATION} == {"unchanged"}
    # The second run wrote nothing: not the page again, and no lease (the first run's last writes may land
    # while it reads, so it is told apart by what it leaves, not by the requests seen).
    assert state.pages[page.id].version == version + 1
    lease = state.get_property(index_id, LOCK_KEY).value
    assert lease["holder"] == holder and lease["released"] is True


def _eventually(probe: Callable[[], Any], seconds: float = 10) -> Any:
    """What `probe` gives once it gives something (another thread is on its way to it)."""
    deadline = time.monotonic() + seconds
    while not (found := probe()):
        assert time.monotonic() < deadline, "never came"
        time.sleep(0.01)
    return found
