"""The published run-report schema describes the report the code builds, and rejects what it must."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.report import SCHEMA_VERSION, EntryReport, RunReport
from tests.support.report_schema import schema_errors, validator


def _report() -> RunReport:
    report = RunReport(job="demo", flavor="cloud", dry_run=False, started_at=datetime(2026, 1, 1, tzinfo=UTC))
    report.entries.append(EntryReport(page_id="p1", title="Panic", outcome="problem", problems=["Owner: empty"]))
    report.finished_at = datetime(2026, 1, 1, 0, 1, tzinfo=UTC)
    return report


def test_every_field_of_the_report_is_described_in_the_schema() -> None:
    schema = validator().schema
    built = _report().to_json()
    assert set(built) == set(schema["properties"]), "describe new report fields in schemas/run-report.schema.json"
    assert set(built["entries"][0]) == set(schema["$defs"]["entry"]["properties"])
    assert set(built["notion"]) == set(schema["$defs"]["usage"]["properties"])


def test_the_schema_version_is_in_the_report_and_the_schema_id() -> None:
    built = _report().to_json()
    assert built["schema_version"] == SCHEMA_VERSION
    assert validator().schema["$id"].endswith(f":{SCHEMA_VERSION}")
    assert schema_errors(built) == []


def test_the_schema_rejects_a_report_that_breaks_it() -> None:
    built = _report().to_json()
    assert schema_errors({**built, "schema_version": "2.0"})
    assert schema_errors({**built, "entries": [{**built["entries"][0], "outcome": "maybe"}]})
    assert schema_errors({**built, "totals": {"published": 0}})
    assert schema_errors({k: v for k, v in built.items() if k != "exit_code"})
    assert schema_errors({**built, "started_at": "yesterday"})
