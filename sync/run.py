"""One run of a job, stage by stage: read → map → gate → render → read Confluence → plan → apply → write back.

Everything between the reads and the writes is pure. With `dry_run`, the run stops after planning. A run
takes the job's lease only when it has something to write (or, reading the body of a published entry a person
changed, almost surely will), so a run with nothing to do writes nothing at all.
A page whose entry changed is written as soon as its entry is listed (see `_Writes`); everything else once the
whole library is listed and planned.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sync import incremental, lifecycle, logs, overlap, upkeep
from sync.apply import PAGES_IN_FLIGHT, Applied, Records, apply, apply_one
from sync.approval import BODY_FIELDS, STEP_FIELDS, ApprovalRecord, Binding, bind, fingerprint
from sync.archive import ArchiveContext
from sync.assets import Attachment
from sync.blocks import Body, media
from sync.config import Job
from sync.confluence.base import MANAGED_LABEL, ConfluenceAdapter, ManagedPage, Target, Titled
from sync.errors import ApiFailure, AuthError, LockHeld, SyncError, describe, http_status, missing_is_config
from sync.gate import Decision, decide
from sync.generate.generator import Checks, Generated, Generator
from sync.index_page import Manifest
from sync.limits import NOTION_BODY_CONCURRENCY
from sync.lock import Lease
from sync.mapping import Column, Mapping, StepColumns, Writeback, map_page, plain_text
from sync.model import EntryProblem, Lifecycle, Outline, ReviewState, Scenario
from sync.notion import blocks as notion_blocks
from sync.notion.comments import NotionComments
from sync.notion.reader import NotionReader
from sync.notion.writeback import MAX_TEXT, EntryStatus, NotionWriter, current_status
from sync.packing import pack, unpack
from sync.plan import Action, DesiredPage, ManualEdits, Plan, labels_for, plan
from sync.plan import _originals as originals
from sync.progress import Progress, silent
from sync.render import entry_page
from sync.report import ApiUsage, EntryReport, RunReport
from sync.retry import ApiCaller
from sync.upkeep import IndexSite

# Notion status write-backs in flight at once (Notion's limiter spaces them; this only overlaps latency).
NOTION_IN_FLIGHT = 3

log = logs.get("run")


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Name the stage in any failure: refused credentials are a configuration error, the rest a partial run."""
    try:
        yield
    except SyncError:
        raise
    except Exception as error:
        if http_status(error) in (401, 403):
            raise AuthError(
                f"{name}: access refused ({describe(error)})", "check the token and its permissions"
            ) from error
        raise ApiFailure(
            f"{name} failed: {describe(error)}", "run again; if it persists, check the service status"
        ) from error


# The collector's pace during a run (CPython's default is 700, 10, 10). A run holds every entry until it ends,
# some hundreds of objects each, and makes almost no reference cycles: at the default pace the collector walks
# those objects again and again, in pauses of 40 to 110 ms that land on the Notion listing's cursor chain
# (measured at 1,000 entries; at 5,000 the no-change run spent 30% more CPU).
RUN_GC_THRESHOLD = (50_000, 100, 1_000)


@dataclass
class _Pace:
    """How many runs go now, and the collector's pace before the first of them: `schedule` runs jobs side by
    side, and the last one to end puts the pace back."""

    runs: int = 0
    before: tuple[int, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock)


_PACE = _Pace()


@contextlib.contextmanager
def collecting_rarely() -> Iterator[None]:
    """The cyclic garbage collector at the run's pace while any run goes, and at its own pace again after."""
    with _PACE.lock:
        if _PACE.runs == 0:
            _PACE.before = gc.get_threshold()
            gc.set_threshold(*RUN_GC_THRESHOLD)
        _PACE.runs += 1
    try:
        yield
    finally:
        with _PACE.lock:
            _PACE.runs -= 1
            if _PACE.runs == 0:
                gc.set_threshold(*_PACE.before)


@dataclass
class Services:
    reader: NotionReader
    writer: NotionWriter
    confluence: ConfluenceAdapter
    notion_caller: ApiCaller
    confluence_caller: ApiCaller
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    comments: NotionComments | None = None
    progress: Progress = silent


# What a run reads of a listed page besides its properties.
_LISTED = ("id", "url", "last_edited_time", "in_trash", "archived")


def _name(value: Any) -> Any:
    """A short text that repeats from entry to entry (a property's id and type, an option's name, a user's
    id), held once for the whole run however many entries name it."""
    return sys.intern(value) if isinstance(value, str) else value


def _slim_value(value: Any) -> Any:
    """A property value as a run reads it of every entry, all the time: a text as its plain text, an option as
    its name. Notion's own form (a text's runs, each with its annotations; an option's id and colour) takes
    several times the room, held for every entry."""
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str):
        return value
    slim = {"id": _name(value.get("id")), "type": _name(kind)}
    if kind in ("title", "rich_text"):
        text = plain_text(value.get(kind) or [])
        return slim | {kind: [{"type": "text", "plain_text": text}] if text else []}
    if kind in ("select", "status"):
        option = value.get(kind)
        return slim | {kind: {"name": _name(option.get("name"))} if option else None}
    return slim | {kind: value.get(kind)}


_GONE = b""  # an entry's `packed` properties once let go (`Entry.let_properties_go`)


@dataclass
class Entry:
    """One Notion page on its way through the stages."""

    page: dict[str, Any]
    scenario: Scenario | Outline | None = None  # an outline once decided (`_let_texts_go`)
    problems: list[EntryProblem] | None = None
    decision: Decision | None = None
    generated: Generated | None = None
    desired: DesiredPage | None = None
    body: Body | None = None  # read only where the entry changed since its last publish
    attachments: tuple[Attachment, ...] = ()  # Notion-hosted media of the body, fetched with it
    body_error: tuple[str, str] | None = None  # what went wrong reading the body, and what to do
    read_at: str | None = None
    binding: Binding | None = None
    standing: lifecycle.Standing | None = None
    notes: list[str] = field(default_factory=list)  # lifecycle news for the owner (status message)
    prepared: Prepared | None = None  # mapped, gated and generated from its properties, once a run
    # The mapped properties as compressed text, when `page` keeps only the rest (see `listed`): a run holds
    # every entry, and a page's properties parsed take some 20 KB.
    packed: bytes | None = None
    hashed: Any = None  # the source fingerprint's hash, fed with those properties (`incremental.fed`)
    # Read this run and held as changed since approval: what the manifest keeps so later runs need not read
    # the body again until the entry changes (see `seen_bodies`).
    held_body: dict[str, Any] | None = None
    # The plan's problems and the lint's findings as the manifest keeps them for the next run (`Generated.checks`).
    checks: Checks | None = None

    @classmethod
    def listed(cls, page: dict[str, Any], mapping: Mapping) -> Entry:
        """An entry as listed, holding its mapped properties as compressed text (a twentieth of their parsed
        size), and parsed only what the run reads of every entry: its id, link, last edit, title and status."""
        names = [c.property for c in mapping.columns()]
        parsed = {c.property for c in mapping.writeback_columns()} | {mapping.fields.title.property}
        props = page.get("properties", {})
        slim = {key: page[key] for key in _LISTED if key in page}
        editor = page.get("last_edited_by")
        if isinstance(editor, dict):
            slim["last_edited_by"] = {"object": "user", "id": _name(editor.get("id"))}
        slim["properties"] = {name: _slim_value(props[name]) for name in parsed if name in props}
        text = incremental.properties_json(page, names)
        return cls(slim, packed=pack(text.encode()), hashed=incremental.fed(text))

    @property
    def properties(self) -> str | None:
        """The mapped properties as the fingerprint encodes them (None when `page` holds them all)."""
        if self.packed == _GONE:
            raise ValueError(f"entry {self.page_id}: its properties were let go (the pass that writes maps no entry)")
        return None if self.packed is None else unpack(self.packed).decode()

    def let_properties_go(self) -> None:
        """The pass that writes maps no entry again: the properties go (a first run's entries held 10 MB of
        them at 5,000 entries, to its end); their hash stays (`hashed`)."""
        if self.packed is not None:
            self.packed = _GONE

    def full_page(self) -> dict[str, Any]:
        """The page with every property it was listed with, for mapping it."""
        properties = self.properties
        if properties is None:
            return self.page
        mapped = {name: value for name, value in json.loads(properties) if value is not None}
        return {**self.page, "properties": {**mapped, **self.page.get("properties", {})}}

    @property
    def page_id(self) -> str:
        return self.page["id"]

    def source(self, mapping: Mapping) -> incremental.Source:
        verdict = self.decision.reasons if self.decision else ()
        return incremental.Source(self.page.get("last_edited_time"), self.fingerprint(mapping, verdict), self.read_at)

    def fingerprint(self, mapping: Mapping, verdict: tuple[str, ...] = ()) -> str:
        """The mapped properties (as Notion answered them) and a verdict, hashed."""
        if self.hashed is not None:
            return incremental.fingerprint_from(self.hashed, verdict)
        return incremental.fingerprint(self.page, [c.property for c in mapping.columns()], verdict)

    def again(self) -> Entry:
        """The same Notion page for another pass, keeping what was read of its body."""
        return Entry(
            self.page,
            body=self.body,
            attachments=self.attachments,
            body_error=self.body_error,
            read_at=self.read_at,
            prepared=self.prepared,
            packed=self.packed,
            hashed=self.hashed,
            checks=self.checks,
        )


