"""State of one emulated Confluence site: spaces, pages with their versions, labels, content properties,
attachments, users and long tasks. Plain objects, no HTTP: the v1 and v2 route modules render them.

Ids are numeric strings, as Confluence's are. Every write checks what Confluence checks (title unique in
its space, version number = current + 1, well-formed storage body) and raises a `StateError` that each
API surface renders in its own error shape.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sync.storage import storage_error

Flavor = Literal["cloud", "datacenter"]


# --- errors every surface renders in its own shape ----------------------------------------------------
class StateError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidError(StateError):
    status = 400


class NotFoundError(StateError):
    status = 404


class ForbiddenError(StateError):
    status = 403


class ConflictError(StateError):
    status = 409


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(when: datetime) -> str:
    """Confluence's timestamp format: milliseconds and a Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# --- objects -------------------------------------------------------------------------------------------
@dataclass
class User:
    account_id: str
    display_name: str
    email: str
    username: str  # Data Center's user name (and user key)
    api_token: str  # Cloud API token (basic auth with the email) or Data Center personal access token


@dataclass
class Space:
    id: str
    key: str
    name: str
    homepage_id: str | None = None
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class Version:
    number: int
    title: str
    body: str
    author_id: str
    when: datetime
    message: str = ""
    minor_edit: bool = False


@dataclass
class Label:
    id: str
    name: str
    prefix: str = "global"


@dataclass
class ContentProperty:
    id: str
    key: str
    value: Any
    version: int
    when: datetime
    author_id: str
    minor_edit: bool = False


@dataclass
class Attachment:
    id: str
    page_id: str
    title: str
    media_type: str
    data: bytes
    version: int
    when: datetime
    author_id: str
    comment: str = ""

    @property
    def file_id(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:32]


@dataclass
class Page:
    id: str
    space_key: str
    parent_id: str | None
    status: str  # current | archived | trashed | draft
    versions: list[Version]
    created_at: datetime
    author_id: str
    labels: list[Label] = field(default_factory=list)
    properties: dict[str, ContentProperty] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    restricted: bool = False  # not visible to the API user

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return self.current.title

    @property
    def body(self) -> str:
        return self.current.body

    @property
    def version(self) -> int:
        return self.current.number


@dataclass
class LongTask:
    id: str
    name: str
    page_ids: list[str]
    submitted: datetime
    polls: int = 0
    # The task finishes on its second poll, so a client must really follow it.
    polls_to_finish: int = 2

    @property
    def finished(self) -> bool:
        return self.polls >= self.polls_to_finish


