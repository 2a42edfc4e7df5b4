"""Writes that fail half-way heal on the next clean run, on every surface; a person's page is never touched.

Faults come from the emulators: errors that outlast the retries, answers lost after the server applied the
write, and a run killed between two requests.
"""

from __future__ import annotations

import gzip

import pytest

from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY
from sync.errors import ApiFailure
from sync.sandbox.faults import Fault
from sync.sandbox.runtime import Sandbox, SandboxOptions
from tests.e2e.helpers import (
    ESCALATION,
    INTEGRATION,
    PUBLISHED,
    KillAfter,
    Killed,
    assert_converged,
    attach,
    bookkeeping_pages,
    entry_id,
    entry_traffic,
    killed_at_every_request,
    labels,
    notion_status,
    pages,
    prepare_index,
    run_with,
    set_keywords,
)

CREATE = r"(/api/v2/pages|/rest/api/content)$"


@pytest.mark.parametrize("failing", ["labels", "property"])
def test_a_create_whose_marking_failed_is_adopted_by_the_next_run(sandbox, demo_job, failing) -> None:
    prepare_index(sandbox, demo_job)
    (index,) = bookkeeping_pages(sandbox)  # the job's lease and manifest live there: not what fails here
    path = r"/label$" if failing == "labels" else rf"^(?!.*/{index}/).*/propert(y|ies)$"
    sandbox.confluence.traffic.add_fault(Fault(status=500, method="POST", path=path, times=100))
    first = run_with(sandbox, demo_job)
    if sandbox.options.flavor == "cloud":  # Data Center creates marked in one request: nothing to fail
        live = [e for e in first.entries if e.title in PUBLISHED]
        assert {e.outcome for e in live} == {"published"}  # the text is live: no false "not published"
        assert all("marking it failed" in e.problems[-1] for e in live)
        assert first.exit_code == 3
        assert all(PROPERTY_KEY not in p.properties for p in pages(sandbox).values())
        assert all((MANAGED_LABEL in labels(p)) == (failing == "property") for p in pages(sandbox).values())
    sandbox.confluence.traffic.faults.clear()

    again = run_with(sandbox, demo_job)
    assert again.count("failed") == 0 and again.exit_code == 1  # only the entry with a broken field
    found = assert_converged(sandbox)
    for title, page in found.items():
        assert page.properties[PROPERTY_KEY].value["notion_page_id"] == entry_id(sandbox, title)
    third = run_with(sandbox, demo_job)
    assert third.confluence.writes == 0 and third.notion.writes == 0


def test_a_persons_page_with_the_same_title_is_refused_and_never_touched(sandbox, demo_job) -> None:
    state = sandbox.confluence.state
    person = state.add_user("Dana Editor", "dana@example.com", "dana")
    # Even with the entry's Notion link in it, a page a person created is theirs.
    link = entry_id(sandbox, INTEGRATION).replace("-", "")
    body = f'<p>Our own notes. <a href="https://www.notion.so/{link}">entry</a></p>'
    theirs = state.create_page("SUP", INTEGRATION, body, parent_id=sandbox.info["parent_page_id"], author=person)

    for _ in range(2):
        report = run_with(sandbox, demo_job)
        row = next(e for e in report.entries if e.title == INTEGRATION)
        assert row.outcome == "problem"  # a title collision is the entry's problem (exit 1), not a failed run
        assert "already exists" in row.problems[-1] and "not managed by scenario-sync" in row.problems[-1]
        assert f"id {theirs.id}" in row.problems[-1]
        assert next(e for e in report.entries if e.title == ESCALATION).outcome in ("published", "unchanged")
    page = state.pages[theirs.id]
    assert page.version == 1 and page.body == body and page.labels == [] and page.properties == {}


def test_a_page_by_the_sync_account_without_the_entrys_link_is_not_adopted(sandbox, demo_job) -> None:
    state = sandbox.confluence.state  # e.g. someone signed in as the service account and wrote it by hand
    other = state.create_page("SUP", INTEGRATION, "<p>Not from Notion.</p>", parent_id=sandbox.info["parent_page_id"])
    row = next(e for e in run_with(sandbox, demo_job).entries if e.title == INTEGRATION)
    assert row.outcome == "problem" and "not managed by scenario-sync" in row.problems[-1]
    assert state.pages[other.id].version == 1 and state.pages[other.id].properties == {}


