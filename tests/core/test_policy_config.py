"""The lifecycle policy in scheduler.yaml: defaults, and errors that name the job, the key and the fix."""

from __future__ import annotations

import pytest

from sync.config import load_schedule
from sync.errors import ConfigError

JOB = """
jobs:
  - name: emea
    mapping: m.yaml
    timezone: {zone}
    confluence: {{space_key: SUP, parent_title: P}}
{extra}
"""


def load(tmp_path, extra: str = "", zone: str = "Europe/Dublin"):
    path = tmp_path / "scheduler.yaml"
    path.write_text(JOB.format(extra=extra, zone=zone))
    return load_schedule(path).job("emea")


def test_defaults(tmp_path) -> None:
    job = load(tmp_path)
    assert (job.revalidation.window_days, job.revalidation.remind_before_days, job.revalidation.grace_days) == (
        90,
        14,
        0,
    )
    assert job.revalidation.digest == "weekly" and job.revalidation.fallback_owner is None
    assert (job.archive.max_share, job.archive.mode) == (0.2, "move")
    assert job.review.on_change_after_approval is None and job.zone.key == "Europe/Dublin"


@pytest.mark.parametrize(
    ("extra", "zone", "message"),
    [
        ("    revalidation: {window_days: 30, remind_before_days: 30}", "UTC", "job 'emea': revalidation:"),
        ("    revalidation: {digest: hourly}", "UTC", "job 'emea': revalidation.digest:"),
        ("    revalidation: {grace: 3}", "UTC", "job 'emea': revalidation.grace:"),
        ("    archive: {max_share: 1.5}", "UTC", "job 'emea': archive.max_share:"),
        ("    archive: {mode: delete}", "UTC", "job 'emea': archive.mode:"),
        ("    review: {on_change_after_approval: ignore}", "UTC", "job 'emea': review.on_change_after_approval:"),
        ("", "Mars/Olympus", "job 'emea': timezone: Value error, unknown time zone 'Mars/Olympus'"),
    ],
)
def test_errors_name_job_key_and_fix(tmp_path, extra, zone, message) -> None:
    with pytest.raises(ConfigError) as error:
        load(tmp_path, extra, zone)
    assert message in error.value.message
    assert error.value.fix
