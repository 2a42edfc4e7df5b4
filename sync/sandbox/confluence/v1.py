"""REST v1 routes (`/rest/api/...`): all of Data Center's surface, and on Cloud what v2 has no equivalent of.

On both flavours: CQL search (``/content/search``, ``/search``), labels (read, add, remove), attachments
(list, upload, create-or-update, update data, download), long tasks, and ``/content/archive`` (Cloud only; Data
Center has no such call and answers 404). The content endpoints (``/content``, ``/content/{id}`` and what hangs
off them: children, descendants, history, versions, properties; spaces; the current user) are Data Center's
whole API, and on Cloud answer as Cloud does with basic auth, or 410 Gone once ``cloud_v1_content="removed"``.

Errors are v1's (`statusCode`, `message`, `data`); state errors are translated by the app. Pages the user
cannot see answer 404 and are left out of listings and CQL results.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from sync.sandbox.confluence import cql
from sync.sandbox.confluence.errors import V1Error
from sync.sandbox.confluence.state import (
    Attachment,
    ConflictError,
    ConfluenceState,
    NotFoundError,
    Page,
    User,
    iso,
)
from sync.sandbox.confluence.v1_render import (
    Expand,
    V1Renderer,
    decode_cursor,
    friendly,
    parse_expand,
    plain_text,
)
from sync.sandbox.emulator import json_response

if TYPE_CHECKING:
    from werkzeug.datastructures import FileStorage

GONE_MESSAGE = (
    "com.atlassian.confluence.api.service.exceptions.GoneException: This deprecated endpoint has been removed."
)
DEPRECATION_LINK = '<https://developer.atlassian.com/cloud/confluence/changelog/#CHANGE-864>; rel="deprecation"'

# What a page write answers with when the request names no expansions.
_WRITE_EXPAND = "space,history,version,ancestors,container,body.storage"
_READ_EXPAND = "space,history,version"
_LABEL_PREFIXES = ("global", "my", "team")


class GoneError(V1Error):
    """Cloud's answer to a removed deprecated v1 endpoint."""

    def __init__(self) -> None:
        super().__init__(410, GONE_MESSAGE)

    def response(self) -> Response:
        response = super().response()
        response.headers["Deprecation"] = "Wed, 1 Mar 2023 00:00:00 GMT"
        response.headers["Link"] = DEPRECATION_LINK
        return response


def _xsrf_failed() -> Response:
    return Response("XSRF check failed", status=403, content_type="text/plain;charset=UTF-8")


