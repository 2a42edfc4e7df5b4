"""The lifecycle side of a run, at the edges: the job's index page and manifest, managed pages found again
through the manifest, the archive safety checks, reminders and the audit log.

The decisions themselves are pure (`lifecycle`, `approval`, `reminders`); this module reads and writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sync import lifecycle, overlap
from sync.apply import Applied, version_record
from sync.approval import ApprovalRecord
from sync.audit import AuditLog, LiveAt, live_at
from sync.config import Job
from sync.confluence.base import MANAGED_LABEL, ROLE_KEY, ConfluenceAdapter, ManagedPage, Property, Target, Titled
from sync.errors import ConfigError, describe, http_status
from sync.index_page import (
    MANIFEST_KEY,
    PROPERTY_LIMIT,
    Listed,
    Manifest,
    archive_page_body,
    digest,
    index_body,
    index_key,
)
from sync.lock import LOCK_KEY, Lease
from sync.reminders import Due, active_people, plan_reminders, resolve_fallback
from sync.report import RunReport

if TYPE_CHECKING:
    from sync.run import Entry, Services

INDEX_ROLE, ARCHIVE_ROLE = "index", "archive"
# A manifest past the property's limit, as a file: gzipped JSON, a sixth of the text (7 MB at 5,000 entries)
# that every run downloads and every writing run uploads. A file named without `.gz` (written before) is
# read as plain JSON, and replaced the first time the manifest changes.
MANIFEST_FILE, MANIFEST_TYPE = "scenario-sync-manifest.json.gz", "application/gzip"


# The index page's properties a run reads: the manifest, the job's lease, and the mark that the page is ours.
INDEX_KEYS = (MANIFEST_KEY, LOCK_KEY, ROLE_KEY)
# How long a run waits, pause by pause, for the manifest the last run's release names (its writes were on their
# way as it let the lease go; they land within a request's time). Past these (the writes failed), the manifest
# is read as it stands, and a writing run heals it.
SETTLE_PAUSES = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


def index_title(job: Job) -> str:
    return f"Scenario index ({job.name})"


def archive_title(job: Job) -> str:
    return f"Archived scenarios ({job.name})"


@dataclass
class IndexSite:
    """The job's index page (None in a dry run before it exists) and the manifest read from it."""

    adapter: ConfluenceAdapter
    target: Target
    job: Job
    page_id: str | None
    manifest: Manifest = field(default_factory=Manifest)
    prop: Property | None = None
    lock: Property | None = None  # the job's lease as it was when the manifest was read
    landing: dict[str, Any] | None = None  # what the last run's release says its last writes leave (`Lease.landing`)
    unlanded: bool = False  # the manifest it names never landed: the next writing run (this one) writes it anew
    marked: bool = False  # the page carries the sync's index mark (not a person's page under the title)
    # What the property holds for the manifest as read, worked out as it is read (beside the listing): a run
    # that leaves the manifest as it was need not serialise thousands of entries again to learn so.
    as_read: dict[str, Any] | None = None
    _rendered: tuple[str, str] | None = None  # the index body last rendered, and its key
    _archive_id: str | None = None
    _archive_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, adapter: ConfluenceAdapter, target: Target, job: Job) -> IndexSite:
        """The job's index page as it stands (none yet: an empty site), its properties and its manifest."""
        site = cls.found(adapter, target, job, adapter.titled(target.space_key, index_title(job), INDEX_KEYS))
        site.load_manifest()
        return site

    @classmethod
    def found(cls, adapter: ConfluenceAdapter, target: Target, job: Job, index: Titled | None) -> IndexSite:
        """The site as its index page was found with its `INDEX_KEYS` (None: there is none yet); `load_manifest`
        reads the manifest (beside the listing of the managed pages, as a run does)."""
        site = cls(adapter, target, job, index.page_id if index is not None else None)
        if index is not None:
            # The manifest and the lease in one read: a writing run takes the lease over the version read here,
            # which proves no other run wrote between this read and its writes.
            props = index.properties
            site.prop, site.lock = props.get(MANIFEST_KEY), props.get(LOCK_KEY)
            site.landing = Lease.landing(site.lock)
            role = props.get(ROLE_KEY)
            site.marked = role is not None and (role.value or {}).get("role") == INDEX_ROLE
        return site

    @staticmethod
    def ensure(adapter: ConfluenceAdapter, target: Target, job: Job) -> str:
        """The job's index page, made if there is none yet (a person's page under its title is refused)."""
        return adapter.ensure_page(target, index_title(job), index_body([], target.parent_id), INDEX_ROLE)

    def load_manifest(self) -> None:
        """The manifest the property names; the one the last run's release names (`landing`), once it has
        landed: its writes went beside the release."""
        if self.page_id is None:
            return
        wanted = (self.landing or {}).get("manifest") or {}

        def behind() -> bool:  # the property is older than the one named: its file is not the one either
            return bool(wanted) and (self.prop is None or self.prop.version < int(wanted.get("version", 0)))

        def landed() -> bool:
            if behind():
                return False
            self._read_manifest()
            return wanted.get("sha256") in (None, (self.as_read or {}).get("sha256"))

        def again() -> None:
            assert self.page_id is not None
            self.prop = self.adapter.get_property(self.page_id, MANIFEST_KEY)

        if not self._settled(landed, again):  # never landed: as it stands, and written anew (so no later run waits)
            if behind():
                self._read_manifest()
            self.unlanded = True

    def caught_up(self, current: list[ManagedPage]) -> list[ManagedPage]:
        """The listed pages, each whose record the last run's release names as landing (`landing`) read
        again until it has landed (or the pauses run out: then as listed, and the run completes that write)."""
        wanted = {str(k): int(v) for k, v in ((self.landing or {}).get("records") or {}).items()}
        behind = {p.id for p in current if p.id in wanted and (p.property_version or 0) < wanted[p.id]}
        fresh: dict[str, ManagedPage] = {}

        def again() -> None:
            for page_id in list(behind):
                page = self.adapter.get_managed(page_id)
                if (page.property_version or 0) >= wanted[page_id]:
                    behind.discard(page_id)
                    fresh[page_id] = page

        self._settled(lambda: not behind, again)
        return [fresh.get(p.id, p) for p in current]

    def _settled(self, landed: Callable[[], bool], again: Callable[[], None]) -> bool:
        """Whether what the last run's release names has landed: `landed` asked now, then after each of
        `SETTLE_PAUSES`, with `again` reading it anew before each ask."""
        if landed():
            return True
        for pause in SETTLE_PAUSES:
            self.adapter.caller.sleep(pause)
            again()
            if landed():
                return True
        return False

    def _read_manifest(self) -> None:
        assert self.page_id is not None
        value = self.prop.value if self.prop else None
        if isinstance(value, dict) and "attachment" in value:  # outgrew the property: kept as a file
            name = str(value["attachment"])
            file = self.adapter.get_attachment(self.page_id, name) or b""
            text = gzip.decompress(file) if file and name.endswith(".gz") else file
            self.manifest = Manifest.from_json(json.loads(text) if text else None)
            self.as_read = _pointer(name, file)  # the file as read, with its SHA-256
            return
        self.manifest = Manifest.from_json(value)
        self.as_read = self._stored(self.manifest)[0]

    def archive_parent(self) -> str:
        # Archives are applied side by side: the first one makes the page, the others wait for it.
        with self._archive_lock:
            if self._archive_id is None:
                self._archive_id = self.adapter.ensure_page(
                    self.target, archive_title(self.job), archive_page_body(), ARCHIVE_ROLE
                )
            return self._archive_id

    def sharing(self, current: list[ManagedPage]) -> list[ManagedPage]:
        """The listed pages, each approval record its page holds that the manifest holds too (as it does but
        for an interrupted run) the manifest's very object: a run holds both for every entry, some 3 KB each."""
        entries = self.manifest.entries
        out = []
        for page in current:
            meta = page.meta
            kept = entries.get(meta.notion_page_id, {}).get("approval") if meta is not None else None
            if meta is not None and kept is not None and kept is not meta.approval and kept == meta.approval:
                page = replace(page, meta=replace(meta, approval=kept))
            out.append(page)
        return out

    def records(self, current: list[ManagedPage]) -> dict[str, ApprovalRecord]:
        """Approval records: the manifest's, else the page property's (a lost manifest loses nothing)."""
        out: dict[str, ApprovalRecord] = {}
        for page in current:
            if page.meta is not None and page.meta.approval:
                record = ApprovalRecord.from_json(page.meta.approval)
                if record is not None:
                    out[page.meta.notion_page_id] = record
        for notion_id, facts in self.manifest.entries.items():
            record = ApprovalRecord.from_json(facts.get("approval"))
            if record is not None:
                out[notion_id] = record
        return out

    def find_unlabelled(self, current: list[ManagedPage]) -> tuple[list[ManagedPage], list[str]]:
        """Pages the manifest knows that the labelled listing missed (a person removed the marker label):
        found one by one and labelled again, so they stay managed."""
        listed = {page.id for page in current}
        found: list[ManagedPage] = []
        notes: list[str] = []
        for notion_id, facts in self.manifest.entries.items():
            page_id = facts.get("page_id")
            if not page_id or page_id in listed or (facts.get("archived") or {}).get("mode") == "native":
                continue
            try:
                page = self.adapter.get_managed(str(page_id))
            except Exception as error:
                if http_status(error) == 404:  # deleted by a person: the entry is published anew
                    continue
                raise
            if page.meta is None or page.meta.notion_page_id != notion_id:
                continue
            found.append(page)
            notes.append(f"page {page.id} ('{page.title}') had lost its {MANAGED_LABEL} label: found again")
        return found, notes

    def changed(self, manifest: Manifest, rows: list[Listed]) -> bool:
        """Whether `save` would write anything (`manifest` is the caller's copy, and takes the index's key)."""
        body = self._index_body(manifest, rows)  # first: the manifest takes the index's key
        value, file, _ = self._writes(manifest)
        return body is not None or value is not None or file is not None

    def _index_body(self, manifest: Manifest, rows: list[Listed]) -> str | None:
        """The index page's body to write, or None when the page stands as last written: rendered only when
        what it is made from changed. `manifest` takes the new key and digest."""
        key = index_key(rows, self.target.parent_id)
        if key == manifest.index_key:
            return None
        manifest.index_key = key
        if self._rendered is None or self._rendered[0] != key:  # a run's deciding pass rendered it already
            self._rendered = key, index_body(rows, self.target.parent_id)
        body = self._rendered[1]
        body_hash = digest(body)
        if body_hash == manifest.body_hash:
            return None
        manifest.body_hash = body_hash
        return body

    def _value(self, manifest: Manifest) -> tuple[dict[str, Any], bytes | None]:
        """What `manifest` is stored as (itself, or a pointer to its file with the file's SHA-256), and that
        file, if any (None: as read)."""
        if self.as_read is not None and manifest == self.manifest:
            return self.as_read, None
        return self._stored(manifest)

    def _writes(self, manifest: Manifest) -> tuple[dict[str, Any] | None, bytes | None, dict[str, Any]]:
        """What saving `manifest` writes: the property's new value and the file (None: each stands as it is),
        and what the manifest then is (`_value`). A manifest kept as a file changes the file alone: the property
        names it and no more, so the two never disagree."""
        value, file = self._value(manifest)
        stale = self._file_stale() or self.unlanded
        if file is None and stale:  # the file read is not the one an older pointer names: both anew
            value, file = self._stored(manifest)
        upload = file is not None and (stale or value != self.as_read)
        named = {"attachment": value["attachment"]} if "attachment" in value else value
        current = self.prop.value if self.prop is not None else None
        if isinstance(current, dict) and "sha256" in current and not upload:
            current = {"attachment": current.get("attachment")}  # an older pointer to this very file: it stands
        rewrite = self.prop is None or _json(current) != _json(named) or (self.unlanded and file is None)
        return (named if rewrite else None), (file if upload else None), value

    def _file_stale(self) -> bool:
        """Whether the manifest file as read is not the one the property names: an older pointer also named the
        file's SHA-256 (and a run could write one of the two and not the other)."""
        named = self.prop.value if self.prop else None
        if not isinstance(named, dict) or "sha256" not in named:
            return False
        return (self.as_read or {}).get("sha256") != named["sha256"]

    def save(
        self, manifest: Manifest, rows: list[Listed], release: Callable[[dict[str, Any]], None] | None = None
    ) -> bool:
        """Rewrite the index page and the manifest, each only when it changed. True if anything was written.
        `release` (the run's last write) goes beside them, naming the manifest they leave (`landing`)."""
        if self.page_id is None:
            return False
        page_id, wrote = self.page_id, False
        body = self._index_body(manifest, rows)
        with overlap.pool(3) as pool:
            # The page's text, the manifest's file and its property are separate resources: written side by side.
            pending = []
            if body is not None:
                title = index_title(self.job)
                pending.append(
                    pool.submit(self.adapter.update_body, page_id, title, body, "scenario-sync: index updated")
                )
                wrote = True
            value, file, kept = self._writes(manifest)
            if file is not None:
                pending.append(pool.submit(self.adapter.put_attachment, page_id, MANIFEST_FILE, file, MANIFEST_TYPE))
                wrote = True
            if release is not None:
                version = (self.prop.version if self.prop is not None else 0) + (1 if value is not None else 0)
                pending.append(pool.submit(release, {"version": version, "sha256": kept.get("sha256")}))
            if value is not None:
                self.prop = self.adapter.set_property(page_id, MANIFEST_KEY, value, self.prop)
                wrote = True
            for write in pending:
                write.result()
        return wrote

    def _stored(self, manifest: Manifest) -> tuple[dict[str, Any], bytes | None]:
        """The manifest as stored: itself, or (past a property's size limit) a pointer to its file with the
        file's SHA-256; and that file (a writing run serialises thousands of entries once). The same manifest
        makes the same file (`mtime=0`)."""
        pieces, head, size = manifest.text(), [], 0
        for piece in pieces:  # as long as unsorted: one serialising tells both
            head.append(piece)
            size += len(piece)
            if size > PROPERTY_LIMIT:
                break
        else:
            return manifest.to_json(), None
        # Gzip as `gzip.compress(…, mtime=0)` makes it (zlib's own header), fed a piece at a time.
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        chunks = [packer.compress("".join(head).encode())]
        chunks.extend(packer.compress(piece.encode()) for piece in pieces)
        file = b"".join([*chunks, packer.flush()])
        return _pointer(MANIFEST_FILE, file), file


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _pointer(name: str, file: bytes) -> dict[str, str]:
    """A manifest kept as a file: its name (what the property holds) and its SHA-256."""
    return {"attachment": name, "sha256": hashlib.sha256(file).hexdigest()}


