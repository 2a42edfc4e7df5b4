"""Notion's per-minute budget and its 529 overload, in the sync's limiter and retry policy (injected clock)."""

from __future__ import annotations

import ast

import httpx
import pytest
from notion_client.errors import APIResponseError

from sync import limits, session
from sync.limits import NOTION_WINDOW_MARGIN_S
from sync.ratelimit import TokenBucket, WindowBudget
from sync.retry import ApiCaller
from tests.conftest import ROOT


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def test_the_budget_may_be_spent_in_one_burst_then_waits_for_the_window() -> None:
    clock = Clock()
    budget = WindowBudget(180, 60, clock)
    assert [budget.try_take() for _ in range(180)] == [0.0] * 180
    clock.t += 15
    assert budget.try_take() == pytest.approx(45.0)  # seconds until the window resets
    clock.t += 45
    assert budget.try_take() == 0.0
    waited = WindowBudget(2, 60, clock)
    waited.take(clock.sleep), waited.take(clock.sleep)
    assert waited.take(clock.sleep) == pytest.approx(60.0)


def test_a_client_counting_its_windows_with_the_margin_never_meets_the_servers_old_window() -> None:
    # Requests reach the server up to 0.3 s after they leave: here the first one is the slowest.
    def refused(margin: float) -> int:
        clock, arrival = Clock(), [0.0]
        client, server = WindowBudget(180, 60, clock, margin), WindowBudget(180, 60, lambda: arrival[0])
        refusals = 0
        for number in range(180 * 4):
            client.take(clock.sleep)
            arrival[0] = clock.t + (0.3 if number == 0 else 0.0)
            refusals += server.try_take() > 0
            clock.t += 0.01
        return refusals

    assert refused(0.0) > 0  # the next window's first requests meet the server's old one
    assert refused(NOTION_WINDOW_MARGIN_S) == 0


def test_the_sandbox_never_refuses_a_sync_within_its_own_confluence_rate() -> None:
    # The same rate, twice the burst. The worst case for the sandbox: half of a full burst arrives late, just
    # as the sync's refilled bucket sends the next full burst.
    def refused(sandbox_burst: int) -> int:
        clock, arrived = Clock(), [0.0]
        client = TokenBucket(limits.CONFLUENCE_RATE, limits.CONFLUENCE_BURST, clock)
        sandbox = TokenBucket(limits.SANDBOX_CONFLUENCE_RATE, sandbox_burst, lambda: arrived[0])
        burst = limits.CONFLUENCE_BURST
        for _ in range(burst):
            client.take(clock.sleep)
        on_time, late = burst // 2, burst - burst // 2
        refusals = sum(sandbox.try_take() > 0 for _ in range(on_time))
        clock.t = arrived[0] = 10.0  # the late half arrives now, with the next burst
        for _ in range(burst):
            client.take(clock.sleep)
        return refusals + sum(sandbox.try_take() > 0 for _ in range(late + burst))

    assert refused(limits.CONFLUENCE_BURST) > 0  # a sandbox as tight as the sync would refuse it
    assert refused(limits.SANDBOX_CONFLUENCE_BURST) == 0
    assert limits.SANDBOX_CONFLUENCE_RATE == limits.CONFLUENCE_RATE


def overload(retry_after: str) -> APIResponseError:
    headers = httpx.Headers({"Retry-After": retry_after})
    return APIResponseError("service_overload", 529, "Notion is experiencing high load.", headers, "{}")


def test_529_service_overload_is_retried_like_429_even_for_writes() -> None:
    sleeps: list[float] = []
    calls = []

    def create() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise overload("7")
        return "ok"

    assert ApiCaller("notion", sleep=sleeps.append).call(create, idempotent=False) == "ok"
    assert sleeps == [7.0] and len(calls) == 2


def test_rate_constants_live_in_one_place() -> None:
    """No module but sync/limits.py defines a rate, burst or per-minute constant."""
    defined = []
    for path in (ROOT / "sync").rglob("*.py"):
        if path.name == "limits.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            defined += [
                f"{path.name}:{n}" for n in names if n.isupper() and ("RATE" in n or "BURST" in n or "PER_MINUTE" in n)
            ]
    assert defined == []
    assert not hasattr(session, "NOTION_RATE")
    assert limits.NOTION_PER_MINUTE == 180 and limits.NOTION_PLANS["business"] == 600


@pytest.mark.parametrize("start", [0.1, 12345.678, 9.87e6])
def test_waiting_the_answered_time_always_frees_a_request(start: float) -> None:
    """Sleeping exactly the answered wait must be enough, whatever float rounding does to the clock."""
    from sync.ratelimit import TokenBucket

    clock = Clock()
    clock.t = start
    budget, bucket = WindowBudget(3, 60, clock), TokenBucket(3.0, 3, clock)
    for limiter in (budget, bucket):
        for _ in range(50):
            limiter.take(clock.sleep)  # returns: never spins on a remainder too small to move the clock
    assert clock.t > start
