"""The run report: per entry the decision, the reason, the action and its outcome; totals; requests made.

The same object is printed as a table for people and as JSON (`--json`, `--report FILE`) for machines.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from sync import logs
from sync.errors import ExitCode
from sync.redact import redact_data
from sync.retry import ApiCaller

# The version of schemas/run-report.schema.json this report follows: bump it with the schema, the minor
# part for added fields, the major part for anything a consumer could trip on.
SCHEMA_VERSION = "1.1"

Outcome = Literal["published", "unchanged", "held", "problem", "failed", "planned", "archived"]


class EntryReport(BaseModel):
    page_id: str
    title: str
    notion_url: str = ""
    outcome: Outcome
    reasons: list[str] = Field(default_factory=list)
    action: str | None = None
    action_reason: str | None = None
    confluence_page_id: str | None = None
    confluence_url: str | None = None
    problems: list[str] = Field(default_factory=list)
    # Over-promise lint findings that warn reviewers (blocking ones are among `reasons`).
    findings: list[str] = Field(default_factory=list)


class ApiUsage(BaseModel):
    requests: int = 0
    writes: int = 0
    retries: int = 0

    @classmethod
    def of(cls, caller: ApiCaller) -> ApiUsage:
        return cls(requests=caller.requests, writes=caller.by_kind.get("write", 0), retries=caller.retries)


class RunReport(BaseModel):
    schema_version: str = SCHEMA_VERSION
    run_id: str | None = Field(default_factory=logs.current_run_id)
    job: str
    flavor: str
    sandbox: bool = False  # run against the embedded emulators, not real sites
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    entries: list[EntryReport] = Field(default_factory=list)
    notion: ApiUsage = ApiUsage()
    confluence: ApiUsage = ApiUsage()
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    reminders: list[str] = Field(default_factory=list)  # who was told what, in Notion
    # Seconds per part of the run: read, bodies (page bodies read), decide (pure work, no request in flight),
    # write. Where a run's time goes, and what a benchmark counts once when it speeds the clocks up.
    seconds: dict[str, float] = Field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for e in self.entries if e.outcome == outcome)

    @property
    def totals(self) -> dict[str, int]:
        outcomes: list[Outcome] = ["published", "unchanged", "held", "problem", "failed", "planned", "archived"]
        return {o: self.count(o) for o in outcomes if self.count(o)}

    @property
    def exit_code(self) -> int:
        if self.errors or self.count("failed"):
            return int(ExitCode.PARTIAL)
        if self.count("problem"):
            return int(ExitCode.ENTRY_PROBLEMS)
        return int(ExitCode.OK)

    def to_json(self) -> dict:
        data = self.model_dump(mode="json")
        data["totals"] = self.totals
        data["exit_code"] = self.exit_code
        return redact_data(data)