def live_record(adapter: ConfluenceAdapter, target: Target, job: Job, entry_id: str, when: datetime) -> LiveAt:
    """Which version of an entry's page was live at `when`, and who approved it: from Confluence alone."""
    wanted = entry_id.replace("-", "").lower()
    site = IndexSite.open(adapter, target, job)
    page_id = next(
        (f.get("page_id") for nid, f in site.manifest.entries.items() if nid.replace("-", "") == wanted), None
    )
    if page_id is None:
        page_id = next(
            (p.id for p in adapter.find_managed(target) if p.meta and p.meta.notion_page_id.replace("-", "") == wanted),
            None,
        )
    if page_id is None:
        raise ConfigError(f"job '{job.name}' has never published entry {entry_id}", "check the Notion page id")
    live = live_at(adapter.history(str(page_id)), when)
    if live is None:
        raise ConfigError(f"entry {entry_id} had no page yet on {when.date()}", "ask about a later date")
    if live.record is None and live.version.number == 1:  # a create carries no version message on Cloud
        created = next(
            (f.get("created") for nid, f in site.manifest.entries.items() if f.get("page_id") == page_id), None
        )
        return LiveAt(live.version, created)
    return live


def unmanaged_children(adapter: ConfluenceAdapter, page: ManagedPage, managed_ids: set[str]) -> list[str]:
    return [child for child in adapter.children(page.id) if child not in managed_ids]


