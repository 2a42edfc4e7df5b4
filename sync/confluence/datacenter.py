"""Confluence Data Center: REST v1 only, through atlassian-python-api's Server client (`cloud=False`),
with a personal access token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from atlassian import Confluence

from sync.confluence import v1
from sync.confluence.base import PROPERTY_KEY, ManagedPage, PageMeta, PageVersion, Property, Target, Titled
from sync.confluence.surface import V1, Found, Surface, space_not_found
from sync.errors import http_status, missing_is_config
from sync.retry import ApiCaller

_EXPAND = f"version,history,body.storage,metadata.labels,metadata.properties.{PROPERTY_KEY}"


class DataCenterConfluence(Surface):
    flavor = "datacenter"

    def __init__(self, url: str, token: str, caller: ApiCaller, timeout: float = 30) -> None:
        # retry_with_header=False: the library would sleep out a 429 itself; ApiCaller does it, with a clock.
        client = Confluence(
            url=url.rstrip("/"), token=token, cloud=False, timeout=max(1, int(timeout)), retry_with_header=False
        )
        super().__init__(client, url, caller, timeout)

    def space(self, space_key: str) -> Target:
        with missing_is_config(*space_not_found(space_key)):
            return Target(space_key, str(self.read(f"{V1}/space/{space_key}")["id"]), "")

    def _read_page(self, page_id: str) -> None:
        self.read(f"{V1}/content/{page_id}")

    def titled(self, space_key: str, title: str, keys: tuple[str, ...] = ()) -> Titled | None:
        """Content by title: exact, and current at once (no search index in between)."""
        query = {"spaceKey": space_key, "title": title, "type": "page", "expand": v1.expand_properties(keys)}
        results = self.read(f"{V1}/content", query).get("results", [])
        if not results:
            return None
        self._saw(results[0])
        return Titled(str(results[0]["id"]), v1.expanded_properties(results[0]))

    def title_taken(self, target: Target, title: str) -> str | None:
        found = self.titled(target.space_key, title)
        return found.page_id if found is not None else None

    marks_on_create = True

    def find_by_title(self, target: Target, title: str) -> Found | None:
        found = self.read(
            f"{V1}/content", {"spaceKey": target.space_key, "title": title, "type": "page", "expand": _EXPAND}
        )
        results = found.get("results", [])
        return self._found(results[0]) if results else None

    def get_managed(self, page_id: str) -> ManagedPage:
        return self._found(self.read(f"{V1}/content/{page_id}", {"expand": _EXPAND})).page

    @staticmethod
    def _found(content: dict[str, Any]) -> Found:
        creator = v1.user_id(((content.get("history") or {}).get("createdBy")) or {})
        body = (((content.get("body") or {}).get("storage")) or {}).get("value") or ""
        return Found(v1.to_managed(content), creator, body)

    def _post_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta | None, message: str
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": target.space_key},
            "ancestors": [{"id": target.parent_id}],
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"message": message},
        }
        # Labels and our property in the create itself: the page is never there unmarked.
        metadata: dict[str, Any] = {}
        if labels:
            metadata["labels"] = [{"prefix": "global", "name": name} for name in labels]
        if meta is not None:
            metadata["properties"] = {PROPERTY_KEY: {"key": PROPERTY_KEY, "value": meta.to_json()}}
        if metadata:
            payload["metadata"] = metadata
        return self.write(lambda: self.client.post(f"{V1}/content", data=payload), idempotent=False)

    def _put_page(self, page_id: str, number: int, title: str, body: str, message: str) -> None:
        payload = {
            "id": page_id,
            "type": "page",
            "title": title,
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": number, "message": message, "minorEdit": True},
        }
        self.put_unread(f"{V1}/content/{page_id}", payload)

    def _post_property(self, page_id: str, meta: PageMeta) -> str | None:
        data = {"key": PROPERTY_KEY, "value": meta.to_json()}
        self.write(lambda: self.client.post(f"{V1}/content/{page_id}/property", data=data), idempotent=False)
        return None  # v1 addresses properties by key

    def _put_property(self, page: ManagedPage, meta: PageMeta, number: int) -> None:
        data = {"key": PROPERTY_KEY, "value": meta.to_json(), "version": {"number": number, "minorEdit": True}}
        path = f"{V1}/content/{page.id}/property/{PROPERTY_KEY}"
        self.write(lambda: self.client.put(path, data=data), idempotent=True)

    def _move_page(self, page_id: str, number: int, title: str, body: str, message: str, parent_id: str) -> None:
        payload = {
            "id": page_id,
            "type": "page",
            "title": title,
            "ancestors": [{"id": parent_id}],
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": number, "message": message, "minorEdit": True},
        }
        self.put_unread(f"{V1}/content/{page_id}", payload)

    def get_property(self, page_id: str, key: str) -> Property | None:
        try:
            prop = self.read(f"{V1}/content/{page_id}/property/{key}")
        except Exception as error:
            if http_status(error) == 404:
                return None
            raise
        if not prop:
            return None
        return Property(key, prop.get("value"), int(prop["version"]["number"]), str(prop.get("id") or ""))

    def get_properties(self, page_id: str) -> dict[str, Property]:
        out: dict[str, Property] = {}
        for prop in self._listing(f"{V1}/content/{page_id}/property", {"expand": "version"}):
            key = str(prop["key"])
            out[key] = Property(key, prop.get("value"), int(prop["version"]["number"]), str(prop.get("id") or ""))
        return out

    def _listing(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every result of a v1 listing, 100 a request, until a short or last page."""
        start = 0
        while True:
            found = self.read(path, {**(params or {}), "start": start, "limit": 100})
            results = found.get("results", [])
            yield from results
            if not results or len(results) < found.get("limit", 100) or not found.get("_links", {}).get("next"):
                return
            start += len(results)

    def _write_named_property(self, page_id: str, key: str, value: Any, current: Property | None) -> Property:
        # A PUT at version 1 creates the key, and fails with 409 if someone created it first.
        number = 1 if current is None else current.version + 1
        data = {"key": key, "value": value, "version": {"number": number}}
        path = f"{V1}/content/{page_id}/property/{key}"
        self.write(lambda: self.client.put(path, data=data), idempotent=True)
        return Property(key, value, number, current.id if current else None)

    def get_body(self, page_id: str) -> tuple[str, int, str]:
        page = self.read(f"{V1}/content/{page_id}", {"expand": "body.storage,version"})
        return page["title"], int(page["version"]["number"]), page["body"]["storage"]["value"]

    def children(self, page_id: str) -> list[str]:
        return [str(child["id"]) for child in self._listing(f"{V1}/content/{page_id}/child/page")]

    def history(self, page_id: str) -> list[PageVersion]:
        out: list[PageVersion] = []
        for item in self._listing(f"{V1}/content/{page_id}/version"):
            by = item.get("by", {})
            who = by.get("displayName") or by.get("username") or ""
            out.append(PageVersion(int(item["number"]), item.get("when", ""), item.get("message", ""), who))
        return sorted(out, key=lambda v: v.number)
