"""When each job runs, and the loop that runs them: `scenario-sync schedule`.

Each job's cron expression is read in its own time zone (croniter). Across a daylight-saving change a job
whose time falls in the skipped hour runs when the clocks have moved on, and a job whose time falls in the
repeated hour runs once. A job never overlaps itself: a run still going when the next is due skips that one.
A failed run is logged and the job stays scheduled. The clock and the wait are injected, so tests never wait.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from sync import overlap
from sync.config import Job
from sync.errors import SyncError

log = logging.getLogger("sync.schedule")


def next_run(expression: str, zone: str, after: datetime) -> datetime:
    """The first time strictly after `after` (aware) that the job is due, in UTC.

    In UTC because Python compares and subtracts two times of one zone by their wall clocks, ignoring which
    of a repeated hour's two passes each is."""
    candidate: datetime = croniter(expression, after.astimezone(ZoneInfo(zone))).get_next(datetime)
    before: datetime = croniter(expression, candidate).get_prev(datetime)
    if before.replace(tzinfo=None) == candidate.replace(tzinfo=None) and before.utcoffset() != candidate.utcoffset():
        # The same wall-clock time again after the clocks went back: it already ran at the first one.
        candidate = croniter(expression, candidate).get_next(datetime)
    return candidate.astimezone(UTC)


def runs_between(expression: str, zone: str, start: datetime, end: datetime) -> list[datetime]:
    """Every due time in (start, end], in UTC."""
    times, current = [], start
    while (current := next_run(expression, zone, current)) <= end:
        times.append(current)
    return times


def describe_time(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    text = local.strftime("%Y-%m-%d %H:%M %Z")
    return f"{text} ({when.astimezone(UTC):%H:%M} UTC)" if local.utcoffset() else text


class Waker:
    """Wakes the loop early: from another thread, or from a signal (the loop waits on a socket, which a signal
    handler may write to without taking any lock)."""

    def __init__(self) -> None:
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # a full buffer means it is awake already; closed means stopped
            self._write.send(b"\0")

    def wait(self, seconds: float) -> None:
        select.select([self._read], [], [], max(0.0, seconds))
        with contextlib.suppress(OSError):  # drained
            while self._read.recv(512):
                pass

    def close(self) -> None:
        self._read.close()
        self._write.close()


@dataclass
class _Slot:
    job: Job
    due: datetime
    thread: threading.Thread | None = None
    runs: int = 0
    last_code: int | None = None


@dataclass
class Scheduler:
    """Runs each job of `load()` at its times with `execute(job) -> exit code`, each run in its own thread."""

    load: Callable[[], list[Job]]
    execute: Callable[[Job], int]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    wait: Callable[[float], None] | None = None
    slots: dict[str, _Slot] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.waker: Waker | None = None  # made by run_forever, which waits on it
        self._stop = self._reload = False
        self._lock = threading.Lock()

    # --- asked for from outside (signal handlers, other threads): flags and a wake-up, nothing else --------
    def request_stop(self) -> None:
        self._stop = True
        if self.waker is not None:
            self.waker.wake()

    def request_reload(self) -> None:
        self._reload = True
        if self.waker is not None:
            self.waker.wake()

    # --- the loop ------------------------------------------------------------------------------------------
    def configure(self) -> bool:
        """(Re)read the jobs; a file that fails to load keeps the jobs as they were. True when loaded."""
        try:
            jobs = self.load()
        except SyncError as error:
            if not self.slots:
                raise
            log.error("config not reloaded, keeping the previous jobs: %s (fix: %s)", error.message, error.fix)
            return False
        now = self.clock()
        with self._lock:
            previous = self.slots
            self.slots = {}
            for job in jobs:
                slot = _Slot(job, next_run(job.schedule, job.timezone, now))
                if job.name in previous:  # a run still going keeps counting as running
                    slot.thread, slot.runs = previous[job.name].thread, previous[job.name].runs
                self.slots[job.name] = slot
        for name in sorted(set(previous) - set(self.slots)):
            log.info("job %s: removed from the schedule", name)
        for slot in self.slots.values():
            log.info("job %s: next run %s", _label(slot.job), describe_time(slot.due, slot.job.timezone))
        return True

    def tick(self, now: datetime) -> list[str]:
        """Start every job that is due at `now`; the names started."""
        started = []
        with self._lock:
            for slot in self.slots.values():
                if slot.due > now:
                    continue
                if slot.thread is not None and slot.thread.is_alive():
                    log.warning(
                        "job %s: still running, skipped the run due %s",
                        _label(slot.job),
                        describe_time(slot.due, slot.job.timezone),
                    )
                else:
                    slot.thread = threading.Thread(target=self._run, args=(slot,), name=f"job-{slot.job.name}")
                    slot.thread.start()
                    started.append(slot.job.name)
                # Runs missed while the host slept or a run went on are not caught up: the next one is enough.
                slot.due = next_run(slot.job.schedule, slot.job.timezone, now)
        return started

    def _run(self, slot: _Slot) -> None:
        overlap.quiet()  # SIGTERM, SIGHUP's reload and Ctrl-C reach the loop waiting on the main thread
        job = slot.job
        log.info("job %s: run starts", _label(job))
        try:
            slot.last_code = self.execute(job)
            log.info("job %s: run finished, exit %s", _label(job), slot.last_code)
        except Exception:  # a failed run must not stop the schedule
            slot.last_code = None
            log.exception("job %s: run failed; the job stays scheduled", _label(job))
        finally:
            slot.runs += 1
            log.info("job %s: next run %s", _label(job), describe_time(slot.due, slot.job.timezone))

    def running(self) -> list[threading.Thread]:
        with self._lock:
            return [s.thread for s in self.slots.values() if s.thread is not None and s.thread.is_alive()]

    def join(self) -> None:
        for thread in self.running():
            thread.join()

    def run_forever(self) -> None:
        """Until `request_stop()`: start due jobs, sleep until the next is due; then wait for runs going on."""
        self.waker = Waker()
        try:
            self._loop(self.wait or self.waker.wait)
        finally:
            self.waker.close()
            self.waker = None

    def _loop(self, wait: Callable[[float], None]) -> None:
        self.configure()
        while not self._stop:
            if self._reload:
                self._reload = False
                log.info("reloading the config")
                self.configure()
            now = self.clock()
            self.tick(now)
            with self._lock:
                soonest = min((s.due for s in self.slots.values()), default=None)
            wait((soonest - self.clock()).total_seconds() if soonest else 3600.0)
        going = self.running()
        if going:
            log.info("stopping: waiting for %s to finish", ", ".join(t.name.removeprefix("job-") for t in going))
        self.join()
        log.info("stopped")


def _label(job: Job) -> str:
    return f"{job.name} (sandbox)" if job.sandbox is not None else job.name
