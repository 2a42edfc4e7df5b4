"""A run holds every entry of the data source at once: the listing keeps repeated parts of the pages once,
while each page stays exactly what Notion answered (so fingerprints, and what the sync decides, do not move)."""

from __future__ import annotations

import gc
import json
import threading
import time
from typing import Any

import httpx
import pytest
from notion_client import Client

from sync.errors import SyncError
from sync.incremental import fingerprint, fingerprint_of
from sync.mapping import Mapping
from sync.model import Outline
from sync.notion.client import make_client
from sync.notion.reader import NotionReader, _Shared
from sync.retry import ApiCaller
from sync.run import RUN_GC_THRESHOLD, collecting_rarely
from tests.conftest import no_sleep
from tests.e2e.helpers import bulk_sandbox, run_with


def _seeded(make_sandbox, entries: int) -> tuple[Any, Mapping, str, Client]:
    """A sandbox with `entries` generated entries: it, the mapping, the data source and a client for it."""
    sandbox = bulk_sandbox(make_sandbox, entries)
    mapping, data_source = Mapping.load(sandbox.options.mapping), sandbox.info["data_source_id"]
    credentials = sandbox.credentials()
    token = credentials.notion_token.get_secret_value() if credentials.notion_token else None
    client = Client(client=httpx.Client(), auth=token, base_url=credentials.notion_base_url, retry=False)
    return sandbox, mapping, data_source, client


def _raw_listing(client: Client, data_source_id: str) -> list[dict]:
    pages, cursor = [], None
    while True:
        response = client.data_sources.query(data_source_id, **({"start_cursor": cursor} if cursor else {}))
        pages.extend(response["results"])
        if not response["has_more"]:
            return pages
        cursor = response["next_cursor"]


def test_listed_pages_equal_notions_answer_and_share_what_repeats(make_sandbox) -> None:
    _, mapping, data_source, client = _seeded(make_sandbox, 130)  # two pages of results
    reader = NotionReader(client, ApiCaller("notion", sleep=no_sleep))

    listed = reader.entries(data_source, [])
    raw = _raw_listing(client, data_source)

    assert len(listed) == 130
    assert json.dumps(listed, sort_keys=True) == json.dumps(raw, sort_keys=True)
    names = [column.property for column in mapping.columns()]
    assert [fingerprint(p, names, ("v",)) for p in listed] == [fingerprint(p, names, ("v",)) for p in raw]
    # The same annotations, option and user objects serve every page, across pages of results.
    title = mapping.fields.title.property
    annotations = {id(p["properties"][title]["title"][0]["annotations"]) for p in listed}
    assert len(annotations) == 1
    creators = {id(p["created_by"]) for p in listed}
    assert len(creators) == 1
    # Within a page, a rich text's plain text is its content, kept once.
    item = listed[0]["properties"][title]["title"][0]
    assert item["plain_text"] is item["text"]["content"]


def test_sharing_keeps_json_values_apart_that_python_calls_equal() -> None:
    shared = _Shared()
    pages = [
        {"id": "a", "flag": {"value": True}, "n": {"value": 1}, "z": {"value": 0}, "f": {"value": False}},
        {"id": "b", "flag": {"value": 1}, "n": {"value": True}, "z": {"value": False}, "f": {"value": 0}},
        {"id": "c", "x": {"value": 1.0}, "y": {"value": None}, "w": [{"value": "1"}, [{"value": 1}]]},
    ]
    out = [shared.page(p) for p in pages]
    assert [json.dumps(p) for p in out] == [json.dumps(p) for p in pages]
    assert out[0]["flag"] is out[1]["n"]  # {"value": true} both times: one object
    assert out[0]["flag"] is not out[0]["n"]  # true and 1 stay apart
    assert out[0]["z"] is not out[0]["f"]  # 0 and false too
    assert out[2]["w"][1][0] is out[0]["n"]


def test_long_strings_are_shared_within_a_page_only() -> None:
    shared = _Shared()
    text = "x" * 200
    first = shared.page({"a": text, "b": "".join(["x"] * 200)})
    second = shared.page({"a": "".join(["x"] * 200)})
    assert first["a"] is first["b"]
    assert second["a"] == text and second["a"] is not first["a"]


def test_an_entry_keeps_its_mapped_properties_as_text_and_maps_and_fingerprints_as_the_page(make_sandbox) -> None:
    from sync.mapping import map_page
    from sync.run import Entry

    _, mapping, data_source, client = _seeded(make_sandbox, 40)
    names = [c.property for c in mapping.columns()]
    for page in _raw_listing(client, data_source):
        entry = Entry.listed(page, mapping)
        assert set(entry.page["properties"]) < set(page["properties"])  # only what every run reads stays parsed
        assert map_page(entry.full_page(), mapping, None) == map_page(page, mapping, None)
        assert entry.source(mapping).fingerprint == fingerprint(page, names, ())  # what pages already record
        held = ("held: legal review pending",)
        assert fingerprint_of(entry.properties or "", held) == fingerprint(page, names, held)


