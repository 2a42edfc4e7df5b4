"""How results are shown: a compact table for people (plain text when not a terminal), JSON for machines."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sync.plan import Plan
from sync.report import RunReport

_STYLE = {"published": "green", "unchanged": "dim", "held": "yellow", "problem": "red", "failed": "red bold"}


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def show_report(report: RunReport, plan: Plan | None = None) -> None:
    out = console()
    mode = " (dry run: nothing written)" if report.dry_run else ""
    out.print(f"[bold]Job {report.job}[/bold] → Confluence {report.flavor}{mode}")
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Entry", overflow="fold", max_width=48)
    table.add_column("Outcome")
    table.add_column("Why", overflow="fold", max_width=70)
    for entry in report.entries:
        why = entry.problems or entry.reasons
        if entry.action and entry.action not in ("noop", "keep"):
            why = [f"{entry.action}: {entry.action_reason}", *why]
        style = _STYLE.get(entry.outcome, "")
        table.add_row(entry.title, f"[{style}]{entry.outcome}[/{style}]" if style else entry.outcome, "\n".join(why))
    out.print(table)
    totals = ", ".join(f"{n} {k}" for k, n in report.totals.items()) or "no entries"
    out.print(f"Entries: {totals}")
    out.print(
        f"Requests: Notion {report.notion.requests} ({report.notion.writes} writes), "
        f"Confluence {report.confluence.requests} ({report.confluence.writes} writes)"
    )
    for error in report.errors:
        out.print(f"[red]Error:[/red] {error}")