@dataclass(frozen=True)
class Prepared:
    """What an entry's properties alone decide: its mapping (or problems), its gate and its generation."""

    scenario: Scenario | None
    problems: list[EntryProblem] | None
    decision: Decision | None
    generated: Generated | None
    goes_on: bool  # False: the entry stops here (a problem)
    # Whether the reviews alone would publish it, and its content fingerprint: what binding its approval to
    # its content needs of the entry itself (the rest comes from Confluence).
    reviews_only: Decision | None = None
    content: tuple[str, dict[str, str]] | None = None


def prepare(
    entry: Entry, mapping: Mapping, job: Job, generator: Generator, then: Callable[[Prepared], Any] | None = None
) -> None:
    """Map, gate and generate an entry whose body is unread (pure; nothing from Confluence is needed), so the
    work is done as soon as it is listed, and once a run. `then` hears what was prepared."""
    if entry.body is None and entry.body_error is None and entry.prepared is None:
        entry.prepared = _map_and_generate(entry, mapping, job, generator)
        if then is not None:
            then(entry.prepared)


def read_entries(
    services: Services,
    mapping: Mapping,
    data_source_id: str,
    on_entry: Callable[[Entry], Any] | None = None,
    on_schema: Callable[[list[Column]], Any] | None = None,
    on_last: Callable[[], None] | None = None,
) -> tuple[list[Entry], list[Column]]:
    """The entries, and the write-back columns the database lacks (write-back is skipped then). `on_entry`
    hears each entry as soon as its page of results is read; `on_schema`, those columns, before the listing;
    `on_last`, that the listing's last page has come, before its entries."""

    def keep(page: dict[str, Any]) -> Entry:
        entry = Entry.listed(page, mapping)
        if on_entry is not None:
            on_entry(entry)
        return entry

    with missing_is_config(
        f"Notion data source {data_source_id} does not exist or is not shared with the integration",
        "check notion.data_source_id in scheduler.yaml, and in Notion add the integration to the database"
        " (••• → Connections)",
        statuses=(400, 404),
    ):
        schema = services.reader.schema(data_source_id)
    missing = [c for c in mapping.writeback_columns() if schema.get(c.property, {}).get("type") != c.type]
    if on_schema is not None:
        on_schema(missing)
    wanted = [c.property for c in [*mapping.columns(), *mapping.writeback_columns()]]
    # Ask only for the columns we use; a column missing from the schema is reported per entry by the mapping.
    ids = [schema[name]["id"] for name in dict.fromkeys(wanted) if name in schema]
    entries = services.reader.entries(
        data_source_id,
        ids,
        on_page=lambda n: services.progress("read Notion", n),
        keep=keep,
        on_last=on_last,
    )
    return entries, missing


def evaluate(
    entries: list[Entry],
    mapping: Mapping,
    job: Job,
    records: dict[str, ApprovalRecord] | None = None,
    today: date | None = None,
    published: dict[str, ManagedPage] | None = None,
    generator: Generator | None = None,
    seen: dict[str, dict[str, str]] | None = None,
) -> None:
    """Map, gate and render every entry (pure). With `today`, approval is bound to content (`records`
    are the approvals recorded so far) and the revalidation lifecycle decides what stays live.

    An entry whose body was not read is mapped and gated on its properties; if its page is `published`, it
    stands in as that page (the body part as recorded, or as `seen` by the run that last read it), so the plan
    still sees every page it owns."""
    generator = generator or Generator.for_job(job)
    for entry in entries:
        entry.problems, entry.desired, entry.binding, entry.standing, entry.notes = None, None, None, None, []
        entry.held_body = None
        entry.generated = None
        if entry.body_error is not None:
            entry.problems = [_body_problem(entry, mapping)]
            continue
        if entry.body is None and entry.prepared is not None:
            step = entry.prepared
            if step.scenario is not None:
                entry.scenario = step.scenario
            entry.problems = list(step.problems) if step.problems is not None else None
            entry.decision, entry.generated = step.decision, step.generated
        else:
            step = _map_and_generate(entry, mapping, job, generator)
        if not step.goes_on:
            continue
        mapped = step.scenario
        assert mapped is not None and entry.decision is not None
        current = (published or {}).get(entry.page_id)
        if today is not None:
            record = (records or {}).get(mapped.page_id)
            _bind(entry, step, mapping, job, record, today, current, (seen or {}).get(entry.page_id))
        elif entry.decision.publish:
            entry.desired = _desired(entry, mapped, entry.decision, mapping, job, current)
        if today is not None and entry.packed is not None:  # decided, and can be mapped again
            _let_texts_go(entry)
        elif entry.generated is not None:
            entry.generated.release()  # the page is built (or the entry held): its texts are not needed again


def _let_texts_go(entry: Entry) -> None:
    """A decided entry keeps no texts: its page, if it has one to write, is made already (and kept compressed),
    and thousands of entries each held some 5 KB. Another pass maps it again from its properties (`packed`) and
    the body it read, if any."""
    if isinstance(entry.scenario, Scenario):
        entry.scenario = entry.scenario.outline()
    if entry.generated is not None:
        entry.generated = entry.generated.forget()
    entry.prepared = None


def _map_and_generate(entry: Entry, mapping: Mapping, job: Job, generator: Generator) -> Prepared:
    mapped = map_page(entry.full_page(), mapping, entry.body)
    if isinstance(mapped, list):
        entry.problems = mapped
        return Prepared(None, mapped, None, None, goes_on=False)
    entry.scenario = mapped
    entry.decision = decide(mapped, job.review)
    # Steps written in the page body are known only once it is read: generate then.
    known = entry.body is not None or isinstance(mapping.steps, StepColumns)
    goes_on = not known or generate(entry, mapped, mapping, generator)
    if not goes_on:
        return Prepared(mapped, entry.problems, entry.decision, entry.generated, goes_on)
    reviews_only = decide(mapped.model_copy(update={"lifecycle": Lifecycle.ACTIVE}), job.review)
    content = fingerprint(mapped, job.review)
    return Prepared(mapped, entry.problems, entry.decision, entry.generated, goes_on, reviews_only, content)


def _desired(
    entry: Entry,
    scenario: Scenario,
    on_page: Decision,
    mapping: Mapping,
    job: Job,
    current: ManagedPage | None,
    approval: dict[str, Any] | None = None,
) -> DesiredPage | None:
    """The page an entry asks for: rendered when its body was read, else its published page standing in."""
    common: dict[str, Any] = {
        "notion_page_id": scenario.page_id,
        "title": scenario.title,
        "labels": labels_for(scenario.keywords),
        "entry_version": scenario.version,
        "approvals": _approvals(scenario, job),
        "approval": approval,
        "source": entry.source(mapping),
    }
    if entry.body is not None:
        assert entry.generated is not None
        shown = {m.attachment for m in media(scenario.guidance)}
        # The manifest is made from the same content as the body, so it is hashed with it.
        manifest = entry.generated.attachment()
        made = (manifest,) if manifest else ()
        return DesiredPage(
            body=entry_page(scenario, on_page, entry.generated),
            attachments=(*(a for a in entry.attachments if a.name in shown), *made),
            from_body=frozenset({*(name for name in shown if name), *(a.name for a in made)}),
            **common,
        )
    if current is not None and current.meta is not None:
        return DesiredPage(body="", body_hash=current.meta.body_hash, **common)
    return None


