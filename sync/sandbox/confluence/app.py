"""The Confluence emulator as one WSGI app, in either flavour.

- Cloud (`flavor="cloud"`, base ``/wiki``): REST v2 under ``/wiki/api/v2`` for pages and what hangs off them,
  REST v1 under ``/wiki/rest/api`` for CQL, adding labels, attachments, archive and long tasks. The v1
  content reads and writes answer as Cloud does with basic auth, or 410 Gone with
  ``cloud_v1_content="removed"`` (as on Cloud's OAuth/API-gateway path). Auth: email + API token (basic).
- Data Center (`flavor="datacenter"`, base ``/``): REST v1 under ``/rest/api`` only; a personal access token
  as Bearer (basic with user name + token also works). No archive call.

Routes live in the `V1Routes` and `V2Routes` mixins (`v1.py`, `v2.py`); their state errors are rendered here,
in the error shape of the surface that was called.
"""

from __future__ import annotations

import base64
import secrets
import threading
from typing import Any, Literal
from urllib.parse import quote

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from sync.sandbox.confluence.errors import V1Error, V2Error
from sync.sandbox.confluence.state import ConfluenceState, Page, StateError, User
from sync.sandbox.confluence.v1 import V1Routes
from sync.sandbox.confluence.v2 import V2Routes
from sync.sandbox.confluence.view import AttachmentLink, PageInfo, ReportRow, ViewContext, render_page
from sync.sandbox.emulator import ApiError, Emulator, json_response
from sync.sandbox.faults import Traffic

V1Content = Literal["available", "removed"]

# Which permission each endpoint needs (method None: any method). Labels and content properties need edit
# permission on the page, as in Confluence.
_NEEDS: dict[tuple[str, str | None], str] = {
    ("v2_get_space", None): "read:space",
    ("v2_get_space_operations", None): "read:space",
    ("v1_space", None): "read:space",
    ("v2_create_page", None): "create:page",
    ("v1_contents", "POST"): "create:page",
    ("v2_update_page", None): "update:page",
    ("v1_content", "PUT"): "update:page",
    ("v1_labels", "POST"): "update:page",
    ("v2_create_page_property", None): "update:page",
    ("v2_update_page_property", None): "update:page",
    ("v1_properties", "POST"): "update:page",
    ("v1_property", "PUT"): "update:page",
    ("v1_property", "POST"): "update:page",
    ("v1_archive", None): "archive:page",
}