# --- the site ------------------------------------------------------------------------------------------
class ConfluenceState:
    def __init__(self, flavor: Flavor = "cloud", clock: Callable[[], datetime] = utcnow) -> None:
        self.flavor: Flavor = flavor
        self.clock = clock
        self.users: dict[str, User] = {}
        self.spaces: dict[str, Space] = {}  # by key
        self.pages: dict[str, Page] = {}
        self.tasks: dict[str, LongTask] = {}
        # Permissions taken from the API user (`/_sandbox/deny`): space and page operations it lacks.
        self.denied: set[str] = set()
        self._ids = itertools.count(65537)
        self._lock = threading.RLock()
        self.api_user = self.add_user("scenario-sync bot", "sync-bot@example.com", "sync-bot")

    def space_operations(self) -> list[dict[str, str]]:
        """What the API user may do in a space, as Confluence lists it (operation + targetType)."""
        ops = [("read", "space"), ("create", "page"), ("create", "attachment"), ("delete", "page")]
        if self.flavor == "cloud":
            ops.append(("archive", "page"))
        return [{"operation": o, "targetType": t} for o, t in ops if f"{o}:{t}" not in self.denied]

    def page_operations(self) -> list[dict[str, str]]:
        """What the API user may do to a page it can see."""
        ops = [("read", "page"), ("update", "page"), ("delete", "page")]
        return [{"operation": o, "targetType": t} for o, t in ops if f"{o}:{t}" not in self.denied]

    def next_id(self) -> str:
        return str(next(self._ids))

    # users ---------------------------------------------------------------------------------------------
    def add_user(self, display_name: str, email: str, username: str, api_token: str | None = None) -> User:
        account_id = "557058:" + hashlib.sha1(email.encode()).hexdigest()[:24]
        user = User(account_id, display_name, email, username, api_token or f"token-{username}")
        self.users[account_id] = user
        return user

    def user(self, account_id: str) -> User:
        if account_id not in self.users:
            raise NotFoundError(f"No user with account id {account_id}")
        return self.users[account_id]

    def authenticate_basic(self, email_or_username: str, token: str) -> User | None:
        for user in self.users.values():
            if email_or_username in (user.email, user.username) and token == user.api_token:
                return user
        return None

    def authenticate_bearer(self, token: str) -> User | None:
        return next((u for u in self.users.values() if u.api_token == token), None)

    # spaces --------------------------------------------------------------------------------------------
    def add_space(self, key: str, name: str) -> Space:
        with self._lock:
            if key in self.spaces:
                raise InvalidError(f"A space with key {key} already exists")
            space = Space(self.next_id(), key, name, created_at=self.clock())
            self.spaces[key] = space
            home = self.create_page(key, f"{name} Home", "<p>Welcome.</p>", parent_id=None)
            space.homepage_id = home.id
            return space

    def space(self, key: str) -> Space:
        if key not in self.spaces:
            raise NotFoundError(f"No space with key : {key}")
        return self.spaces[key]

    def space_by_id(self, space_id: str) -> Space:
        for space in self.spaces.values():
            if space.id == str(space_id):
                return space
        raise NotFoundError(f"No space with id : {space_id}")

    # pages ---------------------------------------------------------------------------------------------
    def all_pages(self) -> list[Page]:
        """Every page, as one snapshot (requests that create pages may run meanwhile)."""
        with self._lock:
            return list(self.pages.values())

    def page(self, page_id: str, include_trashed: bool = True) -> Page:
        """A page the API user may see (404 otherwise, as Confluence hides what you cannot see)."""
        page = self.pages.get(str(page_id))
        if page is None or page.restricted or (page.status == "trashed" and not include_trashed):
            raise NotFoundError(f"No content found with id : {page_id}")
        return page

    def visible_pages(self, statuses: Iterable[str] = ("current",)) -> list[Page]:
        wanted = set(statuses)
        return [p for p in self.all_pages() if not p.restricted and p.status in wanted]

    def find_by_title(self, space_key: str, title: str, statuses: Iterable[str] = ("current",)) -> Page | None:
        wanted = set(statuses)
        for page in self.all_pages():
            if page.space_key == space_key and page.title == title and page.status in wanted:
                return page
        return None

    def _check_title(self, space_key: str, title: str, page_id: str | None = None) -> None:
        if not title or not title.strip():
            raise InvalidError("Title cannot be empty")
        if len(title) > 255:
            raise InvalidError("Title cannot be longer than 255 characters")
        for page in self.all_pages():
            if (
                page.id != page_id
                and page.space_key == space_key
                and page.status in ("current", "archived")
                and page.title.lower() == title.lower()
            ):
                raise InvalidError(
                    "A page with this title already exists: A page already exists with the same TITLE in this space"
                )

    @staticmethod
    def _check_body(body: str) -> None:
        problem = storage_error(body)
        if problem is not None:
            raise InvalidError(f"Error parsing xhtml: {problem}")

    def create_page(
        self,
        space_key: str,
        title: str,
        body: str,
        parent_id: str | None = None,
        author: User | None = None,
        status: str = "current",
    ) -> Page:
        with self._lock:
            self.space(space_key)
            if parent_id is not None:
                parent = self.page(parent_id, include_trashed=False)
                if parent.space_key != space_key:
                    raise InvalidError("The parent page must be in the same space")
            self._check_title(space_key, title)
            self._check_body(body)
            author = author or self.api_user
            now = self.clock()
            page = Page(
                id=self.next_id(),
                space_key=space_key,
                parent_id=parent_id,
                status=status,
                versions=[Version(1, title, body, author.account_id, now)],
                created_at=now,
                author_id=author.account_id,
            )
            self.pages[page.id] = page
            return page

    def update_page(
        self,
        page_id: str,
        version_number: int,
        title: str | None = None,
        body: str | None = None,
        author: User | None = None,
        message: str = "",
        minor_edit: bool = False,
        parent_id: str | None = None,
        status: str | None = None,
    ) -> Page:
        """A new version; `version_number` must be the current one + 1 (409 otherwise, as Confluence)."""
        with self._lock:
            page = self.page(page_id)
            if version_number != page.version + 1:
                raise ConflictError(
                    f"Version must be incremented on update. Current version is: {page.version}"
                    if version_number <= page.version
                    else f"Version number {version_number} is not the next version ({page.version + 1})"
                )
            new_title = page.title if title is None else title
            new_body = page.body if body is None else body
            if new_title != page.title:
                self._check_title(page.space_key, new_title, page.id)
            if body is not None:
                self._check_body(new_body)
            if parent_id is not None and parent_id != page.parent_id:
                self._check_move(page, parent_id)
                page.parent_id = parent_id
            if status is not None:
                page.status = status
            author = author or self.api_user
            page.versions.append(
                Version(version_number, new_title, new_body, author.account_id, self.clock(), message, minor_edit)
            )
            return page

    def _check_move(self, page: Page, parent_id: str) -> None:
        parent = self.page(parent_id, include_trashed=False)
        if parent.space_key != page.space_key:
            raise InvalidError("Moving a page to another space is not supported here")
        if parent.id == page.id or page.id in [a.id for a in self.ancestors(parent.id)]:
            raise InvalidError("A page cannot be moved under itself or one of its descendants")

    def human_edit(self, page_id: str, author: User, body: str | None = None, title: str | None = None) -> Page:
        """A person edits the page in the editor now: a new version by someone other than the API user."""
        page = self.page(page_id)
        new_body = body if body is not None else page.body + "<p>Edited by hand.</p>"
        return self.update_page(page_id, page.version + 1, title=title, body=new_body, author=author)

    def trash_page(self, page_id: str) -> None:
        with self._lock:
            page = self.page(page_id, include_trashed=False)
            page.status = "trashed"

    def purge_page(self, page_id: str) -> None:
        with self._lock:
            page = self.page(page_id)
            if page.status != "trashed":
                raise InvalidError("Only trashed content can be purged")
            del self.pages[page.id]

    def children(self, page_id: str, statuses: Iterable[str] = ("current",)) -> list[Page]:
        wanted = set(statuses)
        return [p for p in self.all_pages() if p.parent_id == str(page_id) and p.status in wanted and not p.restricted]

    def ancestors(self, page_id: str) -> list[Page]:
        """Root first, as Confluence lists them."""
        chain: list[Page] = []
        page = self.pages[str(page_id)]
        while page.parent_id is not None:
            page = self.pages[page.parent_id]
            chain.append(page)
        return list(reversed(chain))

    def descendants(self, page_id: str, statuses: Iterable[str] = ("current",)) -> list[Page]:
        out: list[Page] = []
        for child in self.children(page_id, statuses):
            out.append(child)
            out.extend(self.descendants(child.id, statuses))
        return out

    # labels --------------------------------------------------------------------------------------------
    @staticmethod
    def _check_label(name: str) -> str:
        name = name.strip().lower()
        if not name or len(name) > 255 or any(c in name for c in " :;,.?&[]()#^*@!"):
            raise InvalidError(f"Label '{name}' is not valid: use no spaces and none of :;,.?&[]()#^*@!")
        return name

    def add_labels(self, page_id: str, names: Iterable[str], prefix: str = "global") -> list[Label]:
        with self._lock:
            page = self.page(page_id)
            for raw in names:
                name = self._check_label(raw)
                if not any(label.name == name for label in page.labels):
                    page.labels.append(Label(self.next_id(), name, prefix))
            return page.labels

    def remove_label(self, page_id: str, name: str) -> None:
        with self._lock:
            page = self.page(page_id)
            before = len(page.labels)
            page.labels = [label for label in page.labels if label.name != name.lower()]
            if len(page.labels) == before:
                raise NotFoundError(f"Label {name} is not on content {page_id}")

    # content properties --------------------------------------------------------------------------------
    def get_property(self, page_id: str, key: str) -> ContentProperty:
        page = self.page(page_id)
        if key not in page.properties:
            raise NotFoundError(f"Cannot find content property with key: {key}")
        return page.properties[key]

    def property_by_id(self, page_id: str, property_id: str) -> ContentProperty:
        page = self.page(page_id)
        for prop in page.properties.values():
            if prop.id == str(property_id):
                return prop
        raise NotFoundError(f"Cannot find content property with id: {property_id}")

    def create_property(self, page_id: str, key: str, value: Any, author: User | None = None) -> ContentProperty:
        with self._lock:
            page = self.page(page_id)
            if not key or len(key) > 255:
                raise InvalidError("Property key must be 1 to 255 characters")
            if key in page.properties:
                raise ConflictError(f"Cannot add a property with key '{key}': it already exists")
            prop = ContentProperty(self.next_id(), key, value, 1, self.clock(), (author or self.api_user).account_id)
            page.properties[key] = prop
            return prop

    def update_property(
        self, page_id: str, key: str, value: Any, version_number: int, author: User | None = None
    ) -> ContentProperty:
        with self._lock:
            prop = self.get_property(page_id, key)
            if version_number != prop.version + 1:
                raise ConflictError(f"Version must be incremented on update. Current version is: {prop.version}")
            prop.value, prop.version, prop.when = value, version_number, self.clock()
            prop.author_id = (author or self.api_user).account_id
            return prop

    def delete_property(self, page_id: str, key: str) -> None:
        with self._lock:
            self.get_property(page_id, key)
            del self.pages[str(page_id)].properties[key]

    # attachments ---------------------------------------------------------------------------------------
    def attachment(self, attachment_id: str) -> Attachment:
        for page in self.all_pages():
            for att in page.attachments:
                if att.id == str(attachment_id) and not page.restricted:
                    return att
        raise NotFoundError(f"No attachment found with id : {attachment_id}")

    def add_attachment(
        self,
        page_id: str,
        title: str,
        data: bytes,
        media_type: str = "application/octet-stream",
        comment: str = "",
        author: User | None = None,
        allow_update: bool = False,
    ) -> Attachment:
        """A new attachment, or (with `allow_update`, as PUT does) a new version of the one with that name."""
        with self._lock:
            page = self.page(page_id)
            author = author or self.api_user
            existing = next((a for a in page.attachments if a.title == title), None)
            if existing is not None:
                if not allow_update:
                    raise InvalidError(
                        f"Cannot add a new attachment with same file name as an existing attachment: {title}"
                    )
                return self.update_attachment_data(existing.id, data, media_type, comment, author)
            att = Attachment(
                self.next_id(), page.id, title, media_type, data, 1, self.clock(), author.account_id, comment
            )
            page.attachments.append(att)
            return att

    def update_attachment_data(
        self,
        attachment_id: str,
        data: bytes,
        media_type: str | None = None,
        comment: str = "",
        author: User | None = None,
    ) -> Attachment:
        with self._lock:
            att = self.attachment(attachment_id)
            att.data, att.version, att.when = data, att.version + 1, self.clock()
            att.media_type = media_type or att.media_type
            att.comment = comment
            att.author_id = (author or self.api_user).account_id
            return att

    # archive (Cloud only) ------------------------------------------------------------------------------
    def archive(self, page_ids: list[str]) -> LongTask:
        with self._lock:
            if self.flavor != "cloud":
                raise NotFoundError("null for uri: /rest/api/content/archive")
            if not page_ids:
                raise InvalidError("At least one page id is required")
            if len(page_ids) > 300:
                raise InvalidError("Cannot archive more than 300 pages at once")
            pages = [self.page(pid, include_trashed=False) for pid in page_ids]
            for page in pages:
                if page.status != "current":
                    raise InvalidError(f"Page {page.id} is not current and cannot be archived")
            task = LongTask(self.next_id(), "Archive pages", [p.id for p in pages], self.clock())
            self.tasks[task.id] = task
            return task

    def poll_task(self, task_id: str) -> LongTask:
        with self._lock:
            task = self.tasks.get(str(task_id))
            if task is None:
                raise NotFoundError(f"No long running task with id {task_id}")
            if not task.finished:
                task.polls += 1
                if task.finished:
                    for pid in task.page_ids:
                        page = self.pages.get(pid)
                        if page is not None and page.status == "current":
                            page.status = "archived"
            return task

    def restore_archived(self, page_id: str) -> Page:
        """Unarchive (Cloud's UI action, and an update to status current through the API)."""
        with self._lock:
            page = self.page(page_id)
            page.status = "current"
            return page

    # persistence ---------------------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        def encode(obj: Any) -> Any:
            if isinstance(obj, datetime):
                return {"$dt": obj.isoformat()}
            if isinstance(obj, bytes):
                return {"$b64": base64.b64encode(obj).decode()}
            if isinstance(obj, dict):
                return {k: encode(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [encode(v) for v in obj]
            return obj

        return encode(
            {
                "flavor": self.flavor,
                "next_id": next(self._ids),
                "users": [asdict(u) for u in self.users.values()],
                "api_user": self.api_user.account_id,
                "spaces": [asdict(s) for s in self.spaces.values()],
                "pages": [asdict(p) for p in self.pages.values()],
                "tasks": [asdict(t) for t in self.tasks.values()],
            }
        )

    @classmethod
    def load(cls, data: dict[str, Any], clock: Callable[[], datetime] = utcnow) -> ConfluenceState:
        def decode(obj: Any) -> Any:
            if isinstance(obj, dict):
                if "$dt" in obj:
                    return datetime.fromisoformat(obj["$dt"])
                if "$b64" in obj:
                    return base64.b64decode(obj["$b64"])
                return {k: decode(v) for k, v in obj.items()}
            if isinstance(obj, list):
                return [decode(v) for v in obj]
            return obj

        data = decode(data)
        state = cls(data["flavor"], clock)
        state.users = {u["account_id"]: User(**u) for u in data["users"]}
        state.api_user = state.users[data["api_user"]]
        state.spaces = {s["key"]: Space(**s) for s in data["spaces"]}
        for raw in data["pages"]:
            page = Page(**raw)
            page.versions = [Version(**v) for v in raw["versions"]]
            page.labels = [Label(**lab) for lab in raw["labels"]]
            page.properties = {k: ContentProperty(**v) for k, v in raw["properties"].items()}
            page.attachments = [Attachment(**a) for a in raw["attachments"]]
            state.pages[page.id] = page
        state.tasks = {t["id"]: LongTask(**t) for t in data["tasks"]}
        state._ids = itertools.count(data["next_id"])
        return state
