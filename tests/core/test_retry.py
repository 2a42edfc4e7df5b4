"""The retry policy and the rate limiter, with an injected clock: nothing here waits."""

from __future__ import annotations

import httpx
import pytest
import requests

from sync.ratelimit import TokenBucket
from sync.retry import ApiCaller, is_transient, retry_after


def http_error(status: int, headers: dict[str, str] | None = None) -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers or {})
    return requests.HTTPError(f"HTTP {status}", response=response)


class Flaky:
    """Fails with the given errors in turn, then answers."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def caller(sleeps: list[float]) -> ApiCaller:
    return ApiCaller("test", sleep=sleeps.append, attempts=4)


def test_429_is_retried_even_for_writes_waiting_retry_after() -> None:
    sleeps: list[float] = []
    flaky = Flaky(http_error(429, {"Retry-After": "4"}))
    assert caller(sleeps).call(flaky, idempotent=False) == "ok"
    assert (flaky.calls, sleeps) == (2, [4.0])


def test_5xx_is_retried_for_reads_only() -> None:
    sleeps: list[float] = []
    reads = caller(sleeps)
    assert reads.call(Flaky(http_error(503), http_error(502)), idempotent=True) == "ok"
    assert reads.retries == 2
    write = Flaky(http_error(500))
    with pytest.raises(requests.HTTPError):
        caller([]).call(write, idempotent=False)
    assert write.calls == 1


def test_connection_failures_are_retried_for_reads_only() -> None:
    assert caller([]).call(Flaky(httpx.RemoteProtocolError("dropped")), idempotent=True) == "ok"
    assert caller([]).call(Flaky(requests.ConnectionError("reset")), idempotent=True) == "ok"
    with pytest.raises(requests.Timeout):
        caller([]).call(Flaky(requests.Timeout("slow")), idempotent=False)


def test_4xx_other_than_429_is_never_retried() -> None:
    for status in (400, 401, 404, 409):
        assert not is_transient(http_error(status), idempotent=True)


def test_gives_up_after_the_attempts_with_the_original_error() -> None:
    sleeps: list[float] = []
    always = Flaky(*[http_error(503)] * 10)
    with pytest.raises(requests.HTTPError, match="HTTP 503"):
        caller(sleeps).call(always, idempotent=True)
    assert always.calls == 4 and len(sleeps) == 3


def test_retry_after_as_http_date_and_capped() -> None:
    dated = http_error(429, {"Retry-After": "Thu, 26 Nov 2026 10:00:30 GMT"})
    assert retry_after(dated, now=lambda: 1795687200.0) == 30.0  # 10:00:00 that day
    sleeps: list[float] = []
    slow = ApiCaller("test", sleep=sleeps.append, max_wait=60)
    slow.call(Flaky(http_error(429, {"Retry-After": "3600"})), idempotent=True)
    assert sleeps == [60]


def test_token_bucket_allows_a_burst_then_the_average_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=3, burst=2, clock=lambda: now[0])
    assert [bucket.try_take() for _ in range(2)] == [0, 0]
    assert bucket.try_take() == pytest.approx(1 / 3)
    now[0] += 1 / 3
    assert bucket.try_take() == 0

    def advance(seconds: float) -> None:
        now[0] += seconds

    assert bucket.take(sleep=advance) == pytest.approx(1 / 3)


def test_slots_hand_a_freed_slot_to_the_longest_waiter_not_back_to_the_thread_that_freed_it() -> None:
    import threading

    from sync.ratelimit import Slots

    slots = Slots(1)
    order: list[str] = []
    slots.__enter__()  # held by this thread
    waiting = threading.Event()

    def waiter() -> None:
        waiting.set()
        with slots:
            order.append("waiter")

    thread = threading.Thread(target=waiter)
    thread.start()
    assert waiting.wait(5)
    while not slots._waiting:  # the waiter is queued
        threading.Event().wait(0.001)
    slots.__exit__(None, None, None)
    taken_again = threading.Thread(
        target=lambda: (slots.__enter__(), order.append("freer"), slots.__exit__(None, None, None))
    )
    taken_again.start()  # the thread that freed it asks again at once: it queues behind the waiter
    thread.join(5)
    taken_again.join(5)
    assert order == ["waiter", "freer"]


def test_a_caller_keeps_its_requests_within_its_slots_and_a_call_inside_a_call_holds_its_callers() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sync.ratelimit import Slots

    api = ApiCaller("test", sleep=lambda s: None, in_flight=Slots(2))
    lock, now, most = threading.Lock(), [0], [0]
    started = threading.Barrier(2, timeout=5)

    def request() -> None:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        started.wait()  # two at once, always (the third never gets in beside them)
        with lock:
            now[0] -= 1

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: api.call(request, idempotent=True), range(6)))
    assert most[0] == 2 and api.requests == 6
    # A request made while one is held (an adapter call inside another's) takes no second slot: no deadlock.
    nested = ApiCaller("test", sleep=lambda s: None, in_flight=Slots(1))
    assert nested.call(lambda: nested.call(lambda: "inner", idempotent=True), idempotent=True) == "inner"
