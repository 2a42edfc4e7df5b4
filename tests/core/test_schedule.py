"""When jobs run: cron read in each job's time zone, across daylight-saving changes; the loop that runs them
never overlaps a job with itself and survives a failed run. The clock is injected; nothing waits."""

from __future__ import annotations

import itertools
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync.config import ConfluenceTarget, Job, load_schedule
from sync.errors import ConfigError
from sync.schedule import Scheduler, next_run, runs_between


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def job(name: str = "team", schedule: str = "0 6 * * 1-5", timezone: str = "UTC") -> Job:
    return Job(
        name=name,
        schedule=schedule,
        timezone=timezone,
        mapping=Path("m.yaml"),
        confluence=ConfluenceTarget(space_key="S", parent_page_id="1"),
    )


# --- when -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", utc(2026, 11, 30, 6)),
        ("Europe/Dublin", utc(2026, 11, 30, 6)),  # winter: GMT
        ("America/New_York", utc(2026, 11, 30, 11)),
        ("Asia/Kolkata", utc(2026, 11, 30, 0, 30)),
    ],
)
def test_a_weekday_job_runs_at_six_in_its_own_time_zone(zone, expected) -> None:
    friday_evening = utc(2026, 11, 27, 20)
    assert next_run("0 6 * * 1-5", zone, friday_evening) == expected


def test_summer_time_moves_the_run_in_utc() -> None:
    assert next_run("0 6 * * *", "Europe/Dublin", utc(2026, 7, 1)) == utc(2026, 7, 1, 5)


def test_spring_forward_a_time_in_the_skipped_hour_runs_once_when_the_clocks_have_moved_on() -> None:
    # Dublin, 29 March 2026: 01:00 GMT becomes 02:00 IST, so 01:30 does not exist that night.
    runs = runs_between("30 1 * * *", "Europe/Dublin", utc(2026, 3, 27, 12), utc(2026, 3, 31, 12))
    assert [r.astimezone(UTC) for r in runs] == [
        utc(2026, 3, 28, 1, 30),  # 01:30 GMT
        utc(2026, 3, 29, 1, 0),  # 02:00 IST, right after the change
        utc(2026, 3, 30, 0, 30),  # 01:30 IST
        utc(2026, 3, 31, 0, 30),
    ]


def test_fall_back_a_time_in_the_repeated_hour_runs_once() -> None:
    # Dublin, 25 October 2026: 02:00 IST becomes 01:00 GMT, so 01:30 happens twice that night.
    runs = runs_between("30 1 * * *", "Europe/Dublin", utc(2026, 10, 23, 12), utc(2026, 10, 26, 12))
    assert [r.astimezone(UTC) for r in runs] == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]


def test_fall_back_an_every_half_hour_job_keeps_running_every_half_hour() -> None:
    runs = runs_between("*/30 * * * *", "Europe/Dublin", utc(2026, 10, 24, 23, 10), utc(2026, 10, 25, 2, 10))
    gaps = {b - a for a, b in itertools.pairwise(runs)}
    assert len(runs) == 6 and gaps == {timedelta(minutes=30)}


# --- validated at load -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("schedule", "61 * * * *", "job 'emea': schedule: Value error, '61 * * * *' is not a cron expression"),
        ("schedule", "0 6 * * 1-5 2026", "is not a cron expression of five fields"),
        ("timezone", "Europe/Dublinn", "job 'emea': timezone: Value error, unknown time zone 'Europe/Dublinn'"),
    ],
)
def test_schedule_and_timezone_are_checked_when_the_config_loads(tmp_path, key, value, message) -> None:
    config = tmp_path / "scheduler.yaml"
    config.write_text(
        f'jobs:\n  - name: emea\n    {key}: "{value}"\n    mapping: m.yaml\n    confluence: {{space_key: S}}\n'
    )
    with pytest.raises(ConfigError) as error:
        load_schedule(config)
    assert message in error.value.message and error.value.exit_code == 2