def _bind(
    entry: Entry,
    step: Prepared,
    mapping: Mapping,
    job: Job,
    record: ApprovalRecord | None,
    today: date,
    current: ManagedPage | None,
    seen: dict[str, str] | None = None,
) -> None:
    """Approval bound to content, then the revalidation lifecycle (pure)."""
    scenario, reviews_only = step.scenario, step.reviews_only
    assert scenario is not None and reviews_only is not None
    gate_reasons = () if reviews_only.publish else reviews_only.reasons
    # What comes from an unread body is as it was approved: the body is read whenever the entry changed.
    unread = BODY_FIELDS if entry.body is None else frozenset()
    if entry.body is None and mapping.steps_in_body is not None:
        unread = unread | STEP_FIELDS
    binding = bind(
        scenario, gate_reasons, record, job.review, today, mapping.has_version_columns(), unread, step.content, seen
    )
    entry.binding = binding
    # Held for its body: what was read is kept, unless the body also holds the steps (they are linted, and the
    # findings shown to reviewers would then come and go).
    held = entry.body is not None and binding.record is not None and not binding.publish
    if held and step.content is not None and mapping.steps_in_body is None:
        entry.held_body = {
            "edited": entry.page.get("last_edited_time"),
            "at": entry.read_at,
            "properties": entry.fingerprint(mapping),
            "fields": {k: v for k, v in step.content[1].items() if k in BODY_FIELDS},
        }
    if binding.changed and binding.record is not None and not binding.publish:
        entry.notes.append("changed since approval: " + ", ".join(binding.changed))
    if binding.problem:
        entry.notes.append(binding.problem)
    if scenario.lifecycle is Lifecycle.RETIRED:
        entry.standing = lifecycle.retired()
        entry.decision = Decision("hold", (entry.standing.reason,))
        return
    if scenario.lifecycle is not Lifecycle.ACTIVE or not binding.publish:
        reasons = binding.reasons if binding.record is not None and not binding.publish else ()
        base = entry.decision.reasons if entry.decision and not entry.decision.publish else ()
        entry.decision = Decision("hold", tuple(dict.fromkeys((*reasons, *base))) or base)
        if scenario.lifecycle is Lifecycle.ACTIVE and binding.record is not None:
            # Held, so its last approved page stays live: that page still has to be revalidated in time.
            kept = lifecycle.standing(scenario.last_revalidated, binding.record.approved_on, today, job.revalidation)
            if kept.archive:
                entry.standing = kept
                entry.decision = Decision("hold", (kept.status, *entry.decision.reasons))
        return
    assert binding.record is not None
    entry.standing = lifecycle.standing(scenario.last_revalidated, binding.record.approved_on, today, job.revalidation)
    approved = f"approved by {', '.join(job.review.required)} for version {scenario.version}"
    if entry.standing.archive:
        entry.decision = Decision("hold", (entry.standing.status,))
        return
    if entry.generated is not None and entry.generated.blocking:  # the last approved page stays live
        entry.decision = Decision("hold", tuple(f"held: {finding}" for finding in entry.generated.blocking))
        return
    entry.decision = Decision("publish", (approved, entry.standing.status))
    # The page shows the stable facts only, so it is not rewritten as the days pass.
    on_page = Decision("publish", (approved, f"next revalidation due {entry.standing.due}"))
    entry.desired = _desired(entry, scenario, on_page, mapping, job, current, binding.record.to_json())


def generate(entry: Entry, scenario: Scenario, mapping: Mapping, generator: Generator) -> bool:
    """Prompt, clip plan and lint for one entry. A plan that cannot fit is a problem with the entry; a blocking
    lint finding holds it (the last approved page stays live). False when the entry cannot go on."""
    assert entry.decision is not None
    steps = mapping.steps
    step_columns = [c.property for c in steps.__dict__.values()] if isinstance(steps, StepColumns) else None
    reference_columns = {name: column.property for name, column in mapping.quick_reference.__dict__.items()}
    # An unread body: the page is not rendered now, and the checks an earlier run kept for the same lines stand.
    make = generator.generate if entry.body is not None else generator.checked
    entry.generated = generated = make(scenario, step_columns, reference_columns)
    entry.checks = generated.checks
    if generated.problems:
        entry.problems = [
            EntryProblem(
                page_id=scenario.page_id,
                title=scenario.title,
                url=scenario.url,
                property=p.property,
                found=p.found,
                expected=p.expected,
            )
            for p in generated.problems
        ]
        return False
    if generated.blocking and entry.decision.verdict in ("publish", "hold"):
        held = tuple(f"held: {finding}" for finding in generated.blocking)
        entry.decision = dataclasses.replace(entry.decision, verdict="hold", reasons=(*held, *entry.decision.reasons))
    return True


def _approvals(scenario: Scenario, job: Job) -> tuple[str, ...]:
    """Who approved what, for the version message: each required review and the version it approved."""
    out = []
    for name in job.review.required:
        review = scenario.reviews.get(name)
        if review is not None:
            out.append(f"{name} (version {review.approved_version or scenario.version})")
    return tuple(out)


def _body_problem(entry: Entry, mapping: Mapping) -> EntryProblem:
    props = entry.page.get("properties", {}).get(mapping.fields.title.property, {})
    title = "".join(t.get("plain_text", "") for t in props.get("title", [])).strip() or "(untitled)"
    return EntryProblem(
        page_id=entry.page_id,
        title=title,
        url=entry.page.get("url", ""),
        property="body",
        found=entry.body_error[0] if entry.body_error else "",
        expected=entry.body_error[1] if entry.body_error else "",
    )


def seen_bodies(manifest: Manifest, entries: list[Entry], mapping: Mapping, bot_id: str) -> dict[str, dict[str, str]]:
    """The body fields of entries held for a body changed since approval, as the run that held them read them,
    where nobody but the integration edited the entry since (pure): their bodies need no reading again."""
    out: dict[str, dict[str, str]] = {}
    for entry in entries:
        held = manifest.entries.get(entry.page_id, {}).get("held_body")
        if entry.body is not None or not isinstance(held, dict):
            continue
        if incremental.seen_body_stands(entry.page, held, entry.fingerprint(mapping), bot_id):
            out[entry.page_id] = dict(held.get("fields") or {})
    return out


def needs_body(entry: Entry, current: ManagedPage | None, mapping: Mapping, bot_id: str) -> bool:
    """Whether the entry's body must be read this run (pure): only entries that may be published, and of
    those only the ones that changed since their page was published."""
    if entry.problems or entry.decision is None or not entry.decision.publish:
        return False
    edited_by = (entry.page.get("last_edited_by") or {}).get("id")
    ours = edited_by == bot_id and mapping.writeback is not None
    if ours:  # the integration's last edit is its status write-back after a publish
        assert mapping.writeback is not None
        ours = current_status(entry.page, mapping.writeback).status == "Published"
    return not incremental.body_unchanged(entry.page, entry.source(mapping).fingerprint or "", current, ours)


def read_bodies(
    reader: NotionReader,
    entries: list[Entry],
    now: Callable[[], datetime],
    ahead: dict[str, Future[BodyRead]] | None = None,
) -> None:
    """Read the bodies (and hosted media) of these entries, a few at a time; one that cannot be read gets a
    problem, the others go on. `ahead`: bodies read already, as their entries were listed (by page id)."""
    ahead = ahead or {}
    with overlap.pool(NOTION_BODY_CONCURRENCY) as pool:
        # list(): re-raise the first failure
        list(pool.map(lambda entry: read_body(reader, entry, now, ahead.get(entry.page_id)), entries))


def read_body(
    reader: NotionReader, entry: Entry, now: Callable[[], datetime], ahead: Future[BodyRead] | None = None
) -> None:
    """Read one entry's body and hosted media; what the integration may not open, or a file that cannot be
    fetched, is the entry's problem. Any other failure is raised, and the entry left as it was. `ahead`: the
    body read already (a read that failed is made again)."""
    read = ahead.result() if ahead is not None and ahead.exception() is None else None
    (read or fetch_body(reader, entry.page_id, now)).onto(entry)


