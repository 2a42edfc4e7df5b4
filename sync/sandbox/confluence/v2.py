"""REST v2 routes (`/wiki/api/v2/...`): Cloud's pages, spaces, versions, labels (read), content properties,
children, ancestors and attachments (read).

Listings page as v2 does: `limit` (default 25, 50 for attachments) is capped at 250, an opaque `cursor`
resumes after the last item of the previous page (so pages created meanwhile do not shift the listing), and
the relative URL of the next page is in `_links.next` and in a ``Link: <...>; rel="next"`` header.
Request validation errors (bad JSON, missing fields, out-of-range parameters, an invalid cursor, a
non-numeric id) answer 400 in v2's error shape; state errors are rendered by the app.

Bodies are read and written in storage format. ``atlas_doc_format`` and ``editor`` are not produced here
(a request for them answers 400); ``view`` and its export variants are a plain HTML rendering of storage.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sync.sandbox.confluence import v2_render as render
from sync.sandbox.confluence.errors import V2Error
from sync.sandbox.confluence.state import ConfluenceState, Page, User, iso
from sync.sandbox.emulator import json_response

MAX_LIMIT = 250
INCLUDED_LIMIT = 50  # include-labels / include-properties / include-versions on a single page

SINGLE_BODY_FORMATS = ("storage", "atlas_doc_format", *render.VIEW_FORMATS, "editor")
BULK_BODY_FORMATS = ("storage", "atlas_doc_format")
UNSERVED_BODY_FORMATS = ("atlas_doc_format", "editor")

KeyFn = Callable[[Any], tuple]

_PAGE_SORTS: dict[str, KeyFn] = {
    "id": lambda p: (int(p.id), 0),
    "created-date": lambda p: (iso(p.created_at), int(p.id)),
    "modified-date": lambda p: (iso(p.current.when), int(p.id)),
    "title": lambda p: (p.title.lower(), int(p.id)),
}
# Siblings are positioned in the order they were created, which is id order.
_CHILD_SORTS: dict[str, KeyFn] = {
    "child-position": lambda p: (int(p.id), 0),
    "id": lambda p: (int(p.id), 0),
    "created-date": lambda p: (iso(p.created_at), int(p.id)),
    "modified-date": lambda p: (iso(p.current.when), int(p.id)),
}
_DIRECT_CHILD_SORTS: dict[str, KeyFn] = {**_CHILD_SORTS, "title": _PAGE_SORTS["title"]}
_VERSION_SORTS: dict[str, KeyFn] = {"modified-date": lambda v: (iso(v.when), v.number)}
_LABEL_SORTS: dict[str, KeyFn] = {
    "id": lambda lab: (int(lab.id), 0),
    "created-date": lambda lab: (int(lab.id), 0),
    "name": lambda lab: (lab.name, int(lab.id)),
}
_PROPERTY_SORTS: dict[str, KeyFn] = {"key": lambda prop: (prop.key, int(prop.id))}
_ATTACHMENT_SORTS: dict[str, KeyFn] = {
    "created-date": lambda att: (int(att.id), 0),
    "modified-date": lambda att: (iso(att.when), int(att.id)),
}
_SPACE_SORTS: dict[str, KeyFn] = {
    "id": lambda s: (int(s.id), 0),
    "key": lambda s: (s.key, int(s.id)),
    "name": lambda s: (s.name.lower(), int(s.id)),
}
# The order each listing has when no `sort` is given (what a cursor in an include's `meta` refers to).
_DEFAULT_SORT = {"labels": "id", "properties": "key", "versions": "-modified-date"}

_DIGITS = re.compile(r"[0-9]{1,19}")


# --- request parameters -----------------------------------------------------------------------------
def _numeric(value: Any, name: str) -> str:
    text = str(value)
    if not _DIGITS.fullmatch(text):
        raise V2Error(400, f"Invalid value for {name}: '{text}' is not a valid id")
    return str(int(text))


def _bool_arg(request: Request, name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise V2Error(400, f"Invalid value for query parameter {name}: '{raw}' is not a boolean")


def _int_arg(request: Request, name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise V2Error(400, f"Invalid value for query parameter {name}: '{raw}' is not an integer") from None


def _enum_arg(request: Request, name: str, allowed: Iterable[str]) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise V2Error(400, f"Invalid value for query parameter {name}: '{raw}'")
    return raw


def _list_arg(request: Request, name: str, max_items: int | None = None) -> list[str]:
    """A multi-valued parameter, given comma-separated, repeated, or both."""
    values = [v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()]
    if max_items is not None and len(values) > max_items:
        raise V2Error(400, f"Too many values for query parameter {name}: at most {max_items}")
    return values


def _statuses(request: Request, allowed: Iterable[str], default: Iterable[str]) -> set[str]:
    allowed = tuple(allowed)
    values = _list_arg(request, "status")
    for value in values:
        if value not in allowed:
            raise V2Error(400, f"Invalid value for query parameter status: '{value}'")
    return set(values or default)


def _limit(request: Request, default: int = 25, maximum: int = MAX_LIMIT) -> int:
    value = _int_arg(request, "limit")
    if value is None:
        return default
    if value < 1:
        raise V2Error(400, f"Invalid value for query parameter limit: {value} is below the minimum of 1")
    return min(value, maximum)


def _body_format(request: Request, allowed: Iterable[str]) -> str | None:
    """The body representation asked for; None for no body (``none`` is what clients send to say so)."""
    raw = request.args.get("body-format")
    if raw is None or raw in ("", "none"):
        return None
    if raw not in allowed:
        raise V2Error(400, f"Invalid value for query parameter body-format: '{raw}'")
    if raw in UNSERVED_BODY_FORMATS:
        raise V2Error(400, f"body-format {raw} is not served by this site: ask for storage")
    return raw


def _sort(request: Request, fields: dict[str, KeyFn], default: str) -> tuple[str, KeyFn, bool]:
    raw = request.args.get("sort") or default
    descending = raw.startswith("-")
    name = raw[1:] if descending else raw
    if name not in fields:
        raise V2Error(400, f"Invalid value for query parameter sort: '{raw}'")
    return raw, fields[name], descending


def _json_body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True, as_text=True)
    if not raw.strip():
        raise V2Error(400, "A JSON request body is required")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise V2Error(400, f"Unable to parse the request body as JSON: {error}") from None
    if not isinstance(data, dict):
        raise V2Error(400, "The request body must be a JSON object")
    return data


def _storage_body(body: Any) -> str | None:
    """The storage value of a write's ``body``: ``{representation, value}`` or ``{storage: {...}}``."""
    if body is None or body == {}:
        return None
    if not isinstance(body, dict):
        raise V2Error(400, "body must be an object")
    if "value" in body or "representation" in body:
        representation, value = body.get("representation", "storage"), body.get("value")
    else:
        formats = [name for name in ("storage", "atlas_doc_format", "wiki") if name in body]
        if len(formats) != 1 or len(body) != 1:
            raise V2Error(400, "body must hold exactly one of storage, atlas_doc_format or wiki")
        inner = body[formats[0]]
        if not isinstance(inner, dict):
            raise V2Error(400, f"body.{formats[0]} must be an object")
        representation, value = inner.get("representation", formats[0]), inner.get("value")
        if representation != formats[0]:
            raise V2Error(400, f"body.{formats[0]}.representation must be {formats[0]}")
    if representation not in ("storage", "atlas_doc_format", "wiki"):
        raise V2Error(400, f"Invalid body representation: '{representation}'")
    if representation != "storage":
        raise V2Error(400, f"Body representation {representation} is not accepted by this site: send storage")
    if not isinstance(value, str):
        raise V2Error(400, "body value must be a string")
    return value