def share_too_high(new_archives: int, managed: int, max_share: float) -> bool:
    return managed > 0 and new_archives / managed > max_share


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def entry_facts(existing: dict[str, Any], **updates: Any) -> dict[str, Any]:
    """A manifest entry with `updates` applied (None values removed)."""
    merged = {**existing, **updates}
    return {k: v for k, v in merged.items() if v is not None}


def archive_candidates(
    job: Job,
    entries: list[Entry],
    by_entry: dict[str, ManagedPage],
    known: set[str],
    report: RunReport,
) -> dict[str, tuple[str, str]]:
    """Entries to take out of use: expired, retired, or gone from the data source. Never when the read came
    back empty (a wrong filter or a lost share looks exactly like that)."""
    if not entries:
        if by_entry:
            report.warnings.append("the Notion read returned no entries: nothing archived (check the data source)")
        return {}
    native = job.archive.mode == "native"
    out: dict[str, tuple[str, str]] = {}
    for entry in entries:
        if entry.standing is not None and entry.standing.archive and entry.page_id in by_entry:
            mode = "native" if native and entry.standing.state == "retired" else "move"
            out[entry.page_id] = (entry.standing.reason.removeprefix(lifecycle.ARCHIVE), mode)
    for notion_id in by_entry:
        if notion_id not in known:
            reason = "the entry was trashed or deleted in Notion, or left the data source"
            out[notion_id] = (reason, "native" if native else "move")
    return out