@dataclass(frozen=True)
class BodyRead:
    """An entry's body as read (or why it cannot be), before it is given to the entry (`onto`)."""

    body: Body | None
    attachments: tuple[Attachment, ...]
    error: tuple[str, str] | None
    read_at: str

    def onto(self, entry: Entry) -> None:
        if self.body is not None:
            entry.body, entry.attachments = self.body, self.attachments
        entry.body_error = self.error or entry.body_error
        entry.read_at = self.read_at


def fetch_body(reader: NotionReader, page_id: str, now: Callable[[], datetime]) -> BodyRead:
    """`read_body`'s reading, for an entry that need not be at hand (its body read ahead of deciding)."""
    read_at = now().astimezone(UTC).isoformat()
    try:
        raw, trouble = reader.body(page_id)
        body = notion_blocks.body(raw, tuple(trouble))
        return BodyRead(body, _download(reader, body), None, read_at)
    except _Unreadable as error:
        fix = "run again: Notion's file links expire after an hour, so files are fetched each run"
        return BodyRead(None, (), (str(error), fix), read_at)
    except Exception as error:
        if http_status(error) not in (403, 404):
            raise
        problem = (
            "the integration may not open this page, so its body cannot be read",
            "share the page with the integration (or lift its restriction) so its body can be read",
        )
        return BodyRead(None, (), problem, read_at)


class _Unreadable(Exception):
    pass


def _download(reader: NotionReader, body: Body) -> tuple[Attachment, ...]:
    files: list[Attachment] = []
    for item in media(body.blocks):
        if item.attachment is None:
            continue
        try:
            data = reader.download(item.url)
        except Exception as error:
            # Never the error's text: it holds the signed link, a key to the file while it lasts.
            why = f"HTTP {http_status(error)}" if http_status(error) else type(error).__name__
            raise _Unreadable(f"the file '{item.name or item.attachment}' could not be fetched ({why})") from error
        files.append(Attachment(item.attachment, _media_type(item.attachment), data))
    return tuple(files)


def _media_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _differs(desired: DesiredPage | None, current: ManagedPage | None) -> bool:
    return (
        desired is not None
        and current is not None
        and current.meta is not None
        and (desired.fingerprint != current.meta.fingerprint or current.meta.archived is not None)
    )


class Stopwatch:
    """Seconds spent per part of a run, for the report: reading (the entries are prepared meanwhile), reading
    bodies, deciding (pure work: mapping, gating, generating, rendering, planning, with no request in flight)
    and writing."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, part: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[part] = self.seconds.get(part, 0.0) + time.perf_counter() - start

    def rounded(self) -> dict[str, float]:
        return {part: round(seconds, 3) for part, seconds in self.seconds.items()}


@dataclass
class Published:
    """What Confluence holds for the job, read once: its index site (manifest, lease) and its managed pages."""

    target: Target
    site: IndexSite
    current: list[ManagedPage]  # labelled pages, and the ones found again through the manifest
    relabel: list[ManagedPage]  # pages that lost their marker label
    notes: list[str]

    @functools.cached_property
    def records(self) -> dict[str, ApprovalRecord]:
        """The approvals recorded so far, by Notion page id."""
        return self.site.records(self.current)

    @functools.cached_property
    def by_entry(self) -> dict[str, ManagedPage]:
        """Each entry's page (a person's copy of a page is not the entry's page)."""
        return originals(self.current)[0]


def read_confluence(
    services: Services,
    job: Job,
    target: Target | None = None,
    lease: Lease | None = None,
    on_site: Callable[[IndexSite], Any] | None = None,
    on_manifest: Callable[[Manifest], Any] | None = None,
) -> Published:
    """The index page's properties first, then the listing: a lease taken over the version read with them
    covers the listing. The manifest is read beside the listing. `target` and `lease`: the place and the
    lease held on its index page (a second read, under the lease); else all are looked up. `on_site` hears
    the index page (with the lease as read) as soon as it is found, before the listing; `on_manifest`, the
    manifest as soon as it is read."""
    adapter, where = services.confluence, job.confluence
    if target is None or lease is None:
        # One round trip before the listing: the space, the parent page, and the index page with its properties
        # (both found by title, which needs no space id), side by side. A missing space is reported first: it
        # is what to fix, whatever the lookups in it answered.
        with overlap.pool(3) as pool:
            space = pool.submit(adapter.space, where.space_key)
            parent = pool.submit(adapter.parent_page, where.space_key, where.parent_page_id, where.parent_title)
            index = pool.submit(adapter.titled, where.space_key, upkeep.index_title(job), upkeep.INDEX_KEYS)
        target = replace(space.result(), parent_id=parent.result())
        site = IndexSite.found(adapter, target, job, index.result())
        if on_site is not None:
            on_site(site)
    else:
        site = IndexSite.found(adapter, target, job, Titled(lease.page_id, adapter.get_properties(lease.page_id)))
        site.landing = lease.after  # the lease as read holds our own now: what the one it took over said

    def load_manifest() -> None:
        site.load_manifest()
        if on_manifest is not None:
            on_manifest(site.manifest)

    with overlap.pool(1) as pool:
        manifest = pool.submit(load_manifest)
        current = adapter.find_managed(target)
        manifest.result()
    current = site.sharing(site.caught_up(current))
    relabel, notes = site.find_unlabelled(current)
    return Published(target, site, [*current, *relabel], relabel, notes)


@dataclass
class Beside:
    """What was written while the listing went on: pages (by entry), the statuses written back for them,
    and what failed of those."""

    applied: dict[str, Applied] = field(default_factory=dict)
    statuses: dict[str, EntryStatus] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    settle: Callable[[], None] = lambda: None  # waits for those statuses (they go on beside what comes next)


@dataclass
class Decided:
    """One evaluation of the entries against one read of Confluence: the plan, before anything is written."""

    entries: list[Entry]
    published: Published
    report: RunReport  # the warnings so far; each pass over the plan works on its own copy
    by_entry: dict[str, ManagedPage]
    today: date
    plan: Plan
    users: Callable[[], Any] | None  # Notion's users, listed at most once a run (for reminders)
    watch: Stopwatch
    early: Beside = field(default_factory=Beside)  # pages written while the listing went on

    def written(self, early: Beside) -> Decided:
        """The whole library's plan, with what was written beside the listing in place of what it would do."""
        done = early.applied
        actions = [done[a.notion_page_id].action if a.notion_page_id in done else a for a in self.plan.actions]
        return replace(self, plan=replace(self.plan, actions=actions), early=early)


