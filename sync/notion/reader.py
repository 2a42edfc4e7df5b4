"""Read a scenario data source: its schema, then its entries 100 at a time, asking only for the
properties the mapping needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, cast

from notion_client import Client

from sync.retry import ApiCaller

PAGE_SIZE = 100


class NotionReader:
    def __init__(self, client: Client, caller: ApiCaller) -> None:
        self.client, self.caller = client, caller

    def schema(self, data_source_id: str) -> dict[str, dict[str, Any]]:
        """Property name → {id, type, …} as the data source declares them."""
        source = self._call(lambda: self.client.data_sources.retrieve(data_source_id))
        return source.get("properties", {})

    def _call(self, request: Callable[[], Any]) -> dict[str, Any]:
        # The sync client answers dicts; notion-client types its answers for the async client too.
        return cast(dict[str, Any], self.caller.call(request, idempotent=True))

    def entries(self, data_source_id: str, property_ids: list[str]) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"page_size": PAGE_SIZE, "filter_properties": property_ids}
            if cursor:
                kwargs["start_cursor"] = cursor
            # A query is a POST that only reads: safe to retry on 5xx and timeouts.
            response = self._call(partial(self.client.data_sources.query, data_source_id, **kwargs))
            pages.extend(p for p in response["results"] if not p.get("in_trash") and not p.get("archived"))
            if not response.get("has_more"):
                return pages
            cursor = response["next_cursor"]