def archive_safety(
    adapter: ConfluenceAdapter,
    job: Job,
    archive: dict[str, tuple[str, str]],
    by_entry: dict[str, ManagedPage],
    report: RunReport,
    allow_mass_archive: bool,
) -> dict[str, tuple[str, str]]:
    live = {k: p for k, p in by_entry.items() if p.meta is not None and not p.meta.archived}
    fresh = {k: v for k, v in archive.items() if k in live}
    if fresh and not allow_mass_archive and share_too_high(len(fresh), len(live), job.archive.max_share):
        report.errors.append(
            f"this run would archive {len(fresh)} of {len(live)} managed pages, more than archive.max_share"
            f" ({job.archive.max_share:.0%}): nothing archived. Check the data source; if it is right, run with"
            " --allow-mass-archive"
        )
        return {}
    if job.archive.mode == "native" and adapter.flavor != "cloud":
        fresh = {k: (reason, "move") for k, (reason, _) in fresh.items()}
    managed_ids = {p.id for p in by_entry.values()}
    safe: dict[str, tuple[str, str]] = {}
    for notion_id, why in fresh.items():
        strangers = unmanaged_children(adapter, by_entry[notion_id], managed_ids)
        if strangers:
            report.errors.append(
                f"page {by_entry[notion_id].id} ('{by_entry[notion_id].title}') was not archived: it has child pages"
                f" scenario-sync does not manage ({', '.join(strangers)}); move them, then run again"
            )
            continue
        safe[notion_id] = why
    return safe