@collecting_rarely()
def run_job(
    job: Job,
    mapping: Mapping,
    services: Services,
    data_source_id: str,
    dry_run: bool = False,
    allow_mass_archive: bool = False,
) -> tuple[RunReport, Plan]:
    """Read both sides at once, decide, and only when something is to be written take the job's lease and
    write (changed pages beside the listing already; the lease beside the body of a published entry a person
    changed, see `_Writes._rewritten`). A run with nothing to do writes nothing, not even the lease."""
    watch = Stopwatch()
    early = _EarlyUsers(services, job, dry_run)
    generator = Generator.for_job(job)
    today = lifecycle.local_date(services.clock(), job.zone)
    writes = _Writes(services, mapping, job, generator, today, enabled=not dry_run)
    ahead = _Ahead(mapping, job, generator, today, writes)
    try:
        with watch("read"), overlap.pool(2) as pool:
            # Notion and Confluence are read side by side: neither API waits for the other.
            kept = _KeptChecks(generator)
            confluence = pool.submit(read_confluence, services, job, on_site=writes.site_found, on_manifest=kept.read)
            confluence.add_done_callback(early.read)
            confluence.add_done_callback(kept.ended)
            me = pool.submit(services.reader.bot_id)  # asked once a run; its answer is kept for deciding what to read
            for read in (confluence, me):
                read.add_done_callback(lambda _: ahead.ready(confluence, me))

            # Each entry is prepared as soon as it is listed, beside the listing's next pages and Confluence's
            # reads (a failure there is met again, and reported, when the entry is evaluated), and evaluated as
            # well once Confluence is read.
            def listed(entry: Entry) -> None:
                kept.ready.wait()
                prepare(entry, mapping, job, generator, early.listed)
                writes.listed(entry, me)
                ahead.evaluate([entry])

            with overlap.pool(1) as preparing, stage("reading Notion"):
                ahead.start(preparing)
                try:
                    entries, missing = read_entries(
                        services,
                        mapping,
                        data_source_id,
                        on_entry=lambda entry: preparing.submit(listed, ahead.heard(entry)),
                        on_schema=writes.schema,
                        on_last=kept.ready.set,  # no page to come: waiting now would hold up the rest of the run
                    )
                finally:
                    kept.ready.set()
            with stage("reading Confluence"):
                published = confluence.result()
            writes.bodies_read()
        common = (job, mapping, services, missing)
        decided = _decide(
            *common,
            allow_mass_archive,
            entries,
            published,
            dry_run,
            watch,
            generator,
            early.users,
            ahead.take,
            writes.lease_beside,
            writes.read_ahead(),
        )
        # The whole library was planned while the pages written beside the listing (if any) went on.
        with watch("write") if writes.lease is not None else contextlib.nullcontext():
            decided = decided.written(writes.finish())
        if not decided.early.applied:  # pages written already: the rest is written too, with no pass to learn whether
            with watch("decide"):
                report, the_plan, wants = _act(decided, *common, None, dry_run=dry_run, write=False)
            if dry_run or not wants:
                report.seconds = watch.rounded()
                return report, the_plan
        if writes.lease is None:  # none taken for the pages written beside the listing
            writes.lease, writes.taken_over = _take_lease(services, decided.published.site)
        if writes.lease is None:  # another run wrote since the read (or there was no index page yet): read again
            with stage("reading Confluence"):  # the page to hold the lease on; the manifest is read under it
                index_id = IndexSite.ensure(services.confluence, published.target, job)
            writes.lease = Lease(services.confluence, index_id, services.clock)
            writes.taken_over = writes.lease.acquire()
            with watch("read"), stage("reading Confluence"):
                published = read_confluence(services, job, published.target, writes.lease)
            entries = [e.again() for e in entries]
            users = decided.users
            del decided, report, the_plan  # the first pass's pages and plan go before the second pass makes its own
            decided = _decide(*common, allow_mass_archive, entries, published, dry_run, watch, generator, users)
        with watch("write"):
            report, the_plan, _ = _act(
                decided, *common, writes.lease, dry_run=False, write=True, records=writes.records
            )
        if writes.taken_over:
            report.warnings.append(writes.taken_over)
        report.seconds = watch.rounded()
        return report, the_plan
    finally:
        writes.close()


@dataclass
class _KeptChecks:
    """The checks the last run kept (in the manifest), taken up by the run's generator. While Notion's listing
    goes on, entries are prepared once they are (or once Confluence's read has ended without them): the
    manifest comes early in that read, and an entry prepared before it would be checked again for nothing
    (most of what preparing costs). Once the listing's last page has come, what is left is prepared at once
    with the checks known by then: a library of a page is listed before the manifest is read, and the rest of
    the run would wait for it."""

    generator: Generator
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self, manifest: Manifest) -> None:
        try:
            self.generator.remember(facts.get("checks") for facts in manifest.entries.values())
        finally:
            self.ready.set()

    def ended(self, _: object) -> None:
        self.ready.set()


def _take_lease(services: Services, site: IndexSite) -> tuple[Lease | None, str | None]:
    """The lease, taken over the very version read with the manifest, or None. Taken, it proves that no
    other run held it since that read, so what the run read and decided still stands: no second read."""
    if site.page_id is None or not site.marked:  # no index page yet, or one to adopt or refuse first
        return None, None
    lease = Lease(services.confluence, site.page_id, services.clock)
    if not lease.free(site.lock):
        return None, None
    try:
        return lease, lease.take(site.lock)
    except LockHeld:  # another run took it since the read
        return None, None


def _decide(
    job: Job,
    mapping: Mapping,
    services: Services,
    missing: list[Column],
    allow_mass_archive: bool,
    entries: list[Entry],
    published: Published,
    dry_run: bool,
    watch: Stopwatch,
    generator: Generator,
    users: Callable[[], Any] | None = None,
    evaluated: Callable[[Published, date], set[int]] | None = None,
    reading: Callable[[Published, list[Entry], str], None] | None = None,
    ahead: dict[str, Future[BodyRead]] | None = None,
) -> Decided:
    """Map, gate, read the bodies that are needed, render and plan: everything up to the first write.
    `users`: Notion's users, if asked for already; `evaluated`: the entries (by id) evaluated already against
    this read of Confluence on this day; `reading`: hears the entries whose bodies are about to be read;
    `ahead`: bodies read already, as their entries were listed (by page id)."""
    adapter = services.confluence
    report = RunReport(job=job.name, flavor=adapter.flavor, dry_run=dry_run, started_at=services.clock())
    for column in missing:
        report.warnings.append(
            f"status not written back: the database has no {column.type} property '{column.property}'"
            " (add it, or remove `writeback` from the mapping)"
        )
    report.warnings.extend(published.notes)
    today = lifecycle.local_date(services.clock(), job.zone)
    site, current, records, by_entry = published.site, published.current, published.records, published.by_entry
    with watch("bodies"):
        bot_id = services.reader.bot_id()
    # Properties first (who may publish); an unread body stands in as the page that is live, or as an earlier
    # run read it when the entry is held for it.
    with watch("decide"):
        skip = evaluated(published, today) if evaluated is not None else set()
        rest = [e for e in entries if id(e) not in skip]
        seen = seen_bodies(site.manifest, rest, mapping, bot_id)
        evaluate(rest, mapping, job, records, today, by_entry, generator, seen)
    # Reminders already due from the properties: Notion's users are listed now, beside the rest of the run.
    users = users or _users(services, entries, dry_run, early=True)
    with stage("reading page bodies"):
        unread = [e for e in entries if e.body is None and e.body_error is None]
        # An approval is first recorded from the whole entry, body included.
        first = [e for e in unread if e.decision is not None and e.decision.publish and e.page_id not in records]
        changed = [e for e in unread if needs_body(e, by_entry.get(e.page_id), mapping, bot_id)]
        wanted = list({id(e): e for e in [*changed, *first]}.values())
        if reading is not None:
            reading(published, wanted, bot_id)
        with watch("bodies"):
            read_bodies(services.reader, wanted, services.clock, ahead)
        with watch("decide"):
            evaluate(wanted, mapping, job, records, today, by_entry, generator)
            # A page that would change although its entry did not (new files from a later stage, new labels, a
            # restore): its body is needed after all.
            stale = [e for e in entries if e.body is None and _differs(e.desired, by_entry.get(e.page_id))]
        with watch("bodies"):
            read_bodies(services.reader, stale, services.clock, ahead)
    with watch("decide"):
        evaluate(stale, mapping, job, records, today, by_entry, generator)
    manifest = site.manifest
    known = {e.page_id for e in entries}

    # Natively archived in Confluence: nothing can take it out through the API, so never publish a duplicate.
    for entry in entries:
        listed = by_entry.get(entry.page_id)
        archived = (listed.meta.archived if listed and listed.meta else None) or (
            manifest.entries.get(entry.page_id, {}).get("archived")
        )
        if entry.desired is not None and (archived or {}).get("mode") == "native":
            entry.desired = None
            entry.decision = Decision("hold", ("archived in Confluence: a space admin must restore it",))

    archive = upkeep.archive_candidates(job, entries, by_entry, known, report)
    archive = upkeep.archive_safety(adapter, job, archive, by_entry, report, allow_mass_archive)
    with watch("decide"):
        held = {e.page_id for e in entries if e.decision is not None and not e.decision.publish}
        the_plan = plan([e.desired for e in entries if e.desired], current, held, job.manual_edits, archive)
    for action in the_plan.actions:
        if not action.writes and action.desired is not None:
            action.desired.let_go()  # nothing to send: only its hashes are read from now on
    report.warnings.extend(str(copy) for copy in the_plan.copies)
    users = users or _users(services, entries, dry_run, early=False)
    return Decided(entries, published, report, by_entry, today, the_plan, users, watch)


