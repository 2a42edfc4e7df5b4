"""How REST v2 renders the site's objects: pages, child pages, versions, spaces, labels, content properties
and attachments, in the shapes of Atlassian's published v2 description (ids as strings, ``createdAt``
timestamps, ``_links`` relative to the site's ``/wiki`` base).

Fields the description types as non-nullable strings (``parentId``, ``parentType``) are left out when
there is nothing to say, rather than sent as null.
"""

from __future__ import annotations

import base64
import html
import re
import struct
from typing import Any
from urllib.parse import quote, quote_plus

from sync.sandbox.confluence.state import Attachment, ContentProperty, Label, Page, Space, Version, iso

# Body formats a page body can be asked for, and the HTML renderings among them.
VIEW_FORMATS = ("view", "export_view", "anonymous_export_view", "styled_view")

_MACRO_TAG = re.compile(r"</?(?:ac|ri|at):[^>]*>")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def tiny_code(page_id: str) -> str:
    """Confluence's short-link code: the id's little-endian bytes in base64, trailing padding trimmed."""
    encoded = base64.b64encode(struct.pack("<Q", int(page_id))).decode()
    return encoded.rstrip("=").rstrip("A").replace("/", "-").replace("+", "_")


def storage_to_view(storage: str) -> str:
    """An HTML rendering of a storage body: macro and resource markup dropped, what they wrap kept."""
    text = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), storage)
    return _MACRO_TAG.sub("", text)


def body_json(storage: str, body_format: str | None) -> dict[str, Any]:
    """The ``body`` object: empty unless a format was asked for."""
    if body_format is None:
        return {}
    if body_format == "storage":
        return {"storage": {"representation": "storage", "value": storage}}
    return {body_format: {"representation": body_format, "value": storage_to_view(storage)}}


def version_json(version: Version) -> dict[str, Any]:
    return {
        "createdAt": iso(version.when),
        "message": version.message,
        "number": version.number,
        "minorEdit": version.minor_edit,
        "authorId": version.author_id,
    }


def page_links(page: Page, space: Space, title: str | None = None) -> dict[str, str]:
    slug = quote_plus(title if title is not None else page.title, safe="")
    return {
        "editui": f"/pages/resumedraft.action?draftId={page.id}",
        "webui": f"/spaces/{quote(space.key)}/pages/{page.id}/{slug}",
        "tinyui": f"/x/{tiny_code(page.id)}",
    }


def page_json(
    page: Page,
    space: Space,
    *,
    position: int | None,
    version: Version | None = None,
    status: str | None = None,
    body_format: str | None = None,
    include_version: bool = True,
) -> dict[str, Any]:
    """A page as ``PageBulk``/``PageSingle`` (at its current version unless `version` names an older one)."""
    shown = version or page.current
    out: dict[str, Any] = {
        "id": page.id,
        "status": status or page.status,
        "title": shown.title,
        "spaceId": space.id,
    }
    if page.parent_id is not None:
        out["parentId"] = page.parent_id
        out["parentType"] = "page"
    out.update(
        {
            "position": position,
            "authorId": page.author_id,
            "ownerId": page.author_id,
            "lastOwnerId": None,
            "createdAt": iso(page.created_at),
        }
    )
    if include_version:
        out["version"] = version_json(shown)
    out["body"] = body_json(shown.body, body_format)
    out["_links"] = page_links(page, space, shown.title)
    return out


def child_json(page: Page, space: Space, position: int | None, with_type: bool) -> dict[str, Any]:
    """A child page as ``ChildPage`` (``/children``) or as a direct child with its ``type`` (``/direct-children``)."""
    out: dict[str, Any] = {"id": page.id, "status": page.status, "title": page.title}
    if with_type:
        out["type"] = "page"
    out["spaceId"] = space.id
    out["childPosition"] = position
    return out


def page_version_json(page: Page, version: Version, body_format: str | None) -> dict[str, Any]:
    """One entry of ``/pages/{id}/versions`` (``PageVersion``)."""
    out = version_json(version)
    entity: dict[str, Any] = {"id": page.id, "title": version.title}
    if body_format is not None:
        entity["body"] = body_json(version.body, body_format)
    out["page"] = entity
    return out


def detailed_version_json(page: Page, version: Version) -> dict[str, Any]:
    """``/pages/{page-id}/versions/{version-number}`` (``DetailedVersion``)."""
    out: dict[str, Any] = {
        "number": version.number,
        "authorId": version.author_id,
        "message": version.message,
        "createdAt": iso(version.when),
        "minorEdit": version.minor_edit,
        "contentTypeModified": False,
        "collaborators": [version.author_id],
    }
    numbers = [v.number for v in page.versions]
    index = numbers.index(version.number)
    if index > 0:
        out["prevVersion"] = numbers[index - 1]
    if index + 1 < len(numbers):
        out["nextVersion"] = numbers[index + 1]
    return out


def space_json(
    space: Space, author_id: str, description_format: str | None = None, include_icon: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": "global",
        "status": "current",
        "authorId": author_id,
        "createdAt": iso(space.created_at),
    }
    if space.homepage_id is not None:
        out["homepageId"] = space.homepage_id
    if description_format is not None:
        out["description"] = {description_format: {"representation": description_format, "value": ""}}
    if include_icon:
        out["icon"] = {"path": "/images/logo/default-space-logo.svg"}
    out["_links"] = {"webui": f"/spaces/{quote(space.key)}"}
    return out


def label_json(label: Label) -> dict[str, Any]:
    return {"id": label.id, "name": label.name, "prefix": label.prefix}


def property_json(prop: ContentProperty) -> dict[str, Any]:
    return {
        "id": prop.id,
        "key": prop.key,
        "value": prop.value,
        "version": {
            "createdAt": iso(prop.when),
            "message": "",
            "number": prop.version,
            "minorEdit": prop.minor_edit,
            "authorId": prop.author_id,
        },
    }


def attachment_id(att: Attachment) -> str:
    return f"att{att.id}"


def attachment_json(att: Attachment) -> dict[str, Any]:
    """An attachment as ``AttachmentBulk``/``AttachmentSingle``."""
    download = f"/download/attachments/{att.page_id}/{quote(att.title)}?version={att.version}&api=v2"
    webui = f"/pages/viewpageattachments.action?pageId={att.page_id}&preview=/{att.page_id}/{att.id}/{quote(att.title)}"
    return {
        "id": attachment_id(att),
        "status": "current",
        "title": att.title,
        "createdAt": iso(att.when),
        "pageId": att.page_id,
        "mediaType": att.media_type,
        "comment": att.comment,
        "fileId": att.file_id,
        "fileSize": len(att.data),
        "webuiLink": webui,
        "downloadLink": download,
        "version": {
            "createdAt": iso(att.when),
            "message": att.comment,
            "number": att.version,
            "minorEdit": False,
            "authorId": att.author_id,
        },
        "_links": {"webui": webui, "download": download},
    }
