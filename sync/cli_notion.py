"""Commands that talk to Notion alone: check a mapping against a database, validate every entry, create a
scenario database. Registered on the main command group by `sync.cli`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click

from sync.cli_options import one_job_options
from sync.config import Job, load_credentials, load_schedule
from sync.mapping import Mapping
from sync.notion.reader import NotionReader
from sync.output import emit_json
from sync.session import job_notion, open_notion


@contextlib.contextmanager
def _job_source(config: Path, job_name: str) -> Iterator[tuple[Job, NotionReader, str]]:
    """The job, a Notion reader and its data source: the sandbox's for a sandbox job, else the environment's."""
    job = load_schedule(config).job(job_name)
    with contextlib.ExitStack() as stack:
        credentials, data_source = stack.enter_context(job_notion(job))
        reader, _ = stack.enter_context(open_notion(credentials))
        yield job, reader, data_source


@click.group("mapping")
def mapping_group() -> None:
    """Mappings: how a team's Notion columns become scenario fields (mappings/*.yaml)."""


@mapping_group.command("check")
@one_job_options
def mapping_check(config: Path, job_name: str) -> None:
    """Check the job's mapping against its Notion data source.

    Names every property the mapping expects that is missing, renamed or of another type, and every option
    the database offers that the mapping does not know, each with its fix. Exit code 0 only when the mapping
    fits; 1 when something must be fixed.

    \b
    Example:
      scenario-sync mapping check --job support-emea
    """
    from sync import mapping_check as checking

    with _job_source(config, job_name) as (job, reader, data_source):
        mapping = Mapping.load(job.mapping)
        misfits = checking.check(mapping, reader.schema(data_source))
    where = f"Mapping '{mapping.name}' ({job.mapping.name}) against data source {data_source}"
    if not misfits:
        click.echo(f"{where}: fits. Every property and option is there.")
        return
    click.echo(f"{where}: {len(misfits)} to fix")
    for misfit in misfits:
        click.echo(f"  - {misfit.problem}")
        click.echo(f"    fix: {misfit.fix}")
    sys.exit(1)


@click.command("validate")
@one_job_options
@click.option("--json", "as_json", is_flag=True, help="Print every entry and its problems as JSON.")
def validate(config: Path, job_name: str, as_json: bool) -> None:
    """Check every entry of the job's data source, without touching Confluence.

    Reads each entry's properties and page body and lists every problem: the page (title and link), the
    property or body section, what was found and what is expected. Exit code 0 when every entry is valid,
    1 when any is not.

    \b
    Example:
      scenario-sync validate --job support-emea
      scenario-sync validate --job support-emea --json > problems.json
    """
    from sync.validation import validate as validate_entries

    with _job_source(config, job_name) as (job, reader, data_source):
        checks = validate_entries(reader, Mapping.load(job.mapping), job, data_source, lambda: datetime.now(UTC))
    invalid = [c for c in checks if not c.valid]
    if as_json:
        emit_json(
            {"job": job.name, "data_source_id": data_source, "entries": len(checks), "invalid": len(invalid)}
            | {"results": [c.to_json() for c in checks]}
        )
    else:
        click.echo(f"Job {job.name}: {len(checks)} entries, {len(invalid)} with problems")
        for check in invalid:
            click.echo(f"\n{check.title}\n  {check.url}")
            for problem in check.problems:
                click.echo(f"  - {problem.property}: {problem.found}")
                click.echo(f"    expected: {problem.expected}")
    sys.exit(1 if invalid else 0)


@click.group("notion")
def notion_group() -> None:
    """Set up Notion for scenario-sync."""


@notion_group.command("bootstrap")
@click.option("--parent", "parent_page_id", required=True, help="The Notion page to create the database under.")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    required=True,
    help="The mapping whose columns and options the database gets.",
)
@click.option("--title", default="Support scenario walkthroughs", show_default=True, help="The database's title.")
@click.option("--with-examples", is_flag=True, help="Also add two example entries to start from.")
def bootstrap(parent_page_id: str, mapping_file: Path, title: str, with_examples: bool) -> None:
    """Create a scenario database with every column and option the mapping expects.

    Share the parent page with the integration first. Prints the new data source id: put it under
    `notion.data_source_id` in scheduler.yaml. Credentials come from NOTION_TOKEN (and NOTION_BASE_URL).

    \b
    Example:
      scenario-sync notion bootstrap --parent 1f2e3d4c5b6a47988776655443322110 \\
        --mapping mappings/team-de.yaml --with-examples
    """
    from sync.notion.bootstrap import bootstrap as create

    mapping = Mapping.load(mapping_file)
    with open_notion(load_credentials()) as (reader, _):
        made = create(
            reader.client,
            reader.caller,
            parent_page_id,
            mapping,
            datetime.now(UTC).date(),
            title=title,
            with_examples=with_examples,
        )
    columns = len(mapping.columns()) + len(mapping.writeback_columns())
    click.echo(f"Created '{title}' with {columns} columns for mapping '{mapping.name}'.")
    click.echo(f"  database: {made.database_id}  {made.url}")
    for url in made.examples:
        click.echo(f"  example entry: {url}")
    if made.examples:
        click.echo("  Set yourself as the owner of the examples before their first run.")
    click.echo("Put this in scheduler.yaml under your job's `notion:`")
    click.echo(f"  data_source_id: {made.data_source_id}")


def register(cli: click.Group) -> None:
    for command in (mapping_group, validate, notion_group):
        cli.add_command(command)
