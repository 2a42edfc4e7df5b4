"""Open the clients for one run: the official Notion and Confluence clients behind rate-limited callers."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime

from sync.config import Credentials, Job
from sync.confluence import connect
from sync.errors import ConfigError
from sync.mapping import Mapping
from sync.notion.client import make_client
from sync.notion.comments import NotionComments
from sync.notion.reader import NotionReader
from sync.notion.writeback import NotionWriter
from sync.plan import Plan
from sync.ratelimit import TokenBucket
from sync.report import RunReport
from sync.retry import ApiCaller
from sync.run import Services, run_job

# Notion averages 3 requests/s per integration; Confluence Cloud's limits are per site and looser.
NOTION_RATE, CONFLUENCE_RATE = 3.0, 10.0


@contextlib.contextmanager
def open_services(
    credentials: Credentials, sleep: Callable[[float], None] = time.sleep, timeout_s: float = 30
) -> Iterator[Services]:
    credentials.require()
    notion_caller = ApiCaller("notion", TokenBucket(NOTION_RATE, 3), sleep=sleep)
    confluence_caller = ApiCaller("confluence", TokenBucket(CONFLUENCE_RATE, 10), sleep=sleep)
    client = make_client(credentials, timeout_s)
    try:
        yield Services(
            reader=NotionReader(client, notion_caller),
            writer=NotionWriter(client, notion_caller),
            confluence=connect(credentials, confluence_caller, timeout_s),
            notion_caller=notion_caller,
            confluence_caller=confluence_caller,
            comments=NotionComments(client, notion_caller),
        )
    finally:
        client.close()


def run_once(
    job: Job,
    credentials: Credentials,
    data_source_id: str | None,
    dry_run: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 30,
    allow_mass_archive: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> tuple[RunReport, Plan]:
    if not data_source_id:
        raise ConfigError(f"job '{job.name}' names no notion.data_source_id", "add it to scheduler.yaml")
    mapping = Mapping.load(job.mapping)
    with open_services(credentials, sleep, timeout_s) as services:
        if clock is not None:
            services.clock = clock
        return run_job(job, mapping, services, data_source_id, dry_run=dry_run, allow_mass_archive=allow_mass_archive)
