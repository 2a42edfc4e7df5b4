"""The Notion API over HTTP: routes, headers, request bodies and versions; the state does the work.

Serves what the official `notion-client` calls through ``base_url`` under Notion-Version 2025-09-03 (its
default) and 2026-03-11. Control actions under ``/_sandbox/`` (besides the shared ones): ``GET|POST
state`` dumps or replaces the workspace, ``POST edit`` makes a person's edit to a page, ``POST share`` and
``POST restrict`` change what the integration may see.
"""

from __future__ import annotations

import base64
import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sync.sandbox.emulator import Emulator, json_response
from sync.sandbox.faults import Traffic
from sync.sandbox.notion import blocks, render
from sync.sandbox.notion import validate as v
from sync.sandbox.notion.errors import (
    InvalidJson,
    InvalidRequest,
    InvalidRequestUrl,
    MissingVersion,
    NotionError,
    PayloadTooLarge,
    RestrictedResource,
    Unauthorized,
    ValidationError,
    error_for_status,
)
from sync.sandbox.notion.model import KNOWN_VERSIONS, SERVED_VERSIONS, V2025, Block, Database, Page, parse_id
from sync.sandbox.notion.state import NotionState

DEFAULT_TOKEN = "secret_sandbox_token"
MAX_PAYLOAD = 500 * 1024
VERSION_KEY = "notion.version"
FILES_PREFIX = "/files/"
Handler = Callable[..., dict]


def endpoint(handler: Handler) -> Callable[..., Response]:
    """Run a handler under the state lock and answer its result as JSON, with a `request_id` as Notion's."""

    @functools.wraps(handler)
    def run(self: NotionEmulator, request: Request, **args: Any) -> Response:
        with self.state.lock:
            self.state.file_host = request.host_url.rstrip("/")  # hosted-file links point back here
            return json_response(handler(self, request, **args) | {"request_id": str(uuid.uuid4())})

    return run


def _rules() -> list[Rule]:
    table = [
        ("/v1/users", "GET", "list_users"),
        ("/v1/users/me", "GET", "get_self"),
        ("/v1/users/<user_id>", "GET", "get_user"),
        ("/v1/databases", "POST", "create_database"),
        ("/v1/databases/<database_id>", "GET", "get_database"),
        ("/v1/databases/<database_id>", "PATCH", "update_database"),
        ("/v1/data_sources", "POST", "create_data_source"),
        ("/v1/data_sources/<data_source_id>", "GET", "get_data_source"),
        ("/v1/data_sources/<data_source_id>", "PATCH", "update_data_source"),
        ("/v1/data_sources/<data_source_id>/query", "POST", "query_data_source"),
        ("/v1/pages", "POST", "create_page"),
        ("/v1/pages/<page_id>", "GET", "get_page"),
        ("/v1/pages/<page_id>", "PATCH", "update_page"),
        ("/v1/blocks/<block_id>", "GET", "get_block"),
        ("/v1/blocks/<block_id>", "PATCH", "update_block"),
        ("/v1/blocks/<block_id>", "DELETE", "delete_block"),
        ("/v1/blocks/<block_id>/children", "GET", "list_children"),
        ("/v1/blocks/<block_id>/children", "PATCH", "append_children"),
        ("/v1/comments", "POST", "create_comment"),
        ("/v1/comments", "GET", "list_comments"),
        ("/v1/search", "POST", "search"),
        # Notion-hosted files, as the storage service serves them: signed, expiring, no bearer token.
        (f"{FILES_PREFIX}<file_id>/<name>", "GET", "download_file"),
    ]
    return [Rule(path, methods=[method], endpoint=name) for path, method, name in table]