class V1Routes:
    # Provided by the app.
    state: ConfluenceState
    flavor: str
    v1_prefix: str
    cloud_v1_content: str
    user: User

    # --- routing ------------------------------------------------------------------------------------------
    def v1_rules(self, prefix: str) -> list[Rule]:
        context = prefix.removesuffix("/rest/api")
        p = prefix
        rules = [
            # Cloud's v1 subset (and Data Center).
            Rule(f"{p}/content/search", endpoint="v1_content_search", methods=["GET"]),
            Rule(f"{p}/search", endpoint="v1_search", methods=["GET"]),
            Rule(f"{p}/content/archive", endpoint="v1_archive", methods=["POST"]),
            Rule(f"{p}/longtask", endpoint="v1_longtasks", methods=["GET"]),
            Rule(f"{p}/longtask/<task_id>", endpoint="v1_longtask", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/label", endpoint="v1_labels", methods=["GET", "POST", "DELETE"]),
            Rule(f"{p}/content/<content_id>/label/<label>", endpoint="v1_label", methods=["DELETE"]),
            Rule(
                f"{p}/content/<content_id>/child/attachment",
                endpoint="v1_attachments",
                methods=["GET", "POST", "PUT"],
            ),
            Rule(
                f"{p}/content/<content_id>/child/attachment/<attachment_id>/data",
                endpoint="v1_attachment_data",
                methods=["POST"],
            ),
            Rule(
                f"{p}/content/<content_id>/child/attachment/<attachment_id>/download",
                endpoint="v1_attachment_download",
                methods=["GET"],
            ),
            Rule(f"{context}/download/attachments/<page_id>/<path:filename>", endpoint="v1_download", methods=["GET"]),
            # Content: Data Center's API; on Cloud as with basic auth, or 410 once removed.
            Rule(f"{p}/user/current", endpoint="v1_current_user", methods=["GET"]),
            Rule(f"{p}/user", endpoint="v1_user", methods=["GET"]),
            Rule(f"{p}/space", endpoint="v1_spaces", methods=["GET"]),
            Rule(f"{p}/space/<key>", endpoint="v1_space", methods=["GET"]),
            Rule(f"{p}/content", endpoint="v1_contents", methods=["GET", "POST"]),
            Rule(f"{p}/content/<content_id>", endpoint="v1_content", methods=["GET", "PUT", "DELETE"]),
            Rule(f"{p}/content/<content_id>/child", endpoint="v1_children", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/child/<kind>", endpoint="v1_children_of_type", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/descendant", endpoint="v1_descendants", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/descendant/<kind>", endpoint="v1_descendants_of_type", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/history", endpoint="v1_history", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/version", endpoint="v1_versions", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/version/<int:number>", endpoint="v1_version", methods=["GET"]),
            Rule(f"{p}/content/<content_id>/property", endpoint="v1_properties", methods=["GET", "POST"]),
            Rule(
                f"{p}/content/<content_id>/property/<key>",
                endpoint="v1_property",
                methods=["GET", "PUT", "POST", "DELETE"],
            ),
        ]
        return rules

    # --- helpers ------------------------------------------------------------------------------------------
    def _v1_content_gate(self) -> None:
        if self.flavor == "cloud" and self.cloud_v1_content == "removed":
            raise GoneError()

    def _v1(self, request: Request) -> V1Renderer:
        return V1Renderer(
            self.state, self.flavor, request.host_url.rstrip("/"), self.v1_prefix.removesuffix("/rest/api")
        )

    @staticmethod
    def _v1_int(request: Request, name: str, default: int, minimum: int = 0) -> int:
        raw = request.args.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise V1Error(400, f"Parameter '{name}' must be a number: {raw}") from None
        if value < minimum:
            raise V1Error(400, f"Parameter '{name}' must be at least {minimum}")
        return value

    def _v1_window(self, request: Request, default: int, cap: int) -> tuple[int, int]:
        return self._v1_int(request, "start", 0), min(self._v1_int(request, "limit", default), cap)

    @staticmethod
    def _v1_expand(request: Request, default: str = "") -> Expand:
        values = request.args.getlist("expand")
        return parse_expand(*values) if values else parse_expand(default)

    @staticmethod
    def _v1_statuses(request: Request, default: tuple[str, ...]) -> set[str] | None:
        """The wanted content statuses (None: any)."""
        raw = [s.strip() for value in request.args.getlist("status") for s in value.split(",") if s.strip()]
        if "any" in raw:
            return None
        return set(raw or default)

    @staticmethod
    def _v1_json(request: Request) -> Any:
        if request.mimetype.startswith("multipart/") or request.mimetype == "application/x-www-form-urlencoded":
            raise V1Error(415, "Unsupported Media Type")
        data = request.get_json(silent=True, force=True)
        if data is None:
            raise V1Error(400, "Could not read the request body as JSON")
        return data

    def _v1_page(self, content_id: str) -> Page:
        return self.state.page(content_id)

    def _v1_attachment(self, attachment_id: str) -> Attachment:
        return self.state.attachment(attachment_id.removeprefix("att"))

    def _v1_query(self, request: Request) -> dict[str, Any]:
        return {k: ",".join(request.args.getlist(k)) for k in request.args}

    # --- current user and spaces --------------------------------------------------------------------------
    def v1_current_user(self, request: Request) -> Response:
        # Not a content endpoint: Cloud keeps it on every path (v2 has no "who am I").
        r = self._v1(request)
        return json_response(r.top(r.user(self.user)))

    def v1_user(self, request: Request) -> Response:
        """One user, by account id (Cloud) or by user name or key (Data Center)."""
        r = self._v1(request)
        wanted = request.args.get("accountId") or request.args.get("username") or request.args.get("key")
        if not wanted:
            raise V1Error(400, "Give accountId (Cloud), or username or key (Data Center)")
        for user in self.state.users.values():
            if wanted in r.identifiers(user):
                return json_response(r.top(r.user(user)))
        raise NotFoundError(f"No user found for {wanted}")

    def v1_spaces(self, request: Request) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        keys = {k.strip() for v in request.args.getlist("spaceKey") for k in v.split(",") if k.strip()}
        spaces = sorted(self.state.spaces.values(), key=lambda s: s.key)
        if keys:
            spaces = [s for s in spaces if s.key in keys]
        if request.args.get("type") == "personal" or request.args.get("status") == "archived":
            spaces = []
        start, limit = self._v1_window(request, 25, 500)
        expand = self._v1_expand(request)
        return json_response(
            r.collection(spaces, lambda s: r.space(s, expand), start, limit, "/space", self._v1_query(request))
        )

    def v1_space(self, request: Request, key: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        return json_response(r.top(r.space(self.state.space(key), self._v1_expand(request))))

    # --- content ------------------------------------------------------------------------------------------
    def v1_contents(self, request: Request) -> Response:
        self._v1_content_gate()
        if request.method == "POST":
            return self._v1_create(request)
        r = self._v1(request)
        statuses = self._v1_statuses(request, ("current",))
        kind = request.args.get("type", "page")
        space_key, title = request.args.get("spaceKey"), request.args.get("title")
        pages = [
            p
            for p in self.state.all_pages()
            if not p.restricted
            and (statuses is None or p.status in statuses)
            and (not space_key or p.space_key == space_key)
            and (title is None or p.title.lower() == title.lower())
        ]
        if kind != "page":
            pages = []
        pages.sort(key=lambda p: int(p.id))
        start, limit = self._v1_window(request, 25, 200)
        expand = self._v1_expand(request)
        body = r.collection(pages, lambda p: r.content(p, expand), start, limit, "/content", self._v1_query(request))
        return json_response(body)

    def _v1_create(self, request: Request) -> Response:
        data = self._v1_json(request)
        if not isinstance(data, dict):
            raise V1Error(400, "The content to create must be a JSON object")
        kind = data.get("type")
        if kind != "page":
            raise V1Error(400, f"Content type '{kind}' cannot be created here: only pages are supported")
        space_key = (data.get("space") or {}).get("key")
        if not space_key:
            raise V1Error(400, "Could not create content with type page : space key was null")
        title = data.get("title")
        if not isinstance(title, str):
            raise V1Error(400, "Title cannot be empty")
        storage = self._v1_storage(data)
        parent_id = self._v1_parent(data)
        status = data.get("status") or request.args.get("status") or "current"
        if status not in ("current", "draft"):
            raise V1Error(400, f"Cannot create content with status '{status}'")
        page = self.state.create_page(
            space_key, title, storage or "", parent_id=parent_id, author=self.user, status=status
        )
        message = (data.get("version") or {}).get("message")
        if message:
            page.current.message = str(message)
        self._v1_apply_metadata(page, data.get("metadata") or {})
        r = self._v1(request)
        return json_response(r.top(r.content(page, self._v1_expand(request, _WRITE_EXPAND))))

    @staticmethod
    def _v1_storage(data: dict[str, Any]) -> str | None:
        body = data.get("body")
        if not body:
            return None
        if not isinstance(body, dict):
            raise V1Error(400, "body must be an object")
        storage = body.get("storage")
        if storage is None:
            others = ", ".join(sorted(body))
            raise V1Error(400, f"Unsupported body representation: {others} (send body.storage)")
        if storage.get("representation", "storage") != "storage":
            raise V1Error(400, f"body.storage must have representation 'storage', not {storage['representation']}")
        value = storage.get("value")
        if not isinstance(value, str):
            raise V1Error(400, "body.storage.value must be a string")
        return value

    @staticmethod
    def _v1_parent(data: dict[str, Any]) -> str | None:
        ancestors = data.get("ancestors")
        if not ancestors:
            return None
        if not isinstance(ancestors, list) or not isinstance(ancestors[-1], dict) or "id" not in ancestors[-1]:
            raise V1Error(400, "ancestors must be a list of objects with an id")
        return str(ancestors[-1]["id"])

    def _v1_apply_metadata(self, page: Page, metadata: dict[str, Any]) -> None:
        """Labels and properties sent with a page write, stored as Confluence stores them."""
        labels = metadata.get("labels")
        if isinstance(labels, dict):
            labels = labels.get("results")
        for label in labels or []:
            name = label.get("name") if isinstance(label, dict) else label
            prefix = (label.get("prefix") if isinstance(label, dict) else None) or "global"
            if not isinstance(name, str) or prefix not in _LABEL_PREFIXES:
                raise V1Error(400, f"Invalid label in metadata.labels: {label}")
            self.state.add_labels(page.id, [name], prefix)
        for key, spec in (metadata.get("properties") or {}).items():
            value = spec.get("value") if isinstance(spec, dict) else spec
            existing = page.properties.get(key)
            if existing is None:
                self.state.create_property(page.id, key, value, author=self.user)
            elif existing.value != value:
                self.state.update_property(page.id, key, value, existing.version + 1, author=self.user)

    def v1_content(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        if request.method == "PUT":
            return self._v1_update(request, content_id)
        if request.method == "DELETE":
            if request.args.get("status") == "trashed":
                self.state.purge_page(content_id)
            else:
                self.state.trash_page(content_id)
            return Response(status=204)
        r = self._v1(request)
        page = self.state.pages.get(content_id)
        if page is None:
            try:
                att = self._v1_attachment(content_id)
            except NotFoundError:
                raise NotFoundError(f"No content found with id : {content_id}") from None
            return json_response(r.top(r.attachment(att, self._v1_expand(request))))
        page = self._v1_page(content_id)
        explicit = request.args.getlist("status")
        statuses = self._v1_statuses(request, ("current", "archived", "draft"))
        version = page.current
        if request.args.get("version"):
            number = self._v1_int(request, "version", 0, 1)
            version = next((v for v in page.versions if v.number == number), None)  # type: ignore[assignment]
            if version is None:
                raise NotFoundError(f"No content found with id : {content_id} and version {number}")
        shown_status = "historical" if version.number != page.version else page.status
        if explicit and statuses is not None and shown_status not in statuses:
            raise NotFoundError(f"No content found with id : {content_id}")
        if not explicit and page.status == "trashed":
            raise NotFoundError(f"No content found with id : {content_id}")
        expand = self._v1_expand(request, _READ_EXPAND)
        return json_response(r.top(r.content(page, expand, at=version)))

    def _v1_update(self, request: Request, content_id: str) -> Response:
        data = self._v1_json(request)
        if not isinstance(data, dict):
            raise V1Error(400, "The updated content must be a JSON object")
        page = self._v1_page(content_id)
        version = data.get("version") or {}
        number = version.get("number") if isinstance(version, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise V1Error(400, "Must supply an incremented version when updating Content. No version supplied.")
        if data.get("type", "page") != "page":
            raise V1Error(400, f"Cannot change the type of content {content_id} to {data.get('type')}")
        title = data.get("title")
        if not isinstance(title, str):
            raise V1Error(400, "Title cannot be empty")
        status = data.get("status")
        if status not in (None, "current", page.status):
            raise V1Error(400, f"Cannot update content {content_id} to status '{status}'")
        page = self.state.update_page(
            content_id,
            number,
            title=title,
            body=self._v1_storage(data),
            author=self.user,
            message=str(version.get("message") or ""),
            minor_edit=bool(version.get("minorEdit", False)),
            parent_id=self._v1_parent(data),
            status="current" if status == "current" and page.status != "current" else None,
        )
        self._v1_apply_metadata(page, data.get("metadata") or {})
        r = self._v1(request)
        return json_response(r.top(r.content(page, self._v1_expand(request, _WRITE_EXPAND))))

    # --- children, descendants, history, versions ---------------------------------------------------------
    def v1_children(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        return json_response(r.top(r.children(self._v1_page(content_id), self._v1_expand(request))))

    def v1_descendants(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        return json_response(r.top(r.descendants(self._v1_page(content_id), self._v1_expand(request))))

    def v1_children_of_type(self, request: Request, content_id: str, kind: str) -> Response:
        return self._v1_tree(request, content_id, kind, descendants=False)

    def v1_descendants_of_type(self, request: Request, content_id: str, kind: str) -> Response:
        return self._v1_tree(request, content_id, kind, descendants=True)

    def _v1_tree(self, request: Request, content_id: str, kind: str, descendants: bool) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        page = self._v1_page(content_id)
        expand = self._v1_expand(request)
        start, limit = self._v1_window(request, 25, 200)
        pages = self.state.descendants(page.id) if descendants else self.state.children(page.id)
        pages.sort(key=lambda p: int(p.id))
        path = f"/content/{page.id}/{'descendant' if descendants else 'child'}/{kind}"
        query = self._v1_query(request)
        if kind == "page":
            return json_response(r.collection(pages, lambda p: r.content(p, expand), start, limit, path, query))
        if kind == "attachment":  # only descendants reach here: child/attachment has its own route
            atts = r.attachments_under(page, pages)
            return json_response(r.collection(atts, lambda a: r.attachment(a, expand), start, limit, path, query))
        if kind in ("comment", "blogpost"):
            return json_response(r.collection([], lambda x: x, start, limit, path, query))
        raise V1Error(400, f"Unsupported content type: {kind}")

    def v1_history(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        expand = parse_expand("lastUpdated", *request.args.getlist("expand"))
        return json_response(r.top(r.history(self._v1_page(content_id), expand)))

    def v1_versions(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        page = self._v1_page(content_id)
        expand = self._v1_expand(request)
        start, limit = self._v1_window(request, 200, 200)
        versions = list(reversed(page.versions))
        path = f"/content/{page.id}/version"
        render = lambda v: r.version(page, v, expand)  # noqa: E731
        return json_response(r.collection(versions, render, start, limit, path, self._v1_query(request)))

    def v1_version(self, request: Request, content_id: str, number: int) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        page = self._v1_page(content_id)
        version = next((v for v in page.versions if v.number == number), None)
        if version is None:
            raise NotFoundError(f"No version {number} found for content {content_id}")
        return json_response(r.top(r.version(page, version, self._v1_expand(request))))

    # --- content properties -------------------------------------------------------------------------------
    def v1_properties(self, request: Request, content_id: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        page = self._v1_page(content_id)
        if request.method == "POST":
            data = self._v1_json(request)
            if not isinstance(data, dict) or not isinstance(data.get("key"), str):
                raise V1Error(400, "A content property needs a key")
            return self._v1_create_property(request, page, data["key"], data)
        start, limit = self._v1_window(request, 10, 100)
        props = sorted(page.properties.values(), key=lambda p: int(p.id))
        path = f"/content/{page.id}/property"
        render = lambda p: r.prop(page, p)  # noqa: E731
        return json_response(r.collection(props, render, start, limit, path, self._v1_query(request)))

    def _v1_create_property(self, request: Request, page: Page, key: str, data: dict[str, Any]) -> Response:
        if "value" not in data:
            raise V1Error(400, "A content property needs a value")
        try:
            prop = self.state.create_property(page.id, key, data["value"], author=self.user)
        except ConflictError as error:  # v1 reports an existing key as a bad request
            raise V1Error(400, error.message) from error
        r = self._v1(request)
        return json_response(r.top(r.prop(page, prop)))

    def v1_property(self, request: Request, content_id: str, key: str) -> Response:
        self._v1_content_gate()
        r = self._v1(request)
        page = self._v1_page(content_id)
        if request.method == "GET":
            return json_response(r.top(r.prop(page, self.state.get_property(page.id, key))))
        if request.method == "DELETE":
            self.state.delete_property(page.id, key)
            return Response(status=204)
        data = self._v1_json(request)
        if not isinstance(data, dict):
            raise V1Error(400, "A content property must be a JSON object")
        if request.method == "POST":
            return self._v1_create_property(request, page, key, data)
        if "value" not in data:
            raise V1Error(400, "A content property needs a value")
        version = data.get("version") or {}
        number = version.get("number") if isinstance(version, dict) else None
        if not isinstance(number, int) or isinstance(number, bool):
            raise V1Error(400, "Must supply an incremented version when updating a content property")
        if key not in page.properties and number == 1:  # PUT creates a missing property at version 1
            return self._v1_create_property(request, page, key, data)
        prop = self.state.update_property(page.id, key, data["value"], number, author=self.user)
        prop.minor_edit = bool(version.get("minorEdit", False))
        return json_response(r.top(r.prop(page, prop)))

    # --- labels -------------------------------------------------------------------------------------------
    def v1_labels(self, request: Request, content_id: str) -> Response:
        r = self._v1(request)
        page = self._v1_page(content_id)
        if request.method == "DELETE":
            name = request.args.get("name")
            if not name:
                raise V1Error(400, "A label name is required: DELETE .../label?name=<label>")
            self.state.remove_label(page.id, name)
            return Response(status=204)
        if request.method == "POST":
            data = self._v1_json(request)
            items = data if isinstance(data, list) else [data]
            by_prefix: dict[str, list[str]] = {}
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise V1Error(400, "Each label needs a name")
                prefix = item.get("prefix") or "global"
                if prefix not in _LABEL_PREFIXES:
                    raise V1Error(400, f"Invalid label prefix: {prefix}")
                by_prefix.setdefault(prefix, []).append(item["name"])
            for prefix, names in by_prefix.items():
                self.state.add_labels(page.id, names, prefix)
        start, limit = self._v1_window(request, 200, 200)
        body = r.labels(page, start, limit, request.args.get("prefix"))
        return json_response(r.top(body))

    def v1_label(self, request: Request, content_id: str, label: str) -> Response:
        self.state.remove_label(self._v1_page(content_id).id, label)
        return Response(status=204)

    # --- CQL ----------------------------------------------------------------------------------------------
    def _v1_cql_hits(self, request: Request) -> tuple[str, list[Page]]:
        text = request.args.get("cql")
        if not text:
            raise V1Error(400, "The CQL query parameter is required but was empty")
        try:
            query = cql.parse(text)
        except cql.CqlError as error:
            raise V1Error(400, error.message) from error
        statuses = {"current", "archived"} if "status" in query.fields() else {"current"}
        space_key = None
        raw_context = request.args.get("cqlcontext")
        if raw_context:
            try:
                context = json.loads(raw_context)
            except ValueError:
                raise V1Error(400, f"Could not parse cqlcontext : {raw_context}") from None
            space_key = context.get("spaceKey") if isinstance(context, dict) else None
            if isinstance(context, dict) and context.get("contentStatuses"):
                statuses = set(context["contentStatuses"])
        r = self._v1(request)
        indexed = self._v1_indexed()
        pages = {p.id: p for p in self.state.visible_pages(statuses) if space_key in (None, p.space_key) and indexed(p)}
        docs = [self._v1_document(r, p) for p in pages.values()]
        ctx = cql.Context(now=self.state.clock(), current_user=r.identifiers(self.user))
        try:
            hits = cql.run(query, docs, ctx)
        except cql.CqlError as error:
            raise V1Error(400, error.message) from error
        return text, [pages[d.id] for d in hits]

    def _v1_indexed(self) -> Callable[[Page], bool]:
        """Cloud's search index lags writes: a page created in the last `index_lag_s` seconds is not found yet."""
        lag = getattr(self, "index_lag_s", 0.0)
        if not lag:
            return lambda page: True
        cutoff = self.state.clock() - timedelta(seconds=lag)
        return lambda page: page.created_at <= cutoff

    def _v1_document(self, r: V1Renderer, page: Page) -> cql.Document:
        """The page as CQL sees it, made once per state of the page (every search looks at every page)."""
        labels = frozenset(label.name for label in page.labels)
        ancestors = tuple(a.id for a in self.state.ancestors(page.id))
        space = self.state.spaces.get(page.space_key)
        key = (len(page.versions), page.status, page.title, page.parent_id, labels, ancestors, space)
        documents: dict[str, tuple[str, tuple[Any, ...], cql.Document]] = self.__dict__.setdefault("_v1_documents", {})
        cached = documents.get(page.id)
        if cached is not None and cached[0] is page.body and cached[1] == key:  # any edit stores a new body
            return cached[2]
        users = [self.state.users[v.author_id] for v in page.versions if v.author_id in self.state.users]
        creator = self.state.users.get(page.author_id)
        document = cql.Document(
            id=page.id,
            type="page",
            status=page.status,
            title=page.title,
            space_key=page.space_key,
            space_id=space.id if space else "",
            space_name=space.name if space else "",
            labels=labels,
            ancestors=ancestors,
            parent_id=page.parent_id,
            text=plain_text(page.body),
            created=page.created_at,
            lastmodified=page.current.when,
            creator=r.identifiers(creator) if creator else frozenset(),
            contributors=frozenset().union(*(r.identifiers(u) for u in users)) if users else frozenset(),
        )
        documents[page.id] = (page.body, key, document)
        return document

    def _v1_search_window(self, request: Request, expand: Expand, content: Expand) -> tuple[int, int]:
        """Confluence caps a CQL page by what it must expand (body most of all)."""
        body = content.get("body", {})
        if self.flavor == "cloud":
            cap = 25 if ("export_view" in body or "styled_view" in body) else 50 if "body" in content else 250
        else:
            cap = 50 if "body" in content else 200 if expand else 1000
        start = self._v1_int(request, "start", 0)
        cursor = request.args.get("cursor")
        if cursor:
            offset = decode_cursor(cursor)
            if offset is None:
                raise V1Error(400, f"Invalid cursor: {cursor}")
            start = offset
        return start, min(self._v1_int(request, "limit", 25), cap)

    def v1_content_search(self, request: Request) -> Response:
        text, pages = self._v1_cql_hits(request)
        r = self._v1(request)
        expand = self._v1_expand(request)
        start, limit = self._v1_search_window(request, expand, expand)
        extra = {} if self.flavor == "cloud" else {"totalSize": len(pages), "cqlQuery": text, "searchDuration": 3}
        body = r.collection(
            pages,
            lambda p: r.content(p, expand),
            start,
            limit,
            "/content/search",
            self._v1_query(request),
            extra=extra,
            cursor=self.flavor == "cloud",
        )
        return json_response(body)

    def v1_search(self, request: Request) -> Response:
        text, pages = self._v1_cql_hits(request)
        r = self._v1(request)
        expand = self._v1_expand(request)
        content_expand = expand.get("content", {})
        start, limit = self._v1_search_window(request, expand, content_expand)
        excerpt = request.args.get("excerpt", "highlight")

        def result(page: Page) -> dict[str, Any]:
            space = self.state.spaces.get(page.space_key)
            parent = self.state.pages.get(page.parent_id or "")
            item: dict[str, Any] = {
                "content": r.content(page, content_expand),
                "title": page.title,
                "excerpt": "" if excerpt == "none" else plain_text(page.body)[:200],
                "url": r.webui(page),
                "resultGlobalContainer": {
                    "title": space.name if space else page.space_key,
                    "displayUrl": r.space_webui(space) if space else "",
                },
                "breadcrumbs": [],
                "entityType": "content",
                "iconCssClass": "aui-icon content-type-page",
                "lastModified": iso(page.current.when),
                "friendlyLastModified": friendly(page.current.when, self.state.clock()),
                "score": 0.0,
            }
            if parent is not None and not parent.restricted:
                item["resultParentContainer"] = {"title": parent.title, "displayUrl": r.webui(parent)}
            return item

        extra: dict[str, Any] = {"totalSize": len(pages), "cqlQuery": text, "searchDuration": 3}
        if self.flavor == "cloud":
            extra["archivedResultCount"] = 0
        body = r.collection(
            pages,
            result,
            start,
            limit,
            "/search",
            self._v1_query(request),
            extra=extra,
            cursor=self.flavor == "cloud",
        )
        return json_response(body)

    # --- attachments --------------------------------------------------------------------------------------
    @staticmethod
    def _v1_xsrf_ok(request: Request) -> bool:
        return request.headers.get("X-Atlassian-Token", "").lower() in ("no-check", "nocheck")

    @staticmethod
    def _v1_media_type(upload: FileStorage) -> str:
        media = upload.mimetype or ""
        if not media or media == "application/octet-stream":
            media = mimetypes.guess_type(upload.filename or "")[0] or media or "application/octet-stream"
        return media

    def v1_attachments(self, request: Request, content_id: str) -> Response:
        r = self._v1(request)
        page = self._v1_page(content_id)
        if request.method == "GET":
            filename, media_type = request.args.get("filename"), request.args.get("mediaType")
            atts = [
                a
                for a in page.attachments
                if (filename is None or a.title == filename) and (media_type is None or a.media_type == media_type)
            ]
            start, limit = self._v1_window(request, 25 if self.flavor == "cloud" else 50, 200)
            expand = self._v1_expand(request)
            path = f"/content/{page.id}/child/attachment"
            render = lambda a: r.attachment(a, expand)  # noqa: E731
            return json_response(r.collection(atts, render, start, limit, path, self._v1_query(request)))
        if not self._v1_xsrf_ok(request):
            return _xsrf_failed()
        uploads = request.files.getlist("file")
        if not uploads:
            raise V1Error(400, "At least one file must be attached as the multipart part 'file'")
        if self.flavor == "cloud" and "minorEdit" not in request.form:
            raise V1Error(400, "The 'minorEdit' multipart parameter is required")
        comments = request.form.getlist("comment")
        if comments and len(comments) != len(uploads):
            raise V1Error(400, "Give every file a comment, in the same order as the files, or give none")
        created = []
        for index, upload in enumerate(uploads):
            created.append(
                self.state.add_attachment(
                    page.id,
                    upload.filename or "file",
                    upload.read(),
                    self._v1_media_type(upload),
                    comments[index] if comments else "",
                    author=self.user,
                    allow_update=request.method == "PUT",
                )
            )
        expand = self._v1_expand(request, "version,container")
        body = {"results": [r.attachment(a, expand) for a in created], "size": len(created), "_links": {}}
        return json_response(r.top(body))

    def v1_attachment_data(self, request: Request, content_id: str, attachment_id: str) -> Response:
        r = self._v1(request)
        page = self._v1_page(content_id)
        att = self._v1_attachment(attachment_id)
        if att.page_id != page.id:
            raise NotFoundError(f"No attachment with id {attachment_id} on content {content_id}")
        if not self._v1_xsrf_ok(request):
            return _xsrf_failed()
        upload = request.files.get("file")
        if upload is None:
            raise V1Error(400, "The new data must be attached as the multipart part 'file'")
        att = self.state.update_attachment_data(
            att.id, upload.read(), self._v1_media_type(upload), request.form.get("comment", ""), author=self.user
        )
        return json_response(r.top(r.attachment(att, self._v1_expand(request, "version,container"))))

    def v1_attachment_download(self, request: Request, content_id: str, attachment_id: str) -> Response:
        r = self._v1(request)
        page = self._v1_page(content_id)
        att = self._v1_attachment(attachment_id)
        if att.page_id != page.id:
            raise NotFoundError(f"No attachment with id {attachment_id} on content {content_id}")
        return Response(status=302, headers={"Location": r.base + r.download_link(att)})

    def v1_download(self, request: Request, page_id: str, filename: str) -> Response:
        page = self._v1_page(page_id)
        att = next((a for a in page.attachments if a.title == filename), None)
        if att is None:
            raise NotFoundError(f"No attachment {filename} on content {page_id}")
        wanted = self._v1_int(request, "version", att.version, 1)
        if wanted > att.version:
            raise NotFoundError(f"No version {wanted} of attachment {filename}")
        disposition = f"attachment; filename*=UTF-8''{filename}"
        return Response(att.data, mimetype=att.media_type, headers={"Content-Disposition": disposition})

    # --- archive and long tasks ---------------------------------------------------------------------------
    def v1_archive(self, request: Request) -> Response:
        if self.flavor != "cloud":
            return self.not_found(request)  # type: ignore[attr-defined]
        data = self._v1_json(request)
        pages = data.get("pages") if isinstance(data, dict) else None
        if not isinstance(pages, list) or not all(isinstance(p, dict) and "id" in p for p in pages):
            raise V1Error(400, 'The body must be {"pages": [{"id": <page id>}, ...]}')
        task = self.state.archive([str(p["id"]) for p in pages])
        return json_response({"id": task.id, "links": {"status": f"/rest/api/longtask/{task.id}"}}, 202)

    def v1_longtask(self, request: Request, task_id: str) -> Response:
        r = self._v1(request)
        return json_response(r.top(r.task(self.state.poll_task(task_id))))

    def v1_longtasks(self, request: Request) -> Response:
        r = self._v1(request)
        start, limit = self._v1_window(request, 100, 100)
        tasks = sorted(self.state.tasks.values(), key=lambda t: int(t.id), reverse=True)
        return json_response(r.collection(tasks, r.task, start, limit, "/longtask", self._v1_query(request)))
