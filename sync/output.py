"""How results are shown: a compact table for people (plain text when not a terminal), JSON for machines."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sync.lifecycle import ARCHIVE
from sync.report import EntryReport, RunReport

_STYLE = {"published": "green", "unchanged": "dim", "held": "yellow", "problem": "red", "failed": "red bold"}


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _why(entry: EntryReport) -> list[str]:
    why = entry.problems or [*entry.reasons, *(f"warning: {f}" for f in entry.findings)]
    if entry.action == "archive":  # the archive line says why in days; the reasons say it again in dates
        why = [line for line in why if not line.startswith(ARCHIVE)]
    if entry.action and entry.action not in ("noop", "keep"):
        return [f"{entry.action}: {entry.action_reason}", *why]
    return list(why)


def _writes(count: int) -> str:
    return f"{count} write" if count == 1 else f"{count} writes"


SANDBOX_TAG = "sandbox · "


def show_report(report: RunReport) -> None:
    out = console()
    # A sandbox run says so on every line, so its output is never taken for a real site's.
    tag = SANDBOX_TAG if report.sandbox else ""

    def say(text: str) -> None:
        out.print(tag + text, soft_wrap=True)  # never wrapped: each line keeps its tag

    mode = " (dry run: nothing written)" if report.dry_run else ""
    say(f"[bold]Job {report.job}[/bold] → Confluence {report.flavor}{mode}")
    rows = [(entry.title, entry.outcome, _why(entry)) for entry in report.entries]
    if out.is_terminal:
        table = Table(show_header=True, header_style="bold", expand=False)
        table.add_column("Entry", overflow="fold", max_width=48)
        table.add_column("Outcome")
        table.add_column("Why", overflow="fold", max_width=70)
        for title, outcome, why in rows:
            style = _STYLE.get(outcome, "")
            table.add_row(title, f"[{style}]{outcome}[/{style}]" if style else outcome, "\n".join(why))
        narrower = Console(highlight=False, force_terminal=True, width=max(40, out.width - len(tag)))
        with narrower.capture() as captured:  # drawn narrower by the tag, so the tagged lines still fit
            narrower.print(table)
        for line in captured.get().splitlines():
            click.echo(tag + line)
    else:  # logs and pipes: one line per entry, never wrapped mid-reason
        for title, outcome, why in rows:
            click.echo(f"{tag}- {title}: {outcome}" + "".join(f"\n{tag}    {line}" for line in why))
    totals = ", ".join(f"{n} {k}" for k, n in report.totals.items()) or "no entries"
    say(f"Entries: {totals}")
    say(
        f"Requests: Notion {report.notion.requests} ({_writes(report.notion.writes)}), "
        f"Confluence {report.confluence.requests} ({_writes(report.confluence.writes)})"
    )
    for warning in report.warnings:
        say(f"[yellow]Warning:[/yellow] {warning}")
    for error in report.errors:
        say(f"[red]Error:[/red] {error}")
