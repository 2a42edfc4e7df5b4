"""Notion's listing asks for its next page as soon as the cursor is in the bytes of the answer before it, not
once the client has parsed that answer: the parse (a megabyte of JSON a page) competes with the run's own work
on the entries beside it, and every request that waited for it waited on the run. And the answer is parsed
only once that request is written: the parse holds the interpreter in one piece, so a request still to be
written waited for all of it."""

from __future__ import annotations

import json
import threading

import httpcore
import httpx
import pytest

from sync.notion.client import make_client
from sync.notion.reader import NotionReader, _NextPage
from sync.retry import ApiCaller
from tests.conftest import no_sleep
from tests.e2e.helpers import bulk_sandbox

QUERY = "/v1/data_sources/ds-1/query"


def test_the_next_page_is_asked_for_while_the_answer_before_it_is_parsed(make_sandbox, monkeypatch) -> None:
    """No timing: the parse of each page of results that has more is held until Notion has been asked for the
    next page (or 10 s pass)."""
    sandbox = bulk_sandbox(make_sandbox, 250)  # three pages of results
    data_source = sandbox.info["data_source_id"]
    asked = {"count": 0, "events": [threading.Event() for _ in range(3)]}
    app, real_dispatch, real_json = sandbox.notion, sandbox.notion.dispatch, httpx.Response.json
    in_time: list[bool] = []

    def counted(endpoint, request, args):
        if request.path.endswith("/query"):
            asked["events"][asked["count"]].set()
            asked["count"] += 1
        return real_dispatch(endpoint, request, args)

    def held_json(self: httpx.Response, **kwargs):
        if self.request.url.path.endswith("/query") and b'"has_more": true' in self.content.replace(
            b'":true', b'": true'
        ):
            following = asked["events"][len(in_time) + 1]
            in_time.append(following.wait(10))
        return real_json(self, **kwargs)

    monkeypatch.setattr(app, "dispatch", counted)
    monkeypatch.setattr(httpx.Response, "json", held_json)
    client = make_client(sandbox.credentials())
    try:
        listed = NotionReader(client, ApiCaller("notion", sleep=no_sleep)).entries(data_source, [])
    finally:
        client.close()

    assert len(listed) == 250 and asked["count"] == 3  # each page once, none for nothing
    assert in_time == [True, True], "a page was asked for only once the answer before it was parsed"


def test_an_answer_is_parsed_once_the_request_for_the_next_page_is_written(make_sandbox, monkeypatch) -> None:
    monkeypatch.setattr("sync.notion.reader.SEND_WAIT_S", 10.0)  # no timing: the parse waits as long as it takes
    sandbox = bulk_sandbox(make_sandbox, 250)  # three pages of results
    order: list[tuple[str, str]] = []
    real_write, real_json = httpcore._backends.sync.SyncStream.write, httpx.Response.json

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        real_write(self, buffer, timeout)
        if b'"start_cursor"' in buffer:
            order.append(("written", json.loads(buffer[buffer.index(b"{") :])["start_cursor"]))

    def parsed(self: httpx.Response, **kwargs):
        value = real_json(self, **kwargs)
        if self.request.url.path.endswith("/query") and value.get("has_more"):
            order.append(("parsed", value["next_cursor"]))
        return value

    monkeypatch.setattr(httpcore._backends.sync.SyncStream, "write", write)
    monkeypatch.setattr(httpx.Response, "json", parsed)
    client = make_client(sandbox.credentials())
    try:
        NotionReader(client, ApiCaller("notion", sleep=no_sleep)).entries(sandbox.info["data_source_id"], [])
    finally:
        client.close()

    cursors = [cursor for what, cursor in order if what == "parsed"]
    assert len(cursors) == 2
    for cursor in cursors:  # the next page's request on the wire, then the answer naming it parsed
        assert order.index(("written", cursor)) < order.index(("parsed", cursor)), order


def _answer(start_cursor: str | None, body: dict) -> tuple[httpx.Request, httpx.Response]:
    content = {} if start_cursor is None else {"start_cursor": start_cursor}
    request = httpx.Request("POST", f"https://api.notion.com{QUERY}", json=content)
    return request, httpx.Response(200, content=json.dumps(body).encode(), request=request)


def test_only_the_awaited_page_reads_ahead_and_a_cursor_in_the_text_is_not_one() -> None:
    asked: list[str | None] = []
    ahead = _NextPage(lambda cursor: asked.append(cursor) or {"results": []}, "ds-1")
    hostile = {"rich_text": '"next_cursor":"c-9" ' + "x" * 5_000}  # as a person could type it
    # The first page names c-2 (a text inside it names c-9, escaped in the JSON): c-2 is asked for at once.
    ahead._heard(*_answer(None, {"results": [hostile], "next_cursor": "c-2", "has_more": True}))
    following = ahead.take("c-2")
    assert following() == {"results": []} and asked == ["c-2"]
    # An answer for a page the listing does not await yet (it is a page ahead) reads nothing further ahead.
    ahead._heard(*_answer("c-5", {"results": [], "next_cursor": "c-6", "has_more": True}))
    # The last page names no next one.
    ahead._heard(*_answer("c-2", {"results": [], "next_cursor": None, "has_more": False}))
    assert asked == ["c-2"]
    # A page not read ahead is asked for when the listing takes it.
    assert ahead.take("c-3")() == {"results": []} and asked == ["c-2", "c-3"]


@pytest.mark.parametrize("status", [429, 500])
def test_an_answer_that_is_no_page_reads_nothing_ahead(status) -> None:
    asked: list[str | None] = []
    ahead = _NextPage(lambda cursor: asked.append(cursor) or {}, "ds-1")
    request, _ = _answer(None, {})
    refused = httpx.Response(status, content=b'{"object": "error", "next_cursor": "c-2"}', request=request)
    ahead._heard(request, refused)
    assert asked == []