def _users(services: Services, entries: list[Entry], dry_run: bool, early: bool) -> Callable[[], Any] | None:
    """Notion's users, for reminders: when some are due, listed beside the rest of the run and waited for once;
    otherwise (and not `early`) asked for only if needed. None: no comments, or nothing due yet."""
    if services.comments is None:
        return None
    if not dry_run and any(e.standing is not None and e.standing.remind for e in entries):
        return overlap.start(services.comments.users)
    return None if early else functools.cache(services.comments.users)


class _Ahead:
    """Entries evaluated as they are listed, once Confluence and the integration's id are in: the pass that
    `_decide` makes after the listing then skips them (the same pure pass, on the same inputs). It runs on the
    one thread that prepares entries, so an entry is never evaluated twice at once."""

    def __init__(self, mapping: Mapping, job: Job, generator: Generator, today: date, writes: _Writes) -> None:
        self._mapping, self._job, self._generator, self._today = mapping, job, generator, today
        self._writes = writes
        self._lock = threading.Lock()
        self._listed: list[Entry] = []
        self._preparing: Executor | None = None
        self._inputs: tuple[Published, str] | None = None
        self._done: set[int] = set()
        self._taken = False

    def start(self, preparing: Executor) -> None:
        with self._lock:
            self._preparing = preparing

    def heard(self, entry: Entry) -> Entry:
        with self._lock:
            self._listed.append(entry)
        return entry

    def ready(self, confluence: Future[Published], me: Future[str]) -> None:
        """Both reads answered: the entries prepared so far are evaluated, on the preparing thread."""
        if not (confluence.done() and me.done()) or confluence.exception() or me.exception():
            return
        with self._lock:
            if self._inputs is not None or self._taken:
                return
            self._inputs = confluence.result(), me.result()
            if self._preparing is not None and self._listed:
                with contextlib.suppress(RuntimeError):  # the listing is over: `_decide` evaluates the rest
                    self._preparing.submit(self.evaluate, list(self._listed))

    def evaluate(self, entries: list[Entry]) -> None:
        inputs = self._inputs
        if inputs is None:
            return
        published, bot_id = inputs
        records, by_entry = published.records, published.by_entry
        waiting = [e for e in entries if e.prepared is not None and id(e) not in self._done]
        seen = seen_bodies(published.site.manifest, waiting, self._mapping, bot_id)
        for entry in waiting:
            with self._writes.evaluating:
                evaluate([entry], self._mapping, self._job, records, self._today, by_entry, self._generator, seen)
            self._done.add(id(entry))
            self._writes.consider(entry, published, bot_id)

    def take(self, published: Published, today: date) -> set[int]:
        """The entries evaluated ahead against `published` on `today` (none if either differs). What was kept
        for it is let go: a second pass (under the lease) must not keep the first pass's entries alive."""
        with self._lock:
            inputs, done, self._taken = self._inputs, self._done, True
            self._inputs, self._listed, self._done, self._preparing = None, [], set(), None
        return done if inputs is not None and inputs[0] is published and today == self._today else set()


class _Writes:
    """Changed pages written while the listing goes on, so a run's writes overlap its reads.

    Only what the whole library cannot change: an entry changed since its page was published, whose page
    keeps its title (a title may be wanted by another entry, or be part of a swap, which only the whole
    listing tells). Its body is read, it is evaluated again, and its page planned alone and written under the
    job's lease, taken over the version read with the manifest (as the run would take it after the listing;
    if that fails, nothing is written here and the run goes on as before; see `_rewritten` for when it is
    taken beside the body's read), and its Notion status written back.
    The run's plan then counts these pages as written: everything else (creates, retitles, archives, the
    index page, the manifest) waits for the whole listing."""

    def __init__(
        self, services: Services, mapping: Mapping, job: Job, generator: Generator, today: date, enabled: bool
    ) -> None:
        self._services, self._mapping, self._job = services, mapping, job
        self._generator, self._today = generator, today
        self.evaluating = threading.Lock()  # one evaluation at a time: the entries share the generator
        self._lock = threading.RLock()  # re-entered where a pool runs each task as it is submitted
        self._leasing = threading.Lock()  # the lease's requests, one at a time, without holding up the rest
        # Bodies and pages each a few at a time, as the run reads and writes them after the listing.
        self._reading: Executor | None = overlap.pool(NOTION_BODY_CONCURRENCY) if enabled else None
        self._writing: Executor | None = overlap.pool(PAGES_IN_FLIGHT) if enabled else None
        self._notion: Executor | None = overlap.pool(NOTION_IN_FLIGHT) if enabled else None
        self._futures: list[Future[object]] = []
        self.records = Records() if enabled else None  # the pages' records, written beside what comes next
        self._tried = False  # the lease
        self.lease: Lease | None = None
        self.taken_over: str | None = None
        self.written = Beside()
        self._missing: list[Column] | None = None  # the write-back columns the database lacks
        self._failure: BaseException | None = None
        self._site: IndexSite | None = None  # the index page, once found (the lease is held on it)
        self._wanted = False  # the lease, as soon as the index page is found
        self._ahead: dict[str, Future[BodyRead]] = {}  # bodies read as their entries were listed

    def site_found(self, site: IndexSite) -> None:
        """Hears the index page found, before Confluence's listing: the lease is taken now if an entry
        listed already wants it (see `listed`)."""
        with self._lock:
            self._site, wanted = site, self._wanted
        if wanted:
            self._submit("_writing", self._leased, site)

    def listed(self, entry: Entry, me: Future[str]) -> None:
        """Hears an entry as soon as Notion lists it. A published entry a person changed (`_rewritten`) that
        its reviews alone would publish is almost surely written again: its body is read now, and the lease
        taken as soon as the index page is found, both beside Confluence's listing rather than after it."""
        prepared = entry.prepared
        if (
            self._reading is None
            or prepared is None
            or not prepared.goes_on
            or prepared.reviews_only is None
            or not prepared.reviews_only.publish
            or me.exception() is not None  # waits for it: asked at the run's start, it is in before any page
            or not self._rewritten(entry, me.result())
        ):
            return
        services = self._services
        with self._lock:
            if self._reading is None or entry.page_id in self._ahead:
                return
            self._ahead[entry.page_id] = self._reading.submit(
                fetch_body, services.reader, entry.page_id, services.clock
            )
            self._wanted, site = True, self._site
        if site is not None:
            self._submit("_writing", self._leased, site)

    def schema(self, missing: list[Column]) -> None:
        """Hears which write-back columns the database lacks (none: statuses go back as pages are written)."""
        self._missing = missing

    def consider(self, entry: Entry, published: Published, bot_id: str) -> None:
        """Hears an entry evaluated beside the listing; starts writing its page if it may go now."""
        current = published.by_entry.get(entry.page_id)
        recorded = published.site.manifest.entries.get(entry.page_id, {})
        if (
            self._reading is None
            or current is None
            or current.meta is None
            or current.meta.archived is not None
            or recorded.get("archived")
            or entry.page_id not in published.records
            or entry.body is not None
            or entry.body_error is not None
            or not published.site.marked
            or not needs_body(entry, current, self._mapping, bot_id)
        ):
            return
        self.lease_beside(published, [entry], bot_id)
        with self._lock:
            ahead = self._ahead.pop(entry.page_id, None)
        self._submit("_reading", self._read, entry, published, current, ahead)

    def read_ahead(self) -> dict[str, Future[BodyRead]]:
        """The bodies read as their entries were listed that no write beside the listing took: the run's
        deciding takes them (once)."""
        with self._lock:
            ahead, self._ahead = self._ahead, {}
        return ahead

    def _rewritten(self, entry: Entry, bot_id: str) -> bool:
        """Whether a person changed an entry whose status reads Published: its page is almost surely written
        again, so the lease is taken beside its body's read, not after it. Any other entry waits for its body:
        one that stays broken (its status says so from the first run that read it) never makes a run write
        the lease for nothing, run after run."""
        writeback = self._mapping.writeback
        if writeback is None or self._missing != []:
            return False
        edited_by = (entry.page.get("last_edited_by") or {}).get("id")
        return edited_by != bot_id and current_status(entry.page, writeback).status == "Published"

    def _submit(self, part: str, task: Callable[..., object], *args: Any) -> None:
        with self._lock:
            pool: Executor | None = getattr(self, part)
            if pool is not None and not (self._tried and self.lease is None):
                future = pool.submit(task, *args)
                if part != "_notion":  # a status write-back reports its own failure
                    self._futures.append(future)

    def _read(self, entry: Entry, published: Published, current: ManagedPage, ahead: Future[BodyRead] | None) -> None:
        """Reads the entry's body (or takes the one read as it was listed), evaluates it and writes its page
        if it goes now."""
        services, job = self._services, self._job
        try:
            # Read ahead in the same pool, and submitted before this: started already, never queued behind it.
            read_body(services.reader, entry, services.clock, ahead)
        except Exception:  # the run reads it again after the listing, and reports what fails then
            return
        with self.evaluating:
            evaluate([entry], self._mapping, job, published.records, self._today, published.by_entry, self._generator)
        desired = entry.desired
        if desired is None or entry.problems or current.title != desired.title:
            return
        action = plan([desired], [current], set(), job.manual_edits).actions[0]
        if action.kind in ("update", "restore-edit"):
            self._submit("_writing", self._write, entry, published, action)

    def _write(self, entry: Entry, published: Published, action: Action) -> None:
        if not self._leased(published.site):
            return
        services, mapping = self._services, self._mapping
        later = self.records.later if self.records is not None else None
        result = apply_one(services.confluence, published.target, action, self._job.manual_edits, later=later)
        if mapping.writeback is not None and self._missing == []:
            # The status as the run's report will have it (the same entry, action and result): written now.
            row = _entry_report(entry, result.action, result, published.by_entry, services, dry_run=False)
            status = _status_change(entry, row, mapping.writeback)
            if status is not None:
                self.written.statuses[entry.page_id] = status
                self._submit("_notion", _write_back, entry, status, row.title, mapping, services, self.written.errors)
        with self._lock:
            self.written.applied[entry.page_id] = result
        with self._leasing:
            try:
                if self.lease is not None:
                    self.lease.renew_if_due()
            except Exception as error:  # lost to another run: stop writing, and fail the run
                self._failure = self._failure or error

    def lease_beside(self, published: Published, entries: list[Entry], bot_id: str) -> None:
        """The lease taken beside the bodies about to be read (`entries`), beside the listing or after it, when
        one of them is a published entry a person changed (see `_rewritten`); `finish` waits for it."""
        if any(self._rewritten(e, bot_id) for e in entries):
            self._submit("_writing", self._leased, published.site)

    def _leased(self, site: IndexSite) -> bool:
        with self._leasing:
            if not self._tried and self._failure is None:
                try:
                    self.lease, self.taken_over = _take_lease(self._services, site)
                except Exception as error:  # the run takes it again after the listing, and reports why
                    log.debug("lease not taken beside the listing: %s", describe(error))
                self._tried = True
            return self.lease is not None and self._failure is None

    def bodies_read(self) -> None:
        """Waits for the bodies on their way (and their evaluation): from now on only `_decide` evaluates
        entries. The pages they started may still be on their way."""
        self._stop("_reading")

    def finish(self) -> Beside:
        """Waits for the pages on their way; what was written, by entry. Raises what stopped the writes.
        Their statuses go on landing in Notion: `Beside.settle` waits for them."""
        self._stop("_reading", "_writing")
        self.written.settle = functools.partial(self._stop, "_notion")
        for future in self._futures:
            future.result()
        if self._failure is not None:
            raise self._failure
        return self.written

    def _stop(self, *parts: str, cancel: bool = False) -> None:
        """Nothing more starts; what is on its way lands (in this order: the bodies read start the writes,
        which start the statuses). With `cancel`, what has not started never does."""
        for part in parts or ("_reading", "_writing", "_notion"):
            with self._lock:
                pool = getattr(self, part)
                setattr(self, part, None)
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=cancel)

    def close(self) -> None:
        """At the run's end, whatever happened (the run failed: what has not started is dropped): nothing more
        is written, and the lease is let go."""
        self._stop(cancel=True)
        if self.records is not None:
            self.records.wait()  # a run that failed reports none of them: the next run completes them
        if self.lease is not None:
            self.lease.release()