def test_the_next_page_of_results_is_asked_for_before_the_last_ones_entries_are_kept(make_sandbox) -> None:
    # Keeping a page's entries takes time; the next page's request is already on its way meanwhile.
    sandbox, _, data_source, client = _seeded(make_sandbox, 250)  # three pages of results
    reader = NotionReader(client, ApiCaller("notion", sleep=no_sleep))
    queries = lambda: len(sandbox.notion.traffic.requests("POST", r"/query$"))  # noqa: E731
    seen: list[int] = []

    def keep(page: dict) -> str:
        if len(seen) % 100 == 0 and len(seen) < 200:  # the first entry of each page but the last
            deadline = time.monotonic() + 10
            while queries() <= len(seen) // 100 + 1 and time.monotonic() < deadline:
                time.sleep(0.005)
        seen.append(queries())
        return page["id"]

    kept = reader.entries(data_source, [], keep=keep)
    assert len(kept) == 250 and len(set(kept)) == 250
    assert seen[0] == 2 and seen[100] == 3  # page 2 asked for while page 1 was kept, page 3 during page 2
    assert queries() == 3  # and no page twice


def test_each_answer_is_let_go_with_its_caller_however_slow_the_collector(make_sandbox) -> None:
    # httpx binds each answer and its stream to each other, so only the collector would free an answer and its
    # body, and a run keeps the collector slow: the sync's client lets each answer go as soon as it is read
    # (a page of results is a megabyte for a hundred entries; a first run reads and writes thousands of pages).
    sandbox, _, data_source, _ = _seeded(make_sandbox, 250)  # three pages of results
    reader = NotionReader(make_client(sandbox.credentials()), ApiCaller("notion", sleep=no_sleep))
    live: list[int] = []

    def keep(page: dict) -> str:
        if len(live) % 100 == 0:  # the first entry of each page
            live.append(sum(type(o) is httpx.Response for o in gc.get_objects()))
        else:
            live.append(-1)
        return page["id"]

    def answers() -> int:
        return sum(type(o) is httpx.Response for o in gc.get_objects())

    gc.collect()
    gc.disable()  # slower than any run: nothing is collected at all
    try:
        ids = reader.entries(data_source, [], keep=keep)
        after_listing = answers()
        for page_id in ids[:20]:
            reader.body(page_id)
        after_bodies = answers()
    finally:
        gc.enable()
    # While a page is kept, the next page's answer may be on its way, never those before.
    assert [n for n in live if n >= 0] and max(live) <= 1
    assert after_listing == 0 and after_bodies == 0


def test_a_run_collects_garbage_at_its_own_pace_and_restores_the_default(make_sandbox, demo_job) -> None:
    sandbox = make_sandbox(flavor="cloud")
    before = gc.get_threshold()
    during: set[tuple[int, ...]] = set()

    def watch(services: Any) -> None:
        services.progress = lambda *_: during.add(gc.get_threshold())

    report = run_with(sandbox, demo_job, prepare=watch)
    assert report.totals["published"] > 0
    assert during == {RUN_GC_THRESHOLD}  # the listing, the writes: the whole run
    assert gc.get_threshold() == before

    sandbox.stop()  # a run that fails gives the pace back too
    with pytest.raises(SyncError):
        run_with(sandbox, demo_job)
    assert gc.get_threshold() == before


