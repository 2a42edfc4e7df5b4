"""How every API call is made: one rate limiter per API, tenacity retries that cannot duplicate a write.

- 429 (and Notion's 529 overload) is retried on every method, waiting what Retry-After says (capped);
- 5xx, timeouts and dropped connections are retried only for calls marked idempotent: reads, and updates
  that carry a version number (a repeated one fails with 409 instead of writing twice);
- everything else is raised at once.
The clock and sleep are injected, so tests never wait.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import requests
from notion_client.errors import HTTPResponseError, RequestTimeoutError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from sync import logs
from sync.errors import http_status
from sync.ratelimit import Limiter, Slots

T = TypeVar("T")
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
_COUNTING = threading.Lock()  # the request counters, shared by the threads of one run
# Rate limited (429) or overloaded (Notion's 529 `service_overload`): the request was not served, so any
# method may be repeated once Retry-After has passed.
THROTTLED_STATUSES = frozenset({429, 529})


def retry_after(error: BaseException, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asked us to wait (delta-seconds or an HTTP date), if it said."""
    headers: Mapping[str, str] | None = None
    if isinstance(error, HTTPResponseError):
        headers = error.headers
    elif isinstance(error, requests.HTTPError) and error.response is not None:
        headers = error.response.headers
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now())
        except (TypeError, ValueError):
            return None


def is_connection_failure(error: BaseException) -> bool:
    if isinstance(error, httpx.LocalProtocolError):  # we built a request httpx refuses to send: not the network
        return False
    return isinstance(error, httpx.TransportError | RequestTimeoutError | requests.ConnectionError | requests.Timeout)


def is_transient(error: BaseException, idempotent: bool) -> bool:
    status = http_status(error)
    if status in THROTTLED_STATUSES:
        return True
    if not idempotent:
        return False
    return status in TRANSIENT_STATUSES or is_connection_failure(error)


@dataclass
class ApiCaller:
    """Calls one API: waits for the rate limiter, retries what is safe to retry, counts requests."""

    name: str
    limiter: Limiter | None = None
    attempts: int = 6
    max_wait: float = 60.0
    base_wait: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    # The run this caller serves, for the log lines of requests made from worker threads (a new thread
    # starts without the run's context).
    run_id: str | None = field(default_factory=logs.current_run_id)
    # At most this many requests at once, however many threads send them: a page is a chain of requests, so a
    # run writes more pages at once than it has slots, and each request waits for a slot, not for a page.
    in_flight: Slots | None = None
    _holding: threading.local = field(default_factory=threading.local, repr=False)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after(error) if error else None
        if asked is not None:
            return min(asked, self.max_wait)
        backoff = self.base_wait * 2 ** (state.attempt_number - 1)
        return min(self.max_wait, backoff / 2 + random.random() * backoff / 2)

    def _before_sleep(self, state: RetryCallState) -> None:
        with _COUNTING:
            self.retries += 1
            self.waited += state.upcoming_sleep

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        """A slot for one request (a call made inside another's holds its caller's: no thread waits on itself)."""
        if self.in_flight is None or getattr(self._holding, "slot", False):
            yield
            return
        with self.in_flight:
            self._holding.slot = True
            try:
                yield
            finally:
                self._holding.slot = False

    def call(self, fn: Callable[[], T], *, idempotent: bool, kind: str = "read") -> T:
        tries = 0

        def attempt() -> T:
            waited = self.limiter.take(self.sleep) if self.limiter is not None else 0.0
            with _COUNTING:  # writes run on several threads
                self.waited += waited
                self.requests += 1
                self.by_kind[kind] = self.by_kind.get(kind, 0) + 1
            nonlocal tries
            tries += 1
            with self._slot(), logs.api_request(self.name, retry=tries - 1, run_id=self.run_id):
                return fn()

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda e: is_transient(e, idempotent)),
            sleep=self.sleep,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        return retrying(attempt)