class _EarlyUsers:
    """Notion's users (for reminders), asked for as soon as a listed entry shows a reminder due: beside the
    listing, not on the run's last stretch. Only a head start: the run still decides whom to remind."""

    def __init__(self, services: Services, job: Job, dry_run: bool) -> None:
        self._services, self._policy = services, job.revalidation
        self._today = lifecycle.local_date(services.clock(), job.zone)
        self._lock = threading.Lock()
        self._records: dict[str, ApprovalRecord] | None = None  # once Confluence is read
        self._unsure: list[Scenario] = []  # never revalidated, listed before the approval records were in
        self._wanted = services.comments is not None and not dry_run
        self.users: Callable[[], Any] | None = None

    def listed(self, prepared: Prepared) -> None:
        scenario = prepared.scenario
        if not self._wanted or scenario is None or not prepared.goes_on or scenario.lifecycle is not Lifecycle.ACTIVE:
            return
        with self._lock:
            if self._records is None and scenario.last_revalidated is None:
                self._unsure.append(scenario)  # counts from its first approval, which only the records know
            else:
                self._check(scenario)

    def read(self, confluence: Future[Published]) -> None:
        """Hears Confluence read: the approval records are in."""
        if confluence.exception() is not None:
            return
        with self._lock:
            self._records = confluence.result().records
            for scenario in self._unsure:
                self._check(scenario)
            self._unsure = []

    def _check(self, scenario: Scenario) -> None:
        if self.users is not None or self._services.comments is None:
            return
        record = (self._records or {}).get(scenario.page_id)
        first = record.approved_on if record is not None else None
        if lifecycle.standing(scenario.last_revalidated, first, self._today, self._policy).remind:
            self.users = overlap.start(self._services.comments.users)


