"""`scenario-sync audit`: what was live when, and who approved it, from Confluence's page history; and
`audit verify`, the audit log's hash chain."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from sync.cli import _sandbox_options
from sync.cli_options import config_option
from sync.config import load_credentials, load_schedule
from sync.errors import SyncError
from sync.session import sandbox_for


@click.group(invoke_without_command=True)
@config_option
@click.option("--job", "job_name", help="Name of the job in scheduler.yaml.")
@click.option("--entry", "entry_id", help="The Notion page id of the entry.")
@click.option("--at", "at_date", help="Date (YYYY-MM-DD) or time (ISO 8601); default now.")
@_sandbox_options
@click.pass_context
def audit(
    ctx: click.Context,
    config: Path,
    job_name: str | None,
    entry_id: str | None,
    at_date: str | None,
    confluence_flavor: str,
    cloud_v1_content: str,
) -> None:
    """Which version of a walkthrough was live on a date, and who approved it, from Confluence's page history.

    Works on any host: nothing local is read. `audit verify FILE` checks an audit log's hash chain.

    \b
    Example:
      scenario-sync audit --job support-emea --entry 1b2c3d4e-... --at 2026-10-01
      scenario-sync audit verify audit/support-emea.jsonl
    """
    if ctx.invoked_subcommand is not None:
        return
    if not job_name or not entry_id:
        raise click.UsageError("give --job and --entry (or use `audit verify FILE`)")
    from datetime import UTC, datetime

    from sync.session import open_services
    from sync.upkeep import live_record

    when = datetime.now(UTC)
    if at_date:
        try:
            when = datetime.fromisoformat(at_date)
        except ValueError as error:
            raise click.BadParameter(f"'{at_date}' is not a date (YYYY-MM-DD)", param_hint="--at") from error
        if len(at_date) == 10:  # a whole day: what was live at its end
            when = when.replace(hour=23, minute=59, second=59)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    job = load_schedule(config).job(job_name)
    with contextlib.ExitStack() as stack:
        if job.sandbox is not None:
            flavor, v1_content = confluence_flavor or "cloud", cloud_v1_content or "available"
            credentials = stack.enter_context(sandbox_for(job, flavor, v1_content)).credentials()
        else:
            credentials = load_credentials()
        services = stack.enter_context(open_services(credentials))
        adapter = services.confluence
        target = adapter.resolve_target(
            job.confluence.space_key, job.confluence.parent_page_id, job.confluence.parent_title
        )
        live = live_record(adapter, target, job, entry_id, when)
    click.echo(f"Live on {when.isoformat()}: {live.describe()}")


@audit.command("verify")
@click.argument("log_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def audit_verify(log_file: Path) -> None:
    """Check an audit log's hash chain: an edited, removed or inserted line is reported by number.

    \b
    Example:
      scenario-sync audit verify audit/support-emea.jsonl
    """
    from sync.audit import verify

    problems = verify(log_file)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SyncError(f"{log_file}: the chain is broken", "compare the log with Confluence's page history")
    click.echo(f"{log_file}: chain intact")
