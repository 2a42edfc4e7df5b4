"""Read a scenario data source: its schema, then its entries 100 at a time, asking only for the
properties the mapping needs; and, for the entries that need it, the page body with every nested block
and the Notion-hosted files it shows (their links expire within the hour, so they are fetched now)."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, cast

import httpx
from notion_client import Client

from sync import overlap
from sync.errors import http_status
from sync.limits import NOTION_PAGE_SIZE
from sync.notion.client import Http
from sync.retry import ApiCaller

PAGE_SIZE = NOTION_PAGE_SIZE
# Far deeper than any list a person writes; stops a pathological body from recursing without end.
MAX_DEPTH = 256
# What could not be read in a body: what was found, and what to do about it.
Trouble = tuple[str, str]
_NOT_CHILDREN = ("child_page", "child_database")  # other pages, not part of this one's body
# Strings up to this length are kept once per listing (ids, names, colours, dates, types); longer ones once
# per page (a rich text's `plain_text` repeats its `content`).
_SHORT = 64


class _Shared:
    """Keeps a listing's pages small while a run holds them all: a page as parsed is some 40 KB, mostly
    small objects that repeat from page to page (the same annotations, options, users, property ids).

    Equal short strings, and equal flat objects of short strings, booleans, whole numbers and nulls, become
    one object for the whole listing; equal long strings one object per page. Each page stays equal to what
    Notion answered (the same JSON, so the same fingerprints); nothing that reads the pages changes them in
    place, which sharing requires.
    """

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._flat: dict[tuple[tuple[str, type, Any], ...], dict[str, Any]] = {}

    def page(self, page: dict[str, Any]) -> dict[str, Any]:
        return self._object(page, {})

    def _object(self, value: dict[str, Any], local: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        flat = True
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                if len(item) <= _SHORT:
                    item = self._strings.setdefault(item, item)
                else:
                    item, flat = local.setdefault(item, item), False
            elif kind is dict:
                item, flat = self._object(item, local), False
            elif kind is list:
                item, flat = self._list(item, local), False
            elif item is not None and kind is not bool and kind is not int:
                flat = False
            out[key] = item
        if not flat:
            return out
        # The type is part of the key: True == 1, yet `true` and `1` are different JSON.
        return self._flat.setdefault(tuple((k, type(v), v) for k, v in out.items()), out)

    def _list(self, value: list[Any], local: dict[str, str]) -> list[Any]:
        out: list[Any] = []
        for item in value:
            kind = type(item)
            if kind is dict:
                item = self._object(item, local)
            elif kind is list:
                item = self._list(item, local)
            elif kind is str:
                item = self._strings.setdefault(item, item) if len(item) <= _SHORT else local.setdefault(item, item)
            out.append(item)
        return out


_CURSOR = re.compile(rb'"next_cursor"\s*:\s*"([^"\\]+)"')
# How long the answer before waits to be parsed while its next page is asked for (see `_NextPage._heard`): a
# request the client's limiter holds back longer goes when it may, and the parse need not wait for it.
SEND_WAIT_S = 0.05


class _NextPage:
    """A listing's next page, asked for as soon as its cursor is in the bytes of the answer before it: the
    client parses a page of results (a megabyte of JSON) while the run works on the entries beside it, and a
    request that waited for that parse waited on the run. Read ahead only from the page the listing awaits,
    so at most one page is on its way beyond the one it keeps; a cursor read wrong is only a request made
    for nothing (the listing asks for the page its parsed answer names).

    The answer is parsed only once that request is on the wire (or `SEND_WAIT_S` has passed): the parse holds
    the interpreter for tens of milliseconds in one piece, and a request that had to wait for it to be sent
    waited on it as before."""

    def __init__(self, query: Callable[[str | None], dict[str, Any]], data_source_id: str) -> None:
        self._query, self._path = query, f"/data_sources/{data_source_id}/query"
        self._lock = threading.Lock()
        self._awaited: str | None = None  # the cursor of the page the listing waits for (None: the first)
        self._started: dict[str, Callable[[], dict[str, Any]]] = {}
        self._sending: dict[str, threading.Event] = {}  # set once the page's request is written (or has ended)

    @contextlib.contextmanager
    def hearing(self, client: Client) -> Iterator[None]:
        http = getattr(client, "client", None)
        if not isinstance(http, Http):  # a client built another way: the next page waits for the parse
            yield
            return
        http.hear, http.sent = self._heard, self._sent
        try:
            yield
        finally:
            http.hear = http.sent = None

    def _heard(self, request: httpx.Request, response: httpx.Response) -> None:
        if response.status_code != 200 or request.method != "POST" or not request.url.path.endswith(self._path):
            return
        asked = self._cursor(request)
        found = _CURSOR.search(response.content, max(0, response.content.rfind(b'"next_cursor"')))
        with self._lock:
            if asked != self._awaited or found is None:
                return
            cursor = found.group(1).decode()
            if cursor in self._started:
                return
            sending = self._sending[cursor] = threading.Event()
            self._started[cursor] = overlap.start(partial(self._ask, cursor, sending))
        sending.wait(SEND_WAIT_S)

    def _ask(self, cursor: str, sending: threading.Event) -> dict[str, Any]:
        try:
            return self._query(cursor)
        finally:
            sending.set()

    def _sent(self, request: httpx.Request) -> None:
        if request.method != "POST" or not request.url.path.endswith(self._path):
            return
        with self._lock:
            sending = self._sending.pop(self._cursor(request) or "", None)
        if sending is not None:
            sending.set()

    @staticmethod
    def _cursor(request: httpx.Request) -> str | None:
        return json.loads(request.content or b"{}").get("start_cursor")

    def take(self, cursor: str) -> Callable[[], dict[str, Any]]:
        """The page `cursor` names, on its way (the function returned waits for it)."""
        with self._lock:
            self._awaited = cursor
            started = self._started.pop(cursor, None)
        return started or overlap.start(partial(self._query, cursor))


class NotionReader:
    def __init__(self, client: Client, caller: ApiCaller, timeout_s: float = 30) -> None:
        self.client, self.caller = client, caller
        self._timeout = timeout_s
        self._files: httpx.Client | None = None
        self._files_lock = threading.Lock()
        self._me: str | None = None
        # Downloads go to Notion's file storage, not its API: retried, but outside the API's budget.
        self._files_caller = ApiCaller("notion files", sleep=caller.sleep)

    def schema(self, data_source_id: str) -> dict[str, dict[str, Any]]:
        """Property name → {id, type, …} as the data source declares them."""
        source = self._call(lambda: self.client.data_sources.retrieve(data_source_id))
        return source.get("properties", {})

    def data_source(self, data_source_id: str) -> dict[str, Any]:
        return self._call(lambda: self.client.data_sources.retrieve(data_source_id))

    def bot_id(self) -> str:
        """The integration's own user id (its edits, like status write-back, are not content changes)."""
        if self._me is None:
            self._me = str(self._call(lambda: self.client.users.me())["id"])
        return self._me

    def _call(self, request: Callable[[], Any]) -> dict[str, Any]:
        # The sync client answers dicts; notion-client types its answers for the async client too.
        return cast(dict[str, Any], self.caller.call(request, idempotent=True))

    def entries(
        self,
        data_source_id: str,
        property_ids: list[str],
        on_page: Callable[[int], None] | None = None,
        keep: Callable[[dict[str, Any]], Any] | None = None,
        on_last: Callable[[], None] | None = None,
    ) -> list[Any]:
        """Every entry not in the trash; `on_page` hears how many were read after each page of results, and
        `on_last` that the last page has come, before its entries are kept. With `keep`, what it makes of each
        page is kept instead of the page (two pages of results at a time are held).

        The next page of results is asked for as soon as its cursor is known (see `_NextPage`), so the time
        spent keeping one page's entries passes while the next one is on its way."""
        pages: list[Any] = []
        shared = _Shared()
        ahead = _NextPage(partial(self._query, data_source_id, property_ids), data_source_id)
        with ahead.hearing(self.client):
            response = self._query(data_source_id, property_ids, None)
            while True:
                following = ahead.take(response["next_cursor"]) if response.get("has_more") else None
                if following is None and on_last is not None:
                    on_last()
                kept = (p for p in response["results"] if not p.get("in_trash") and not p.get("archived"))
                pages.extend((keep or shared.page)(p) for p in kept)
                if on_page is not None:
                    on_page(len(pages))
                if following is None:
                    return pages
                del response, kept
                response = following()

    def _query(self, data_source_id: str, property_ids: list[str], cursor: str | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"page_size": PAGE_SIZE, "filter_properties": property_ids}
        if cursor:
            kwargs["start_cursor"] = cursor
        # A query is a POST that only reads: safe to retry on 5xx and timeouts.
        return self._call(partial(self.client.data_sources.query, data_source_id, **kwargs))

    # --- page bodies ----------------------------------------------------------------------------------
    def children(self, block_id: str) -> list[dict[str, Any]]:
        """One level of children, every page of them."""
        blocks: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"page_size": PAGE_SIZE}
            if cursor:
                kwargs["start_cursor"] = cursor
            response = self._call(partial(self.client.blocks.children.list, block_id, **kwargs))
            blocks.extend(response["results"])
            if not response.get("has_more"):
                return blocks
            cursor = response["next_cursor"]

    def body(self, page_id: str) -> tuple[list[dict[str, Any]], list[Trouble]]:
        """The page's blocks with their children under `children`, and what could not be read, in words.

        Refusals of the page itself (403, 404) are raised: the entry then reports that its body is closed.
        """
        problems: list[Trouble] = []
        blocks = self.children(page_id)
        self._fill(blocks, problems, 1)
        return blocks, problems

    def _fill(self, blocks: list[dict[str, Any]], problems: list[Trouble], depth: int) -> None:
        for block in blocks:
            kind = block.get("type", "")
            if kind in _NOT_CHILDREN:
                continue
            source = None
            if kind == "synced_block":  # a copy: its content lives under the original block
                source = ((block.get(kind) or {}).get("synced_from") or {}).get("block_id")
            if source is None and not block.get("has_children"):
                continue
            if depth >= MAX_DEPTH:
                found = f"blocks are nested deeper than {MAX_DEPTH} levels"
                problems.append((found, "flatten the deepest lists; the deeper levels were left out"))
                return
            try:
                block["children"] = self.children(source or block["id"])
            except Exception as error:
                if source is None or http_status(error) not in (403, 404):
                    raise
                # A synced block copied from a page the integration cannot see: say so, read the rest.
                block["unreadable"] = True
                problems.append(
                    (
                        "a synced block shows content from a page not shared with the integration",
                        "share that page with the integration, or remove the synced block",
                    )
                )
                continue
            self._fill(block["children"], problems, depth + 1)

    def download(self, url: str) -> bytes:
        """A Notion-hosted file, fetched from its signed link (never with our token: the link is its own key)."""
        with self._files_lock:
            if self._files is None:
                self._files = httpx.Client(timeout=self._timeout, follow_redirects=True)
            files = self._files

        def fetch() -> bytes:
            response = files.get(url)
            response.raise_for_status()
            return response.content

        return self._files_caller.call(fetch, idempotent=True, kind="file")

    def close(self) -> None:
        if self._files is not None:
            self._files.close()