class ConfluenceEmulator(V2Routes, V1Routes, Emulator):
    permissions = ("read:space", "create:page", "update:page", "archive:page")

    def __init__(
        self,
        state: ConfluenceState,
        traffic: Traffic | None = None,
        cloud_v1_content: V1Content = "available",
    ) -> None:
        super().__init__(traffic)
        self.state = state
        self.flavor = state.flavor
        self.cloud_v1_content = cloud_v1_content
        # Seconds a new page stays missing from CQL results (Cloud's search index lags writes); the state's clock.
        self.index_lag_s = 0.0
        self._local = threading.local()
        # The browser session the page view hands out, as Confluence's JSESSIONID: it lets the view's images
        # and players load attachments from the download link without API credentials.
        self._view_session = secrets.token_hex(16)
        if self.flavor == "cloud":
            self.base_path = "/wiki"
            self.v1_prefix = "/wiki/rest/api"
            rules = [*self.v2_rules("/wiki/api/v2"), *self.v1_rules(self.v1_prefix)]
        else:
            self.base_path = ""
            self.v1_prefix = "/rest/api"
            rules = self.v1_rules(self.v1_prefix)
        self.url_map = Map(rules, strict_slashes=False, merge_slashes=False)

    # --- who is calling ----------------------------------------------------------------------------
    @property
    def user(self) -> User:
        """The authenticated user of the request being served."""
        return self._local.user

    def authenticate(self, request: Request) -> None:
        self._local.user = self._credentials_user(request.headers.get("Authorization", ""))
        if self._local.user is None:
            needed = "an email and API token (basic auth)" if self.flavor == "cloud" else "a personal access token"
            raise self._error(request.path, 401, f"Authentication failed: send {needed}")

    def _credentials_user(self, header: str) -> User | None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                name, _, token = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return self.state.authenticate_basic(name, token)
        if scheme.lower() == "bearer" and self.flavor == "datacenter":
            return self.state.authenticate_bearer(value)
        return None

    # --- errors in the shape of the surface called ---------------------------------------------------
    def _is_v2(self, path: str) -> bool:
        return path.startswith("/wiki/api/v2")

    def _error(self, path: str, status: int, message: str | None = None, retry_after: float | None = None):
        if self._is_v2(path):
            return V2Error(status, message, retry_after)
        return V1Error(status, message, retry_after)

    def _serve(self, request: Request, environ: dict) -> Response:
        if request.path == f"{self.base_path}/pages/viewpage.action":
            return self._view_page(request.args.get("pageId", ""))
        download = f"{self.base_path}/download/attachments/"
        browser = request.cookies.get("JSESSIONID") == self._view_session and "Authorization" not in request.headers
        if browser and request.path.startswith(download):
            page_id, _, filename = request.path[len(download) :].partition("/")
            return self._view_download(page_id, filename)
        self._local.path = request.path
        return super()._serve(request, environ)

    # --- what a person sees in a browser (not API traffic: never logged, limited or faulted) ------------------
    def _view_url(self, page: Page) -> str:
        return f"{self.base_path}/pages/viewpage.action?pageId={page.id}"

    def _view_page(self, page_id: str) -> Response:
        """The page as Confluence shows it, so the links the sync writes open in the sandbox too."""
        try:
            page = self.state.page(page_id, include_trashed=False)
        except StateError:
            return Response("<h1>Page not found</h1>", status=404, content_type="text/html; charset=utf-8")
        state = self.state
        space = state.spaces.get(page.space_key)
        users = {key: u.display_name for u in state.users.values() for key in (u.account_id, u.username, u.email)}
        author = users.get(page.current.author_id, "")

        def page_url(title: str, space_key: str | None) -> str | None:
            found = state.find_by_title(space_key or page.space_key, title)
            return self._view_url(found) if found is not None and not found.restricted else None

        def labelled(label: str) -> list[ReportRow]:
            pages = [p for p in state.visible_pages() if p.space_key == page.space_key and p.id != page.id]
            return [ReportRow(p.title, self._view_url(p), p.body) for p in pages if label in {x.name for x in p.labels}]

        attachments = tuple(
            AttachmentLink(
                a.title,
                a.media_type,
                len(a.data),
                f"{self.base_path}/download/attachments/{page.id}/{quote(a.title)}?version={a.version}",
                a.version,
            )
            for a in page.attachments
        )
        context = ViewContext(
            attachments=attachments,
            page_url=page_url,
            labelled=labelled,
            user_name=lambda key: users.get(key, key),
            children=tuple((c.title, self._view_url(c)) for c in state.children(page.id)),
        )
        info = PageInfo(
            title=page.title,
            space_key=page.space_key,
            space_name=space.name if space else page.space_key,
            version=page.version,
            author=author,
            when=page.current.when.strftime("%d %b %Y %H:%M UTC"),
            labels=tuple(label.name for label in page.labels),
            ancestors=tuple((a.title, self._view_url(a)) for a in state.ancestors(page.id)),
        )
        response = Response(render_page(info, page.body, context), content_type="text/html; charset=utf-8")
        response.set_cookie("JSESSIONID", self._view_session, httponly=True, samesite="Lax")
        return response

    def _view_download(self, page_id: str, filename: str) -> Response:
        try:
            page = self.state.page(page_id, include_trashed=False)
        except StateError:
            return Response("Not found", status=404)
        att = next((a for a in page.attachments if a.title == filename), None)
        if att is None:
            return Response("Not found", status=404)
        return Response(att.data, mimetype=att.media_type)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        return self._error(getattr(self._local, "path", ""), status, None, retry_after).response()

    def not_found(self, request: Request) -> Response:
        return self._error(request.path, 404, f"null for uri: {request.url}").response()

    @property
    def denied(self) -> set[str]:  # type: ignore[override]
        return self.state.denied

    def _refuse(self, endpoint: str, request: Request) -> Response | None:
        """The answer Confluence gives a user without the permission the endpoint needs, if one is missing."""
        needed = _NEEDS.get((endpoint, request.method)) or _NEEDS.get((endpoint, None))
        if endpoint == "v2_get_spaces" and "read:space" in self.state.denied:
            return json_response({"results": [], "_links": {"base": self._v2_base(request)}})
        if needed is None or needed not in self.state.denied:
            return None
        if needed == "read:space":  # a space you may not view does not exist, for you
            return self._error(request.path, 404, "No space found").response()
        operation, target = needed.split(":")
        return self._error(request.path, 403, f"User is not permitted to {operation} this {target}").response()

    def dispatch(self, endpoint: str, request: Request, args: dict[str, Any]) -> Response:
        refused = self._refuse(endpoint, request)
        if refused is not None:
            return refused
        try:
            return super().dispatch(endpoint, request, args)
        except StateError as error:
            raise self._error(request.path, error.status, error.message) from error

    # --- control actions: a person edits a page, pages hidden from the API user ----------------------
    def control(self, request: Request, action: str) -> Response | None:
        body = request.get_json(silent=True) or {}
        try:
            if action == "human-edit" and request.method == "POST":
                editor = self._editor(body.get("editor"))
                page = self.state.human_edit(str(body["page_id"]), editor, body.get("body"), body.get("title"))
                return json_response({"page_id": page.id, "version": page.version, "by": editor.display_name})
            if action == "index-lag" and request.method == "POST":
                self.index_lag_s = float(body.get("seconds", 0))
                return json_response({"index_lag_s": self.index_lag_s})
            if action == "restrict" and request.method == "POST":
                self.state.pages[str(body["page_id"])].restricted = bool(body.get("restricted", True))
                return json_response({"page_id": body["page_id"], "restricted": body.get("restricted", True)})
        except (StateError, KeyError) as error:
            return json_response({"error": str(error)}, 400)
        return None

    def _editor(self, name: str | None) -> User:
        for user in self.state.users.values():
            if name in (user.display_name, user.username, user.email) and user is not self.state.api_user:
                return user
        return self.state.add_user(
            name or "Dana Editor",
            f"{(name or 'dana').split()[0].lower()}@example.com",
            (name or "dana").split()[0].lower(),
        )


def make_app(
    flavor: Literal["cloud", "datacenter"] = "cloud",
    state: ConfluenceState | None = None,
    traffic: Traffic | None = None,
    cloud_v1_content: V1Content = "available",
) -> ConfluenceEmulator:
    return ConfluenceEmulator(state or ConfluenceState(flavor), traffic, cloud_v1_content)


__all__ = ["ApiError", "ConfluenceEmulator", "make_app"]
