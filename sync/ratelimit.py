"""A token bucket: the one rate limiter, used by the API clients and by the sandbox emulators."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate

    def take(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block (through `sleep`) until a token is taken; return the seconds waited."""
        waited = 0.0
        while (wait := self.try_take()) > 0:
            sleep(wait)
            waited += wait
        return waited
