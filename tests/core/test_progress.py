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


def test_a_terminal_gets_one_bar_per_stage() -> None:
    from rich.console import Console
    from rich.progress import Progress as RichProgress

    from sync.progress import BarProgress

    with RichProgress(console=Console(file=io.StringIO(), force_terminal=True)) as bar:
        shown = BarProgress(bar)
        shown("read Notion", 100)
        shown("read Notion", 200)
        shown("apply", 1, 3)
        shown("apply", 3, 3)
        tasks = {task.description: task for task in bar.tasks}
    assert tasks["read Notion"].completed == 200 and tasks["read Notion"].total is None
    assert tasks["apply"].completed == 3 and tasks["apply"].finished


def test_the_output_decides_bar_lines_or_nothing(monkeypatch) -> None:
    import sys

    from sync.progress import BarProgress, for_output, silent

    with for_output(enabled=False) as shown:
        assert shown is silent
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with for_output() as shown:
        assert isinstance(shown, PlainProgress)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with for_output() as shown:
        assert isinstance(shown, BarProgress)