def update_manifest(
    manifest: Manifest, entries: list[Entry], applied: dict[str, Applied], by_entry: dict[str, ManagedPage]
) -> None:
    """What the manifest keeps per entry: the page, its approval record, the facts the index lists."""
    scenarios = {e.page_id: e for e in entries}
    ids = set(manifest.entries) | set(by_entry) | {e.page_id for e in entries if e.binding and e.binding.record}
    for notion_id in sorted(ids):  # a set's order changes from one process to the next; the manifest's must not
        facts = manifest.entries.get(notion_id, {})
        page = by_entry.get(notion_id)
        result = applied.get(notion_id)
        if result is not None and result.page is not None:
            page = result.page
        entry = scenarios.get(notion_id)
        updates: dict[str, Any] = {}
        if page is not None and page.meta is not None:
            updates |= {
                "page_id": page.id,
                "title": page.title,
                "fingerprint": page.meta.fingerprint,
                "written_version": page.meta.written_version,
                "archived": page.meta.archived,
            }
        if entry is not None and entry.scenario is not None:
            sc = entry.scenario
            updates |= {
                "title": sc.title,
                "owner": sc.owner.name,
                "version": sc.version,
                "keywords": list(sc.keywords),
                "next_due": iso(entry.standing.due) if entry.standing else None,
            }
            if entry.binding is not None and entry.binding.record is not None:
                updates["approval"] = entry.binding.record.to_json()
            if entry.checks is not None:
                updates["checks"] = entry.checks
        if entry is not None and entry.body is not None:  # read this run: held for it, or no longer
            updates["held_body"] = entry.held_body
        if result is not None and result.page is not None and result.action.kind == "create" and not result.error:
            # Cloud's create takes no version message: the record of version 1 is kept here instead.
            updates["created"] = version_record(result.action)
        if page is None and entry is None and (facts.get("archived") or {}).get("mode") != "native":
            manifest.entries.pop(notion_id, None)  # gone from Notion and its page gone too: nothing to keep
            continue
        # What did not change stays the object read: a run holds both the manifest it read and the one it makes.
        merged = entry_facts(facts, **{k: facts[k] if k in facts and facts[k] == v else v for k, v in updates.items()})
        if page is not None and page.meta is not None and page.meta.archived is None:
            merged.pop("archived", None)
        manifest.entries[notion_id] = facts if merged == facts else merged


