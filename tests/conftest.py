"""Fixtures shared by the integration tests: the sandbox (both emulators on loopback, seeded, without
latency or rate limits) and a way to run a job against it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync.config import Job, load_schedule
from sync.sandbox.runtime import Sandbox, SandboxOptions
from sync.session import run_once
from tests.support.report_schema import schema_errors

ROOT = Path(__file__).resolve().parents[1]


def no_sleep(seconds: float) -> None:
    """Injected in place of time.sleep: retries and rate limiting are counted, never waited out."""


@pytest.fixture
def demo_job() -> Job:
    return load_schedule(ROOT / "scheduler.yaml").job("demo")


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def start(**options) -> Sandbox:
        options.setdefault("rate_limit", False)
        sandbox = Sandbox(SandboxOptions(**options)).start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture(params=["cloud", "datacenter", "cloud-v1-removed"])
def sandbox(request, make_sandbox) -> Sandbox:
    """The demo sandbox, once per Confluence surface the sync must work against."""
    if request.param == "cloud-v1-removed":
        return make_sandbox(flavor="cloud", cloud_v1_content="removed")
    return make_sandbox(flavor=request.param)


@pytest.fixture
def run_demo(demo_job: Job):
    def run(sandbox: Sandbox, dry_run: bool = False, sleep=no_sleep, **kwargs):
        credentials = sandbox.credentials()
        if kwargs:
            credentials = credentials.model_copy(update=kwargs.pop("credentials", {}))
        report, the_plan = run_once(
            demo_job, credentials, sandbox.info["data_source_id"], dry_run, sleep=sleep, **kwargs
        )
        errors = schema_errors(report.to_json())
        assert not errors, f"the run report breaks schemas/run-report.schema.json: {errors}"
        return report, the_plan

    return run
