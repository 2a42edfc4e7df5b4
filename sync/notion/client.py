"""The official notion-client, built the one way the sync uses it: its own retries off (tenacity does
them, honouring Retry-After on every method), a quiet logger, explicit timeouts."""

from __future__ import annotations

import logging

import httpx
from notion_client import Client

from sync import logs
from sync.config import Credentials

log = logging.getLogger("scenario_sync.notion")


def make_client(
    credentials: Credentials, timeout_s: float = 30, transport: httpx.BaseTransport | None = None
) -> Client:
    token = credentials.notion_token.get_secret_value() if credentials.notion_token else None
    # Built without `with`: notion-client's context manager swaps in a fresh httpx client.
    # The event hooks only note method, path and status for the one log line each request gets.
    http = httpx.Client(transport=transport, event_hooks=logs.httpx_event_hooks())
    return Client(
        client=http,
        auth=token,
        base_url=credentials.notion_base_url.rstrip("/"),
        notion_version=credentials.notion_version,
        timeout_ms=int(timeout_s * 1000),
        retry=False,
        logger=log,
    )
