"""What both Confluence surfaces share: the order of writes for a managed page, labels and the CQL listing
(v1 on both). Each surface supplies only its own calls for pages and content properties."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from atlassian.rest_client import AtlassianRestAPI

from sync.confluence import v1
from sync.confluence.base import ManagedPage, PageMeta, Target
from sync.retry import ApiCaller

V1 = "rest/api"


class Surface(ABC):
    flavor: str

    def __init__(self, client: AtlassianRestAPI, base_url: str, caller: ApiCaller, timeout: float) -> None:
        self.client, self.base_url, self.caller = client, base_url.rstrip("/"), caller
        self.client.timeout = timeout  # type: ignore[assignment]  # the constructor rounds to whole seconds

    # --- calls each surface makes its own way ------------------------------------------------------------
    @abstractmethod
    def _post_page(self, target: Target, title: str, body: str) -> dict[str, Any]: ...

    @abstractmethod
    def _put_page(self, page_id: str, number: int, title: str, body: str, message: str) -> None: ...

    @abstractmethod
    def _post_property(self, page_id: str, meta: PageMeta) -> str | None:
        """Create our content property; return its id where the surface addresses properties by id."""

    @abstractmethod
    def _put_property(self, page: ManagedPage, meta: PageMeta, number: int) -> None: ...

    # --- shared -----------------------------------------------------------------------------------------
    def read(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(lambda: self.client.get(path, params=params), idempotent=True)

    def write(self, call: Any, *, idempotent: bool) -> Any:
        """A write: retried on 429 always, on 5xx only when `idempotent` (version-checked or repeatable)."""
        return self.caller.call(call, idempotent=idempotent, kind="write")

    def find_managed(self, target: Target) -> list[ManagedPage]:
        return v1.managed_pages(self.client, self.caller, V1, target)

    def create_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        page = self._post_page(target, title, body)
        page_id = str(page["id"])
        v1.add_labels(self.client, self.caller, V1, page_id, labels)
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, int(page["version"]["number"]), meta.entry_version)
        property_id = self._post_property(page_id, meta)
        return ManagedPage(page_id, title, meta.written_version, "", frozenset(labels), meta, property_id, 1)

    def update_page(
        self, page: ManagedPage, title: str, body: str, labels: list[str], meta: PageMeta, message: str
    ) -> ManagedPage:
        number = page.version + 1
        self._put_page(page.id, number, title, body, message)
        v1.add_labels(self.client, self.caller, V1, page.id, sorted(set(labels) - page.labels))
        meta = PageMeta(meta.notion_page_id, meta.fingerprint, number, meta.entry_version)
        property_id, property_version = page.property_id, (page.property_version or 0) + 1
        if page.property_version is None:  # a page we manage whose property was lost: write it anew
            property_id, property_version = self._post_property(page.id, meta), 1
        else:
            self._put_property(page, meta, property_version)
        labelled = frozenset(labels) | page.labels
        return ManagedPage(page.id, title, number, "", labelled, meta, property_id, property_version)

    def page_url(self, page_id: str) -> str:
        return f"{self.base_url}/pages/viewpage.action?pageId={page_id}"
