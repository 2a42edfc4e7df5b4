"""Open the clients for one run: the official Notion and Confluence clients behind rate-limited callers; and
run a configured job, against the emulators only when the job says `sandbox:`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sync import logs
from sync.config import Credentials, Job, load_credentials
from sync.confluence import connect
from sync.errors import ConfigError
from sync.limits import (
    CONFLUENCE_BURST,
    CONFLUENCE_IN_FLIGHT,
    CONFLUENCE_RATE,
    NOTION_WINDOW_MARGIN_S,
    NOTION_WINDOW_S,
)
from sync.mapping import Mapping
from sync.notion.client import make_client
from sync.notion.comments import NotionComments
from sync.notion.reader import NotionReader
from sync.notion.writeback import NotionWriter
from sync.plan import Plan
from sync.progress import Progress, silent
from sync.ratelimit import Slots, TokenBucket, WindowBudget
from sync.report import RunReport
from sync.retry import ApiCaller
from sync.run import Services, run_job


class SleptClock:
    """The limiters' clock when sleep is injected (tests): time moves by what was slept, so a test that
    never waits still sees the limiter's windows turn."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep, self._slept, self._start = sleep, 0.0, time.monotonic()

    def sleep(self, seconds: float) -> None:
        self._slept += seconds
        self._sleep(seconds)

    def __call__(self) -> float:
        return time.monotonic() + self._slept


@contextlib.contextmanager
def open_services(
    credentials: Credentials,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 30,
    clock: Callable[[], float] | None = None,
) -> Iterator[Services]:
    """`clock` is the limiters' monotonic clock; given with `sleep`, a test moves time itself."""
    credentials.require()
    if clock is None:
        clock, sleep = _clock(sleep)
    confluence_caller = ApiCaller(
        "confluence",
        TokenBucket(CONFLUENCE_RATE, CONFLUENCE_BURST, clock),
        sleep=sleep,
        in_flight=Slots(CONFLUENCE_IN_FLIGHT),
    )
    with _notion(credentials, clock, sleep, timeout_s) as (reader, writer):
        yield Services(
            reader=reader,
            writer=writer,
            confluence=connect(credentials, confluence_caller, timeout_s),
            notion_caller=reader.caller,
            confluence_caller=confluence_caller,
            comments=NotionComments(reader.client, reader.caller),
        )


def _clock(sleep: Callable[[float], None]) -> tuple[Callable[[], float], Callable[[float], None]]:
    if sleep is time.sleep:
        return time.monotonic, sleep
    slept = SleptClock(sleep)
    return slept, slept.sleep


@contextlib.contextmanager
def _notion(
    credentials: Credentials, clock: Callable[[], float], sleep: Callable[[float], None], timeout_s: float
) -> Iterator[tuple[NotionReader, NotionWriter]]:
    # One limiter for the integration, shared by every thread of the run (bodies are read a few at a time).
    budget = WindowBudget(credentials.notion_requests_per_minute, NOTION_WINDOW_S, clock, NOTION_WINDOW_MARGIN_S)
    caller = ApiCaller("notion", budget, sleep=sleep)
    client = make_client(credentials, timeout_s)
    reader = NotionReader(client, caller, timeout_s)
    try:
        yield reader, NotionWriter(client, caller)
    finally:
        reader.close()
        client.close()


@contextlib.contextmanager
def open_notion(
    credentials: Credentials, sleep: Callable[[float], None] = time.sleep, timeout_s: float = 30
) -> Iterator[tuple[NotionReader, NotionWriter]]:
    """Notion alone (checking a mapping, validating entries, creating a database): no Confluence needed."""
    if credentials.notion_token is None:
        raise ConfigError("missing environment variable: NOTION_TOKEN", "export it (see README, Configuration)")
    clock, sleep = _clock(sleep)
    with _notion(credentials, clock, sleep, timeout_s) as pair:
        yield pair