def _act(
    decided: Decided,
    job: Job,
    mapping: Mapping,
    services: Services,
    missing: list[Column],
    lease: Lease | None,
    dry_run: bool,
    write: bool,
    records: Records | None = None,
) -> tuple[RunReport, Plan, bool]:
    """Carry the plan out (with `write`), or only learn whether carrying it out would write anything.
    `records`: where the pages' records go, beside what the run does next (the run's last writes wait for
    them)."""
    adapter = services.confluence
    entries, by_entry, today, the_plan = decided.entries, decided.by_entry, decided.today, decided.plan
    site, relabel, target = decided.published.site, decided.published.relabel, decided.published.target
    report = decided.report.model_copy(deep=True)
    manual_edits: ManualEdits = job.manual_edits
    manifest = site.manifest.copy()  # each pass its own: one that does not write leaves nothing behind
    known = {e.page_id for e in entries}
    if write:
        for entry in entries:
            entry.let_properties_go()

    actions = {a.notion_page_id: a for a in the_plan.actions}
    wants = site.page_id is None or bool(the_plan.writes or relabel)
    writeback = mapping.writeback is not None and not missing
    by_id = {e.page_id: e for e in entries}
    rows: dict[str, EntryReport] = {}
    early = decided.early
    applied: dict[str, Applied] = dict(early.applied)
    # Each entry's Notion status goes as soon as its page is written (the two APIs work side by side, each
    # under its own limiter); the report lists entries in Notion's order, whatever the timing.
    with overlap.pool(NOTION_IN_FLIGHT) as notion:

        def finish(entry: Entry, result: Applied | None) -> None:
            nonlocal wants
            row = _entry_report(entry, actions.get(entry.page_id), result, by_entry, services, dry_run)
            rows[entry.page_id] = row
            services.progress("apply", len(rows), len(entries))
            why = "; ".join([*([row.action_reason] if row.action_reason else []), *(row.problems or row.reasons)])
            extra = {"page_id": row.page_id, "outcome": row.outcome, "action": row.action, "why": why}
            log.info("entry %s: %s", row.title, row.outcome, extra=extra)
            if result is not None and result.incomplete:
                report.errors.append(f"'{row.title}': {result.incomplete}")
            if entry.binding is not None and entry.binding.reset:
                wants = True
                if write:
                    notion.submit(_reset_reviews, entry, mapping, services, report)
            if writeback:
                assert mapping.writeback is not None
                # The status as the entry's outcome has it now: the row goes on to gather what is only news for
                # this run's report (such as the reminders sent), while the status may still be waiting its turn.
                status = _status_change(entry, row, mapping.writeback)
                if status is not None and early.statuses.get(entry.page_id) != status:
                    wants = True
                    if write:
                        notion.submit(_write_back, entry, status, row.title, mapping, services, report.errors)

        def on_applied(result: Applied) -> None:
            if lease is not None:  # a long run keeps its lease (heard on this thread, between two results)
                lease.renew_if_due()
            if result.action.kind == "park":
                return
            applied[result.action.notion_page_id] = result
            entry = by_id.get(result.action.notion_page_id)
            if entry is not None:
                finish(entry, result)

        writing = {a.notion_page_id for a in the_plan.actions if a.writes} if write else set()
        for entry in entries:
            if entry.page_id not in writing or entry.page_id in early.applied:
                finish(entry, applied.get(entry.page_id))
        if write:
            for page in relabel:
                adapter.add_labels(page.id, [MANAGED_LABEL])
            context = ArchiveContext(today.isoformat(), site.archive_parent)
            rest = Plan([a for a in the_plan.actions if a.notion_page_id not in early.applied], the_plan.copies)
            later = records.later if records is not None else None
            apply(adapter, target, rest, manual_edits, on_applied, lifecycle=context, later=later)
        for entry in entries:  # a write that never reported back (it cannot, but the report must be whole)
            if entry.page_id not in rows:
                finish(entry, applied.get(entry.page_id))
        report.entries.extend(rows[e.page_id] for e in entries)
        for entry_id, result in applied.items():
            if entry_id not in known and result.error and result.action.current is not None:
                report.errors.append(f"archiving page {result.action.current.id} failed: {result.error}")

        # The index page and the manifest go beside the statuses still on their way to Notion.
        upkeep.update_manifest(manifest, entries, applied, by_entry)
        if not dry_run:
            wants = upkeep.remind(job, entries, manifest, services, report, today, write, decided.users) or wants
            if write:
                upkeep.write_audit(job, applied, report, services)
                with stage("writing the index page"):
                    site.save(manifest, upkeep.listed(manifest, adapter.page_url), _releasing(lease, records))
                if records is not None:
                    _unrecorded(records.wait(), applied, rows, report)
            else:
                wants = wants or site.changed(manifest, upkeep.listed(manifest, adapter.page_url))

    early.settle()  # the statuses written back beside the listing have landed, or failed
    report.errors.extend(early.errors)
    report.notion = ApiUsage.of(services.notion_caller)
    report.confluence = ApiUsage.of(services.confluence_caller)
    report.finished_at = services.clock()
    return report, the_plan, wants


def _unrecorded(
    failed: dict[str, str], applied: dict[str, Applied], rows: dict[str, EntryReport], report: RunReport
) -> None:
    """Pages whose record failed after the run went on: each entry's row and the run's errors say so (the
    page is live; the next run completes it)."""
    entries = {result.page.id: entry_id for entry_id, result in applied.items() if result.page is not None}
    for page_id, message in failed.items():
        row = rows.get(entries.get(page_id, ""))
        if row is not None:
            row.problems.append(message)
        report.errors.append(f"'{row.title if row is not None else page_id}': {message}")


def _releasing(lease: Lease | None, records: Records | None) -> Callable[[dict[str, Any]], None] | None:
    """The lease's release, to go beside the run's last writes: it names what they leave (the manifest, and
    the records still landing), for a run that reads before they have landed to wait for (see `lock`)."""
    if lease is None:
        return None
    return lambda manifest: lease.release({"manifest": manifest, "records": records.landing() if records else {}})


def _entry_report(
    entry: Entry,
    action: Any,
    applied: Applied | None,
    pages: dict[str, ManagedPage],
    services: Services,
    dry_run: bool,
) -> EntryReport:
    title = entry.scenario.title if entry.scenario else (entry.problems[0].title if entry.problems else "")
    row = EntryReport(page_id=entry.page_id, title=title, notion_url=entry.page.get("url", ""), outcome="held")
    if entry.problems:
        row.outcome = "problem"
        row.problems = [str(p) for p in entry.problems]
    elif entry.decision is not None:
        row.reasons = [*entry.decision.reasons, *entry.notes]
    if applied is not None:
        action = applied.action  # re-planned after a conflict, it may differ from the plan's
    if entry.generated is not None:
        row.findings = [str(f) for f in entry.generated.warnings]
    if action is not None:
        row.action, row.action_reason = action.kind, action.reason
    page = pages.get(entry.page_id)
    if applied is not None and applied.page is not None:
        page = applied.page
    if page is not None:
        row.confluence_page_id = page.id
        row.confluence_url = services.confluence.page_url(page.id)
    if entry.standing is not None and entry.standing.archive and page is not None:
        archived = (page.meta.archived if page.meta else None) or (action is not None and action.kind == "archive")
        if dry_run and action is not None and action.writes:
            row.outcome = "planned"
        elif applied is not None and applied.error:
            row.outcome = "failed"
            row.problems.append(applied.error)
        elif archived:
            row.outcome = "archived"
        return row
    if entry.desired is None:
        return row
    if action is not None and action.kind == "conflict":
        row.outcome = "problem"
        row.problems.append(action.reason)
        return row
    if action is not None and action.kind == "keep-edit":
        row.reasons.append(action.reason)
    if dry_run:
        row.outcome = "planned" if action is not None and action.writes else "unchanged"
    elif applied is not None and applied.error:
        row.outcome = "problem" if applied.entry_problem else "failed"
        row.problems.append(applied.error)
    else:
        row.outcome = "published" if action is not None and action.writes else "unchanged"
        if applied is not None and applied.incomplete:
            row.problems.append(applied.incomplete)
    return row


def _status_for(row: EntryReport) -> EntryStatus:
    if row.outcome in ("published", "unchanged"):
        status, message = "Published", "; ".join(row.reasons)
    elif row.outcome == "archived":
        status, message = "Archived", "; ".join(row.reasons)
    elif row.outcome == "problem":
        status, message = "Problem", "\n".join(row.problems)
    elif row.outcome == "failed":
        status, message = "Problem", "not published: " + "; ".join(row.problems)
    else:
        status, message = "Held", "; ".join(row.reasons)
    if row.findings and status != "Problem":  # reviewers see the lint's warnings where they review
        message = "\n".join([message, *(f"warning: {f}" for f in row.findings)])
    # Cut as Notion stores it, so the next run compares like with like and writes nothing.
    return EntryStatus(status, message[:MAX_TEXT], row.confluence_url)


def _status_change(entry: Entry, row: EntryReport, writeback: Writeback) -> EntryStatus | None:
    """The status the entry's row asks for, or None when the entry shows it already (as listed)."""
    status = _status_for(row)
    return None if current_status(entry.page, writeback) == status else status


def _write_back(
    entry: Entry, status: EntryStatus, title: str, mapping: Mapping, services: Services, errors: list[str]
) -> None:
    assert mapping.writeback is not None
    try:
        services.writer.write_status(entry.page_id, status, mapping.writeback)
    except Exception as error:  # the entry's outcome stands; the missing status is reported
        errors.append(f"status write-back to '{title}' failed: {describe(error)}")


def _reset_reviews(entry: Entry, mapping: Mapping, services: Services, report: RunReport) -> None:
    """`reset_reviews`: a changed entry's review columns go back to the team's "in review" option."""
    if entry.binding is None or not entry.binding.reset:
        return
    option = next((name for name, state in mapping.values.review.items() if state is ReviewState.IN_REVIEW), None)
    if option is None:
        report.warnings.append("reviews not reset: the mapping's review values have no 'in_review' option")
        return
    columns = [
        (mapping.reviews[n].state.property, mapping.reviews[n].state.type, option)
        for n in entry.binding.reset
        if n in mapping.reviews
    ]
    try:
        services.writer.reset_reviews(entry.page_id, columns)
    except Exception as error:
        report.errors.append(f"resetting the reviews of '{entry.page_id}' failed: {describe(error)}")
