"""Progress of a long run, on stderr: a rich bar on a terminal, a plain line now and then otherwise (cron
mail, CI logs). The run stages only call a `Progress` with (stage, done, total); they never know which.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        """`done` items of `stage` so far, out of `total` when it is known."""


def silent(stage: str, done: int, total: int | None = None) -> None:
    """The progress of a run nobody watches (tests, `--json`)."""


class PlainProgress:
    """A line every `every` seconds while a stage runs, and one when it ends if any was printed.

    Runs shorter than `every` print nothing, so a small job's cron mail stays as it was.
    """

    def __init__(
        self, stream: TextIO | None = None, every: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream, self.every, self.clock = stream, every, clock
        self._started = clock()
        self._last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        now = self.clock()
        last = self._last.get(stage, self._started)
        finished = total is not None and done >= total
        if now - last < self.every and not (finished and stage in self._last):
            return
        self._last[stage] = now
        of = f"/{total}" if total is not None else ""
        print(f"progress: {stage} {done}{of}", file=self.stream or sys.stderr, flush=True)


class BarProgress:
    """One rich bar per stage on the terminal's stderr, cleared when the run ends."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self._tasks[stage], completed=done, total=total)


@contextlib.contextmanager
def for_output(enabled: bool = True) -> Iterator[Progress]:
    """The progress that suits stderr: a bar on a terminal, plain lines elsewhere, nothing when disabled."""
    if not enabled:
        yield silent
        return
    if not sys.stderr.isatty():
        yield PlainProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield BarProgress(bar)
