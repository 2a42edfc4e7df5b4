"""One run of a job, stage by stage: read → map → gate → render → read Confluence → plan → apply → write back.

Everything between the reads and the writes is pure. With `dry_run`, the run stops after planning.
"""

from __future__ import annotations

import contextlib
import dataclasses
import mimetypes
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync import incremental
from sync.apply import Applied, apply
from sync.assets import Attachment
from sync.blocks import Body, media
from sync.config import Job
from sync.confluence.base import ConfluenceAdapter, ManagedPage, Target
from sync.errors import ApiFailure, AuthError, SyncError, describe, http_status
from sync.gate import Decision, decide
from sync.generate.generator import Generated, Generator
from sync.limits import NOTION_BODY_CONCURRENCY
from sync.mapping import Column, Mapping, StepColumns, map_page
from sync.model import EntryProblem, Scenario
from sync.notion import blocks as notion_blocks
from sync.notion.reader import NotionReader
from sync.notion.writeback import MAX_TEXT, EntryStatus, NotionWriter, current_status
from sync.plan import DesiredPage, ManualEdits, Plan, labels_for, plan
from sync.render import entry_page
from sync.report import ApiUsage, EntryReport, RunReport
from sync.retry import ApiCaller

# Notion status write-backs in flight at once (Notion's limiter spaces them; this only overlaps latency).
NOTION_IN_FLIGHT = 3


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


@dataclass
class Services:
    reader: NotionReader
    writer: NotionWriter
    confluence: ConfluenceAdapter
    notion_caller: ApiCaller
    confluence_caller: ApiCaller
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass
class Entry:
    """One Notion page on its way through the stages."""

    page: dict[str, Any]
    scenario: Scenario | None = None
    problems: list[EntryProblem] | None = None
    decision: Decision | None = None
    generated: Generated | None = None
    desired: DesiredPage | None = None
    body: Body | None = None  # read only where the entry changed since its last publish
    attachments: tuple[Attachment, ...] = ()  # Notion-hosted media of the body, fetched with it
    body_error: tuple[str, str] | None = None  # what went wrong reading the body, and what to do
    read_at: str | None = None

    @property
    def page_id(self) -> str:
        return self.page["id"]

    def source(self, mapping: Mapping) -> incremental.Source:
        verdict = self.decision.reasons if self.decision else ()
        names = [c.property for c in mapping.columns()]
        return incremental.Source(
            self.page.get("last_edited_time"), incremental.fingerprint(self.page, names, verdict), self.read_at
        )


def read_entries(services: Services, mapping: Mapping, data_source_id: str) -> tuple[list[Entry], list[Column]]:
    """The entries, and the write-back columns the database lacks (write-back is skipped then)."""
    schema = services.reader.schema(data_source_id)
    missing = [c for c in mapping.writeback_columns() if schema.get(c.property, {}).get("type") != c.type]
    wanted = [c.property for c in [*mapping.columns(), *mapping.writeback_columns()]]
    # Ask only for the columns we use; a column missing from the schema is reported per entry by the mapping.
    ids = [schema[name]["id"] for name in dict.fromkeys(wanted) if name in schema]
    return [Entry(page) for page in services.reader.entries(data_source_id, ids)], missing


