"""REST v1 rendering of the site's state: content, attachments, spaces, users, versions, labels, properties.

Every object is rendered as Confluence renders it: what was not asked for with ``expand`` is listed under
``_expandable``, links are relative to ``_links.base`` (``<host>/wiki`` on Cloud, ``<host>`` on Data Center),
and ``self`` links are absolute. Cloud and Data Center differ where the products differ: users
(``accountId`` vs ``username``/``userKey``), web UI links, attachment ids (``att<n>`` on Cloud).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from sync.sandbox.confluence.state import (
    Attachment,
    ConfluenceState,
    ContentProperty,
    LongTask,
    Page,
    Space,
    User,
    Version,
    iso,
)

Expand = dict[str, "Expand"]

# Representations a page body can be expanded in; the sandbox serves storage, and view/export_view as the
# stored markup (it renders no macros).
_BODY_REPRESENTATIONS = ("editor", "view", "export_view", "styled_view", "storage", "editor2", "anonymous_export_view")
_SERVED_BODIES = ("storage", "view", "export_view")


def parse_expand(*values: str | None) -> Expand:
    """``"body.storage,version"`` -> ``{"body": {"storage": {}}, "version": {}}`` (several params merged)."""
    tree: Expand = {}
    for value in values:
        for part in (value or "").split(","):
            node = tree
            for segment in (s for s in part.strip().split(".") if s):
                node = node.setdefault(segment, {})
    return tree


def expand_paths(tree: Expand) -> list[str]:
    """The dotted leaf paths of an expansion tree (property keys may contain dots)."""
    out: list[str] = []
    for name, sub in tree.items():
        out.extend([f"{name}.{rest}" for rest in expand_paths(sub)] if sub else [name])
    return out


def plain_text(storage: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", storage))).strip()


def tiny_id(content_id: str) -> str:
    """Confluence's tiny link key: the id's little-endian bytes in URL-safe base64, trailing zeros cut."""
    raw = int(content_id).to_bytes(8, "little").rstrip(b"\0") or b"\0"
    return base64.b64encode(raw).decode().replace("/", "-").replace("+", "_").rstrip("=").rstrip("A") or "A"


def friendly(when: datetime, now: datetime) -> str:
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just a moment ago"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"about {hours} hour{'s' if hours != 1 else ''} ago"
    return when.strftime("%b %d, %Y")


@dataclass
class V1Renderer:
    state: ConfluenceState
    flavor: str
    host: str  # scheme://host:port, no trailing slash
    context: str  # "/wiki" on Cloud, "" on Data Center
    _positions: dict[str, int] = field(default_factory=dict)

    # --- links ------------------------------------------------------------------------------------------
    @property
    def cloud(self) -> bool:
        return self.flavor == "cloud"

    @property
    def base(self) -> str:
        return self.host + self.context

    def api(self, path: str) -> str:
        """Absolute URL of a REST v1 resource (``path`` starts with ``/``)."""
        return f"{self.base}/rest/api{path}"

    def top(self, obj: dict[str, Any]) -> dict[str, Any]:
        """A top-level response object: its links also carry ``base`` and ``context``."""
        links = obj.setdefault("_links", {})
        links["base"] = self.base
        links["context"] = self.context
        return obj

    def webui(self, page: Page) -> str:
        if self.cloud:
            return f"/spaces/{page.space_key}/pages/{page.id}/{quote_plus(page.title)}"
        return f"/display/{page.space_key}/{quote_plus(page.title)}"

    def space_webui(self, space: Space) -> str:
        return f"/spaces/{space.key}" if self.cloud else f"/display/{space.key}"

    # --- users --------------------------------------------------------------------------------------------
    @staticmethod
    def user_key(user: User) -> str:
        return hashlib.md5(user.username.encode()).hexdigest()  # a Data Center user key: opaque hex

    def user(self, user: User) -> dict[str, Any]:
        if self.cloud:
            return {
                "type": "known",
                "accountId": user.account_id,
                "accountType": "atlassian",
                "email": "",
                "publicName": user.display_name,
                "profilePicture": {
                    "path": f"/wiki/aa-avatar/{user.account_id}",
                    "width": 48,
                    "height": 48,
                    "isDefault": False,
                },
                "displayName": user.display_name,
                "isExternalCollaborator": False,
                "_expandable": {"operations": "", "personalSpace": ""},
                "_links": {"self": self.api(f"/user?accountId={user.account_id}")},
            }
        key = self.user_key(user)
        return {
            "type": "known",
            "username": user.username,
            "userKey": key,
            "profilePicture": {
                "path": "/images/icons/profilepics/default.svg",
                "width": 48,
                "height": 48,
                "isDefault": True,
            },
            "displayName": user.display_name,
            "_expandable": {"status": ""},
            "_links": {"self": self.api(f"/user?key={key}")},
        }

    def user_by_id(self, account_id: str) -> dict[str, Any]:
        user = self.state.users.get(account_id)
        if user is None:
            return {"type": "anonymous", "displayName": "Anonymous", "_links": {}}
        return self.user(user)

    def identifiers(self, user: User) -> frozenset[str]:
        """Everything CQL's user fields may name this user by."""
        return frozenset({user.account_id, user.username, self.user_key(user)})

    # --- spaces -------------------------------------------------------------------------------------------
    def space(self, space: Space, expand: Expand | None = None) -> dict[str, Any]:
        expand = expand or {}
        out: dict[str, Any] = {
            "id": int(space.id),
            "key": space.key,
            "name": space.name,
            "type": "global",
            "status": "current",
        }
        expandable: dict[str, str] = {
            "settings": f"/rest/api/space/{space.key}/settings",
            "metadata": "",
            "operations": "",
            "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={space.key}",
            "permissions": "",
            "icon": "",
            "description": "",
            "theme": f"/rest/api/space/{space.key}/theme",
            "history": "",
        }
        if self.cloud:
            expandable["identifiers"] = ""
        if "icon" in expand:
            del expandable["icon"]
            out["icon"] = {
                "path": "/images/logo/default-space-logo-256.png",
                "width": 48,
                "height": 48,
                "isDefault": True,
            }
        if "description" in expand:
            del expandable["description"]
            out["description"] = {
                name: {"value": "", "representation": name, "embeddedContent": []}
                for name in ("plain", "view")
                if name in expand["description"]
            }
            out["description"]["_expandable"] = {n: "" for n in ("plain", "view") if n not in expand["description"]}
        if "metadata" in expand:
            del expandable["metadata"]
            out["metadata"] = {
                "labels": {"results": [], "start": 0, "limit": 200, "size": 0},
                "_expandable": {},
            }
        if "history" in expand:
            del expandable["history"]
            out["history"] = {"createdDate": iso(space.created_at)}
        if "operations" in expand:
            del expandable["operations"]
            out["operations"] = self.state.space_operations()
        home = self.state.pages.get(space.homepage_id or "")
        if "homepage" in expand and home is not None and not home.restricted:
            out["homepage"] = self.content(home, expand["homepage"])
        elif space.homepage_id:
            expandable["homepage"] = f"/rest/api/content/{space.homepage_id}"
        out["_expandable"] = expandable
        out["_links"] = {"webui": self.space_webui(space), "self": self.api(f"/space/{space.key}")}
        return out

    # --- pages --------------------------------------------------------------------------------------------
    def position(self, page: Page) -> int | str:
        if not self.cloud:
            return "none"
        if page.id not in self._positions:
            siblings = [p for p in self.state.all_pages() if p.parent_id == page.parent_id]
            for index, sibling in enumerate(sorted(siblings, key=lambda p: int(p.id))):
                self._positions[sibling.id] = index
        return self._positions.get(page.id, 0)

    def content(self, page: Page, expand: Expand | None = None, at: Version | None = None) -> dict[str, Any]:
        """A page (``at`` one of its versions: the page as it was then, status ``historical``)."""
        expand = expand or {}
        version = at or page.current
        historical = version.number != page.version
        space = self.state.spaces.get(page.space_key)
        out: dict[str, Any] = {
            "id": page.id,
            "type": "page",
            "status": "historical" if historical else page.status,
            "title": version.title,
        }
        expandable: dict[str, str] = {}
        space_link = f"/rest/api/space/{page.space_key}"

        def part(name: str, render: Callable[[Expand], Any], link: str = "") -> None:
            if name in expand:
                out[name] = render(expand[name])
            else:
                expandable[name] = link

        part("childTypes", lambda e: self.child_types(page))
        part("container", lambda e: self.space(space, e) if space else None, space_link)
        part("metadata", lambda e: self.metadata(page, e))
        part("operations", lambda e: self.state.page_operations())
        part("children", lambda e: self.children(page, e), f"/rest/api/content/{page.id}/child")
        expandable["restrictions"] = f"/rest/api/content/{page.id}/restriction/byOperation"
        part("history", lambda e: self.history(page, e), f"/rest/api/content/{page.id}/history")
        part("ancestors", lambda e: [self.content(a, e) for a in self.state.ancestors(page.id)])
        part("body", lambda e: self.body(page, version, e))
        part("version", lambda e: self.version(page, version, e))
        part("descendants", lambda e: self.descendants(page, e), f"/rest/api/content/{page.id}/descendant")
        part("space", lambda e: self.space(space, e) if space else None, space_link)
        if self.cloud:
            expandable["schedulePublishDate"] = ""
            expandable["schedulePublishInfo"] = ""
        out["extensions"] = {"position": self.position(page)}
        out["_expandable"] = expandable
        links = {"webui": self.webui(page)}
        if self.cloud:
            links["editui"] = f"/pages/resumedraft.action?draftId={page.id}"
        else:
            links["edit"] = f"/pages/resumedraft.action?draftId={page.id}"
        links["tinyui"] = f"/x/{tiny_id(page.id)}"
        links["self"] = self.api(f"/content/{page.id}")
        out["_links"] = links
        return out

    def child_types(self, page: Page) -> dict[str, Any]:
        base = f"/rest/api/content/{page.id}/child"
        return {
            "attachment": {"value": bool(page.attachments), "_links": {"self": self.base + base + "/attachment"}},
            "comment": {"value": False, "_links": {"self": self.base + base + "/comment"}},
            "page": {"value": bool(self.state.children(page.id)), "_links": {"self": self.base + base + "/page"}},
        }

    def body(self, page: Page, version: Version, expand: Expand) -> dict[str, Any]:
        out: dict[str, Any] = {}
        expandable: dict[str, str] = {}
        for name in _BODY_REPRESENTATIONS:
            if name in expand and name in _SERVED_BODIES:
                out[name] = {
                    "value": version.body,
                    "representation": name,
                    "embeddedContent": [],
                    "_expandable": {"content": f"/rest/api/content/{page.id}"},
                }
            else:
                expandable[name] = ""
        if self.cloud:
            expandable["atlas_doc_format"] = ""
            expandable["dynamic"] = ""
        else:
            expandable["wiki"] = ""
        out["_expandable"] = expandable
        return out

    def version(self, page: Page, version: Version, expand: Expand | None = None) -> dict[str, Any]:
        expand = expand or {}
        author = self.state.users.get(version.author_id)
        out: dict[str, Any] = {
            "by": self.user_by_id(version.author_id),
            "when": iso(version.when),
            "friendlyWhen": friendly(version.when, self.state.clock()),
            "message": version.message,
            "number": version.number,
            "minorEdit": version.minor_edit,
        }
        if self.cloud:
            out["contentTypeModified"] = False
        else:
            out["hidden"] = False
        expandable: dict[str, str] = {}
        if "content" in expand:
            out["content"] = self.content(page, expand["content"], at=version)
        else:
            expandable["content"] = f"/rest/api/content/{page.id}"
        if "collaborators" in expand:
            users = [author] if author else []
            out["collaborators"] = {
                "users": [self.user(u) for u in users],
                "userKeys": [u.account_id if self.cloud else self.user_key(u) for u in users],
            }
        else:
            expandable["collaborators"] = ""
        out["_expandable"] = expandable
        out["_links"] = {"self": self.api(f"/content/{page.id}/version/{version.number}")}
        return out

    def history(self, page: Page, expand: Expand | None = None) -> dict[str, Any]:
        expand = expand or {}
        out: dict[str, Any] = {
            "latest": page.status != "historical",
            "createdBy": self.user_by_id(page.author_id),
            "createdDate": iso(page.created_at),
        }
        expandable: dict[str, str] = {}
        previous = page.versions[-2] if len(page.versions) > 1 else None
        for name, version in (("lastUpdated", page.current), ("previousVersion", previous), ("nextVersion", None)):
            if name in expand:
                if version is not None:
                    out[name] = self.version(page, version, expand[name])
            else:
                expandable[name] = ""
        if "contributors" in expand:
            authors: list[User] = []
            for version in page.versions:
                user = self.state.users.get(version.author_id)
                if user is not None and user not in authors:
                    authors.append(user)
            out["contributors"] = {
                "publishers": {
                    "users": [self.user(u) for u in authors],
                    "userKeys": [u.account_id if self.cloud else self.user_key(u) for u in authors],
                }
            }
        else:
            expandable["contributors"] = ""
        out["_expandable"] = expandable
        out["_links"] = {"self": self.api(f"/content/{page.id}/history")}
        return out

    def metadata(self, page: Page, expand: Expand) -> dict[str, Any]:
        out: dict[str, Any] = {}
        expandable: dict[str, str] = {}
        if "labels" in expand:
            out["labels"] = self.labels(page, 0, 200)
        else:
            expandable["labels"] = f"/rest/api/content/{page.id}/label"
        if "properties" in expand:
            keys = expand_paths(expand["properties"])
            chosen = [page.properties[k] for k in keys if k in page.properties] if keys else page.properties.values()
            out["properties"] = {prop.key: self.prop(page, prop) for prop in chosen}
        else:
            expandable["properties"] = f"/rest/api/content/{page.id}/property"
        if "currentuser" in expand:
            out["currentuser"] = {"_expandable": {"favourited": "", "lastmodified": "", "lastcontributed": ""}}
        else:
            expandable["currentuser"] = ""
        if "frontend" in expand:
            out["frontend"] = {}
        else:
            expandable["frontend"] = ""
        for name in ("comments", "sourceTemplateEntityId", "simple", "editorHtml", "likes"):
            expandable[name] = ""
        out["_expandable"] = expandable
        return out

    def children(self, page: Page, expand: Expand, descendants: bool = False) -> dict[str, Any]:
        kind = "descendant" if descendants else "child"
        out: dict[str, Any] = {}
        expandable: dict[str, str] = {}
        pages = self.state.descendants(page.id) if descendants else self.state.children(page.id)
        for name in ("attachment", "comment", "page"):
            path = f"/content/{page.id}/{kind}/{name}"
            if name not in expand:
                expandable[name] = f"/rest/api{path}"
                continue
            if name == "page":
                items: Sequence[Any] = pages
                render: Callable[[Any], dict[str, Any]] = lambda p, e=expand[name]: self.content(p, e)  # noqa: E731
            elif name == "attachment":
                items = self.attachments_under(page, pages if descendants else [])
                render = lambda a, e=expand[name]: self.attachment(a, e)  # noqa: E731
            else:
                items, render = [], lambda x: x
            out[name] = self.collection(items, render, 0, 25, path, {}, top=False)
        out["_expandable"] = expandable
        out["_links"] = {"self": self.api(f"/content/{page.id}/{kind}")}
        return out

    def descendants(self, page: Page, expand: Expand) -> dict[str, Any]:
        return self.children(page, expand, descendants=True)

    def attachments_under(self, page: Page, descendants: Sequence[Page] = ()) -> list[Attachment]:
        out = list(page.attachments)
        for sub in descendants:
            out.extend(sub.attachments)
        return out

    # --- labels and properties ----------------------------------------------------------------------------
    @staticmethod
    def label(label: Any) -> dict[str, Any]:
        return {"prefix": label.prefix, "name": label.name, "id": label.id, "label": label.name}

    def labels(self, page: Page, start: int, limit: int, prefix: str | None = None) -> dict[str, Any]:
        labels = [lab for lab in page.labels if prefix is None or lab.prefix == prefix]
        return self.collection(labels, self.label, start, limit, f"/content/{page.id}/label", {}, top=False)

    def prop(self, page: Page, prop: ContentProperty) -> dict[str, Any]:
        version: dict[str, Any] = {
            "when": iso(prop.when),
            "message": "",
            "number": prop.version,
            "minorEdit": prop.minor_edit,
        }
        if self.cloud:
            version["contentTypeModified"] = False
        return {
            "id": prop.id,
            "key": prop.key,
            "value": prop.value,
            "version": version,
            "_links": {"self": self.api(f"/content/{page.id}/property/{quote(prop.key)}")},
            "_expandable": {"content": f"/rest/api/content/{page.id}", "additionalProperties": ""},
        }

    # --- attachments --------------------------------------------------------------------------------------
    def attachment_id(self, att: Attachment) -> str:
        return f"att{att.id}" if self.cloud else att.id

    def download_link(self, att: Attachment) -> str:
        millis = int(att.when.timestamp() * 1000)
        return (
            f"/download/attachments/{att.page_id}/{quote(att.title)}"
            f"?version={att.version}&modificationDate={millis}&api=v2"
        )

    def attachment(self, att: Attachment, expand: Expand | None = None) -> dict[str, Any]:
        expand = expand or {}
        page = self.state.pages[att.page_id]
        aid = self.attachment_id(att)
        out: dict[str, Any] = {"id": aid, "type": "attachment", "status": "current", "title": att.title}
        expandable: dict[str, str] = {}
        out["metadata"] = {
            "mediaType": att.media_type,
            "comment": att.comment,
            "_expandable": {"currentuser": "", "properties": "", "frontend": "", "editorHtml": "", "labels": ""},
        }
        if "version" in expand:
            out["version"] = {
                "by": self.user_by_id(att.author_id),
                "when": iso(att.when),
                "friendlyWhen": friendly(att.when, self.state.clock()),
                "message": att.comment,
                "number": att.version,
                "minorEdit": False,
                "_expandable": {"content": f"/rest/api/content/{aid}", "collaborators": ""},
                "_links": {"self": self.api(f"/content/{aid}/version/{att.version}")},
            }
        else:
            expandable["version"] = ""
        if "container" in expand:
            out["container"] = self.content(page, expand["container"])
        else:
            expandable["container"] = f"/rest/api/content/{page.id}"
        if "space" in expand and page.space_key in self.state.spaces:
            out["space"] = self.space(self.state.spaces[page.space_key], expand["space"])
        else:
            expandable["space"] = f"/rest/api/space/{page.space_key}"
        for name in ("childTypes", "operations", "children", "restrictions", "history", "ancestors", "body"):
            expandable[name] = ""
        extensions: dict[str, Any] = {"mediaType": att.media_type, "fileSize": len(att.data), "comment": att.comment}
        if self.cloud:
            extensions["mediaTypeDescription"] = att.media_type
            extensions["fileId"] = att.file_id
            extensions["collectionName"] = f"contentId-{page.id}"
        out["extensions"] = extensions
        out["_expandable"] = expandable
        preview = quote(f"/{page.id}/{att.id}/{att.title}", safe="")
        out["_links"] = {
            "webui": f"/pages/viewpageattachments.action?pageId={page.id}&preview={preview}",
            "download": self.download_link(att),
            "self": self.api(f"/content/{aid}"),
        }
        return out

    # --- long tasks ---------------------------------------------------------------------------------------
    def task(self, task: LongTask) -> dict[str, Any]:
        finished = task.finished
        percentage = 100 if finished else int(100 * task.polls / max(task.polls_to_finish, 1))
        elapsed = int((self.state.clock() - task.submitted).total_seconds() * 1000)
        messages = (
            [{"translation": f"Archived {len(task.page_ids)} page(s)", "args": []}]
            if finished
            else [{"translation": "Archiving pages", "args": []}]
        )
        return {
            "id": task.id,
            "name": {"key": "com.atlassian.confluence.pages.archive.longrunning.task", "args": []},
            "elapsedTime": max(elapsed, 0),
            "percentageComplete": percentage,
            "successful": finished,
            "finished": finished,
            "messages": messages,
            "status": "FINISHED" if finished else "RUNNING",
            "_links": {"self": self.api(f"/longtask/{task.id}")},
        }

    # --- collections --------------------------------------------------------------------------------------
    def collection(
        self,
        items: Sequence[Any],
        render: Callable[[Any], dict[str, Any]],
        start: int,
        limit: int,
        path: str,
        query: dict[str, Any],
        top: bool = True,
        extra: dict[str, Any] | None = None,
        cursor: bool = False,
    ) -> dict[str, Any]:
        """``{results, start, limit, size, _links}`` over ``items[start:start+limit]``, with next/prev links.

        Links are relative to ``_links.base`` (``/rest/api/...``); ``cursor`` adds Cloud's cursor parameters.
        """
        window = items[start : start + limit]
        moving = ("start", "limit", "cursor", "next", "prev")
        params = {k: v for k, v in query.items() if v not in (None, "") and k not in moving}
        self_query = urlencode({**params, **({"start": start} if start else {}), "limit": limit})
        links: dict[str, Any] = {"self": f"{self.api(path)}?{self_query}" if params or start else self.api(path)}

        def page_link(offset: int, direction: str) -> str:
            moved: dict[str, Any] = {}
            if cursor:
                moved = {direction: "true", "cursor": encode_cursor(offset)}
            return f"/rest/api{path}?" + urlencode({**moved, **params, "limit": limit, "start": offset})

        if start + limit < len(items):
            links["next"] = page_link(start + limit, "next")
        if start > 0:
            links["prev"] = page_link(max(start - limit, 0), "prev")
        out: dict[str, Any] = {
            "results": [render(item) for item in window],
            "start": start,
            "limit": limit,
            "size": len(window),
        }
        out.update(extra or {})
        out["_links"] = links
        return self.top(out) if top else out


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    name, _, number = text.partition(":")
    return int(number) if name == "offset" and number.isdigit() else None
