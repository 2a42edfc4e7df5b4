"""The rate limiters, used by the API clients and by the sandbox emulators: a token bucket, and Notion's
fixed per-minute budget; and the slots that keep a few requests in flight."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType

MIN_WAIT = 0.001  # seconds: the shortest sleep a limiter asks for


class TokenBucket:
    """`rate` tokens per second on average, up to `burst` at once.

    The clock is injected so tests can move time instead of sleeping.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_take(self) -> float:
        """Take a token if one is there: return 0. Otherwise return the seconds until one is."""
        with self._lock:
            self._refill()
            if self._tokens >= 1 - 1e-9:  # after sleeping the answered wait, rounding may leave a hair short
                self._tokens = max(0.0, self._tokens - 1)
                return 0.0
            return (1 - self._tokens) / self.rate

    def take(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block (through `sleep`) until a token is taken; return the seconds waited."""
        return _take(self.try_take, sleep)


class WindowBudget:
    """`limit` requests per fixed `window` of seconds, spendable at any pace (Notion's per-connection budget).

    The window starts with the first request after the previous one ended; `try_take` answers the seconds
    until the window resets when the budget is spent, which is what Notion's Retry-After says. A client
    counts its windows `margin` seconds longer: its window starts as a request leaves, the server's only as it
    arrives, so a new window's burst sent on the client's second would meet the server's old window (429s).
    """

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic, margin: float = 0.0
    ) -> None:
        if limit < 1 or window <= 0 or margin < 0:
            raise ValueError("limit must be >= 1, window > 0 and margin >= 0")
        self.limit, self.window = limit, window + margin
        self._clock = clock
        self._start: float | None = None
        self._used = 0
        self._lock = threading.Lock()

    def try_take(self) -> float:
        with self._lock:
            now = self._clock()
            # A hair's tolerance: after sleeping exactly the answered wait, float rounding must not leave a
            # remainder too small to move the clock (a waiter would spin on it for ever).
            if self._start is None or now - self._start >= self.window - 1e-6:
                self._start, self._used = now, 0
            if self._used < self.limit:
                self._used += 1
                return 0.0
            return self._start + self.window - now

    def take(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block (through `sleep`) until the budget allows a request; return the seconds waited."""
        return _take(self.try_take, sleep)


def _take(try_take: Callable[[], float], sleep: Callable[[float], None]) -> float:
    waited = 0.0
    while (wait := try_take()) > 0:
        wait = max(wait, MIN_WAIT)  # a remainder too small to move the clock would spin for ever
        sleep(wait)
        waited += wait
    return waited


Limiter = TokenBucket | WindowBudget


class Slots:
    """At most `count` holders at once, and a freed slot goes to the longest waiter.

    Not `threading.Semaphore`: there the thread that frees a slot takes it again at once for its next request,
    so pages written a few at a time go in lockstep (each chain of requests to its end before the next page
    starts) and the last page of a run goes alone, one request at a time, while the other slots stay idle.
    """

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("count must be >= 1")
        self._free = count
        self._lock = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder who hands its slot over

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