def test_half_way_update_is_no_human_edit_and_is_completed(sandbox, demo_job) -> None:
    run_with(sandbox, demo_job)
    set_keywords(sandbox, INTEGRATION, ["outage", "production down"])  # an update: labels change
    # The entry pages' own property (not the job's lease and manifest on its index page).
    ids = "|".join(p.properties[PROPERTY_KEY].id for p in pages(sandbox).values())
    path = rf"/properties/({ids})$|/property/scenario-sync$"
    sandbox.confluence.traffic.add_fault(Fault(status=500, method="PUT", path=path, times=100))
    report = run_with(sandbox, demo_job)
    row = next(e for e in report.entries if e.title == INTEGRATION)
    assert row.outcome == "published" and "the next run completes it" in row.problems[-1]
    assert notion_status(sandbox)[INTEGRATION][0] == "Published"
    sandbox.confluence.traffic.faults.clear()

    again = run_with(sandbox, demo_job)
    row = next(e for e in again.entries if e.title == INTEGRATION)
    assert row.action == "update" and row.action_reason == "completing an interrupted write"
    assert "edited in Confluence" not in (row.action_reason or "")
    assert_converged(sandbox)
    assert run_with(sandbox, demo_job).confluence.writes == 0


# Every write the sync makes, by request: (method, path pattern).
WRITES = {
    "page create": ("POST", CREATE),
    "labels": ("POST", r"/label$"),
    "property create": ("POST", r"/propert(y|ies)$"),
    "page update": ("PUT", r"(/api/v2/pages/\d+|/rest/api/content/\d+)$"),
    "property update": ("PUT", r"/propert(y|ies)/[^/]+$"),
    "attachment upload": ("PUT", r"/child/attachment$"),
    "label removal": ("DELETE", r"/label$"),
}


@pytest.mark.parametrize("kind", [*WRITES, "notion status"])
def test_every_write_whose_answer_is_lost_converges_without_duplicates(sandbox, demo_job, monkeypatch, kind) -> None:
    if kind == "labels" and sandbox.options.flavor == "datacenter":
        pytest.skip("Data Center sends the labels inside the create: there is no separate request to lose")
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 4}'})
    if kind == "notion status":
        sandbox.notion.traffic.add_fault(Fault(kind="lost", method="PATCH", path=r"/v1/pages/"))
    else:
        method, path = WRITES[kind]
        sandbox.confluence.traffic.add_fault(Fault(kind="lost", method=method, path=path))
    run_with(sandbox, demo_job)
    # A second run that updates: a keyword goes (its label too) and the file changes.
    set_keywords(sandbox, INTEGRATION, ["outage", "production down"])
    attach(monkeypatch, {"clip-plan.json": b'{"clips": 5}'})
    run_with(sandbox, demo_job)
    clean = run_with(sandbox, demo_job)

    fault = (sandbox.notion if kind == "notion status" else sandbox.confluence).traffic.faults[0]
    assert fault.fired == 1, f"the {kind} fault never fired"
    assert clean.count("failed") == 0
    found = assert_converged(sandbox)
    assert "integration-broken" not in labels(found[INTEGRATION]) and "outage" in labels(found[INTEGRATION])
    for page in found.values():
        (attachment,) = page.attachments
        assert attachment.data == b'{"clips": 5}' and attachment.version == 2  # one new version, never two
        assert len(page.properties) == 1
    status = notion_status(sandbox)
    assert {title: status[title][0] for title in PUBLISHED} == dict.fromkeys(PUBLISHED, "Published")
    last = run_with(sandbox, demo_job)
    assert last.confluence.writes == 0 and last.notion.writes == 0


def test_a_run_killed_between_any_two_requests_converges(sandbox, demo_job, monkeypatch) -> None:
    attach(monkeypatch, {"clip-plan.json": b"{}"})
    assert killed_at_every_request(sandbox, demo_job) > 5  # killed at every request of a first run, in turn
    clean = run_with(sandbox, demo_job)
    assert clean.count("failed") == 0
    for page in assert_converged(sandbox).values():
        assert len(page.attachments) == 1 and page.attachments[0].version == 1
    assert run_with(sandbox, demo_job).confluence.writes == 0


@pytest.mark.parametrize(
    ("flavor", "v1_content"), [("cloud", "available"), ("datacenter", "available"), ("cloud", "removed")]
)
def test_each_kill_point_alone_then_a_clean_run_converges(demo_job, monkeypatch, flavor, v1_content) -> None:
    """A fresh site for each point at which the first run dies; the next clean run always converges."""
    attach(monkeypatch, {"clip-plan.json": b"{}"})
    n = 0
    while True:
        options = SandboxOptions(flavor=flavor, cloud_v1_content=v1_content, rate_limit=False)
        with Sandbox(options) as sandbox:
            try:
                run_with(sandbox, demo_job, lambda s, n=n: setattr(s.confluence_caller, "limiter", KillAfter(n)))
            except Killed:
                clean = run_with(sandbox, demo_job)
                assert clean.count("failed") == 0, (n, clean.entries)
                assert_converged(sandbox)
                n += 1
                continue
        break
    assert n >= 3