# --- the loop ---------------------------------------------------------------------------------------------
class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """An execute() that records when each job ran, and can hold a run open or fail it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, datetime]] = []
        self.hold: threading.Event | None = None
        self.entered = threading.Event()
        self.fail = False

    def __call__(self, job: Job) -> int:
        self.calls.append((job.name, self.clock()))
        self.entered.set()
        if self.hold is not None:
            assert self.hold.wait(10)
        if self.fail:
            raise RuntimeError("the run crashed")
        return 0


def make(jobs: list[Job], start: datetime) -> tuple[Scheduler, Recorder]:
    """A scheduler whose clock stays at `start`: each test says which time it ticks at."""
    clock = Clock(start)
    recorder = Recorder(clock)
    scheduler = Scheduler(lambda: jobs, recorder, clock=clock)
    scheduler.configure()
    return scheduler, recorder


def test_due_jobs_start_in_their_time_zone_and_the_next_run_is_logged(caplog) -> None:
    caplog.set_level(logging.INFO, "sync.schedule")
    jobs = [job("dublin", timezone="Europe/Dublin"), job("new-york", timezone="America/New_York")]
    scheduler, _ = make(jobs, utc(2026, 11, 27, 20))
    assert "job dublin: next run 2026-11-30 06:00 GMT" in caplog.text
    assert "job new-york: next run 2026-11-30 06:00 EST (11:00 UTC)" in caplog.text

    assert scheduler.tick(utc(2026, 11, 30, 5, 59)) == []
    assert scheduler.tick(utc(2026, 11, 30, 6)) == ["dublin"]
    scheduler.join()
    assert scheduler.tick(utc(2026, 11, 30, 11)) == ["new-york"]
    scheduler.join()
    assert scheduler.slots["dublin"].due == utc(2026, 12, 1, 6)
    assert "job dublin: run finished, exit 0" in caplog.text


def test_a_job_never_overlaps_itself(caplog) -> None:
    scheduler, recorder = make([job(schedule="*/5 * * * *")], utc(2026, 11, 30, 9, 1))
    recorder.hold = threading.Event()
    assert scheduler.tick(utc(2026, 11, 30, 9, 5)) == ["team"]
    assert recorder.entered.wait(10)
    assert scheduler.tick(utc(2026, 11, 30, 9, 10)) == []  # the 09:05 run is still going
    assert "job team: still running, skipped the run due 2026-11-30 09:10 UTC" in caplog.text
    recorder.hold.set()
    scheduler.join()
    assert scheduler.tick(utc(2026, 11, 30, 9, 15)) == ["team"]
    scheduler.join()
    assert [when for _, when in recorder.calls] == [utc(2026, 11, 30, 9, 1)] * 2  # the clock never moved


def test_a_failed_run_is_logged_and_the_job_stays_scheduled(caplog) -> None:
    scheduler, recorder = make([job(schedule="0 * * * *")], utc(2026, 11, 30, 9, 30))
    recorder.fail = True
    scheduler.tick(utc(2026, 11, 30, 10))
    scheduler.join()
    assert "job team: run failed; the job stays scheduled" in caplog.text and "the run crashed" in caplog.text
    recorder.fail = False
    assert scheduler.tick(utc(2026, 11, 30, 11)) == ["team"]
    scheduler.join()
    assert len(recorder.calls) == 2


def test_runs_missed_while_asleep_are_not_caught_up() -> None:
    scheduler, _ = make([job(schedule="*/10 * * * *")], utc(2026, 11, 30, 9, 1))
    assert scheduler.tick(utc(2026, 11, 30, 12, 3)) == ["team"]  # three hours late: one run
    scheduler.join()
    assert scheduler.slots["team"].due == utc(2026, 11, 30, 12, 10)


def test_reload_takes_new_jobs_and_a_broken_file_keeps_the_old_ones(caplog) -> None:
    current: list = [[job("a")]]

    def load() -> list[Job]:
        if isinstance(current[0], Exception):
            raise current[0]
        return current[0]

    scheduler = Scheduler(load, lambda j: 0, clock=lambda: utc(2026, 11, 30, 9))
    scheduler.configure()
    current[0] = [job("a"), job("b", schedule="0 7 * * *")]
    assert scheduler.configure()
    assert set(scheduler.slots) == {"a", "b"} and scheduler.slots["b"].due == utc(2026, 11, 30, 7) + timedelta(days=1)
    current[0] = ConfigError("scheduler.yaml: not valid YAML at line 3", "fix it")
    assert not scheduler.configure()
    assert set(scheduler.slots) == {"a", "b"}
    assert "config not reloaded, keeping the previous jobs: scheduler.yaml: not valid YAML at line 3" in caplog.text


def test_the_loop_runs_each_job_at_its_times_and_stops_when_asked() -> None:
    clock = Clock(utc(2026, 11, 30, 8, 50))
    recorder = Recorder(clock)
    jobs = [job("half-hourly", schedule="*/30 * * * *"), job("hourly", schedule="0 * * * *")]
    scheduler = Scheduler(lambda: jobs, recorder, clock=clock)

    def wait(seconds: float) -> None:  # time passes only here, exactly as far as the loop asked
        scheduler.join()
        clock.now += timedelta(seconds=seconds)
        if clock.now >= utc(2026, 11, 30, 11):
            scheduler.request_stop()

    scheduler.wait = wait
    scheduler.run_forever()
    ran = sorted((name, f"{when:%H:%M}") for name, when in recorder.calls)
    assert ran == [
        ("half-hourly", "09:00"),
        ("half-hourly", "09:30"),
        ("half-hourly", "10:00"),
        ("half-hourly", "10:30"),
        ("hourly", "09:00"),
        ("hourly", "10:00"),
    ]  # stopped when the clock reached 11:00, before starting anything more


def test_signals_are_left_to_the_main_thread_by_job_threads_and_the_runs_pools() -> None:
    """Python runs signal handlers on the main thread only: a signal the kernel hands to a worker thread would
    leave the main thread waiting (on a slow answer, or the next job's time) before Ctrl-C or SIGTERM acts."""
    import signal

    from sync import overlap

    wanted = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    masks: list[set[int]] = []
    scheduler = Scheduler(
        lambda: [job(schedule="0 * * * *")],
        lambda _: masks.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])) or 0,
        clock=Clock(utc(2026, 11, 30, 9, 30)),
    )
    scheduler.configure()
    assert scheduler.tick(utc(2026, 11, 30, 10)) == ["team"]
    scheduler.join()
    with overlap.pool(2) as pool:
        masks.append(pool.submit(signal.pthread_sigmask, signal.SIG_BLOCK, []).result())
    assert len(masks) == 2 and all(wanted <= set(mask) for mask in masks)  # blocked in the job and pool threads
    assert not wanted & set(signal.pthread_sigmask(signal.SIG_BLOCK, []))  # and never in the main thread
