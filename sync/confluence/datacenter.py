"""Confluence Data Center: REST v1 only, through atlassian-python-api's Server client (`cloud=False`),
with a personal access token."""

from __future__ import annotations

from typing import Any

from atlassian import Confluence

from sync.confluence import v1
from sync.confluence.base import PROPERTY_KEY, ManagedPage, PageMeta, Target
from sync.errors import ConfigError
from sync.retry import ApiCaller

V1 = "rest/api"


class DataCenterConfluence:
    flavor = "datacenter"

    def __init__(self, url: str, token: str, caller: ApiCaller, timeout: float = 30) -> None:
        self.base_url = url.rstrip("/")
        # retry_with_header=False: the library would sleep out a 429 itself; ApiCaller does it, with a clock.
        self.client = Confluence(
            url=self.base_url, token=token, cloud=False, timeout=max(1, int(timeout)), retry_with_header=False
        )
        self.client.timeout = timeout  # the constructor rounds to whole seconds; requests takes a float
        self.caller = caller

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(lambda: self.client.get(path, params=params), idempotent=True)

    def resolve_target(self, space_key: str, parent_id: str | None, parent_title: str | None) -> Target:
        space = self._get(f"{V1}/space/{space_key}")
        if not space:
            raise ConfigError(f"Confluence space {space_key} not found", "check confluence.space_key and access")
        if parent_id is None:
            found = self._get(f"{V1}/content", {"spaceKey": space_key, "title": parent_title, "type": "page"})
            if not found.get("results"):
                raise ConfigError(
                    f"no page titled '{parent_title}' in space {space_key}", "create it or set parent_page_id"
                )
            parent_id = str(found["results"][0]["id"])
        else:
            self._get(f"{V1}/content/{parent_id}")
        return Target(space_key, str(space["id"]), parent_id)

    def find_managed(self, target: Target) -> list[ManagedPage]:
        return v1.managed_pages(self.client, self.caller, V1, target)

    def title_taken(self, target: Target, title: str) -> str | None:
        found = self._get(f"{V1}/content", {"spaceKey": target.space_key, "title": title, "type": "page"})
        results = found.get("results", [])
        return str(results[0]["id"]) if results else None

    def create_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        payload = {
            "type": "page",
            "title": title,
            "space": {"key": target.space_key},
            "ancestors": [{"id": target.parent_id}],
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        page = self.caller.call(lambda: self.client.post(f"{V1}/content", data=payload), idempotent=False, kind="write")
        page_id = str(page["id"])
        v1.add_labels(self.client, self.caller, V1, page_id, labels)
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, int(page["version"]["number"]), meta.entry_version)
        self.caller.call(
            lambda: self.client.post(
                f"{V1}/content/{page_id}/property", data={"key": PROPERTY_KEY, "value": meta.to_json()}
            ),
            idempotent=False,
            kind="write",
        )
        return ManagedPage(page_id, title, meta.written_version, "", frozenset(labels), meta, None, 1)

    def update_page(
        self, page: ManagedPage, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        number = page.version + 1
        payload = {
            "id": page.id,
            "type": "page",
            "title": title,
            "body": {"storage": {"value": body, "representation": "storage"}},
            "version": {"number": number, "message": message, "minorEdit": True},
        }
        self.caller.call(
            lambda: self.client.put(f"{V1}/content/{page.id}", data=payload), idempotent=True, kind="write"
        )
        v1.add_labels(self.client, self.caller, V1, page.id, sorted(set(labels) - page.labels))
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, number, meta.entry_version)
        prop_number = (page.property_version or 0) + 1
        if page.property_version is None:
            self.caller.call(
                lambda: self.client.post(
                    f"{V1}/content/{page.id}/property", data={"key": PROPERTY_KEY, "value": meta.to_json()}
                ),
                idempotent=False,
                kind="write",
            )
        else:
            data = {"key": PROPERTY_KEY, "value": meta.to_json(), "version": {"number": prop_number}}
            self.caller.call(
                lambda: self.client.put(f"{V1}/content/{page.id}/property/{PROPERTY_KEY}", data=data),
                idempotent=True,
                kind="write",
            )
        return ManagedPage(page.id, title, number, "", frozenset(labels) | page.labels, meta, None, prop_number)

    def page_url(self, page_id: str) -> str:
        return f"{self.base_url}/pages/viewpage.action?pageId={page_id}"
