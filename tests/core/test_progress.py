"""Progress lines for runs nobody watches live: quiet for short runs, a line now and then for long ones."""

from __future__ import annotations

import io

from sync.progress import PlainProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_short_run_prints_nothing() -> None:
    out, clock = io.StringIO(), Clock()
    shown = PlainProgress(out, every=10, clock=clock)
    for done in range(1, 6):
        clock.now += 1
        shown("apply", done, 5)
    assert out.getvalue() == ""


def test_a_long_run_prints_a_line_every_interval_and_one_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    shown = PlainProgress(out, every=10, clock=clock)
    for done in range(1, 31):
        clock.now += 1
        shown("read Notion", done * 100)
    for done in range(1, 26):
        clock.now += 1
        shown("apply", done, 25)
    assert out.getvalue().splitlines() == [
        "progress: read Notion 1000",
        "progress: read Notion 2000",
        "progress: read Notion 3000",
        "progress: apply 1/25",  # a long run says at once that a new stage began
        "progress: apply 11/25",
        "progress: apply 21/25",
        "progress: apply 25/25",
    ]
