"""Fault injection and traffic settings shared by both emulators.

A fault matches requests by method and path (a regular expression searched in the path), lets `skip`
matching requests through, then applies to the next `times` of them. Kinds:

- ``status``: answer with an error status in the API's own error shape (429 carries Retry-After);
- ``slow``: wait `delay` seconds, then answer normally (client timeouts);
- ``drop``: close the connection without answering;
- ``lost``: apply the request, then lose the answer: close the connection (or, with `delay`, answer only after
  it, so the client has timed out). The write happened; the client cannot know it did.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

from sync.limits import NOTION_WINDOW_S
from sync.ratelimit import Limiter, TokenBucket, WindowBudget

FaultKind = Literal["status", "slow", "drop", "lost"]


@dataclass
class Fault:
    kind: FaultKind = "status"
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    method: str | None = None
    path: str | None = None
    times: int = 1
    skip: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path and not re.search(self.path, path))

    @classmethod
    def from_dict(cls, data: dict) -> Fault:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class RequestRecord:
    method: str
    path: str
    query: str
    status: int = 0
    fault: str | None = None
    write: bool = False


@dataclass
class Traffic:
    """Latency, rate limit, faults and the request log of one emulator."""

    latency_ms: float = 0.0
    rate: float | None = None
    burst: int = 1
    per_minute: int | None = None  # a fixed budget per window instead of a token bucket (Notion)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    faults: list[Fault] = field(default_factory=list)
    log: list[RequestRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._bucket: Limiter | None = None
        if self.per_minute:
            self.set_budget(self.per_minute)
        else:
            self.set_rate_limit(self.rate, self.burst)

    def set_rate_limit(self, rate: float | None, burst: int = 1) -> None:
        self.rate, self.burst, self.per_minute = rate, burst, None
        self._bucket = TokenBucket(rate, burst, self.clock) if rate else None

    def set_budget(self, per_minute: int | None, window: float = NOTION_WINDOW_S) -> None:
        """Notion's per-connection budget: `per_minute` requests per fixed window, at any pace."""
        self.rate, self.per_minute = None, per_minute
        self._bucket = WindowBudget(per_minute, window, self.clock) if per_minute else None

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.log.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.fired >= fault.times or not fault.matches(method, path):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.fired += 1
                return fault
        return None

    def rate_limit_wait(self) -> float:
        """0 when the request may pass, else the seconds the client should wait."""
        return self._bucket.try_take() if self._bucket else 0.0

    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self.log.append(record)

    def requests(self, method: str | None = None, path: str | None = None) -> list[RequestRecord]:
        """The logged requests, optionally filtered like a fault (method, path regex)."""
        probe = Fault(method=method, path=path)
        with self._lock:
            return [r for r in self.log if probe.matches(r.method, r.path)]

    def writes(self) -> list[RequestRecord]:
        """Requests that changed state (a POST that only reads, like a Notion query, is not one)."""
        return [r for r in self.requests() if r.write]

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "rate": self.rate,
                "burst": self.burst,
                "per_minute": self.per_minute,
                "faults": [asdict(f) for f in self.faults],
                "requests": [asdict(r) for r in self.log],
            }