def evaluate(
    entries: list[Entry],
    mapping: Mapping,
    job: Job,
    published: dict[str, ManagedPage] | None = None,
    generator: Generator | None = None,
) -> None:
    """Map, gate, generate and render every entry (pure once the job's generator is loaded). An entry whose
    body was not read is mapped and gated (its properties decide whether it may be published); if its page is
    `published`, it stands in as that page (the body part as recorded), so the plan still sees every page it
    owns."""
    generator = generator or Generator.for_job(job)
    for entry in entries:
        entry.problems, entry.desired, entry.generated = None, None, None
        if entry.body_error is not None:
            entry.problems = [_body_problem(entry, mapping)]
            continue
        mapped = map_page(entry.page, mapping, entry.body)
        if isinstance(mapped, list):
            entry.problems = mapped
            continue
        entry.scenario = mapped
        entry.decision = decide(mapped, job.review)
        # Steps written in the page body are known only once it is read: generate then.
        known = entry.body is not None or isinstance(mapping.steps, StepColumns)
        if known and not generate(entry, mapped, mapping, generator):
            continue
        current = (published or {}).get(entry.page_id)
        if entry.decision.publish and entry.body is None and current is not None and current.meta is not None:
            entry.desired = DesiredPage(
                notion_page_id=mapped.page_id,
                title=mapped.title,
                body="",
                labels=labels_for(mapped.keywords),
                entry_version=mapped.version,
                approvals=_approvals(mapped, job),
                source=entry.source(mapping),
                body_hash=current.meta.body_hash,
            )
        elif entry.decision.publish and entry.body is not None:
            assert entry.generated is not None
            shown = {m.attachment for m in media(mapped.guidance)}
            # The manifest is made from the same content as the body, so it is hashed with it.
            manifest = entry.generated.attachment()
            made = (manifest,) if manifest else ()
            entry.desired = DesiredPage(
                notion_page_id=mapped.page_id,
                title=mapped.title,
                body=entry_page(mapped, entry.decision, entry.generated),
                labels=labels_for(mapped.keywords),
                entry_version=mapped.version,
                approvals=_approvals(mapped, job),
                attachments=(*(a for a in entry.attachments if a.name in shown), *made),
                source=entry.source(mapping),
                from_body=frozenset({*(name for name in shown if name), *(a.name for a in made)}),
            )


def generate(entry: Entry, scenario: Scenario, mapping: Mapping, generator: Generator) -> bool:
    """Prompt, clip plan and lint for one entry. A plan that cannot fit is a problem with the entry; a blocking
    lint finding holds it (the last approved page stays live). False when the entry cannot go on."""
    assert entry.decision is not None
    steps = mapping.steps
    step_columns = [c.property for c in steps.__dict__.values()] if isinstance(steps, StepColumns) else None
    reference_columns = {name: column.property for name, column in mapping.quick_reference.__dict__.items()}
    entry.generated = generated = generator.generate(scenario, step_columns, reference_columns)
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


def read_bodies(reader: NotionReader, entries: list[Entry], now: Callable[[], datetime]) -> None:
    """Read the bodies (and hosted media) of these entries, a few at a time; one that cannot be read gets a
    problem, the others go on."""

    def read(entry: Entry) -> None:
        entry.read_at = now().astimezone(UTC).isoformat()
        try:
            raw, trouble = reader.body(entry.page_id)
            entry.body = notion_blocks.body(raw, tuple(trouble))
            entry.attachments = _download(reader, entry.body)
        except _Unreadable as error:
            entry.body_error = (
                str(error),
                "run again: Notion's file links expire after an hour, so files are fetched each run",
            )
        except Exception as error:
            if http_status(error) not in (403, 404):
                raise
            entry.body_error = (
                "the integration may not open this page, so its body cannot be read",
                "share the page with the integration (or lift its restriction) so its body can be read",
            )

    with ThreadPoolExecutor(max_workers=NOTION_BODY_CONCURRENCY) as pool:
        list(pool.map(read, entries))  # list(): re-raise the first failure


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


