"""REST v1 pieces both surfaces use: the CQL listing of managed pages and adding labels."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from functools import partial
from typing import Any, cast

import requests
from atlassian.rest_client import AtlassianRestAPI

from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY, ManagedPage, PageMeta, Property, Target
from sync.retry import ApiCaller

# As many as a CQL search answers without expanding bodies (Cloud 250, Data Center 200); the site caps a larger
# ask, and `_links.next` goes on from there.
CQL_LIMIT = 250


def _cql_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def iter_cql(client: AtlassianRestAPI, caller: ApiCaller, prefix: str, cql: str, expand: str) -> Iterator[dict]:
    """Follow `_links.next` through a CQL content search."""
    path: str | None = f"{prefix}/content/search"
    params: dict[str, Any] | None = {"cql": cql, "expand": expand, "limit": CQL_LIMIT}
    while path:
        response = cast(dict[str, Any], caller.call(partial(client.get, path, params=params), idempotent=True))
        yield from response.get("results", [])
        # `next` is relative to `_links.base` (the site with its context path), which `url` already is.
        next_link = response.get("_links", {}).get("next")
        path, params = (next_link.lstrip("/"), None) if next_link else (None, None)


def managed_pages(client: AtlassianRestAPI, caller: ApiCaller, prefix: str, target: Target) -> list[ManagedPage]:
    cql = (
        f"space = {_cql_quote(target.space_key)} and label = {_cql_quote(MANAGED_LABEL)}"
        f" and ancestor = {target.parent_id}"
    )
    expand = f"version,metadata.labels,metadata.properties.{PROPERTY_KEY}"
    return [to_managed(item) for item in iter_cql(client, caller, prefix, cql, expand)]


def expand_properties(keys: tuple[str, ...]) -> str:
    """What a v1 read expands for a page's version and the content properties `keys`."""
    return ",".join(["version", *(f"metadata.properties.{key}" for key in keys)])


def searched_by_title(
    client: AtlassianRestAPI, caller: ApiCaller, prefix: str, space_key: str, title: str, keys: tuple[str, ...]
) -> dict[str, Any] | None:
    """The page CQL finds with exactly this title in the space, its version and properties `keys` expanded.
    CQL compares titles without case: only the exact title counts."""
    cql = f"space = {_cql_quote(space_key)} and type = page and title = {_cql_quote(title)}"
    found = iter_cql(client, caller, prefix, cql, expand_properties(keys))
    return next((content for content in found if content.get("title") == title), None)


def expanded_properties(content: dict[str, Any]) -> dict[str, Property]:
    """The content properties a v1 read expanded, by key."""
    props = (content.get("metadata") or {}).get("properties") or {}
    return {
        str(key): Property(str(key), prop.get("value"), int(prop["version"]["number"]), str(prop.get("id") or ""))
        for key, prop in props.items()
        if isinstance(prop, dict) and "version" in prop
    }


def to_managed(content: dict[str, Any]) -> ManagedPage:
    version = content.get("version", {})
    by = version.get("by", {})
    labels = content.get("metadata", {}).get("labels", {}).get("results", [])
    prop = content.get("metadata", {}).get("properties", {}).get(PROPERTY_KEY) or {}
    # Labels and editors repeat from page to page: each held once however many pages name it.
    return ManagedPage(
        id=str(content["id"]),
        title=content["title"],
        version=int(version.get("number", 0)),
        last_editor=sys.intern(by.get("displayName") or by.get("username") or by.get("accountId") or "someone"),
        labels=frozenset(sys.intern(label["name"]) for label in labels),
        meta=PageMeta.from_json(prop.get("value")),
        property_id=str(prop["id"]) if prop.get("id") else None,
        property_version=prop.get("version", {}).get("number"),
        last_editor_id=sys.intern(user_id(by)),
        edited_at=str(version.get("when") or ""),
    )


def user_id(user: dict[str, Any]) -> str:
    """How a v1 user is named for comparison: the account id on Cloud, the user name on Data Center."""
    return str(user.get("accountId") or user.get("username") or user.get("userKey") or "")


def remove_label(client: AtlassianRestAPI, caller: ApiCaller, prefix: str, page_id: str, name: str) -> None:
    """Remove one label; a label already gone (404) is the state we wanted."""

    def call() -> None:
        try:
            client.delete(f"{prefix}/content/{page_id}/label", params={"name": name})
        except requests.HTTPError as error:
            if error.response is None or error.response.status_code != 404:
                raise

    caller.call(call, idempotent=True, kind="write")


def add_labels(client: AtlassianRestAPI, caller: ApiCaller, prefix: str, page_id: str, labels: list[str]) -> None:
    if labels:
        body = [{"prefix": "global", "name": name} for name in labels]
        # The body is a JSON list; the library's type hints allow only dicts, its code sends any JSON.
        caller.call(
            lambda: client.post(f"{prefix}/content/{page_id}/label", data=cast(Any, body)),
            idempotent=True,
            kind="write",
        )
