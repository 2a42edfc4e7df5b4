"""Work that overlaps the caller's: requests to different places sent side by side, each on a thread of its own.

Every such pool comes from here, so a recording that must see each API's requests in one order can make
them run one after another (`Executor` swapped for one that runs a call when it is submitted).
"""

from __future__ import annotations

import ctypes
import os
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


# glibc's mallopt parameter for the most malloc arenas a process may have (`M_ARENA_MAX` in malloc.h).
_M_ARENA_MAX = -8


def few_arenas(count: int = 2) -> None:
    """At most `count` malloc arenas for the whole process, as `MALLOC_ARENA_MAX` would set (which, if set,
    wins). glibc gives each thread that allocates at once its own arena, up to eight per core, and each keeps
    the free space its thread left behind: with a run's pools passing responses of a megabyte or more around,
    that was 16 MB of the peak resident set of a no-change run over 5,000 entries, and 39 MB of a 1%-changed
    one. Anything other than glibc: nothing."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, count)
    except (OSError, AttributeError):
        return


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