def test_runs_side_by_side_keep_the_runs_pace_until_the_last_one_ends() -> None:
    before = gc.get_threshold()
    first, second = collecting_rarely(), collecting_rarely()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the job that started first ends first (`schedule` runs jobs side by side)
    assert gc.get_threshold() == RUN_GC_THRESHOLD
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_entries_are_evaluated_beside_the_listing_once_confluence_is_read(make_sandbox, run_demo, monkeypatch):
    """No timing: the listing's last page waits until Confluence's read is in; then every entry is evaluated on
    the thread that prepares them, and the deciding pass after the listing evaluates none of them again."""
    from sync import run

    sandbox = bulk_sandbox(make_sandbox, 250)  # three pages of results
    first, _ = run_demo(sandbox)

    confluence_in = threading.Event()
    real_ready, real_evaluate, real_dispatch = run._Ahead.ready, run.evaluate, sandbox.notion.dispatch
    queries: list[str] = []
    evaluated: dict[str, int] = {}

    def ready(self, confluence, me):
        real_ready(self, confluence, me)
        if self._inputs is not None:
            confluence_in.set()

    def last_page_waits(endpoint, request, args):
        if endpoint == "query_data_source":
            queries.append(request.path)
            if len(queries) == 3:
                assert confluence_in.wait(10), "Confluence's read never came in"
        return real_dispatch(endpoint, request, args)

    def counted(entries, *args, **kwargs):
        where = threading.current_thread().name
        evaluated[where] = evaluated.get(where, 0) + len(entries)
        return real_evaluate(entries, *args, **kwargs)

    monkeypatch.setattr(run._Ahead, "ready", ready)
    monkeypatch.setattr(run, "evaluate", counted)
    monkeypatch.setattr(sandbox.notion, "dispatch", last_page_waits)
    report, _ = run_demo(sandbox)

    main = evaluated.pop(threading.main_thread().name, 0)
    assert main == 0 and sum(evaluated.values()) == 250  # all beside the listing, none after it

    # The same decisions as the first run's (without its news: the reminders it sent).
    def decided(rows, outcome=lambda o: o):
        return [(e.page_id, outcome(e.outcome), [r for r in e.reasons if "reminder sent" not in r]) for e in rows]

    assert decided(report.entries) == decided(first.entries, lambda o: "unchanged" if o == "published" else o)


def test_an_entry_keeps_its_status_columns_as_a_run_reads_them_not_in_notions_long_form() -> None:
    from sync.mapping import map_page
    from sync.notion.writeback import current_status
    from sync.run import Entry
    from sync.starter import default_mapping

    mapping = Mapping.load(default_mapping())
    writeback, title = mapping.writeback, mapping.fields.title.property
    assert writeback is not None

    def run(text: str, **marks: bool) -> dict:
        annotations = {"bold": False, "italic": False, "code": False, "color": "default"} | marks
        return {"type": "text", "text": {"content": text, "link": None}, "annotations": annotations,
                "plain_text": text, "href": None}  # fmt: skip

    message = [run("Problem: <script>alert(1)</script> "), run("مرحبا 🚨", bold=True), run("x" * 1990)]
    page = {
        "object": "page",
        "id": "0b7c3f9e-1111-4222-8333-944455556666",
        "url": "https://www.notion.so/x",
        "last_edited_time": "2026-11-02T10:00:00.000Z",
        "properties": {
            title: {"id": "title", "type": "title", "title": [run("Refund "), run("outside the window", italic=True)]},
            writeback.status.property: {
                "id": "s%3D",
                "type": "select",
                "select": {"id": "opt-1", "name": "Problem", "color": "red"},
            },
            writeback.message.property: {"id": "m%3D", "type": "rich_text", "rich_text": message},
            writeback.page.property: {"id": "u%3D", "type": "url", "url": None},
        },
    }
    entry = Entry.listed(page, mapping)
    assert current_status(entry.page, writeback) == current_status(page, writeback)
    assert map_page(entry.full_page(), mapping, None) == map_page(page, mapping, None)
    kept = json.dumps(entry.page["properties"], ensure_ascii=False)
    assert "annotations" not in kept and "opt-1" not in kept and "red" not in kept  # the long form is gone
    assert "مرحبا 🚨" in kept and "<script>" in kept  # the text itself, exactly


def _held_at_the_end(monkeypatch) -> list[tuple[list[Any], dict[str, Any]]]:
    """The entries each run holds when it is done with them, and their listed pages by entry (heard as the
    manifest is updated)."""
    from sync import run

    kept: list[tuple[list[run.Entry], dict[str, Any]]] = []
    real_update = run.upkeep.update_manifest

    def update_manifest(manifest, entries, applied, by_entry):
        kept.append((list(entries), dict(by_entry)))
        return real_update(manifest, entries, applied, by_entry)

    monkeypatch.setattr(run.upkeep, "update_manifest", update_manifest)
    return kept