def _version_number(data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    version = data.get("version")
    number = version.get("number") if isinstance(version, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise V2Error(400, "version.number is required and must be an integer")
    return number, version


# --- cursors --------------------------------------------------------------------------------------------
def _encode_cursor(path: str, sort: str, key: tuple) -> str:
    raw = json.dumps({"p": path, "s": sort, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(token: str, path: str, sort: str) -> tuple:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise V2Error(400, "Invalid cursor") from None
    if (
        not isinstance(data, dict)
        or (data.get("p"), data.get("s")) != (path, sort)
        or not isinstance(data.get("k"), list)
    ):
        raise V2Error(400, "Invalid cursor")
    return tuple(data["k"])


class V2Routes:
    # Provided by the app this mixin is part of.
    state: ConfluenceState
    base_path: str
    user: User
    _v2_prefix: str

    def v2_rules(self, prefix: str) -> list[Rule]:
        self._v2_prefix = prefix
        routes = [
            ("/spaces", "GET", "v2_get_spaces"),
            ("/spaces/<id>", "GET", "v2_get_space"),
            ("/spaces/<id>/pages", "GET", "v2_get_space_pages"),
            ("/spaces/<id>/operations", "GET", "v2_get_space_operations"),
            ("/pages", "GET", "v2_get_pages"),
            ("/pages", "POST", "v2_create_page"),
            ("/pages/<id>", "GET", "v2_get_page"),
            ("/pages/<id>", "PUT", "v2_update_page"),
            ("/pages/<id>", "DELETE", "v2_delete_page"),
            ("/pages/<id>/children", "GET", "v2_get_child_pages"),
            ("/pages/<id>/direct-children", "GET", "v2_get_direct_children"),
            ("/pages/<id>/ancestors", "GET", "v2_get_ancestors"),
            ("/pages/<id>/versions", "GET", "v2_get_page_versions"),
            ("/pages/<page_id>/versions/<version_number>", "GET", "v2_get_page_version"),
            ("/pages/<id>/labels", "GET", "v2_get_page_labels"),
            ("/pages/<id>/operations", "GET", "v2_get_page_operations"),
            ("/pages/<page_id>/properties", "GET", "v2_get_page_properties"),
            ("/pages/<page_id>/properties", "POST", "v2_create_page_property"),
            ("/pages/<page_id>/properties/<property_id>", "GET", "v2_get_page_property"),
            ("/pages/<page_id>/properties/<property_id>", "PUT", "v2_update_page_property"),
            ("/pages/<page_id>/properties/<property_id>", "DELETE", "v2_delete_page_property"),
            ("/pages/<id>/attachments", "GET", "v2_get_page_attachments"),
            ("/attachments/<id>", "GET", "v2_get_attachment"),
        ]
        return [Rule(prefix + path, methods=[method], endpoint=endpoint) for path, method, endpoint in routes]

    # --- helpers -----------------------------------------------------------------------------------------
    def _v2_base(self, request: Request) -> str:
        return request.host_url.rstrip("/") + self.base_path

    def _v2_page(self, page_id: str) -> Page:
        """A page the caller may see (restricted pages answer 404, as if they did not exist)."""
        return self.state.page(_numeric(page_id, "id"))

    def _v2_positions(self) -> dict[str, int]:
        """Each page's position among its siblings."""
        siblings: dict[tuple[str, str | None], list[Page]] = {}
        for page in self.state.all_pages():
            siblings.setdefault((page.space_key, page.parent_id), []).append(page)
        return {
            page.id: index
            for group in siblings.values()
            for index, page in enumerate(sorted(group, key=lambda p: int(p.id)))
        }

    def _v2_page_json(self, page: Page, positions: dict[str, int], **options: Any) -> dict[str, Any]:
        return render.page_json(page, self.state.spaces[page.space_key], position=positions.get(page.id), **options)

    def _v2_single_page(self, request: Request, page: Page, **options: Any) -> Response:
        body = self._v2_page_json(page, self._v2_positions(), **options)
        body["_links"]["base"] = self._v2_base(request)
        return json_response(body)

    def _v2_paginate(
        self,
        request: Request,
        items: Iterable[Any],
        sort: tuple[str, KeyFn, bool],
        default_limit: int = 25,
    ) -> tuple[list[Any], str | None]:
        """The items of this page, and the relative URL of the next page (None on the last one)."""
        sort_name, key, descending = sort
        limit = _limit(request, default_limit)
        ordered = sorted(items, key=key, reverse=descending)
        token = request.args.get("cursor")
        if token:
            after = _decode_cursor(token, request.path, sort_name)
            try:
                ordered = [item for item in ordered if (key(item) < after if descending else key(item) > after)]
            except TypeError:
                raise V2Error(400, "Invalid cursor") from None
        chunk = ordered[:limit]
        if len(ordered) <= limit:
            return chunk, None
        query = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "limit")]
        query += [("cursor", _encode_cursor(request.path, sort_name, key(chunk[-1]))), ("limit", str(limit))]
        return chunk, f"{request.path}?{urlencode(query)}"

    def _v2_listing(self, request: Request, results: list[Any], next_url: str | None) -> Response:
        base = self._v2_base(request)
        links: dict[str, str] = {}
        headers: dict[str, str] = {}
        if next_url is not None:
            links["next"] = next_url
            headers["Link"] = f'<{next_url}>; rel="next", <{base}>; rel="base"'
        links["base"] = base
        return json_response({"results": results, "_links": links}, 200, headers)

    def _v2_included(
        self, path: str, items: Iterable[Any], fields: dict[str, KeyFn], sort: str, to_json: Callable[[Any], Any]
    ) -> dict[str, Any]:
        """An include-* field of a single page: the first 50, `meta` saying whether there is more."""
        descending = sort.startswith("-")
        key = fields[sort.lstrip("-")]
        ordered = sorted(items, key=key, reverse=descending)
        shown = ordered[:INCLUDED_LIMIT]
        meta: dict[str, Any] = {"hasMore": len(ordered) > INCLUDED_LIMIT}
        if meta["hasMore"]:
            meta["cursor"] = _encode_cursor(path, sort, key(shown[-1]))
        return {"results": [to_json(item) for item in shown], "meta": meta, "_links": {"self": path}}

    # --- spaces ------------------------------------------------------------------------------------------
    def v2_get_spaces(self, request: Request) -> Response:
        ids = {_numeric(v, "ids") for v in _list_arg(request, "ids", 250)}
        keys = set(_list_arg(request, "keys", 250))
        space_type = _enum_arg(request, "type", ("global", "collaboration", "knowledge_base", "personal"))
        status = _enum_arg(request, "status", ("current", "archived"))
        description = _enum_arg(request, "description-format", ("plain", "view"))
        icon = _bool_arg(request, "include-icon")
        spaces = [s for s in self.state.spaces.values() if (not ids or s.id in ids) and (not keys or s.key in keys)]
        # Every space here is a current global space without labels.
        if space_type not in (None, "global") or status == "archived" or _list_arg(request, "labels"):
            spaces = []
        chunk, next_url = self._v2_paginate(request, spaces, _sort(request, _SPACE_SORTS, "id"))
        author = self.state.api_user.account_id
        return self._v2_listing(request, [render.space_json(s, author, description, icon) for s in chunk], next_url)

    def v2_get_space_operations(self, request: Request, id: str) -> Response:
        self.state.space_by_id(_numeric(id, "id"))
        return json_response({"operations": self.state.space_operations()})

    def v2_get_page_operations(self, request: Request, id: str) -> Response:
        self._v2_page(id)
        return json_response({"operations": self.state.page_operations()})

    def v2_get_space(self, request: Request, id: str) -> Response:
        space = self.state.space_by_id(_numeric(id, "id"))
        body = render.space_json(
            space,
            self.state.api_user.account_id,
            _enum_arg(request, "description-format", ("plain", "view")),
            _bool_arg(request, "include-icon"),
        )
        for name in ("labels", "properties", "operations", "permissions"):
            if _bool_arg(request, f"include-{name}"):
                path = f"{self._v2_prefix}/spaces/{space.id}/{name}"
                body[name] = {"results": [], "meta": {"hasMore": False}, "_links": {"self": path}}
        body["_links"]["base"] = self._v2_base(request)
        return json_response(body)

    def v2_get_space_pages(self, request: Request, id: str) -> Response:
        space = self.state.space_by_id(_numeric(id, "id"))
        depth = _enum_arg(request, "depth", ("all", "root")) or "all"
        return self._v2_page_listing(request, [space.key], root_only=depth == "root")

    # --- pages -------------------------------------------------------------------------------------------
    def v2_get_pages(self, request: Request) -> Response:
        space_ids = {_numeric(v, "space-id") for v in _list_arg(request, "space-id", 100)}
        keys = [s.key for s in self.state.spaces.values() if s.id in space_ids] if space_ids else None
        return self._v2_page_listing(request, keys)

    def _v2_page_listing(self, request: Request, space_keys: list[str] | None, root_only: bool = False) -> Response:
        ids = {_numeric(v, "id") for v in _list_arg(request, "id", 250)}
        statuses = _statuses(request, ("current", "archived", "deleted", "trashed"), ("current", "archived"))
        title = request.args.get("title")
        body_format = _body_format(request, BULK_BODY_FORMATS)
        pages = [
            p
            for p in self.state.visible_pages(statuses)
            if (space_keys is None or p.space_key in space_keys)
            and (not ids or p.id in ids)
            and (title is None or p.title == title)
            and (not root_only or p.parent_id is None)
        ]
        chunk, next_url = self._v2_paginate(request, pages, _sort(request, _PAGE_SORTS, "id"))
        positions = self._v2_positions()
        results = [self._v2_page_json(p, positions, body_format=body_format) for p in chunk]
        return self._v2_listing(request, results, next_url)

    def v2_create_page(self, request: Request) -> Response:
        data = _json_body(request)
        root_level = _bool_arg(request, "root-level")
        _bool_arg(request, "private")  # the creator is the caller, who sees the page either way
        _bool_arg(request, "embedded")
        if data.get("spaceId") in (None, ""):
            raise V2Error(400, "spaceId is required")
        space = self.state.space_by_id(_numeric(data["spaceId"], "spaceId"))
        status = data.get("status", "current")
        if status not in ("current", "draft"):
            raise V2Error(400, f"Invalid status for a new page: '{status}'")
        title = data.get("title")
        if title is not None and not isinstance(title, str):
            raise V2Error(400, "title must be a string")
        if status == "current" and not title:
            raise V2Error(400, "title is required for a published page")
        parent_id = data.get("parentId")
        if parent_id in (None, ""):
            parent_id = None if root_level else space.homepage_id
        elif root_level:
            raise V2Error(400, "parentId cannot be given when root-level is true")
        else:
            parent_id = _numeric(parent_id, "parentId")
        body = _storage_body(data.get("body"))
        page = self.state.create_page(
            space.key, title or "", body or "", parent_id=parent_id, author=self.user, status=status
        )
        return self._v2_single_page(request, page, body_format="storage")

    def v2_get_page(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        body_format = _body_format(request, SINGLE_BODY_FORMATS)
        get_draft = _bool_arg(request, "get-draft")
        statuses = _statuses(request, ("current", "archived", "trashed", "deleted", "historical", "draft"), default=())
        number = _int_arg(request, "version")
        version = None
        if number is not None and number != page.version:
            version = next((v for v in page.versions if v.number == number), None)
            if version is None:
                raise V2Error(404, f"Version {number} of page {page.id} does not exist")
        shown_status = "historical" if version is not None else page.status
        visible = {"current", "archived", *(("draft",) if get_draft else ())}
        if not (statuses & {page.status, shown_status} if statuses else page.status in visible):
            raise V2Error(404, f"No content found with id : {page.id}")
        body = self._v2_page_json(
            page,
            self._v2_positions(),
            version=version,
            status=shown_status,
            body_format=body_format,
            include_version=_bool_arg(request, "include-version", True),
        )
        base_path = f"{self._v2_prefix}/pages/{page.id}"
        if _bool_arg(request, "include-labels"):
            body["labels"] = self._v2_included(
                f"{base_path}/labels", page.labels, _LABEL_SORTS, _DEFAULT_SORT["labels"], render.label_json
            )
        if _bool_arg(request, "include-properties"):
            body["properties"] = self._v2_included(
                f"{base_path}/properties",
                page.properties.values(),
                _PROPERTY_SORTS,
                _DEFAULT_SORT["properties"],
                render.property_json,
            )
        if _bool_arg(request, "include-versions"):
            body["versions"] = self._v2_included(
                f"{base_path}/versions", page.versions, _VERSION_SORTS, _DEFAULT_SORT["versions"], render.version_json
            )
        if _bool_arg(request, "include-operations"):
            operations = [{"operation": op, "targetType": "page"} for op in ("read", "update", "delete")]
            body["operations"] = {
                "results": operations,
                "meta": {"hasMore": False},
                "_links": {"self": f"{base_path}/operations"},
            }
        if _bool_arg(request, "include-likes"):
            body["likes"] = {"results": [], "meta": {"hasMore": False}, "_links": {"self": f"{base_path}/likes/users"}}
        if _bool_arg(request, "include-favorited-by-current-user-status"):
            body["isFavoritedByCurrentUser"] = False
        body["_links"]["base"] = self._v2_base(request)
        return json_response(body)

    def v2_update_page(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        data = _json_body(request)
        for field in ("id", "status", "title", "version"):
            if field not in data:
                raise V2Error(400, f"{field} is required")
        if str(data["id"]) != page.id:
            raise V2Error(400, f"The id in the request body ({data['id']}) is not the id of the page ({page.id})")
        status = data["status"]
        if status not in ("current", "draft"):
            raise V2Error(400, f"Invalid status: '{status}'")
        number, version = _version_number(data)
        if page.status in ("trashed", "archived") and status == "current":
            # Restoring: only the status changes, the content and version stay as they were.
            return self._v2_single_page(request, self.state.restore_archived(page.id), body_format="storage")
        if status == "draft" and page.status != "draft":
            raise V2Error(400, "A published page cannot be turned back into a draft")
        title = data["title"]
        if not isinstance(title, str):
            raise V2Error(400, "title must be a string")
        if "body" not in data:
            raise V2Error(400, "body is required")
        body = _storage_body(data["body"])
        if body is None:
            raise V2Error(400, "body must hold the page's storage value")
        space = self.state.spaces[page.space_key]
        if data.get("spaceId") not in (None, "") and str(data["spaceId"]) != space.id:
            raise V2Error(400, "Moving a page to a different space is not supported")
        parent_id = data.get("parentId")
        parent_id = None if parent_id in (None, "") else _numeric(parent_id, "parentId")
        updated = self.state.update_page(
            page.id,
            number,
            title=title,
            body=body,
            author=self.user,
            message=str(version.get("message") or ""),
            minor_edit=bool(version.get("minorEdit", False)),
            parent_id=parent_id,
            status="current" if page.status == "draft" and status == "current" else None,
        )
        return self._v2_single_page(request, updated, body_format="storage")

    def v2_delete_page(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        purge, draft = _bool_arg(request, "purge"), _bool_arg(request, "draft")
        if draft:
            if page.status != "draft":
                raise V2Error(400, f"Page {page.id} is not a draft")
            self.state.trash_page(page.id)  # a discarded draft skips the trash
            self.state.purge_page(page.id)
        elif purge:
            self.state.purge_page(page.id)
        elif page.status == "draft":
            raise V2Error(400, f"Page {page.id} is a draft: delete it with draft=true")
        else:
            self.state.trash_page(page.id)
        return Response(status=204)

    # --- the page tree -----------------------------------------------------------------------------------
    def v2_get_child_pages(self, request: Request, id: str) -> Response:
        return self._v2_children(request, id, _sort(request, _CHILD_SORTS, "child-position"), with_type=False)

    def v2_get_direct_children(self, request: Request, id: str) -> Response:
        return self._v2_children(request, id, _sort(request, _DIRECT_CHILD_SORTS, "child-position"), with_type=True)

    def _v2_children(self, request: Request, id: str, sort: tuple[str, KeyFn, bool], with_type: bool) -> Response:
        parent = self._v2_page(id)
        children = self.state.children(parent.id, ("current", "archived"))
        chunk, next_url = self._v2_paginate(request, children, sort)
        positions = self._v2_positions()
        space = self.state.spaces[parent.space_key]
        results = [render.child_json(p, space, positions.get(p.id), with_type) for p in chunk]
        return self._v2_listing(request, results, next_url)

    def v2_get_ancestors(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        limit = _limit(request)
        chain = [a for a in self.state.ancestors(page.id) if not a.restricted][-limit:]
        results = [{"id": a.id, "type": "page"} for a in chain]
        return json_response({"results": results, "_links": {"base": self._v2_base(request)}})

    # --- versions ----------------------------------------------------------------------------------------
    def v2_get_page_versions(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        body_format = _body_format(request, BULK_BODY_FORMATS)
        sort = _sort(request, _VERSION_SORTS, _DEFAULT_SORT["versions"])
        chunk, next_url = self._v2_paginate(request, page.versions, sort)
        return self._v2_listing(request, [render.page_version_json(page, v, body_format) for v in chunk], next_url)

    def v2_get_page_version(self, request: Request, page_id: str, version_number: str) -> Response:
        page = self._v2_page(page_id)
        number = int(_numeric(version_number, "version-number"))
        version = next((v for v in page.versions if v.number == number), None)
        if version is None:
            raise V2Error(404, f"Version {number} of page {page.id} does not exist")
        return json_response(render.detailed_version_json(page, version))

    # --- labels ------------------------------------------------------------------------------------------
    def v2_get_page_labels(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        prefix = _enum_arg(request, "prefix", ("my", "team", "global", "system"))
        labels = [label for label in page.labels if prefix is None or label.prefix == prefix]
        chunk, next_url = self._v2_paginate(request, labels, _sort(request, _LABEL_SORTS, _DEFAULT_SORT["labels"]))
        return self._v2_listing(request, [render.label_json(label) for label in chunk], next_url)

    # --- content properties ------------------------------------------------------------------------------
    def v2_get_page_properties(self, request: Request, page_id: str) -> Response:
        page = self._v2_page(page_id)
        key = request.args.get("key")
        props = [p for p in page.properties.values() if key is None or p.key == key]
        sort = _sort(request, _PROPERTY_SORTS, _DEFAULT_SORT["properties"])
        chunk, next_url = self._v2_paginate(request, props, sort)
        return self._v2_listing(request, [render.property_json(p) for p in chunk], next_url)

    def v2_create_page_property(self, request: Request, page_id: str) -> Response:
        page = self._v2_page(page_id)
        data = _json_body(request)
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise V2Error(400, "key is required")
        if "value" not in data:
            raise V2Error(400, "value is required")
        prop = self.state.create_property(page.id, key, data["value"], author=self.user)
        return json_response(render.property_json(prop))

    def v2_get_page_property(self, request: Request, page_id: str, property_id: str) -> Response:
        page = self._v2_page(page_id)
        prop = self.state.property_by_id(page.id, _numeric(property_id, "property-id"))
        return json_response(render.property_json(prop))

    def v2_update_page_property(self, request: Request, page_id: str, property_id: str) -> Response:
        page = self._v2_page(page_id)
        prop = self.state.property_by_id(page.id, _numeric(property_id, "property-id"))
        data = _json_body(request)
        number, _ = _version_number(data)
        if "value" not in data:
            raise V2Error(400, "value is required")
        if data.get("key") not in (None, prop.key):
            raise V2Error(400, f"The key of content property {prop.id} is {prop.key}: it cannot be changed")
        updated = self.state.update_property(page.id, prop.key, data["value"], number, author=self.user)
        return json_response(render.property_json(updated))

    def v2_delete_page_property(self, request: Request, page_id: str, property_id: str) -> Response:
        page = self._v2_page(page_id)
        prop = self.state.property_by_id(page.id, _numeric(property_id, "property-id"))
        self.state.delete_property(page.id, prop.key)
        return Response(status=204)

    # --- attachments (read) ------------------------------------------------------------------------------
    def v2_get_page_attachments(self, request: Request, id: str) -> Response:
        page = self._v2_page(id)
        statuses = _statuses(request, ("current", "archived", "trashed"), ("current", "archived"))
        media_type, filename = request.args.get("mediaType"), request.args.get("filename")
        attachments = [
            a
            for a in page.attachments
            if "current" in statuses
            and (media_type is None or a.media_type == media_type)
            and (filename is None or a.title == filename)
        ]
        sort = _sort(request, _ATTACHMENT_SORTS, "created-date")
        chunk, next_url = self._v2_paginate(request, attachments, sort, default_limit=50)
        return self._v2_listing(request, [render.attachment_json(a) for a in chunk], next_url)

    def v2_get_attachment(self, request: Request, id: str) -> Response:
        att = self.state.attachment(_numeric(id.removeprefix("att"), "id"))
        number = _int_arg(request, "version")
        if number is not None and number != att.version:
            raise V2Error(404, f"Version {number} of attachment {render.attachment_id(att)} does not exist")
        body = render.attachment_json(att)
        if not _bool_arg(request, "include-version", True):
            del body["version"]
        path = f"{self._v2_prefix}/attachments/{render.attachment_id(att)}"
        included = {
            "labels": [],
            "properties": [],
            "operations": [{"operation": op, "targetType": "attachment"} for op in ("read", "update", "delete")],
            "versions": [render.attachment_json(att)["version"]],
        }
        for name, results in included.items():
            if _bool_arg(request, f"include-{name}"):
                body[name] = {"results": results, "meta": {"hasMore": False}, "_links": {"self": f"{path}/{name}"}}
        body["_links"]["base"] = self._v2_base(request)
        return json_response(body)
