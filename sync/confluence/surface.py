"""What both Confluence surfaces share: the order of writes for a managed page, labels and the CQL listing
(v1 on both). Each surface supplies only its own calls for pages and content properties.

The interface itself is described once, by `base.ConfluenceAdapter`; `Surface` implements it, so mypy checks
that each surface provides every method of it."""

from __future__ import annotations

import contextlib
import logging
from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from atlassian import rest_client
from atlassian.rest_client import AtlassianRestAPI

from sync import logs, overlap
from sync.assets import Attachment
from sync.confluence import v1
from sync.confluence.base import (
    ARCHIVED_LABEL,
    ROLE_KEY,
    ConfluenceAdapter,
    Later,
    ManagedPage,
    PageMeta,
    PageVersion,
    Property,
    Target,
    Titled,
)
from sync.errors import (
    ConfigError,
    PageChanged,
    PartialWrite,
    PropertyConflict,
    SyncError,
    TitleCollision,
    describe,
    http_status,
    missing_is_config,
)
from sync.retry import TRANSIENT_STATUSES, ApiCaller, is_connection_failure

# Marks the sync's own pages (the index, "Archived scenarios"): {"role": ..., "title": ...}.

V1 = "rest/api"
HASH_PREFIX = "sha256:"  # an uploaded attachment's comment: its content hash, so a re-run can tell it is there


# A page's labels and files as written (`Surface._labels_and_files`): the labels it then carries, those of them
# the sync added, and the SHA-256 of each file on it.
Marks = tuple[frozenset[str], tuple[str, ...], dict[str, str] | None]


def _recorded(
    page: ManagedPage, number: int, title: str, meta: PageMeta, marks: Marks, property_id: str | None, version: int
) -> ManagedPage:
    """The page as written at version `number`, with its record saying so (the record at `version`)."""
    labelled, ours, uploaded = marks
    meta = replace(meta, written_version=number, labels=ours, attachments=uploaded)
    return ManagedPage(page.id, title, number, "", labelled, meta, property_id, version)


@contextlib.contextmanager
def _after_write(page: ManagedPage) -> Iterator[None]:
    """Steps after the page itself was written: a failure there leaves the new text live, unrecorded."""
    try:
        yield
    except Exception as error:
        raise PartialWrite(
            f"the page is live (version {page.version}) but marking it failed: {describe(error)}",
            "the next run completes it",
            page,
        ) from error


@dataclass(frozen=True)
class Found:
    """A page found by a direct lookup, with what tells whose it is."""

    page: ManagedPage
    creator: str  # account id (Cloud) or user name (Data Center)
    body: str


def space_not_found(space_key: str) -> tuple[str, str]:
    return (
        f"Confluence space {space_key} does not exist or the user cannot see it",
        "check confluence.space_key in scheduler.yaml, and that the user has 'View' on the space",
    )


def parent_not_found(parent_id: str, space_key: str) -> tuple[str, str]:
    return (
        f"Confluence page {parent_id} (confluence.parent_page_id) does not exist or the user cannot see it",
        f"set confluence.parent_page_id to a page in space {space_key} the user can view, or use parent_title",
    )


def _curl_when_shown(log_curl_debug: Callable[..., None]) -> Callable[..., None]:
    """The library's curl line for each request, made only when its logger shows it: it quotes the whole
    payload into a new command line for a DEBUG call, whatever the level (the index page's 3 MB twice over)."""

    def logged(*args: Any, level: int = logging.DEBUG, **kwargs: Any) -> None:
        if rest_client.log.isEnabledFor(level):
            log_curl_debug(*args, level=level, **kwargs)

    return logged