class NotionEmulator(Emulator):
    url_map = Map(_rules(), strict_slashes=False)
    read_only_posts = ("/query", "/search")
    # An integration's content capabilities (its settings page); `/_sandbox/deny` takes them away.
    permissions = ("read_content", "update_content", "insert_content", "read_comments", "insert_comments")

    def __init__(self, state: NotionState, traffic: Traffic | None = None, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(traffic)
        self.state = state
        self.token = token
        self.denied = set()

    # --- what every request goes through --------------------------------------------------------------
    def authenticate(self, request: Request) -> None:
        if request.path.startswith(FILES_PREFIX):  # a signed link carries its own authorisation
            return
        if request.headers.get("Authorization", "") != f"Bearer {self.token}":
            raise Unauthorized()
        request.environ[VERSION_KEY] = self._check_version(request.headers.get("Notion-Version"))

    @staticmethod
    def _check_version(value: str | None) -> str:
        if value is None:
            raise MissingVersion()
        if value in SERVED_VERSIONS:
            return value
        if value in KNOWN_VERSIONS:
            raise InvalidRequest(
                f"Unsupported request: Notion-Version {value} is not served by this emulator "
                f"(it serves {' and '.join(SERVED_VERSIONS)})."
            )
        listed = ", ".join(f'"{k}"' for k in KNOWN_VERSIONS[:-1]) + f', or "{KNOWN_VERSIONS[-1]}"'
        raise MissingVersion(
            f'Notion-Version header failed validation: Notion-Version header should be {listed}, instead was "{value}".'
        )

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        return error_for_status(status, retry_after).response()

    def dispatch(self, endpoint: str, request: Request, args: dict) -> Response:
        if self._capability(endpoint, request) in self.denied:
            raise RestrictedResource("Insufficient permissions for this endpoint.")
        return super().dispatch(endpoint, request, args)

    def _capability(self, endpoint: str, request: Request) -> str | None:
        if endpoint.endswith(("_user", "_users", "_self")):  # user information is its own capability
            return None
        if endpoint.endswith(("_comment", "_comments")):  # so are comments, read and insert
            return "insert_comments" if request.method == "POST" else "read_comments"
        if not self.is_write(request):
            return "read_content"
        return "insert_content" if request.method == "POST" else "update_content"

    def not_found(self, request: Request) -> Response:
        return InvalidRequestUrl().response()

    def limited(self, request: Request) -> bool:
        return not request.path.startswith(FILES_PREFIX)  # storage downloads are not API requests

    @staticmethod
    def _version(request: Request) -> str:
        return request.environ[VERSION_KEY]

    @staticmethod
    def _body(request: Request) -> dict:
        raw = request.get_data(cache=True)  # read even when too large, so the connection stays usable
        if len(raw) > MAX_PAYLOAD:
            raise PayloadTooLarge()
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            raise InvalidJson() from None
        return v.obj(data, "body")

    @staticmethod
    def _trash_flag(body: dict, version: str) -> bool | None:
        """``in_trash``, or the deprecated ``archived`` that only 2025-09-03 still takes."""
        if "archived" in body and version != V2025:
            v.absent(body, "archived", "body")
        flag = body.get("in_trash", body.get("archived"))
        return v.boolean(flag, "body.in_trash") if flag is not None else None

    @staticmethod
    def _paging(source: dict, part: str) -> tuple[Any, int]:
        cursor = source.get("start_cursor")
        return cursor, v.page_size(source.get("page_size"), f"{part}.page_size")

    @staticmethod
    def _filter_properties(request: Request) -> list[str] | None:
        wanted = request.args.getlist("filter_properties") + request.args.getlist("filter_properties[]")
        return wanted or None

    # --- users ----------------------------------------------------------------------------------------
    @endpoint
    def get_self(self, request: Request) -> dict:
        return render.user(self.state, self.state.bot_user)

    @endpoint
    def get_user(self, request: Request, user_id: str) -> dict:
        return render.user(self.state, self.state.get_user(parse_id(user_id, "path.user_id")))

    @endpoint
    def list_users(self, request: Request) -> dict:
        cursor, size = self._paging(request.args, "query")
        chunk, following = self.state.paginate(self.state.list_users(), cursor, size, "query.start_cursor")
        return render.listing([render.user(self.state, u) for u in chunk], following, "user")

    # --- databases and data sources ----------------------------------------------------------------------
    @endpoint
    def create_database(self, request: Request) -> dict:
        body = self._body(request)
        v.only_keys(body, {"parent", "title", "description", "is_inline", "initial_data_source", "icon", "cover"})
        parent = v.obj(body.get("parent"), "body.parent")
        if "page_id" not in parent:
            raise v.fail("body.parent.page_id", "defined (integrations create databases under a page)")
        page_id = parse_id(parent["page_id"], "body.parent.page_id")
        self.state.guard(page_id, "page")
        initial = v.obj(body.get("initial_data_source", {}), "body.initial_data_source")
        db, source = self.state.create_database(
            page_id,
            body.get("title", []),
            initial.get("properties", {}),
            is_inline=v.boolean(body.get("is_inline", False), "body.is_inline"),
            description=body.get("description", []),
        )
        if body.get("icon") is not None:  # the database and its first data source share the icon
            db.icon = source.icon = blocks.icon(body["icon"], "body.icon")
        return render.database(self.state, db, self._version(request))

    @endpoint
    def get_database(self, request: Request, database_id: str) -> dict:
        db = self.state.get_database(database_id)
        self.state.guard(db.id, "database")
        return render.database(self.state, db, self._version(request))

    @endpoint
    def update_database(self, request: Request, database_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        v.only_keys(body, {"title", "description", "in_trash", "archived", "is_inline", "icon", "cover", "is_locked"})
        db = self.state.get_database(database_id)
        self.state.guard(db.id, "database")
        db = self.state.update_database(db.id, title=body.get("title"), in_trash=self._trash_flag(body, version))
        return render.database(self.state, db, version)

    @endpoint
    def create_data_source(self, request: Request) -> dict:
        body = self._body(request)
        v.only_keys(body, {"parent", "properties", "title", "icon"})
        parent = v.obj(body.get("parent"), "body.parent")
        db = self.state.get_database(parent.get("database_id"), "body.parent.database_id")
        self.state.guard(db.id, "database")
        source = self.state.create_data_source(
            db.id, v.obj(body.get("properties"), "body.properties"), body.get("title", [])
        )
        if body.get("icon") is not None:
            source.icon = blocks.icon(body["icon"], "body.icon")
        return render.data_source(self.state, source, self._version(request))

    @endpoint
    def get_data_source(self, request: Request, data_source_id: str) -> dict:
        source = self.state.get_data_source(data_source_id)
        self.state.guard(source.id, "data source")
        return render.data_source(self.state, source, self._version(request))

    @endpoint
    def update_data_source(self, request: Request, data_source_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        v.only_keys(body, {"title", "icon", "properties", "in_trash", "archived", "parent"})
        source = self.state.get_data_source(data_source_id)
        self.state.guard(source.id, "data source")
        source = self.state.update_data_source(
            source.id, body.get("properties"), title=body.get("title"), in_trash=self._trash_flag(body, version)
        )
        if body.get("icon") is not None:
            source.icon = blocks.icon(body["icon"], "body.icon")
        return render.data_source(self.state, source, version)

    @endpoint
    def query_data_source(self, request: Request, data_source_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        allowed = {
            "sorts",
            "filter",
            "start_cursor",
            "page_size",
            "in_trash",
            "archived",
            "result_type",
            "attributes_to_get",
        }
        v.only_keys(body, allowed)
        self._trash_flag(body, version)
        source = self.state.get_data_source(data_source_id)
        self.state.guard(source.id, "data source")
        cursor, size = self._paging(body, "body")
        pages = self.state.query(source.id, body.get("filter"), body.get("sorts"))
        chunk, following = self.state.paginate(pages, cursor, size, "body.start_cursor")
        only = self._filter_properties(request)
        results = [render.page(self.state, p, version, only) for p in chunk]
        return render.listing(results, following, "page_or_data_source")

    # --- pages ----------------------------------------------------------------------------------------
    @endpoint
    def create_page(self, request: Request) -> dict:
        body = self._body(request)
        v.only_keys(body, {"parent", "properties", "children", "content", "icon", "cover", "template", "position"})
        if "children" in body and "content" in body:
            v.absent(body, "content", "body")
        parent = v.obj(body.get("parent"), "body.parent")
        self._guard_parent(parent)
        page = self.state.create_page(parent, body.get("properties"), body.get("children", body.get("content")))
        self._page_looks(page, body)
        return render.page(self.state, page, self._version(request))

    def _guard_parent(self, parent: dict) -> None:
        for key, kind in (("page_id", "page"), ("data_source_id", "data source"), ("database_id", "database")):
            if key in parent:
                self.state.guard(parse_id(parent[key], f"body.parent.{key}"), kind)
                return
        raise v.fail("body.parent", "an object with page_id, data_source_id or database_id", parent)

    @staticmethod
    def _page_looks(page: Page, body: dict) -> None:
        if body.get("icon") is not None:
            page.icon = blocks.icon(body["icon"], "body.icon")
        if body.get("cover") is not None:
            url = v.obj(v.obj(body["cover"], "body.cover").get("external"), "body.cover.external").get("url")
            page.cover = {"type": "external", "external": {"url": v.string(url, "body.cover.external.url")}}

    @endpoint
    def get_page(self, request: Request, page_id: str) -> dict:
        page = self.state.get_page(page_id)
        self.state.guard(page.id, "page")
        return render.page(self.state, page, self._version(request), self._filter_properties(request))

    @endpoint
    def update_page(self, request: Request, page_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        v.only_keys(
            body, {"properties", "in_trash", "archived", "icon", "cover", "is_locked", "erase_content", "template"}
        )
        page = self.state.get_page(page_id)
        self.state.guard(page.id, "page")
        in_trash = self._trash_flag(body, version)
        if page.in_trash and in_trash is not False and body.get("properties"):
            raise ValidationError("Can't edit block that is archived. You must unarchive the block before editing.")
        page = self.state.update_page(page.id, body.get("properties"), in_trash=in_trash)
        self._page_looks(page, body)
        if "is_locked" in body:
            page.is_locked = v.boolean(body["is_locked"], "body.is_locked")
        return render.page(self.state, page, version)

    # --- blocks ---------------------------------------------------------------------------------------
    def _block_json(self, item: Block | Page | Database, version: str) -> dict:
        if isinstance(item, Block):
            return render.block(self.state, item, version)
        return render.page_block(self.state, item, version)

    def _guarded_block(self, block_id: str) -> Block | Page | Database:
        item = self.state.find_block(block_id)
        self.state.guard(item.id, "block")
        return item

    @endpoint
    def get_block(self, request: Request, block_id: str) -> dict:
        return self._block_json(self._guarded_block(block_id), self._version(request))

    @endpoint
    def update_block(self, request: Request, block_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        item = self._guarded_block(block_id)
        in_trash = self._trash_flag(body, version)
        changes = {k: val for k, val in body.items() if k not in ("type", "in_trash", "archived")}
        if isinstance(item, Block) and item.in_trash and in_trash is not False and changes:
            raise ValidationError("Can't edit block that is archived. You must unarchive the block before editing.")
        kind = blocks.OLD_NAMES.get(getattr(item, "type", ""), getattr(item, "type", ""))
        extra = [k for k in changes if k not in (getattr(item, "type", None), kind)]
        if extra:
            v.absent(changes, extra[0], "body")
        content = next(iter(changes.values()), None)
        return self._block_json(self.state.update_block(item.id, content, in_trash=in_trash), version)

    @endpoint
    def delete_block(self, request: Request, block_id: str) -> dict:
        item = self._guarded_block(block_id)
        return self._block_json(self.state.update_block(item.id, in_trash=True), self._version(request))

    @endpoint
    def list_children(self, request: Request, block_id: str) -> dict:
        item = self._guarded_block(block_id)
        cursor, size = self._paging(request.args, "query")
        chunk, following = self.state.paginate(self.state.children_of(item.id), cursor, size, "query.start_cursor")
        version = self._version(request)
        return render.listing([self._block_json(c, version) for c in chunk], following, "block")

    @endpoint
    def append_children(self, request: Request, block_id: str) -> dict:
        body, version = self._body(request), self._version(request)
        v.only_keys(body, {"children", "after", "position"})
        if version != V2025:
            v.absent(body, "after", "body")  # 2026-03-11 replaced `after` with `position`
        if "after" in body and "position" in body:
            v.absent(body, "position", "body")
        item = self._guarded_block(block_id)
        if "children" not in body:
            raise v.fail("body.children", "defined")
        made = self.state.append_blocks(
            item.id, body["children"], after=body.get("after"), position=body.get("position")
        )
        return render.listing([render.block(self.state, b, version) for b in made], None, "block")

    # --- hosted files -----------------------------------------------------------------------------------
    def download_file(self, request: Request, file_id: str, name: str) -> Response:
        with self.state.lock:
            item = self.state.download(file_id, request.args.get("expires", ""), request.args.get("signature", ""))
        if item is None:  # the storage service's own answer to an expired or forged link
            xml = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            return Response(xml, status=403, content_type="application/xml")
        return Response(base64.b64decode(item.data), content_type=item.media_type)

    # --- comments -------------------------------------------------------------------------------------
    @endpoint
    def create_comment(self, request: Request) -> dict:
        body = self._body(request)
        v.only_keys(body, {"parent", "rich_text", "discussion_id", "display_name", "attachments"})
        if "rich_text" not in body:
            raise v.fail("body.rich_text", "defined")
        if "discussion_id" not in body:
            parent = v.obj(body.get("parent"), "body.parent")
            key = "page_id" if "page_id" in parent else "block_id"
            self.state.guard(parse_id(parent.get(key), f"body.parent.{key}"), key.removesuffix("_id"))
        comment = self.state.add_comment(body.get("parent"), body["rich_text"], discussion_id=body.get("discussion_id"))
        return render.comment(self.state, comment)

    @endpoint
    def list_comments(self, request: Request) -> dict:
        if "block_id" not in request.args:
            raise v.fail("query.block_id", "defined")
        block_id = parse_id(request.args["block_id"], "query.block_id")
        self.state.guard(block_id, "block")
        cursor, size = self._paging(request.args, "query")
        chunk, following = self.state.paginate(self.state.list_comments(block_id), cursor, size, "query.start_cursor")
        return render.listing([render.comment(self.state, c) for c in chunk], following, "comment")

    # --- search ---------------------------------------------------------------------------------------
    @endpoint
    def search(self, request: Request) -> dict:
        body, version = self._body(request), self._version(request)
        v.only_keys(body, {"query", "filter", "sort", "start_cursor", "page_size"})
        text = v.string(body.get("query", ""), "body.query")
        kind = None
        if body.get("filter") is not None:
            wanted = v.obj(body["filter"], "body.filter")
            v.one_of(wanted.get("property"), "body.filter.property", ("object",))
            kind = v.one_of(wanted.get("value"), "body.filter.value", ("page", "data_source"))
        direction = v.obj(body.get("sort", {}), "body.sort").get("direction", "descending")
        v.one_of(direction, "body.sort.direction", ("ascending", "descending"))
        found = self.state.search(text, kind, direction == "descending")
        cursor, size = self._paging(body, "body")
        chunk, following = self.state.paginate(found, cursor, size, "body.start_cursor")
        results = [
            render.page(self.state, i, version) if isinstance(i, Page) else render.data_source(self.state, i, version)
            for i in chunk
        ]
        return render.listing(results, following, "page_or_data_source")

    # --- control actions ------------------------------------------------------------------------------
    def control(self, request: Request, action: str) -> Response | None:
        handlers = {
            "state": self._control_state,
            "edit": self._control_edit,
            "share": self._control_share,
            "restrict": self._control_restrict,
        }
        handler = handlers.get(action)
        if handler is None:
            return None
        try:
            with self.state.lock:
                return json_response(handler(request))
        except NotionError as error:
            return error.response()

    def _control_state(self, request: Request) -> dict:
        if request.method == "GET":
            return self.state.dump()
        self.state = NotionState.load(v.obj(request.get_json(silent=True), "body"), clock=self.state.clock)
        return {"loaded": True, "root_page_id": self.state.root_page_id}

    def _control_edit(self, request: Request) -> dict:
        body = v.obj(request.get_json(silent=True), "body")
        editor = body.get("user_id") or next((u.id for u in self.state.users.values() if u.type == "person"), None)
        page = self.state.update_page(
            body.get("page_id"), body.get("properties"), in_trash=body.get("in_trash"), edited_by=editor
        )
        return render.page(self.state, page, V2025)

    def _control_share(self, request: Request) -> dict:
        body = v.obj(request.get_json(silent=True), "body")
        self.state.set_shared(body.get("object_id"), bool(body.get("shared", False)))
        return {"object_id": body.get("object_id"), "shared": bool(body.get("shared", False))}

    def _control_restrict(self, request: Request) -> dict:
        body = v.obj(request.get_json(silent=True), "body")
        self.state.set_restricted(body.get("page_id"), bool(body.get("restricted", True)))
        return {"page_id": body.get("page_id"), "restricted": bool(body.get("restricted", True))}


def make_app(
    state: NotionState | None = None, traffic: Traffic | None = None, token: str = DEFAULT_TOKEN
) -> NotionEmulator:
    """A ready emulator over a fresh workspace unless one is given."""
    return NotionEmulator(state or NotionState(), traffic, token)
