"""The official notion-client, built the one way the sync uses it: its own retries off (tenacity does
them, honouring Retry-After on every method), a quiet logger, explicit timeouts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
from notion_client import Client

from sync import logs
from sync.config import Credentials

log = logging.getLogger("scenario_sync.notion")


class Http(httpx.Client):
    """httpx's client, whose answers go as soon as their caller lets them go. httpx binds each answer and its
    stream to each other (encode/httpx#3733), so only the cyclic collector frees an answer and its body, and a
    run keeps the collector slow (`run.collecting_rarely`): a first run's thousands of answers (bodies read,
    statuses written, each echoing its page) stayed in memory for minutes. Once the body is read and the stream
    closed, the answer drops the stream."""

    # Hears each answer read whole, before notion-client parses it (see `NotionReader.entries`).
    hear: Callable[[httpx.Request, httpx.Response], None] | None = None
    # Hears each request once it is written whole to its connection (httpx's `trace` extension).
    sent: Callable[[httpx.Request], None] | None = None

    def send(self, request: httpx.Request, *, stream: bool = False, **kwargs: Any) -> httpx.Response:
        if self.sent is not None:
            request.extensions = {**request.extensions, "trace": partial(_trace, self.sent, request)}
        response = super().send(request, stream=stream, **kwargs)
        if response.is_closed:  # read whole: `content` holds the body, the stream has nothing more to give
            response.stream = _READ
            if self.hear is not None:
                self.hear(request, response)
        return response


_READ = httpx.ByteStream(b"")


def _trace(sent: Callable[[httpx.Request], None], request: httpx.Request, event: str, info: dict[str, Any]) -> None:
    if event == "http11.send_request_body.complete":
        sent(request)


def make_client(
    credentials: Credentials, timeout_s: float = 30, transport: httpx.BaseTransport | None = None
) -> Client:
    token = credentials.notion_token.get_secret_value() if credentials.notion_token else None
    # Built without `with`: notion-client's context manager swaps in a fresh httpx client.
    # The event hooks only note method, path and status for the one log line each request gets.
    http = Http(transport=transport, event_hooks=logs.httpx_event_hooks())
    return Client(
        client=http,
        auth=token,
        base_url=credentials.notion_base_url.rstrip("/"),
        notion_version=credentials.notion_version,
        timeout_ms=int(timeout_s * 1000),
        retry=False,
        logger=log,
    )