class Surface(ConfluenceAdapter):
    def __init__(self, client: AtlassianRestAPI, base_url: str, caller: ApiCaller, timeout: float) -> None:
        self.client, self.base_url, self.caller = client, base_url.rstrip("/"), caller
        self.client.timeout = timeout  # type: ignore[assignment]  # the constructor rounds to whole seconds
        self._own_account: str | None = None
        # The version of the sync's own pages (index, archive) as a title lookup or our last write saw it: the
        # next rewrite goes out on it without reading the page first.
        self._versions: dict[str, int] = {}
        self._uploaded: dict[str, dict[str, str]] = {}  # by page: the files this run sent, by name (SHA-256)
        # The library keeps its requests session private; a response hook only notes what the log line needs.
        self.client._session.hooks["response"].append(logs.requests_response_hook)
        self.client.log_curl_debug = _curl_when_shown(self.client.log_curl_debug)  # type: ignore[method-assign]

    # --- calls each surface makes its own way ------------------------------------------------------------
    # True where the create itself can carry labels and our property (Data Center's v1 `metadata`).
    marks_on_create = False

    @abstractmethod
    def _post_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta | None, message: str
    ) -> dict[str, Any]:
        """Create the page; `labels` and `meta` are set only where `marks_on_create`; `message` where the
        surface takes a version message with a create."""

    @abstractmethod
    def find_by_title(self, target: Target, title: str) -> Found | None:
        """The page with this title in the space (a direct lookup: no search index lag)."""

    @abstractmethod
    def get_managed(self, page_id: str) -> ManagedPage: ...

    @abstractmethod
    def _put_page(self, page_id: str, number: int, title: str, body: str, message: str) -> None: ...

    @abstractmethod
    def _post_property(self, page_id: str, meta: PageMeta) -> str | None:
        """Create our content property; return its id where the surface addresses properties by id."""

    @abstractmethod
    def _put_property(self, page: ManagedPage, meta: PageMeta, number: int) -> None: ...

    @abstractmethod
    def _move_page(self, page_id: str, number: int, title: str, body: str, message: str, parent_id: str) -> None:
        """A new version that also moves the page under `parent_id`."""

    @abstractmethod
    def get_property(self, page_id: str, key: str) -> Property | None: ...

    @abstractmethod
    def get_properties(self, page_id: str) -> dict[str, Property]:
        """All of a page's content properties, by key, in one listing (a request, not one per key)."""

    @abstractmethod
    def _write_named_property(self, page_id: str, key: str, value: Any, current: Property | None) -> Property: ...

    @abstractmethod
    def get_body(self, page_id: str) -> tuple[str, int, str]: ...

    @abstractmethod
    def children(self, page_id: str) -> list[str]: ...

    @abstractmethod
    def history(self, page_id: str) -> list[PageVersion]: ...

    @abstractmethod
    def title_taken(self, target: Target, title: str) -> str | None: ...

    @abstractmethod
    def space(self, space_key: str) -> Target: ...

    @abstractmethod
    def titled(self, space_key: str, title: str, keys: tuple[str, ...] = ()) -> Titled | None: ...

    @abstractmethod
    def _read_page(self, page_id: str) -> None:
        """Read the page (its existence is the point: 404 when it is not there)."""

    def parent_page(self, space_key: str, parent_id: str | None, parent_title: str | None) -> str:
        if parent_id is not None:
            with missing_is_config(*parent_not_found(parent_id, space_key)):
                self._read_page(parent_id)
            return parent_id
        found = self.titled(space_key, parent_title or "")
        if found is None:
            raise ConfigError(
                f"no page titled '{parent_title}' in space {space_key}", "create it or set parent_page_id"
            )
        return found.page_id

    def resolve_target(self, space_key: str, parent_id: str | None, parent_title: str | None) -> Target:
        return replace(self.space(space_key), parent_id=self.parent_page(space_key, parent_id, parent_title))

    # --- shared -----------------------------------------------------------------------------------------
    def read(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(lambda: self.client.get(path, params=params), idempotent=True)

    def write(self, call: Any, *, idempotent: bool) -> Any:
        """A write: retried on 429 always, on 5xx only when `idempotent` (version-checked or repeatable)."""
        return self.caller.call(call, idempotent=idempotent, kind="write")

    def put_unread(self, path: str, payload: dict[str, Any]) -> None:
        """A version-checked PUT of a page, whose answer is checked, not parsed: it echoes the page's whole text,
        which nobody reads (the index page's is megabytes, parsed beside the manifest at a run's end)."""
        self.write(
            lambda: self.client.raise_for_status(self.client.put(path, data=payload, advanced_mode=True)),
            idempotent=True,
        )

    # --- who we are ------------------------------------------------------------------------------------
    def own_account(self) -> str:
        """The sync's own account (Cloud account id, Data Center user name); asked once, only when needed."""
        if self._own_account is None:
            self._own_account = v1.user_id(self.read(f"{V1}/user/current"))
        return self._own_account

    def find_managed(self, target: Target) -> list[ManagedPage]:
        pages = v1.managed_pages(self.client, self.caller, V1, target)
        if not any(p.meta is not None and p.version != p.meta.written_version for p in pages):
            return pages
        # A version after the one we recorded may still be our own (its record failed to save): never a human edit.
        own = self.own_account()
        return [replace(p, own_edit=p.last_editor_id == own) for p in pages]

    # --- creating: at most three requests, and a create that fails half-way heals ---------------------
    def create_page(
        self,
        target: Target,
        title: str,
        body: str,
        labels: list[str],
        meta: PageMeta,
        message: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> ManagedPage:
        # Marked in the create itself where the surface can: labels always, and our record too unless files
        # must follow (the record comes last, so it never claims files that are not there).
        marked = self.marks_on_create and not attachments
        meta = replace(meta, labels=tuple(sorted(labels)), attachments=None, written_version=1)
        try:
            page = self._post_page(
                target, title, body, labels if self.marks_on_create else [], meta if marked else None, message
            )
        except Exception as error:
            # Taken (Confluence answers 400) or our answer lost: look before deciding; never create twice.
            if http_status(error) != 400 and not is_connection_failure(error):
                raise
            found = self.find_by_title(target, title)
            if found is None:
                raise
            if not self._is_ours(found, meta.notion_page_id):
                raise self._collision(found, title) from error
            return self.adopt(found, title, body, labels, meta, message, attachments)
        page_id = str(page["id"])
        number = int(page["version"]["number"])
        meta = replace(meta, written_version=number)
        if marked:
            return ManagedPage(page_id, title, number, "", frozenset(labels), meta, None, 1)
        created = ManagedPage(page_id, title, number, "", frozenset(), None)
        with _after_write(created):
            if not self.marks_on_create:
                v1.add_labels(self.client, self.caller, V1, page_id, labels)
            meta = replace(meta, attachments=self._sync_attachments(page_id, attachments, {}))
            property_id = self._post_property(page_id, meta)
        return ManagedPage(page_id, title, number, "", frozenset(labels), meta, property_id, 1)

    def _is_ours(self, found: Found, notion_page_id: str) -> bool:
        """Our unfinished create, or our page that the listing missed. Our content property naming this entry
        says so; without it, the page must have been created by the sync's own account AND carry the link to
        this entry's Notion page that every rendered page carries. A person's page fails the first test."""
        meta = found.page.meta
        if meta is not None:
            return meta.notion_page_id == notion_page_id
        return found.creator == self.own_account() and notion_page_id.replace("-", "") in found.body

    @staticmethod
    def _collision(found: Found, title: str) -> TitleCollision:
        meta = found.page.meta
        if meta is not None:
            return TitleCollision(
                f"the title '{title}' is taken by the page of another entry (Notion page {meta.notion_page_id},"
                f" Confluence page {found.page.id})",
                "give one of the two entries another title in Notion",
            )
        return TitleCollision(
            f"a page titled '{title}' already exists (id {found.page.id}, by {found.page.last_editor})"
            " and is not managed by scenario-sync",
            "rename the entry in Notion or the other page in Confluence",
        )

    def adopt(
        self,
        found: Found,
        title: str,
        body: str,
        labels: list[str],
        meta: PageMeta,
        message: str,
        attachments: tuple[Attachment, ...] = (),
    ) -> ManagedPage:
        """Bring our own page that the listing did not show to the desired state, and mark it."""
        page, recorded = found.page, found.page.meta
        if (
            recorded is not None
            and recorded.fingerprint == meta.fingerprint
            and page.version == recorded.written_version
            and set(labels) <= page.labels
        ):
            return page  # complete already (the search index had not caught up)
        if recorded is None:  # our own create: the wanted labels on it are ours; files unknown yet
            ours = tuple(sorted(set(labels) & page.labels))
            page = replace(page, meta=replace(meta, labels=ours, attachments=None))
        same = page.title == title and found.body == body
        return self.update_page(page, title, body, labels, meta, message, attachments, write_page=not same)

    # --- updating ---------------------------------------------------------------------------------------
    def update_page(
        self,
        page: ManagedPage,
        title: str,
        body: str,
        labels: list[str],
        meta: PageMeta,
        message: str,
        attachments: tuple[Attachment, ...] = (),
        *,
        write_page: bool = True,
        later: Later | None = None,
    ) -> ManagedPage:
        number = page.version + 1 if write_page else page.version
        # The text, the labels and the files are separate resources: written side by side, then our record (last:
        # it says all the rest is done). Files sent beside a text that is then refused (409) are remembered, so
        # the page planned again does not send them twice.
        with overlap.pool(1) as pool:
            marks = pool.submit(self._labels_and_files, page, labels, attachments)
            if write_page:
                self._put_page_checked(page, number, title, body, message)
        written = replace(page, title=title, version=number, own_edit=True)
        with _after_write(written):
            done = marks.result()

        def record() -> ManagedPage:
            with _after_write(written):
                return self._record(page, number, title, meta, done)

        if later is None or page.property_id is None or page.property_version is None:
            return record()
        # The record goes beside what the run does next; the page as it will be once the record has landed.
        later(page.id, page.property_version + 1, record)
        return _recorded(page, number, title, meta, done, page.property_id, page.property_version + 1)

    def _labels_and_files(self, page: ManagedPage, labels: list[str], attachments: tuple[Attachment, ...]) -> Marks:
        """The page's labels and files made as wanted (see `Marks`)."""
        recorded = page.meta
        added = sorted(set(labels) - page.labels)
        v1.add_labels(self.client, self.caller, V1, page.id, added)
        # Only labels we added ourselves go when their keyword goes; a person's own labels stay.
        ours_before = set(recorded.labels) if recorded is not None and recorded.labels is not None else set()
        for name in sorted((ours_before - set(labels)) & page.labels):
            v1.remove_label(self.client, self.caller, V1, page.id, name)
        ours = tuple(sorted((ours_before & set(labels)) | set(added)))
        known = recorded.attachments if recorded is not None else None
        uploaded = self._sync_attachments(page.id, attachments, known)
        labelled = (frozenset(labels) | page.labels) - (ours_before - set(labels))
        return labelled, ours, uploaded

    def _record(self, page: ManagedPage, number: int, title: str, meta: PageMeta, marks: Marks) -> ManagedPage:
        recorded = _recorded(page, number, title, meta, marks, page.property_id, 0)
        assert recorded.meta is not None
        property_id, property_version = self._write_property(page, recorded.meta)
        self._uploaded.pop(page.id, None)  # recorded now
        return replace(recorded, property_id=property_id, property_version=property_version)

    def _put_page_checked(self, page: ManagedPage, number: int, title: str, body: str, message: str) -> None:
        try:
            self._put_page(page.id, number, title, body, message)
        except Exception as error:
            if http_status(error) != 409:
                raise
            # Our own earlier attempt may have landed (its answer lost, then retried): read before deciding.
            now = self.get_managed(page.id)
            if now.version == number and now.last_editor_id == self.own_account():
                return
            raise PageChanged(
                f"page {page.id} changed in Confluence during the run (now version {now.version} by {now.last_editor})",
                "nothing to do: the next run plans it again",
            ) from error

    def _write_property(self, page: ManagedPage, meta: PageMeta) -> tuple[str | None, int]:
        """Create or update our content property; a write whose answer was lost is checked, not repeated."""
        value = meta.to_json()
        try:
            if page.property_version is None:
                return self._post_property(page.id, meta), 1
            self._put_property(page, meta, page.property_version + 1)
            return page.property_id, page.property_version + 1
        except Exception as error:
            status = http_status(error)
            if status not in (400, 409) and not is_connection_failure(error):
                raise
            now = self.get_managed(page.id)
            if now.meta is not None and now.meta.to_json() == value:
                return now.property_id, now.property_version or 1
            if now.property_version is None or now.property_version == page.property_version:
                raise
            # Someone (our own lost write, or a person) wrote the property since we read it: write over it once.
            self._put_property(now, meta, now.property_version + 1)
            return now.property_id, now.property_version + 1

    # --- attachments (v1 upload on both surfaces, the only way on Cloud) -------------------------------
    def _sync_attachments(
        self, page_id: str, attachments: tuple[Attachment, ...], known: dict[str, str] | None
    ) -> dict[str, str] | None:
        """Upload what is new or changed (a changed file becomes a new version of the same attachment);
        return the SHA-256 of every file now on the page, by name."""
        if not attachments:
            return known or None
        if known is None:  # nothing recorded (an adopted page): what is there already?
            known = self._attachment_hashes(page_id)
        known = {**known, **self._uploaded.get(page_id, {})}  # sent earlier in this run, not recorded yet
        changed = [a for a in attachments if known.get(a.name) != a.sha256]
        if changed:
            try:
                self._upload(page_id, changed)
            except Exception as error:
                if http_status(error) not in TRANSIENT_STATUSES and not is_connection_failure(error):
                    raise
                there = self._attachment_hashes(page_id)  # it may have landed: never upload a version twice
                still = [a for a in changed if there.get(a.name) != a.sha256]
                if still:
                    self._upload(page_id, still)
        if changed:
            self._uploaded[page_id] = {**self._uploaded.get(page_id, {}), **{a.name: a.sha256 for a in changed}}
        return {**known, **{a.name: a.sha256 for a in attachments}}

    def _attachment_hashes(self, page_id: str) -> dict[str, str]:
        listing = self.read(f"{V1}/content/{page_id}/child/attachment", {"limit": 200})
        out = {}
        for item in listing.get("results", []):
            comment = str((item.get("metadata") or {}).get("comment") or "")
            if comment.startswith(HASH_PREFIX):
                out[str(item["title"])] = comment.removeprefix(HASH_PREFIX)
        return out

    def _upload(self, page_id: str, attachments: list[Attachment]) -> None:
        """One multipart PUT (create or new version) for all files. Sent through the client's own session:
        the library's helper for Data Center posts to the wrong path on a re-upload."""
        url = f"{self.client.url}/{V1}/content/{page_id}/child/attachment"
        files = [("file", (a.name, a.data, a.media_type)) for a in attachments]
        form = [("minorEdit", "true"), *[("comment", HASH_PREFIX + a.sha256) for a in attachments]]

        def send() -> None:
            response = self.client.session.put(
                url,
                files=files,
                data=form,
                headers={"X-Atlassian-Token": "no-check", "Accept": "application/json"},
                timeout=self.client.timeout,
            )
            response.raise_for_status()

        self.write(send, idempotent=False)

    def page_url(self, page_id: str) -> str:
        return f"{self.base_url}/pages/viewpage.action?pageId={page_id}"

    # --- the page lifecycle ---------------------------------------------------------------------------------
    def set_property(self, page_id: str, key: str, value: Any, current: Property | None) -> Property:
        try:
            return self._write_named_property(page_id, key, value, current)
        except SyncError:
            raise
        except Exception as error:
            # Our own write may have landed with its answer lost (then a retry meets 409): look first.
            if http_status(error) in (400, 409) or is_connection_failure(error):
                now = self.get_property(page_id, key)
                if now is not None and now.value == value and now.version == (current.version + 1 if current else 1):
                    return now
            # 409: the version moved on (or the key was created) since we read it. Data Center's v1 answers
            # a create of an existing key with 400, so a create that fails is re-read before deciding.
            status = http_status(error)
            if status == 409 or (status == 400 and current is None and self.get_property(page_id, key)):
                raise PropertyConflict(
                    f"content property {key} on page {page_id} was changed by someone else", "run again"
                ) from error
            raise

    def ensure_page(self, target: Target, title: str, body: str, role: str) -> str:
        found = self.title_taken(target, title)
        if found is not None:
            mark = self.get_property(found, ROLE_KEY)
            if mark is None and self._half_made(found, body):  # a run died between the create and the mark
                self.set_property(found, ROLE_KEY, {"role": role, "title": title}, None)
                return found
            if mark is None or (mark.value or {}).get("role") != role:
                raise ConfigError(
                    f"a page titled '{title}' exists (id {found}) and was not created by scenario-sync",
                    "rename or move that page; scenario-sync keeps its own page under that title",
                )
            return found
        try:
            created = self._post_page(target, title, body, [], None, "scenario-sync: created")
        except Exception as error:
            # The create may have landed with its answer lost: look it up rather than create twice.
            if http_status(error) != 400 and not is_connection_failure(error):
                raise
            found = self.title_taken(target, title)
            if found is None or not self._half_made(found, body):
                raise
            created = {"id": found}
        page_id = str(created["id"])
        self.set_property(page_id, ROLE_KEY, {"role": role, "title": title}, None)
        return page_id

    def _half_made(self, page_id: str, body: str) -> bool:
        """Our own create, never edited since: version 1 with exactly the body we create such pages with."""
        _, number, current = self.get_body(page_id)
        return number == 1 and current == body

    def _saw(self, page: dict[str, Any]) -> None:
        """Keep the version a lookup answered for a page (v1 and v2 both give `version.number`)."""
        if "number" in (page.get("version") or {}):
            self._versions[str(page["id"])] = int(page["version"]["number"])

    def update_body(self, page_id: str, title: str, body: str, message: str) -> None:
        """Rewrite one of the sync's own pages, on the version seen when it was looked up (else read now)."""
        seen = self._versions.pop(page_id, None)
        number = seen if seen is not None else self.get_body(page_id)[1]
        try:
            self._put_page(page_id, number + 1, title, body, message)
        except Exception as error:
            if http_status(error) != 409 and not is_connection_failure(error):
                raise
            _, now, current = self.get_body(page_id)
            if not (now == number + 1 and current == body):  # else our write landed, its answer lost: done
                if seen is None:
                    raise
                # A person edited the sync's page since it was looked up: the page is generated, write over it.
                number = now
                self._put_page(page_id, number + 1, title, body, message)
        self._versions[page_id] = number + 1

    def archive_page(
        self, page: ManagedPage, archive_parent_id: str, body: str, meta: PageMeta, message: str
    ) -> ManagedPage:
        """Move under the archive page with the banner on top, the keyword labels the sync added swapped for
        the archived label; the property keeps what restore needs. Each step repeats harmlessly."""
        number = page.version + 1
        self._move_page(page.id, number, page.title, body, message, archive_parent_id)
        ours = set(meta.labels) if meta.labels is not None else set(page.labels)
        keywords = {label for label in ours if not label.startswith("scenario-sync-")}
        v1.add_labels(self.client, self.caller, V1, page.id, [ARCHIVED_LABEL])
        for name in sorted(keywords & page.labels):
            v1.remove_label(self.client, self.caller, V1, page.id, name)
        kept = tuple(sorted((ours - keywords) | {ARCHIVED_LABEL}))
        moved = replace(page, version=number)
        meta = replace(meta, written_version=number, labels=kept)
        property_id, property_version = self._write_property(moved, meta)
        labels = frozenset((page.labels - keywords) | {ARCHIVED_LABEL})
        return ManagedPage(page.id, page.title, number, "", labels, meta, property_id, property_version)

    def restore_page(
        self, page: ManagedPage, parent_id: str, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        """Back under the job's parent with the approved body; its labels put back and the archived label taken
        off (the sync added it), then the page recorded as live."""
        number = page.version + 1
        self._move_page(page.id, number, title, body, message, parent_id)
        with _after_write(replace(page, title=title, version=number, own_edit=True)):
            marks = self._labels_and_files(page, labels, ())
            return self._record(page, number, title, replace(meta, archived=None), marks)

    def archive_native(self, page: ManagedPage, meta: PageMeta) -> ManagedPage:
        raise SyncError(
            f"Confluence's own archive is not available on {self.flavor}",
            "use archive.mode: move (the default) for this job",
        )

    def add_labels(self, page_id: str, labels: list[str]) -> None:
        v1.add_labels(self.client, self.caller, V1, page_id, labels)

    def put_attachment(self, page_id: str, name: str, data: bytes, media_type: str) -> None:
        """Create or replace a file on a page (v1 on both surfaces; the same upload repeats harmlessly)."""
        path = f"{V1}/content/{page_id}/child/attachment"
        headers = {"X-Atlassian-Token": "no-check", "Accept": "application/json"}  # multipart: no JSON type
        self.write(
            lambda: self.client.put(
                path, data={"minorEdit": "true"}, files={"file": (name, data, media_type)}, headers=headers
            ),
            idempotent=True,
        )

    def get_attachment(self, page_id: str, name: str) -> bytes | None:
        # The download link without a version serves the latest one: one request, no listing first.
        link = f"download/attachments/{page_id}/{quote(name)}"
        try:
            return self.caller.call(lambda: self.client.get(link, not_json_response=True), idempotent=True)
        except Exception as error:
            if http_status(error) == 404:
                return None
            raise
