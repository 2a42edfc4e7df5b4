"""Work that overlaps the caller's: requests to different places sent side by side, each on a thread of its own.

Every such pool comes from here, so a recording that must see each API's requests in one order can make
them run one after another (`Executor` swapped for one that runs a call when it is submitted).
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def quiet() -> None:
    """This thread leaves Ctrl-C, SIGTERM and SIGHUP to the main thread. Python runs signal handlers only there,
    and a signal the kernel hands to a worker leaves the main thread waiting on its request (a minute, were the
    answer slow) before the handler runs."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


# The executor class the pools are made of.
Pool: Callable[[int], Executor] = lambda workers: ThreadPoolExecutor(max_workers=workers, initializer=quiet)  # noqa: E731


def pool(workers: int) -> Executor:
    """A pool for work beside the caller's; used as a context manager, it waits for all of it on exit."""
    return Pool(workers)


def start(call: Callable[[], T]) -> Callable[[], T]:
    """`call` started now, beside the caller; the function returned waits for its answer (or its error)."""
    executor = Pool(1)
    future = executor.submit(call)
    executor.shutdown(wait=False)
    return future.result