def test_search_index_lag_never_creates_twice_nor_reports_a_collision(sandbox, demo_job) -> None:
    state = sandbox.confluence.state
    now = [state.clock()]
    state.clock = lambda: now[0]
    sandbox.confluence.index_lag_s = 30.0
    run_with(sandbox, demo_job)
    again = run_with(sandbox, demo_job)  # the listing misses both new pages, the search the index page too
    assert sandbox.confluence.traffic.requests(path="content/search")  # the listing was asked
    assert again.count("failed") == 0 and again.errors == []
    assert sum(p.title == f"Scenario index ({demo_job.name})" for p in state.pages.values()) == 1
    assert_converged(sandbox)
    assert all(p.version == 1 for p in pages(sandbox).values())  # looked up, found complete, left alone
    now[0] = now[0].replace(year=now[0].year + 1)
    assert run_with(sandbox, demo_job).confluence.writes == 0


def test_a_new_page_costs_at_most_three_requests(sandbox, demo_job) -> None:
    report = run_with(sandbox, demo_job)
    log = sandbox.confluence.traffic
    created = len(pages(sandbox))
    assert created == 2
    writes = entry_traffic(sandbox, log.writes())
    # Each page carries its clip-plan manifest: one upload more, and the record follows the files.
    assert len(writes) <= 4 * created
    if sandbox.options.flavor == "datacenter":
        assert len(writes) == 3 * created  # create (with labels), the manifest, then the record
        assert all(p.versions[0].message.startswith("scenario-sync: Notion version") for p in pages(sandbox).values())
    # Besides the writes: the space, the parent, and the listing (read again under the job's lease); the job's
    # own index page (lease, manifest) is counted apart.
    assert report.confluence.requests <= len(log.requests())
    assert len(entry_traffic(sandbox, log.requests())) <= 4 * created + 4


def test_a_create_whose_answer_is_lost_is_looked_up_not_repeated(sandbox, demo_job) -> None:
    prepare_index(sandbox, demo_job)
    sandbox.confluence.traffic.add_fault(Fault(kind="lost", method="POST", path=CREATE, times=2))
    report = run_with(sandbox, demo_job)
    assert report.count("failed") == 0 and report.count("published") == 2
    assert len(sandbox.confluence.traffic.requests(method="POST", path=CREATE)) == 2  # one per page, never again
    assert_converged(sandbox)
    assert run_with(sandbox, demo_job).confluence.writes == 0


def _index(sandbox: Sandbox):
    return next(p for p in sandbox.confluence.state.pages.values() if "scenario-sync-manifest" in p.properties)


@pytest.mark.parametrize("pointer", ["names the file", "names its SHA-256 too"])
def test_a_manifest_file_that_did_not_land_is_written_again_by_the_next_run(
    sandbox, demo_job, monkeypatch, pointer
) -> None:
    """A manifest kept as a file changes the file alone (the property names it, no more), so the two never
    disagree: when the upload fails, the run says so, and the next run writes the file again. A pointer an
    older release wrote also named the file's SHA-256: where it names another file, both are written anew."""
    monkeypatch.setattr("sync.upkeep.PROPERTY_LIMIT", 200)  # the manifest kept as a file
    run_with(sandbox, demo_job)
    index = _index(sandbox)
    prop = index.properties["scenario-sync-manifest"]
    assert prop.value == {"attachment": "scenario-sync-manifest.json.gz"}
    if pointer == "names its SHA-256 too":
        older = {**prop.value, "sha256": "0" * 64}
        sandbox.confluence.state.update_property(index.id, prop.key, older, prop.version + 1)
    sandbox.confluence.traffic.add_fault(Fault(path=f"/{index.id}/child/attachment", status=500, times=1_000))
    set_keywords(sandbox, INTEGRATION, ["outage", "status page"])

    with pytest.raises(ApiFailure, match="writing the index page"):
        run_with(sandbox, demo_job)
    file = next(a for a in _index(sandbox).attachments if a.title == "scenario-sync-manifest.json.gz")
    assert "status page" not in gzip.decompress(file.data).decode()  # not landed

    sandbox.confluence.traffic.faults.clear()
    healed = run_with(sandbox, demo_job)
    assert not healed.errors
    file = next(a for a in _index(sandbox).attachments if a.title == "scenario-sync-manifest.json.gz")
    assert "status page" in gzip.decompress(file.data).decode()
    assert _index(sandbox).properties["scenario-sync-manifest"].value == {"attachment": file.title}
    assert_converged(sandbox)
    assert run_with(sandbox, demo_job).confluence.writes == 0
