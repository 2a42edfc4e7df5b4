"""Confluence Cloud: pages, versions and content properties through REST v2; CQL and adding labels through
v1, the only places where v2 has no equivalent. Uses atlassian-python-api's v2 client (`api_version=2`)."""

from __future__ import annotations

from typing import Any

from atlassian import Confluence

from sync.confluence import v1
from sync.confluence.base import PROPERTY_KEY, ManagedPage, PageMeta, Target
from sync.errors import ConfigError
from sync.retry import ApiCaller

V1 = "rest/api"


class CloudConfluence:
    flavor = "cloud"

    def __init__(self, url: str, user: str, token: str, caller: ApiCaller, timeout: float = 30) -> None:
        self.base_url = url.rstrip("/")
        # retry_with_header=False: the library would sleep out a 429 itself; ApiCaller does it, with a clock.
        self.client = Confluence(
            url=self.base_url,
            username=user,
            password=token,
            api_version=2,
            timeout=max(1, int(timeout)),
            retry_with_header=False,
        )
        self.client.timeout = timeout  # the constructor rounds to whole seconds; requests takes a float
        self.caller = caller

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(lambda: self.client.get(path, params=params), idempotent=True)

    def resolve_target(self, space_key: str, parent_id: str | None, parent_title: str | None) -> Target:
        spaces = self._get("api/v2/spaces", {"keys": space_key}).get("results", [])
        if not spaces:
            raise ConfigError(f"Confluence space {space_key} not found", "check confluence.space_key and access")
        space_id = str(spaces[0]["id"])
        if parent_id is None:
            pages = self._get("api/v2/pages", {"space-id": space_id, "title": parent_title}).get("results", [])
            if not pages:
                raise ConfigError(
                    f"no page titled '{parent_title}' in space {space_key}", "create it or set parent_page_id"
                )
            parent_id = str(pages[0]["id"])
        else:
            self._get(f"api/v2/pages/{parent_id}")
        return Target(space_key, space_id, parent_id)

    def find_managed(self, target: Target) -> list[ManagedPage]:
        return v1.managed_pages(self.client, self.caller, V1, target)

    def title_taken(self, target: Target, title: str) -> str | None:
        pages = self._get("api/v2/pages", {"space-id": target.space_id, "title": title}).get("results", [])
        return str(pages[0]["id"]) if pages else None

    def create_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        page = self.caller.call(
            lambda: self.client.create_page(
                space_id=target.space_id, title=title, body=body, parent_id=target.parent_id
            ),
            idempotent=False,
            kind="write",
        )
        page_id = str(page["id"])
        v1.add_labels(self.client, self.caller, V1, page_id, labels)
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, int(page["version"]["number"]), meta.entry_version)
        prop = self.caller.call(
            lambda: self.client.post(
                f"api/v2/pages/{page_id}/properties", data={"key": PROPERTY_KEY, "value": meta.to_json()}
            ),
            idempotent=False,
            kind="write",
        )
        return ManagedPage(page_id, title, meta.written_version, "", frozenset(labels), meta, str(prop["id"]), 1)

    def update_page(
        self, page: ManagedPage, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        number = page.version + 1
        payload = {
            "id": page.id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
            "version": {"number": number, "message": message},
        }
        self.caller.call(
            lambda: self.client.put(f"api/v2/pages/{page.id}", data=payload), idempotent=True, kind="write"
        )
        v1.add_labels(self.client, self.caller, V1, page.id, sorted(set(labels) - page.labels))
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, number, meta.entry_version)
        prop_id, prop_version = self._write_property(page, meta)
        return ManagedPage(page.id, title, number, "", frozenset(labels) | page.labels, meta, prop_id, prop_version)

    def _write_property(self, page: ManagedPage, meta: PageMeta) -> tuple[str, int]:
        if page.property_id is None:
            prop = self.caller.call(
                lambda: self.client.post(
                    f"api/v2/pages/{page.id}/properties", data={"key": PROPERTY_KEY, "value": meta.to_json()}
                ),
                idempotent=False,
                kind="write",
            )
            return str(prop["id"]), 1
        number = (page.property_version or 0) + 1
        data = {"key": PROPERTY_KEY, "value": meta.to_json(), "version": {"number": number}}
        self.caller.call(
            lambda: self.client.put(f"api/v2/pages/{page.id}/properties/{page.property_id}", data=data),
            idempotent=True,
            kind="write",
        )
        return page.property_id, number

    def page_url(self, page_id: str) -> str:
        return f"{self.base_url}/pages/viewpage.action?pageId={page_id}"