def run_job(
    job: Job,
    mapping: Mapping,
    services: Services,
    data_source_id: str,
    dry_run: bool = False,
) -> tuple[RunReport, Plan]:
    report = RunReport(job=job.name, flavor=services.confluence.flavor, dry_run=dry_run, started_at=services.clock())
    with stage("reading Notion"):
        entries, missing = read_entries(services, mapping, data_source_id)
    for column in missing:
        report.warnings.append(
            f"status not written back: the database has no {column.type} property '{column.property}'"
            " (add it, or remove `writeback` from the mapping)"
        )
    with stage("reading Confluence"):
        target = services.confluence.resolve_target(
            job.confluence.space_key, job.confluence.parent_page_id, job.confluence.parent_title
        )
        current = services.confluence.find_managed(target)
    pages = {p.meta.notion_page_id: p for p in current if p.meta}

    evaluate(entries, mapping, job)  # properties only: which entries may be published
    with stage("reading page bodies"):
        bot_id = services.reader.bot_id()
        changed = [e for e in entries if needs_body(e, pages.get(e.page_id), mapping, bot_id)]
        read_bodies(services.reader, changed, services.clock)
        evaluate(entries, mapping, job, pages)
        # A page that would change although its entry did not (new files from a later stage, new labels):
        # its body is needed after all.
        stale = [e for e in entries if e.body is None and _differs(e.desired, pages.get(e.page_id))]
        read_bodies(services.reader, stale, services.clock)
    evaluate(stale, mapping, job)

    held = {e.page_id for e in entries if e.decision is not None and not e.decision.publish}
    manual_edits: ManualEdits = job.manual_edits
    the_plan = plan([e.desired for e in entries if e.desired], current, held, manual_edits)
    report.warnings.extend(str(copy) for copy in the_plan.copies)
    _apply_and_write_back(entries, the_plan, target, mapping, services, report, manual_edits, dry_run, missing)

    report.notion = ApiUsage.of(services.notion_caller)
    report.confluence = ApiUsage.of(services.confluence_caller)
    report.finished_at = services.clock()
    return report, the_plan


def _apply_and_write_back(
    entries: list[Entry],
    the_plan: Plan,
    target: Target,
    mapping: Mapping,
    services: Services,
    report: RunReport,
    manual_edits: ManualEdits,
    dry_run: bool,
    missing: list[Column],
) -> None:
    """Confluence writes, and each entry's Notion status as soon as its page is written (the two APIs work
    side by side, each under its own limiter). The report lists entries in Notion's order, whatever the timing."""
    actions = {a.notion_page_id: a for a in the_plan.actions}  # a title swap's last step is the entry's action
    pages = {a.notion_page_id: a.current for a in the_plan.actions if a.current is not None}
    by_id = {e.page_id: e for e in entries}
    rows: dict[str, EntryReport] = {}
    write_back = not dry_run and mapping.writeback is not None and not missing
    with ThreadPoolExecutor(max_workers=NOTION_IN_FLIGHT) as notion:

        def finish(entry: Entry, applied: Applied | None) -> None:
            row = _entry_report(entry, actions.get(entry.page_id), applied, pages, services, dry_run)
            rows[entry.page_id] = row
            if applied is not None and applied.incomplete:
                report.errors.append(f"'{row.title}': {applied.incomplete}")
            if write_back:
                notion.submit(_write_back, entry, row, mapping, services, report)

        def on_applied(applied: Applied) -> None:
            entry = by_id.get(applied.action.notion_page_id)
            if entry is not None and applied.action.kind != "park":
                finish(entry, applied)

        writing = set() if dry_run else {a.notion_page_id for a in the_plan.actions if a.writes}
        for entry in entries:
            if entry.page_id not in writing:
                finish(entry, None)
        if not dry_run:
            apply(services.confluence, target, the_plan, manual_edits, on_applied)
    report.entries.extend(rows[e.page_id] for e in entries)


def _differs(desired: DesiredPage | None, current: ManagedPage | None) -> bool:
    return (
        desired is not None
        and current is not None
        and current.meta is not None
        and (desired.fingerprint != current.meta.fingerprint)
    )


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
        row.reasons = list(entry.decision.reasons)
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
        row.outcome = "failed"
        row.problems.append(applied.error)
    else:
        row.outcome = "published" if action is not None and action.writes else "unchanged"
        if applied is not None and applied.incomplete:
            row.problems.append(applied.incomplete)
    return row


def _status_for(row: EntryReport) -> EntryStatus:
    if row.outcome in ("published", "unchanged"):
        status, message = "Published", "; ".join(row.reasons)
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


def _write_back(entry: Entry, row: EntryReport, mapping: Mapping, services: Services, report: RunReport) -> None:
    assert mapping.writeback is not None
    desired = _status_for(row)
    if current_status(entry.page, mapping.writeback) == desired:
        return
    try:
        services.writer.write_status(entry.page_id, desired, mapping.writeback)
    except Exception as error:  # the entry's outcome stands; the missing status is reported
        report.errors.append(f"status write-back to '{row.title}' failed: {describe(error)}")
