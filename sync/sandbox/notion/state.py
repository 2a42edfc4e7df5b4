"""The Notion workspace the emulator serves: plain objects, with the operations both seeding and routes use.

Every write takes request-shaped JSON (properties, rich text, blocks) and goes through the same checks the
HTTP API applies, so seeded data is valid Notion data. Reads that the integration makes are guarded by
`guard` (objects not shared answer 404, restricted pages 403); the state API itself sees everything.
Time comes from the injected `clock`; Notion reports created and last-edited times to the minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sync.limits import NOTION_FILE_URL_TTL_S
from sync.sandbox.notion import blocks, properties, query, render, richtext
from sync.sandbox.notion import validate as v
from sync.sandbox.notion.errors import ObjectNotFound, RestrictedResource, ValidationError
from sync.sandbox.notion.model import (
    Block,
    Comment,
    Database,
    DataSource,
    HostedFile,
    Page,
    PropertySchema,
    User,
    parse_id,
    timestamp,
    try_id,
)

T = TypeVar("T")
Clock = Callable[[], datetime]
Item = Page | Block | Database
DEFAULT_TITLE_PROPERTY = "Name"


def utc_now() -> datetime:
    return datetime.now(UTC)


class NotionState:
    """A workspace: users (with the integration's bot), pages, databases, data sources, blocks, comments."""

    page_title_schema = PropertySchema("title", "title", "title")

    def __init__(self, clock: Clock = utc_now, seed: int | None = None, bot_name: str = "Scenario Sync") -> None:
        self.clock = clock
        self.rng = random.Random(seed)
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.pages: dict[str, Page] = {}
        self.databases: dict[str, Database] = {}
        self.data_sources: dict[str, DataSource] = {}
        self.blocks: dict[str, Block] = {}
        self.children: dict[str, list[str]] = {}
        self.comments: list[Comment] = []
        self.unshared: set[str] = set()
        self.restricted: set[str] = set()
        self.files: dict[str, HostedFile] = {}
        self.file_host = "http://files.invalid"  # where hosted files are served; the app sets its own address
        self.workspace_id = self.new_id()
        self.bot_id = self.add_user(bot_name, type="bot").id
        root = self.create_page({"type": "workspace", "workspace": True}, {"title": [{"text": {"content": "Sandbox"}}]})
        self.root_page_id = root.id

    # --- ids, time, lookups shared with properties/rich text ---------------------------------------------
    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def now(self) -> str:
        return timestamp(self.clock())

    @property
    def bot_user(self) -> User:
        return self.users[self.bot_id]

    def require_user(self, user_id: str, path: str) -> User:
        if user_id not in self.users:
            raise v.fail(path, "the id of a user in the workspace", user_id)
        return self.users[user_id]

    def user_json(self, user_id: str) -> dict:
        return render.user(self, self.users[user_id]) if user_id in self.users else {"object": "user", "id": user_id}

    def mention_title(self, kind: str, object_id: str) -> str:
        if kind == "page" and object_id in self.pages:
            return self.title_of(self.pages[object_id])
        if kind == "database" and object_id in self.databases:
            return richtext.plain_text(self.databases[object_id].title)
        return "Untitled"

    def has_page(self, page_id: str) -> bool:
        return page_id in self.pages

    def data_source_database(self, data_source_id: str) -> str | None:
        source = self.data_sources.get(data_source_id)
        return source.database_id if source else None

    def title_of(self, page: Page) -> str:
        source = self.data_sources.get(page.data_source_id or "")
        key = source.title_property().id if source else "title"
        return richtext.plain_text(page.values.get(key, []))

    # --- users ----------------------------------------------------------------------------------------
    def add_user(
        self, name: str, email: str | None = None, type: str = "person", avatar_url: str | None = None
    ) -> User:
        user = User(self.new_id(), name, type, email, avatar_url)
        self.users[user.id] = user
        return user

    def get_user(self, user_id: str) -> User:
        if user_id not in self.users:
            raise ObjectNotFound.of("user", user_id)
        return self.users[user_id]

    def list_users(self) -> list[User]:
        return list(self.users.values())

    # --- sharing and restrictions ----------------------------------------------------------------------
    def set_shared(self, object_id: str, shared: bool = False) -> None:
        """Mark a page, database or data source (and what is inside it) as (not) shared with the bot."""
        object_id = parse_id(object_id, "object_id")
        (self.unshared.discard if shared else self.unshared.add)(object_id)

    def set_restricted(self, page_id: str, restricted: bool = True) -> None:
        """A page the integration can see in its data source but is not allowed to open (403)."""
        page_id = parse_id(page_id, "page_id")
        (self.restricted.add if restricted else self.restricted.discard)(page_id)

    def _parent_of(self, object_id: str) -> str | None:
        item: Any = self.pages.get(object_id) or self.blocks.get(object_id) or self.databases.get(object_id)
        if item is not None:
            parent = item.parent
            return parent.get("data_source_id") or parent.get("page_id") or parent.get("block_id")
        source = self.data_sources.get(object_id)
        return source.database_id if source else None

    def _lineage(self, object_id: str) -> Iterable[str]:
        current: str | None = object_id
        while current is not None:
            yield current
            current = self._parent_of(current)

    def shared(self, object_id: str) -> bool:
        return not any(i in self.unshared for i in self._lineage(object_id))

    def guard(self, object_id: str, kind: str) -> None:
        """What the integration may read: 404 for missing or unshared objects, 403 for restricted pages."""
        known = self.pages, self.blocks, self.databases, self.data_sources
        if not any(object_id in table for table in known) or not self.shared(object_id):
            raise ObjectNotFound.of(kind, object_id)
        if any(i in self.restricted for i in self._lineage(object_id)):
            raise RestrictedResource()

    # --- databases and data sources ----------------------------------------------------------------------
    def create_database(
        self,
        parent_page_id: str,
        title: str | list,
        properties: dict | None = None,
        *,
        created_by: str | None = None,
        is_inline: bool = False,
        description: str | list = "",
        path: str = "body",
    ) -> tuple[Database, DataSource]:
        parent_id = parse_id(parent_page_id, f"{path}.parent.page_id")
        if parent_id not in self.pages:
            raise ObjectNotFound.of("page", parent_id)
        title_rt = self._title(title, f"{path}.title")
        about = self._title(description, f"{path}.description")
        schema = self._schema(properties or {}, f"{path}.initial_data_source.properties")
        by, now = created_by or self.bot_id, self.now()
        db = Database(
            self.new_id(),
            {"type": "page_id", "page_id": parent_id},
            title_rt,
            [],
            now,
            now,
            by,
            by,
            description=about,
            is_inline=is_inline,
        )
        self.databases[db.id] = db
        self.children.setdefault(parent_id, []).append(db.id)
        source = self._add_data_source(db, title_rt, schema, by)
        self._touch_page(parent_id, by)
        return db, source

    def create_data_source(
        self, database_id: str, properties: dict, title: str | list = "", *, created_by: str | None = None
    ) -> DataSource:
        db = self.get_database(database_id)
        schema = self._schema(properties, "body.properties")
        return self._add_data_source(db, self._title(title, "body.title"), schema, created_by or self.bot_id)

    def _add_data_source(self, db: Database, title: list, schema: dict, by: str) -> DataSource:
        now = self.now()
        source = DataSource(self.new_id(), db.id, list(title), schema, now, now, by, by)
        self.data_sources[source.id] = source
        db.data_source_ids.append(source.id)
        return source

    def _title(self, title: str | list, path: str) -> list:
        if isinstance(title, str):
            return [richtext.text(title)] if title else []
        return richtext.normalize(title, path, self)

    def _schema(self, raw: dict, path: str) -> dict[str, PropertySchema]:
        schema: dict[str, PropertySchema] = {}
        for name, spec in v.obj(raw, path).items():
            item = properties.new_schema(name, spec, f"{path}.{name}", self, set(schema))
            if item.type == "title" and "title" in schema:
                raise ValidationError("A data source can only have one title property.")
            schema[item.id] = item
        if "title" not in schema:
            schema = {"title": PropertySchema("title", DEFAULT_TITLE_PROPERTY, "title")} | schema
        return schema

    def get_database(self, database_id: str, where: str = "path.database_id") -> Database:
        database_id = parse_id(database_id, where)
        if database_id not in self.databases:
            raise ObjectNotFound.of("database", database_id)
        return self.databases[database_id]

    def update_database(
        self,
        database_id: str,
        *,
        title: list | str | None = None,
        in_trash: bool | None = None,
        edited_by: str | None = None,
    ) -> Database:
        db = self.get_database(database_id)
        if title is not None:
            db.title = self._title(title, "body.title")
        if in_trash is not None:
            db.in_trash = in_trash
        db.last_edited_time, db.last_edited_by = self.now(), edited_by or self.bot_id
        return db

    def get_data_source(self, data_source_id: str, where: str = "path.data_source_id") -> DataSource:
        data_source_id = parse_id(data_source_id, where)
        if data_source_id not in self.data_sources:
            raise ObjectNotFound.of("data source", data_source_id)
        return self.data_sources[data_source_id]

    def update_data_source(
        self,
        data_source_id: str,
        properties: dict | None = None,
        *,
        title: list | str | None = None,
        in_trash: bool | None = None,
        edited_by: str | None = None,
    ) -> DataSource:
        """Add, rename, retype or (with None) remove properties, as PATCH /v1/data_sources does."""
        source = self.get_data_source(data_source_id)
        updated = dict(source.properties)
        for key, spec in v.obj(properties or {}, "body.properties").items():
            self._apply_schema_change(source, updated, key, spec, f"body.properties.{key}")
        if title is not None:
            source.title = self._title(title, "body.title")
        if in_trash is not None:
            source.in_trash = in_trash
        source.properties = updated
        source.last_edited_time, source.last_edited_by = self.now(), edited_by or self.bot_id
        return source

    def _apply_schema_change(self, source: DataSource, schema: dict, key: str, spec: Any, path: str) -> None:
        current = next((p for p in schema.values() if key in (p.id, p.name)), None)
        if spec is None:
            if current is None:
                raise ValidationError(f"{key} is not a property that exists.")
            if current.type == "title":
                raise ValidationError("Cannot delete the title property of a data source.")
            del schema[current.id]
            return
        body = v.obj(spec, path)
        new_name = v.string(body["name"], f"{path}.name") if "name" in body else None
        if current is None:
            schema_item = properties.new_schema(new_name or key, body, path, self, set(schema))
            if schema_item.type == "title":
                raise ValidationError("A data source can only have one title property.")
            schema[schema_item.id] = schema_item
            return
        if new_name:
            current.name = new_name
        kinds = [k for k in body if k in properties.SUPPORTED]
        if kinds:
            self._retype(source, current, body, kinds[0], path)

    def _retype(self, source: DataSource, current: PropertySchema, body: dict, kind: str, path: str) -> None:
        if kind != current.type:
            if current.type == "title":
                raise ValidationError("Cannot change the type of the title property.")
            current.type, current.config = kind, {}
            for page in self.pages.values():
                if page.data_source_id == source.id:
                    page.values.pop(current.id, None)
        current.config = properties.configure(current, body[kind], f"{path}.{kind}", self)

    # --- pages ----------------------------------------------------------------------------------------
    def create_page(
        self,
        parent: dict,
        properties: dict | None = None,
        children: list | None = None,
        created_by: str | None = None,
        *,
        strict: bool = True,
    ) -> Page:
        """A page in a data source (``{"data_source_id"}`` or ``{"database_id"}``) or under a page."""
        parent_json, source = self._page_parent(v.obj(parent, "body.parent"))
        values = self._values(source, v.obj(properties or {}, "body.properties"))
        drafts = blocks.drafts(children, "body.children", self, strict) if children is not None else []
        by, now = created_by or self.bot_id, self.now()
        page = Page(self.new_id(), parent_json, values, now, now, by, by)
        if source is not None:
            self._number(source, page)
        self.pages[page.id] = page
        container = parent_json.get("page_id")
        if container:
            self.children.setdefault(container, []).append(page.id)
            self._touch_page(container, by)
        self._store(page.id, {"type": "page_id", "page_id": page.id}, drafts, by, None)
        return page

    def _page_parent(self, parent: dict) -> tuple[dict, DataSource | None]:
        if parent.get("type") == "workspace" or parent.get("workspace") is True:
            return {"type": "workspace", "workspace": True}, None
        if "page_id" in parent:
            page_id = parse_id(parent["page_id"], "body.parent.page_id")
            if page_id not in self.pages:
                raise ObjectNotFound.of("page", page_id)
            return {"type": "page_id", "page_id": page_id}, None
        if "database_id" in parent:
            db = self.get_database(parent["database_id"], "body.parent.database_id")
            if len(db.data_source_ids) != 1:
                raise ValidationError("Database has more than one data source; use a data_source_id parent.")
            source = self.data_sources[db.data_source_ids[0]]
        else:
            source = self.get_data_source(parent.get("data_source_id"), "body.parent.data_source_id")
        return {"type": "data_source_id", "data_source_id": source.id, "database_id": source.database_id}, source

    def _values(self, source: DataSource | None, raw: dict) -> dict:
        values: dict[str, Any] = {}
        for key, value in raw.items():
            path = f"body.properties.{key}"
            if source is None:
                if key != "title":
                    raise ValidationError(f"{key} is not a property that exists.")
                items = value["title"] if isinstance(value, dict) and "title" in value else value
                values["title"] = richtext.normalize(items, f"{path}.title", self)
                continue
            schema = source.find(key)
            if schema is None:
                raise ValidationError(f"{key} is not a property that exists.")
            values[schema.id] = properties.write_value(schema, value, path, self)
        return values

    def _number(self, source: DataSource, page: Page) -> None:
        for schema in source.properties.values():
            if schema.type == "unique_id":
                number = source.next_unique.get(schema.id, 1)
                page.values[schema.id] = number
                source.next_unique[schema.id] = number + 1

    def get_page(self, page_id: str, where: str = "path.page_id") -> Page:
        page_id = parse_id(page_id, where)
        if page_id not in self.pages:
            raise ObjectNotFound.of("page", page_id)
        return self.pages[page_id]

    def update_page(
        self,
        page_id: str,
        properties: dict | None = None,
        *,
        in_trash: bool | None = None,
        icon: dict | None = None,
        edited_by: str | None = None,
    ) -> Page:
        """Change property values (request-shaped), trash or restore; every edit moves last_edited_time."""
        page = self.get_page(page_id)
        source = self.data_sources.get(page.data_source_id or "")
        values = self._values(source, v.obj(properties or {}, "body.properties"))
        page.values.update(values)
        if in_trash is not None:
            page.in_trash = in_trash
        if icon is not None:
            page.icon = icon
        self._touch_page(page.id, edited_by or self.bot_id)
        return page

    def trash(self, page_id: str, edited_by: str | None = None) -> Page:
        return self.update_page(page_id, in_trash=True, edited_by=edited_by)

    def _touch_page(self, page_id: str, by: str) -> None:
        page = self.pages.get(page_id)
        if page is not None:
            page.last_edited_time, page.last_edited_by = self.now(), by

    def query(self, data_source_id: str, filter: Any = None, sorts: Any = None) -> list[Page]:
        """Pages of a data source matching `filter`, ordered by `sorts` (creation order otherwise).

        Trashed pages and pages not shared with the integration are left out, as Notion does.
        """
        source = self.get_data_source(data_source_id)
        test = query.compile_filter(filter, source, self.clock()) if filter is not None else None
        pages = [p for p in self.pages.values() if p.data_source_id == source.id and not p.in_trash]
        pages = [p for p in pages if self.shared(p.id) and (test is None or test(p))]
        return query.sort_pages(pages, sorts, source) if sorts is not None else pages

    def search(self, text: str = "", kind: str | None = None, descending: bool = True) -> list[Page | DataSource]:
        """Shared pages and data sources whose title contains `text`, newest edit first."""
        found: list[Page | DataSource] = []
        if kind in (None, "page"):
            found += [
                p for p in self.pages.values() if not p.in_trash and text.casefold() in self.title_of(p).casefold()
            ]
        if kind in (None, "data_source"):
            found += [
                s
                for s in self.data_sources.values()
                if not s.in_trash and text.casefold() in richtext.plain_text(s.title).casefold()
            ]
        found = [item for item in found if self.shared(item.id)]
        return sorted(found, key=lambda item: item.last_edited_time, reverse=descending)

    # --- blocks ---------------------------------------------------------------------------------------
    def find_block(self, block_id: str, where: str = "path.block_id") -> Item:
        """A block, or a page or database seen as a block."""
        block_id = parse_id(block_id, where)
        item = self.blocks.get(block_id) or self.pages.get(block_id) or self.databases.get(block_id)
        if item is None:
            raise ObjectNotFound.of("block", block_id)
        return item

    def children_of(self, block_id: str) -> list[Item]:
        """The visible children of a page or block, in order (trashed and unshared ones left out)."""
        items = [
            self.blocks.get(i) or self.pages.get(i) or self.databases.get(i) for i in self.children.get(block_id, [])
        ]
        return [i for i in items if i is not None and not i.in_trash and i.id not in self.unshared]

    def has_children(self, block_id: str) -> bool:
        return bool(self.children_of(block_id))

    def append_blocks(
        self,
        block_id: str,
        children: list,
        *,
        after: str | None = None,
        position: dict | None = None,
        edited_by: str | None = None,
        strict: bool = True,
    ) -> list[Block]:
        """Append request-shaped blocks to a page or block; `after`/`position` place them (default: end)."""
        target = self.find_block(block_id)
        if isinstance(target, Database) or (isinstance(target, Block) and target.type not in blocks.NESTING):
            raise ValidationError(f"Block type {getattr(target, 'type', 'database')} does not support children.")
        drafts = blocks.drafts(children, "body.children", self, strict)
        index = self._insert_index(target.id, after, position)
        parent = (
            {"type": "page_id", "page_id": target.id}
            if isinstance(target, Page)
            else {"type": "block_id", "block_id": target.id}
        )
        by = edited_by or self.bot_id
        made = self._store(target.id, parent, drafts, by, index)
        if isinstance(target, Block):
            target.last_edited_time, target.last_edited_by = self.now(), by
        self._touch_page(self._containing_page(target.id), by)
        return made

    def _insert_index(self, parent_id: str, after: str | None, position: dict | None) -> int | None:
        siblings = self.children.get(parent_id, [])
        if position is not None:
            kind = v.one_of(
                v.obj(position, "body.position").get("type"), "body.position.type", ("after_block", "start", "end")
            )
            if kind == "start":
                return 0
            if kind == "end":
                return None
            after = v.obj(position.get("after_block"), "body.position.after_block").get("id")
        if after is None:
            return None
        anchor = parse_id(after, "body.after")
        if anchor not in siblings:
            raise ValidationError(f"Block {anchor} is not a child of {parent_id}.")
        return siblings.index(anchor) + 1

    def _store(
        self, parent_id: str, parent: dict, drafts: list[blocks.Draft], by: str, index: int | None
    ) -> list[Block]:
        now, made = self.now(), []
        for draft in drafts:
            block = Block(self.new_id(), dict(parent), draft.type, draft.content, now, now, by, by)
            self.blocks[block.id] = block
            made.append(block)
            self._store(block.id, {"type": "block_id", "block_id": block.id}, draft.children, by, None)
        siblings = self.children.setdefault(parent_id, [])
        at = len(siblings) if index is None else index
        siblings[at:at] = [b.id for b in made]
        return made

    def _containing_page(self, object_id: str) -> str:
        return next((i for i in self._lineage(object_id) if i in self.pages), object_id)

    def update_block(
        self, block_id: str, content: dict | None = None, *, in_trash: bool | None = None, edited_by: str | None = None
    ) -> Item:
        """Replace a block's content (same type) or trash/restore it; a page id trashes the page."""
        item = self.find_block(block_id)
        by = edited_by or self.bot_id
        if isinstance(item, Page):
            return self.update_page(item.id, in_trash=in_trash, edited_by=by)
        if content is not None and isinstance(item, Block):
            item.content = self._edited_content(item, v.obj(content, f"body.{item.type}"))
        if in_trash is not None:
            item.in_trash = in_trash
        item.last_edited_time, item.last_edited_by = self.now(), by
        self._touch_page(self._containing_page(item.id), by)
        return item

    def _edited_content(self, block: Block, changes: dict) -> dict:
        """Notion updates only the fields sent; stored content is valid request content to merge into."""
        if block.type == "table":
            flags = {
                k: v.boolean(changes[k], f"body.table.{k}")
                for k in ("has_column_header", "has_row_header")
                if k in changes
            }
            return block.content | flags
        if block.type not in blocks.CREATABLE:
            raise ValidationError(f"Block type {block.type} cannot be updated.")
        raw = {"type": block.type, block.type: block.content | changes}
        return blocks.draft(raw, "body", blocks.MAX_LEVELS, self, True).content

    # --- comments -------------------------------------------------------------------------------------
    def add_comment(
        self, parent: dict | None, rich_text: list, created_by: str | None = None, discussion_id: str | None = None
    ) -> Comment:
        """A comment on a page or block (a new discussion), or a reply in `discussion_id`."""
        if discussion_id is not None:
            discussion_id = parse_id(discussion_id, "body.discussion_id")
            first = next((c for c in self.comments if c.discussion_id == discussion_id), None)
            if first is None:
                raise ObjectNotFound.of("discussion", discussion_id)
            target = dict(first.parent)
        else:
            target = self._comment_parent(v.obj(parent, "body.parent"))
            discussion_id = self.new_id()
        text = richtext.normalize(rich_text, "body.rich_text", self)
        now = self.now()
        comment = Comment(self.new_id(), target, discussion_id, text, now, now, created_by or self.bot_id)
        self.comments.append(comment)
        return comment

    def _comment_parent(self, parent: dict) -> dict:
        if "page_id" in parent:
            page = self.get_page(parent["page_id"], "body.parent.page_id")
            return {"type": "page_id", "page_id": page.id}
        block = self.find_block(parent.get("block_id"), "body.parent.block_id")
        return {"type": "block_id", "block_id": block.id}

    def list_comments(self, block_id: str) -> list[Comment]:
        block_id = parse_id(block_id, "query.block_id")
        self.find_block(block_id)
        return [c for c in self.comments if block_id in (c.parent.get("page_id"), c.parent.get("block_id"))]

    # --- Notion-hosted files --------------------------------------------------------------------------
    def add_file(self, name: str, media_type: str, data: bytes) -> HostedFile:
        """A file as if uploaded in Notion's editor; blocks refer to it with ``file_upload``."""
        item = HostedFile(self.new_id(), name, media_type, base64.b64encode(data).decode())
        self.files[item.id] = item
        return item

    def has_file(self, file_id: str) -> bool:
        return file_id in self.files

    def file_name(self, file_id: str) -> str:
        return self.files[file_id].name

    def _signature(self, file_id: str, expires: int) -> str:
        key = self.workspace_id.encode()
        return hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def file_link(self, file_id: str) -> dict:
        """The ``file`` object a hosted file is answered with: a signed URL valid for an hour."""
        item = self.files[file_id]
        until = self.clock() + timedelta(seconds=NOTION_FILE_URL_TTL_S)
        expires = int(until.timestamp())
        query = urllib.parse.urlencode({"expires": expires, "signature": self._signature(file_id, expires)})
        url = f"{self.file_host}/files/{file_id}/{urllib.parse.quote(item.name)}?{query}"
        return {"url": url, "expiry_time": until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")}

    def download(self, file_id: str, expires: str, signature: str) -> HostedFile | None:
        """The file behind a signed link, or None when the link is forged or has expired."""
        item = self.files.get(file_id)
        if item is None or not expires.isdigit():
            return None
        if not hmac.compare_digest(signature, self._signature(file_id, int(expires))):
            return None
        return item if self.clock().timestamp() < int(expires) else None

    # --- pagination -----------------------------------------------------------------------------------
    @staticmethod
    def paginate(items: list[T], start_cursor: Any, size: int, path: str) -> tuple[list[T], str | None]:
        """Notion's cursors: the id of the first item of the next page."""
        ids = [item.id for item in items]  # type: ignore[attr-defined]
        start = 0
        if start_cursor is not None:
            cursor = try_id(start_cursor)
            if cursor not in ids:
                raise v.fail(path, "a valid start_cursor", start_cursor)
            start = ids.index(cursor)
        end = start + size
        return items[start:end], ids[end] if end < len(ids) else None

    # --- persistence ----------------------------------------------------------------------------------
    def dump(self) -> dict:
        """Everything, as JSON-ready data (`load` reads it back)."""
        return {
            "format": 1,
            "workspace_id": self.workspace_id,
            "bot_id": self.bot_id,
            "root_page_id": self.root_page_id,
            "users": [asdict(u) for u in self.users.values()],
            "pages": [asdict(p) for p in self.pages.values()],
            "databases": [asdict(d) for d in self.databases.values()],
            "data_sources": [
                asdict(s) | {"properties": [asdict(p) for p in s.properties.values()]}
                for s in self.data_sources.values()
            ],
            "blocks": [asdict(b) for b in self.blocks.values()],
            "children": {k: list(ids) for k, ids in self.children.items()},
            "comments": [asdict(c) for c in self.comments],
            "unshared": sorted(self.unshared),
            "restricted": sorted(self.restricted),
            "files": [asdict(f) for f in self.files.values()],
        }

    @classmethod
    def load(cls, data: dict, clock: Clock = utc_now, seed: int | None = None) -> NotionState:
        state = cls.__new__(cls)
        state.clock, state.rng, state.lock = clock, random.Random(seed), threading.RLock()
        state.workspace_id, state.bot_id = data["workspace_id"], data["bot_id"]
        state.root_page_id = data["root_page_id"]
        state.users = _table(User, data["users"])
        state.pages = _table(Page, data["pages"])
        state.databases = _table(Database, data["databases"])
        state.data_sources = {}
        for raw in data["data_sources"]:
            schema = {p["id"]: PropertySchema(**p) for p in raw["properties"]}
            state.data_sources[raw["id"]] = _build(DataSource, raw | {"properties": schema})
        state.blocks = _table(Block, data["blocks"])
        state.children = {k: list(ids) for k, ids in data["children"].items()}
        state.comments = [_build(Comment, c) for c in data["comments"]]
        state.unshared, state.restricted = set(data["unshared"]), set(data["restricted"])
        state.files = _table(HostedFile, data.get("files", []))
        state.file_host = "http://files.invalid"
        return state


def _build(kind: type[T], raw: dict) -> T:
    names = {f.name for f in fields(kind)}  # type: ignore[arg-type]
    return kind(**{k: val for k, val in raw.items() if k in names})


def _table(kind: type[T], rows: list[dict]) -> dict[str, T]:
    return {row["id"]: _build(kind, row) for row in rows}