def run_once(
    job: Job,
    credentials: Credentials,
    data_source_id: str | None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 30,
    allow_mass_archive: bool = False,
    clock: Callable[[], datetime] | None = None,
    progress: Progress = silent,
) -> tuple[RunReport, Plan]:
    if not data_source_id:
        raise ConfigError(f"job '{job.name}' names no notion.data_source_id", "add it to scheduler.yaml")
    mapping = Mapping.load(job.mapping)
    with (
        logs.run_context(logs.new_run_id(job.sandbox is not None)),
        open_services(credentials, sleep, timeout_s) as services,
    ):
        services.progress = progress
        if clock is not None:
            services.clock = clock
        return run_job(job, mapping, services, data_source_id, dry_run=dry_run, allow_mass_archive=allow_mass_archive)


@contextlib.contextmanager
def job_notion(job: Job, flavor: str = "cloud", v1_content: str = "available") -> Iterator[tuple[Credentials, str]]:
    """A job's credentials and Notion data source: its sandbox's for a sandbox job (kept up meanwhile), else the
    environment's and scheduler.yaml's."""
    with contextlib.ExitStack() as stack:
        if job.sandbox is None:
            credentials, data_source = load_credentials(), job.notion.data_source_id
        else:
            sandbox = stack.enter_context(sandbox_for(job, flavor, v1_content))
            credentials = sandbox.credentials()
            data_source = job.notion.data_source_id or sandbox.info["data_source_id"]
        if not data_source:
            raise ConfigError(f"job '{job.name}' names no notion.data_source_id", "add it to scheduler.yaml")
        yield credentials, data_source


@contextlib.contextmanager
def sandbox_for(job: Job, flavor: str = "cloud", v1_content: str = "available", fresh: bool = False) -> Iterator[Any]:
    """The embedded emulators for a sandbox job, keeping their state in the job's state_dir between runs."""
    from sync.sandbox.runtime import Sandbox, SandboxOptions

    assert job.sandbox is not None
    state = job.sandbox.state_dir / f"{job.name}-{flavor}-v1-{v1_content}.json"
    if fresh and state.exists():
        state.unlink()
    options = SandboxOptions(
        seed=job.sandbox.seed,
        flavor=flavor,  # type: ignore[arg-type]
        cloud_v1_content=v1_content,  # type: ignore[arg-type]
        state_file=state,
        mapping=job.mapping,
    )
    with Sandbox(options) as sandbox:
        yield sandbox


def run_configured(
    job: Job,
    dry_run: bool = False,
    flavor: str | None = None,
    v1_content: str | None = None,
    allow_mass_archive: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress = silent,
) -> RunReport:
    """One run of a job from scheduler.yaml. A real job never touches the emulators, and the sandbox-only
    settings (`flavor`, `v1_content`) are refused for it rather than ignored."""
    if job.sandbox is None:
        given = [name for name, value in (("--confluence-flavor", flavor), ("--cloud-v1-content", v1_content)) if value]
        if given:
            raise ConfigError(
                f"{' and '.join(given)} {'apply' if len(given) > 1 else 'applies'} only to sandbox jobs, and job"
                f" '{job.name}' is a real one",
                "drop the option (a real job's flavour comes from CONFLUENCE_FLAVOR)",
            )
        credentials = load_credentials()
        return run_once(
            job,
            credentials,
            job.notion.data_source_id,
            dry_run,
            sleep,
            allow_mass_archive=allow_mass_archive,
            progress=progress,
        )[0]
    with sandbox_for(job, flavor or "cloud", v1_content or "available") as sandbox:
        data_source = job.notion.data_source_id or sandbox.info["data_source_id"]
        credentials = sandbox.credentials()
        report = run_once(
            job, credentials, data_source, dry_run, sleep, allow_mass_archive=allow_mass_archive, progress=progress
        )[0]
        report.sandbox = True
        return report