def test_an_entry_decided_without_its_body_keeps_no_texts(make_sandbox, run_demo, monkeypatch) -> None:
    """A run holds every entry to its end: those whose page it does not build keep who owns them, their title,
    keywords and version, and nothing of the texts their page is made of (mapped again from their
    properties should another pass need them, as the read-again test in test_lock shows)."""
    sandbox = bulk_sandbox(make_sandbox, 30)
    run_demo(sandbox)
    kept = _held_at_the_end(monkeypatch)
    report, _ = run_demo(sandbox)

    outcomes = {row.page_id: row.outcome for row in report.entries}
    decided = [e for e in kept[0][0] if e.scenario is not None and not e.problems]
    assert {outcomes[e.page_id] for e in decided} == {"unchanged", "held"} and len(decided) > 20
    for entry in decided:
        assert entry.body is None and entry.prepared is None
        assert isinstance(entry.scenario, Outline) and not hasattr(entry.scenario, "steps")
        assert entry.scenario.title and entry.scenario.owner.name and entry.scenario.version >= 1
        assert entry.generated is not None and entry.generated.plan.clips == []
        with pytest.raises(RuntimeError, match="let go"):
            entry.generated.prompt  # noqa: B018
    unchanged = [e for e in decided if outcomes[e.page_id] == "unchanged"]
    assert unchanged and all(e.desired is not None for e in unchanged)
    for entry in unchanged:  # its page has nothing to write: it keeps the page's hashes alone
        assert entry.desired is not None and entry.desired.__dict__["_body"] is None
        assert all(a.stored is None for a in entry.desired.attachments)


def test_an_entry_whose_page_a_run_makes_keeps_the_page_not_the_texts(make_sandbox, run_demo, monkeypatch) -> None:
    """A first run writes a page for most entries: once made (and kept compressed), the texts it was made of
    go, as they go for an entry decided without its body. Once written, the page's own text and files go too,
    their hashes kept (the fingerprint stays what its record holds), and so do the entry's properties: the
    pass that writes maps no entry again."""
    sandbox = bulk_sandbox(make_sandbox, 30)
    kept = _held_at_the_end(monkeypatch)
    report, _ = run_demo(sandbox)

    published = {row.page_id for row in report.entries if row.outcome == "published"}
    (deciding, _), (writing, _) = kept  # the pass that learns whether to write, then the one that writes
    made = [e for e in deciding if e.page_id in published]
    assert len(made) > 20
    for entry in made:
        assert entry.body is not None and entry.desired is not None and "<ac:structured-macro" in entry.desired.body
        assert isinstance(entry.scenario, Outline) and not hasattr(entry.scenario, "steps")
        assert entry.scenario.title and entry.scenario.owner.name and entry.prepared is None

    made_before = {e.page_id: e.desired for e in made}
    written = [e for e in writing if e.page_id in published]
    assert len(written) == len(made)
    for entry in written:
        page, before = entry.desired, made_before[entry.page_id]
        assert page is not None and before is not None
        assert page.fingerprint == before.fingerprint and page.content_hash == before.content_hash
        assert [a.sha256 for a in page.attachments] == [a.sha256 for a in before.attachments] != []
        with pytest.raises(ValueError, match="only the hash"):
            _ = page.body
        with pytest.raises(ValueError, match="let go"):
            _ = entry.properties
    sandbox.confluence.traffic.clear()
    again, _ = run_demo(sandbox)  # what the first run recorded of its pages: nothing to write
    assert sandbox.confluence.traffic.writes() == []
    assert {row.outcome for row in again.entries if row.page_id in published} == {"unchanged"}


def _one_object_each(values: list[Any]) -> bool:
    """Whether equal values among `values` are one object (and some value repeats, so the check means something)."""
    held: dict[Any, set[int]] = {}
    for value in values:
        held.setdefault(value, set()).add(id(value))
    return len(held) < len(values) and all(len(ids) == 1 for ids in held.values())


def test_what_repeats_from_entry_to_entry_is_held_once(make_sandbox, run_demo, monkeypatch) -> None:
    """Owners, keywords, editors, property ids and types, labels: a few dozen of each name thousands of
    entries and pages, and a run holds every entry and page to its end. Each is held once."""
    sandbox = bulk_sandbox(make_sandbox, 30)
    heard = _held_at_the_end(monkeypatch)
    run_demo(sandbox)
    first = heard[-1][0]  # the entries of the first run's pass that writes, each with its fresh approval record
    run_demo(sandbox)

    records = [e.binding.record for e in first if e.binding is not None and e.binding.record is not None]
    assert len(records) > 20 and _one_object_each([name for record in records for name in record.fields])
    entries, pages = heard[-1]
    outlines = [e.scenario for e in entries if isinstance(e.scenario, Outline)]
    assert len(outlines) > 20
    assert _one_object_each([o.owner for o in outlines])
    assert _one_object_each([k for o in outlines for k in o.keywords])
    assert _one_object_each([e.page["last_edited_by"]["id"] for e in entries])
    for name in ("Sync status", "Scenario"):
        values = [e.page["properties"][name] for e in entries]
        assert _one_object_each([v["id"] for v in values]) and _one_object_each([v["type"] for v in values])
    assert _one_object_each([label for page in pages.values() for label in page.labels])
    assert _one_object_each([label for page in pages.values() for label in page.meta.labels])
    assert _one_object_each([page.last_editor_id for page in pages.values()])