def listed(manifest: Manifest, page_url: Callable[[str], str]) -> list[Listed]:
    rows = []
    for facts in manifest.entries.values():
        if not facts.get("page_id"):
            continue
        archived = facts.get("archived")
        rows.append(
            Listed(
                title=str(facts.get("title", "")),
                url=page_url(str(facts["page_id"])),
                owner=str(facts.get("owner", "")),
                version=int(facts.get("version", 0)),
                next_due=str(facts.get("next_due", "")),
                keywords=tuple(facts.get("keywords", ())),
                archived_reason=f"{archived.get('reason')} ({archived.get('date')})" if archived else None,
            )
        )
    return rows


def remind(
    job: Job,
    entries: list[Entry],
    manifest: Manifest,
    services: Services,
    report: RunReport,
    today: date,
    write: bool,
    list_users: Callable[[], Any] | None = None,
) -> bool:
    """Post the reminders due now (with `write`); whether there are any. `list_users` lists Notion's users
    (a run passes one that asks once)."""
    due = [
        Due(e.page_id, e.scenario.title, e.scenario.owner, e.standing)
        for e in entries
        if e.scenario is not None and e.standing is not None and e.standing.remind
    ]
    if not due or services.comments is None:
        return False
    comments = services.comments
    try:
        users = (list_users or comments.users)()
    except Exception as error:
        report.errors.append(f"reminders not sent: listing Notion users failed: {describe(error)}")
        return False
    fallback = resolve_fallback(job.revalidation.fallback_owner, users)
    if job.revalidation.fallback_owner and fallback is None:
        report.warnings.append(
            f"revalidation.fallback_owner '{job.revalidation.fallback_owner}' is not a Notion user: nobody gets"
            " what owners cannot receive"
        )
    people = active_people(users)
    planned = plan_reminders(due, manifest.entries, manifest.digests, people, job.revalidation, fallback, today)
    if not write:
        return bool(planned)
    rows = {r.page_id: r for r in report.entries}
    for reminder in planned:
        try:
            comments.post_once(reminder.notion_id, reminder.mention, reminder.text, reminder.marker)
        except Exception as error:
            report.errors.append(f"reminder on '{reminder.notion_id}' not sent: {describe(error)}")
            continue
        facts = manifest.entry(reminder.notion_id)
        facts["reminded"] = sorted({*facts.get("reminded", []), reminder.key})
        manifest.digests[reminder.owner_key] = today.isoformat()
        names = ", ".join(people.get(u, u) for u in reminder.mention)
        if reminder.notion_id in rows:  # the row says why already
            rows[reminder.notion_id].reasons.append(f"reminder sent to {names}")
        report.reminders.append(f"{reminder.notion_id}: {names}: {reminder.text}")
    return bool(planned)


def write_audit(job: Job, applied: dict[str, Applied], report: RunReport, services: Services) -> None:
    if not job.audit_log:
        return
    log = AuditLog(job.audit_log)
    when = services.clock().isoformat()
    for result in applied.values():
        action = result.action
        if not action.writes or result.error:
            continue
        page = result.page or action.current
        approval = (action.desired.approval if action.desired else None) or (
            page.meta.approval if page is not None and page.meta else None
        )
        log.append(
            {
                "at": when,
                "job": job.name,
                "event": action.kind,
                "entry": action.notion_page_id,
                "page": page.id if page else None,
                "version": page.version if page else None,
                "reason": action.reason,
                "approval": approval,
            }
        )
    for line in report.reminders:
        log.append({"at": when, "job": job.name, "event": "reminder", "detail": line})
