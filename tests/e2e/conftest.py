"""Every run report an end-to-end test produces (through the library or the CLI, `--json` or `--report`)
is checked against the published schema when the test ends."""

from __future__ import annotations

import pytest

from sync.report import RunReport
from tests.support.report_schema import schema_errors


@pytest.fixture(autouse=True)
def reports_follow_the_schema(monkeypatch):
    produced: list[dict] = []
    to_json = RunReport.to_json

    def recording(self: RunReport) -> dict:
        data = to_json(self)
        produced.append(data)
        return data

    monkeypatch.setattr(RunReport, "to_json", recording)
    yield produced
    for data in produced:
        errors = schema_errors(data)
        assert not errors, f"run report of job {data.get('job')} breaks schemas/run-report.schema.json: {errors}"
