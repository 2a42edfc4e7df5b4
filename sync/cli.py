"""The scenario-sync command line. Parses, calls the library, formats; errors become one line and an exit code
(`sync.errors.ExitCode`, shown in `--help`)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any

import click

from sync import logs, overlap, progress
from sync.cli_options import DEFAULT_CONFIG, one_job_options
from sync.cli_schedule import cron_group, schedule_command
from sync.config import Job, load_credentials, load_schedule
from sync.errors import EXIT_CODES, ConfigError, ExitCode, SyncError, describe, worst
from sync.output import SANDBOX_TAG, console, emit_json, show_report
from sync.redact import redact, redact_data
from sync.report import RunReport
from sync.session import run_configured, run_once, sandbox_for
from sync.starter import demo_job, write_starter

EXIT_CODES_HELP = "\b\nExit codes:\n" + "\n".join(f"  {int(code):<3} {meaning}" for code, meaning in EXIT_CODES.items())


class _Cli(click.Group):
    """Turns the library's errors into `Error: …` / `Fix: …` and the error's exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SyncError as error:
            _trace_if_debug(ctx, error)
            tag = (ctx.obj or {}).get("tag", "")  # a sandbox job's lines say so, its errors too
            click.echo(f"{tag}Error: {redact(error.message)}", err=True)
            if error.fix:
                click.echo(f"{tag}Fix: {redact(error.fix)}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:  # Ctrl-C: say so and exit 130, as shells do, rather than click's "Aborted!" and 1
            click.echo("Error: interrupted", err=True)
            ctx.exit(ExitCode.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as error:  # a bug or an API surprise: one line for cron, the trace with --debug
            _trace_if_debug(ctx, error)
            click.echo(f"Error: unexpected {describe(error)}", err=True)
            click.echo("Fix: run again with --debug and report the trace", err=True)
            ctx.exit(ExitCode.PARTIAL)


def _trace_if_debug(ctx: click.Context, error: BaseException) -> None:
    """With --debug, the whole trace (causes included) on stderr, redacted like every other output."""
    if ctx.obj and ctx.obj.get("debug"):
        click.echo(redact("".join(traceback.format_exception(error))).rstrip(), err=True)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    default="warning",
    show_default=True,
    help="Logs on stderr: debug adds a line per API request, info a line per entry decision.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per line, for a log collector.",
)
@click.version_option(package_name="scenario-sync")
@click.pass_context
def cli(ctx: click.Context, debug: bool, log_level: str, log_format: str) -> None:
    """Mirror reviewed support scenario walkthroughs from Notion to Confluence.

    Each job in scheduler.yaml reads a Notion scenario database, publishes the entries whose legal, ops
    and product reviews approved the current version, and writes each entry's status back to Notion.

    \b
    Try it with no accounts at all, then start your own jobs:
      scenario-sync demo
      scenario-sync init
      scenario-sync --log-level info --log-format json run --job demo
    """
    ctx.ensure_object(dict)["debug"] = debug
    logs.configure(log_level, log_format)  # type: ignore[arg-type]


def _job_options(fn: Any) -> Any:
    fn = click.option(
        "--config", type=click.Path(path_type=Path), default=DEFAULT_CONFIG, show_default=True, help="Jobs file."
    )(fn)
    fn = click.option("--job", "job_name", help="Name of the job in scheduler.yaml.")(fn)
    fn = click.option("--all", "all_jobs", is_flag=True, help="Every job in scheduler.yaml, one after the other.")(fn)
    return fn


def _output_options(fn: Any) -> Any:
    fn = click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON on stdout.")(fn)
    fn = click.option("--report", type=click.Path(path_type=Path), help="Also write the JSON run report to this file.")(
        fn
    )
    return fn


def _sandbox_options(fn: Any) -> Any:
    # No click defaults: a real job refuses these options, so whether they were given must be visible.
    fn = click.option(
        "--confluence-flavor",
        type=click.Choice(["cloud", "datacenter"]),
        help="Sandbox jobs only: which Confluence the sandbox emulates.  [default: cloud]",
    )(fn)
    fn = click.option(
        "--cloud-v1-content",
        type=click.Choice(["available", "removed"]),
        help="Sandbox jobs only: whether Cloud's deprecated v1 content endpoints answer, or 410 Gone as on the"
        " API gateway.  [default: available]",
    )(fn)
    return fn


def _finish(report: RunReport, as_json: bool, report_file: Path | None) -> None:
    data = report.to_json()
    if report_file is not None:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if as_json:
        emit_json(data)
    else:
        show_report(report)
    sys.exit(report.exit_code)


def _run_all(
    jobs: list[Job],
    as_json: bool,
    dry_run: bool,
    flavor: str | None,
    v1_content: str | None,
    allow_mass_archive: bool = False,
) -> None:
    """Each job in turn; one job's error never stops the next. Exits with the most serious code."""
    codes: list[int] = []
    for job in jobs:
        tag = SANDBOX_TAG if job.sandbox is not None else ""
        try:
            result = run_configured(job, dry_run, flavor, v1_content, allow_mass_archive)
        except SyncError as error:
            click.echo(f"{tag}Error: job '{job.name}': {error.message}", err=True)
            if error.fix:
                click.echo(f"{tag}Fix: {error.fix}", err=True)
            codes.append(error.exit_code)
            continue
        if as_json:  # one report per line (JSON Lines)
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            show_report(result)
        codes.append(result.exit_code)
    sys.exit(worst(codes))


@cli.command(epilog=EXIT_CODES_HELP)
@_job_options
@_output_options
@_sandbox_options
@click.option("--dry-run", is_flag=True, help="Read both systems and print the plan; write nothing anywhere.")
@click.option(
    "--keep-manual-edits",
    is_flag=True,
    help="For this run, leave pages a person edited in Confluence as they are (the job's `manual_edits: keep`).",
)
@click.option(
    "--allow-mass-archive", is_flag=True, help="Archive even when more than the job's archive.max_share would go."
)
def run(
    config: Path,
    job_name: str | None,
    all_jobs: bool,
    as_json: bool,
    report: Path | None,
    confluence_flavor: str | None,
    cloud_v1_content: str | None,
    dry_run: bool,
    keep_manual_edits: bool = False,
    allow_mass_archive: bool = False,
) -> None:
    """Run one job once, or every job with --all (what cron calls).

    Credentials come from the environment: NOTION_TOKEN, NOTION_BASE_URL, CONFLUENCE_URL, CONFLUENCE_USER,
    CONFLUENCE_TOKEN, CONFLUENCE_FLAVOR (cloud or datacenter). Only a job with a `sandbox:` section runs
    against the embedded emulators, keeping their state between runs; its output says "sandbox" on every
    line, and the sandbox options are refused for any other job.

    With --all, the jobs run one after the other, --json prints one report per line, and the exit code is
    the most serious one: 130, then 2, 3, 1, 4, 0.

    \b
    Example:
      scenario-sync run --job demo
      scenario-sync run --job support-emea --dry-run --json
      scenario-sync run --job demo --keep-manual-edits
      scenario-sync run --all
    """
    if bool(job_name) == all_jobs:
        raise click.UsageError("name one job with --job NAME, or pass --all")
    schedule = load_schedule(config)
    jobs = schedule.jobs if all_jobs else [schedule.job(job_name or "")]
    if keep_manual_edits:
        jobs = [job.model_copy(update={"manual_edits": "keep"}) for job in jobs]
    if all_jobs:
        if report is not None:
            raise click.UsageError("--report writes one job's report: use --json with --all (one report per line)")
        _run_all(jobs, as_json, dry_run, confluence_flavor, cloud_v1_content, allow_mass_archive)
    if jobs[0].sandbox is not None:
        click.get_current_context().find_root().ensure_object(dict)["tag"] = SANDBOX_TAG
    shown = click.get_current_context().with_resource(progress.for_output(enabled=not as_json))
    result = run_configured(jobs[0], dry_run, confluence_flavor, cloud_v1_content, allow_mass_archive, progress=shown)
    _finish(result, as_json, report)


@cli.command()
@_job_options
@_output_options
@_sandbox_options
@click.pass_context
def plan(ctx: click.Context, **kwargs: Any) -> None:
    """Show what a run would do, and why, without writing anything (same as `run --dry-run`).

    \b
    Example:
      scenario-sync plan --job demo
    """
    ctx.invoke(run, dry_run=True, **kwargs)


@cli.command()
@_sandbox_options
@click.option(
    "--config", type=click.Path(path_type=Path), help="Take the demo job from this jobs file (default: built in)."
)
@click.option("--job", "job_name", default="demo", show_default=True, help="A sandbox job from --config.")
@click.option("--serve", is_flag=True, help="Keep the sandbox up afterwards so the page links open in a browser.")
def demo(
    config: Path | None, job_name: str, confluence_flavor: str | None, cloud_v1_content: str | None, serve: bool
) -> None:
    """Run the demo job against a fresh sandbox: publish, find nothing to do, then the lifecycle.

    Works from any folder: the demo job and its mapping are built in (no scheduler.yaml needed).
    The sandbox seeds five panic scenarios: one fully approved, one edited after approval, one waiting for
    legal review, one whose owner must revalidate it within ten days, and one with a required field left
    empty. The second run finds nothing to do and writes nothing. Then the demo moves its clock fifteen
    days on: the unrevalidated entry is archived; its owner marks it revalidated (`sandbox notion-edit`);
    the next run restores it, and one more run writes nothing. With --serve the sandbox stays up until
    Ctrl-C (or SIGTERM), and the printed page links show each page as Confluence would.

    \b
    Example:
      scenario-sync demo --confluence-flavor datacenter
      scenario-sync demo --serve
    """
    with contextlib.ExitStack() as stack:
        if config is None:  # the built-in job keeps its throwaway state out of the user's folder
            job = demo_job(Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scenario-sync-demo-"))))
        else:
            job = load_schedule(config).job(job_name)
        if job.sandbox is None:
            raise ConfigError(f"job '{job_name}' has no sandbox section", "use a sandbox job, or leave out --config")
        click.get_current_context().find_root().ensure_object(dict)["tag"] = SANDBOX_TAG
        _demo(job, confluence_flavor or "cloud", cloud_v1_content or "available", serve)


def _demo(job: Job, flavor: str, v1_content: str, serve: bool = False) -> None:
    from datetime import UTC, datetime, timedelta

    out = console()
    say = lambda text: out.print(SANDBOX_TAG + text, soft_wrap=True)  # noqa: E731
    later = datetime.now(UTC) + timedelta(days=15)
    with sandbox_for(job, flavor, v1_content, fresh=True) as sandbox:
        data_source = sandbox.info["data_source_id"]
        reports = []

        def step(title: str, clock: datetime | None = None) -> RunReport:
            say(f"[bold]── {title} ──[/bold]")
            report, _ = run_once(job, sandbox.credentials(), data_source, clock=(lambda: clock) if clock else None)
            report.sandbox = True
            show_report(report)
            reports.append(report)
            return report

        step("Run 1")
        second = step("Run 2")
        say("[bold]── Published in Confluence ──[/bold]")
        for entry in second.entries:
            if entry.confluence_url and entry.outcome in ("published", "unchanged"):
                say(f"  {entry.title}  (page {entry.confluence_page_id})")
                say(f"    {entry.confluence_url}")
        say(f"Second run: {second.confluence.writes} Confluence writes, {second.notion.writes} Notion writes.")

        archived = step(f"Run 3, fifteen days later ({later.date()})", later)
        gone = next((e for e in archived.entries if e.outcome == "archived"), None)
        if gone is not None:
            say("[bold]── The owner revalidates it in Notion ──[/bold]")
            notion_url = sandbox.coordinates()["notion"]["base_url"]
            day = later.date().isoformat()
            say(
                f"$ scenario-sync sandbox notion-edit {notion_url} --page-id {gone.page_id} "
                f'--set "Last revalidated={day}"'
            )
            properties = _notion_values(notion_url, gone.page_id, (f"Last revalidated={day}",))
            _control(notion_url, "edit", {"page_id": gone.page_id, "properties": properties}, quiet=True)
            step("Run 4: restored", later)
        last = step("Run 5: nothing to do", later)
        say(f"Last run: {last.confluence.writes} Confluence writes, {last.notion.writes} Notion writes.")
        if serve:
            say("The sandbox is up: open the links above in a browser. Ctrl-C stops it.")
            sys.stdout.flush()
            _wait_for_stop()
    # The seed has an entry with a problem on purpose: only configuration or API failures fail the demo.
    code = worst(r.exit_code for r in reports)
    sys.exit(code if code != ExitCode.ENTRY_PROBLEMS else ExitCode.OK)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite scheduler.yaml and mappings/default.yaml if there.")
def init(folder: Path, force: bool) -> None:
    """Write a starter scheduler.yaml and mappings/default.yaml into FOLDER (default: here).

    The starter has a sandbox job that runs at once, and a job for your team with placeholders to fill in
    (the Notion data source id, the Confluence space and parent page). Existing files are kept unless --force.

    \b
    Example:
      scenario-sync init my-team && cd my-team
      scenario-sync run --job sandbox-demo
    """
    for path in write_starter(folder, force):
        click.echo(f"wrote {path}")
    click.echo("Next: fill in the job 'my-team' in scheduler.yaml, export the credentials, then")
    click.echo("  scenario-sync plan --job my-team")


@cli.command()
@one_job_options
@_sandbox_options
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
def doctor(config: Path, job_name: str, confluence_flavor: str, cloud_v1_content: str, as_json: bool) -> None:
    """Check that a job's credentials can do everything a run needs, and say how to grant what is missing.

    Notion: the token, the data source shared with the integration, the status columns, permission to
    update content. Confluence: the space and parent page, adding and editing pages (with their labels
    and properties) and, on Cloud, archiving. Checks only read, except one empty Notion update that
    changes nothing. Exit code 0 when all is well, 2 when something is missing.

    \b
    Example:
      scenario-sync doctor --job support-emea
    """
    from sync.doctor import diagnose

    job = load_schedule(config).job(job_name)
    if job.sandbox is not None:
        with sandbox_for(job, confluence_flavor or "cloud", cloud_v1_content or "available") as running:
            data_source = job.notion.data_source_id or running.info["data_source_id"]
            findings = diagnose(job, running.credentials(), data_source)
    else:
        findings = diagnose(job, load_credentials(), job.notion.data_source_id)
    if as_json:
        emit_json([redact_data(f.to_json()) for f in findings])
    else:
        for finding in findings:
            mark = "ok  " if finding.ok else "MISSING"
            click.echo(redact(f"{mark:8}{finding.check}: {finding.detail}"))
            if finding.fix:
                click.echo(redact(f"        Fix: {finding.fix}"))
    sys.exit(ExitCode.OK if all(f.ok for f in findings) else ExitCode.CONFIG)


def _wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM (then return, so the sandbox shuts down and saves its state)."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


@cli.group()
def sandbox() -> None:
    """The embedded Notion and Confluence emulators (no accounts needed)."""


@sandbox.command("up")
@click.option("--seed", type=click.Choice(["demo", "empty"]), default="demo", show_default=True)
@_sandbox_options
@click.option("--state", "state_file", type=click.Path(path_type=Path), help="Keep state in this JSON file.")
@click.option("--latency-ms", type=float, default=0, show_default=True, help="Added to every response.")
@click.option("--no-rate-limit", is_flag=True, help="Turn off the rate limits (Notion: 180 requests a minute).")
def sandbox_up(
    seed: str,
    confluence_flavor: str | None,
    cloud_v1_content: str | None,
    state_file: Path | None,
    latency_ms: float,
    no_rate_limit: bool,
) -> None:
    """Start both emulators on free loopback ports and serve until interrupted.

    Prints exactly one JSON line on stdout with each emulator's base_url, token and seeded ids; point
    NOTION_BASE_URL / CONFLUENCE_URL and the tokens at them. Faults can be injected while it runs with
    `scenario-sync sandbox fault`.

    \b
    Example:
      scenario-sync sandbox up --confluence-flavor datacenter --latency-ms 150
    """
    from sync.sandbox.runtime import Sandbox, SandboxOptions

    options = SandboxOptions(
        seed=seed,  # type: ignore[arg-type]
        flavor=confluence_flavor or "cloud",  # type: ignore[arg-type]
        cloud_v1_content=cloud_v1_content or "available",  # type: ignore[arg-type]
        state_file=state_file,
        latency_ms=latency_ms,
        rate_limit=not no_rate_limit,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with Sandbox(options) as running:
        click.echo(json.dumps(running.coordinates()))
        sys.stdout.flush()
        stop.wait()


@sandbox.command("fault")
@click.argument("base_url")
@click.option(
    "--kind",
    type=click.Choice(["status", "slow", "drop", "lost"]),
    default="status",
    show_default=True,
    help="lost: the server applies the request, then the answer is lost.",
)
@click.option("--status", type=int, default=503, show_default=True, help="HTTP status for --kind status.")
@click.option("--retry-after", type=float, help="Seconds in Retry-After (429).")
@click.option("--delay", type=float, default=0, help="Seconds to wait for --kind slow.")
@click.option("--method", help="Only requests with this method.")
@click.option("--path", help="Only requests whose path matches this regular expression.")
@click.option("--times", type=int, default=1, show_default=True, help="How many matching requests it hits.")
@click.option("--skip", type=int, default=0, show_default=True, help="Let this many matching requests pass first.")
def sandbox_fault(base_url: str, **fault: Any) -> None:
    """Inject a fault into a running emulator (BASE_URL from `sandbox up`).

    \b
    Example:
      scenario-sync sandbox fault http://127.0.0.1:8001 --status 429 --retry-after 2 --times 3
    """
    _control(base_url, "faults", {k: v for k, v in fault.items() if v is not None})


@sandbox.command("human-edit")
@click.argument("base_url")
@click.option("--page-id", required=True, help="The Confluence page a person edits.")
@click.option("--editor", default="Dana Editor", show_default=True, help="Who edits it.")
@click.option("--body", help="The new storage body (default: the old one plus a paragraph).")
def sandbox_human_edit(base_url: str, page_id: str, editor: str, body: str | None) -> None:
    """Have a person edit a page in a running Confluence emulator, as if in the editor, now.

    \b
    Example:
      scenario-sync sandbox human-edit http://127.0.0.1:8002/wiki --page-id 65541
    """
    _control(base_url, "human-edit", {"page_id": page_id, "editor": editor, "body": body})


@sandbox.command("deny")
@click.argument("base_url")
@click.option("--permission", required=True, help="e.g. create:page, update:page, archive:page; update_content.")
@click.option("--allow", is_flag=True, help="Give the permission back instead.")
def sandbox_deny(base_url: str, permission: str, allow: bool) -> None:
    """Take a permission from the API user of a running emulator (to see what `doctor` and a run say).

    Confluence: read:space, create:page, update:page (pages, labels, content properties), archive:page.
    Notion (the integration's capabilities): read_content, update_content, insert_content, read_comments,
    insert_comments.

    \b
    Example:
      scenario-sync sandbox deny http://127.0.0.1:8002/wiki --permission create:page
    """
    _control(base_url, "deny", {"permission": permission, "denied": not allow})


@sandbox.command("notion-edit")
@click.argument("base_url")
@click.option("--page-id", required=True, help="The Notion entry a person edits.")
@click.option(
    "--set",
    "values",
    multiple=True,
    required=True,
    help="PROPERTY=VALUE; dates as YYYY-MM-DD or 'today', numbers as digits, multi-select options separated"
    " by commas, checkboxes as true or false, anything else as text.",
)
def sandbox_notion_edit(base_url: str, page_id: str, values: tuple[str, ...]) -> None:
    """Have a person edit an entry's properties in a running Notion emulator, now.

    The property's type decides how VALUE is read: a date column takes a date ('today' works), a number
    column digits, a select or status column an option name, a multi-select column option names separated by
    commas, a checkbox true or false, text and link columns text. People columns are set in Notion itself.

    \b
    Example:
      scenario-sync sandbox notion-edit http://127.0.0.1:8001 --page-id 1b2c… --set "Last revalidated=today"
      scenario-sync sandbox notion-edit http://127.0.0.1:8001 --page-id 1b2c… --set "Trigger keywords=outage,refund"
    """
    _control(base_url, "edit", {"page_id": page_id, "properties": _notion_values(base_url, page_id, values)})


def _notion_values(base_url: str, page_id: str, values: tuple[str, ...]) -> dict[str, Any]:
    import datetime as dt

    import httpx

    # The property types, from the emulator's own state (what a person sees in the table).
    state = httpx.get(f"{base_url.rstrip('/')}/_sandbox/state").json()
    wanted = page_id.replace("-", "")
    page: dict[str, Any] = next((p for p in state.get("pages", []) if p.get("id", "").replace("-", "") == wanted), {})
    parent = (page.get("parent") or {}).get("data_source_id")
    source: dict[str, Any] = next((s for s in state.get("data_sources", []) if s.get("id") == parent), {})
    kinds = {prop["name"]: prop["type"] for prop in source.get("properties", [])}
    properties: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or name not in kinds:
            raise SyncError(f"'{item}' does not name a property of the entry", "use PROPERTY=VALUE with a column name")
        kind = kinds[name]
        if kind == "date":
            day = dt.date.today().isoformat() if value == "today" else value
            properties[name] = {"date": {"start": day}}
        elif kind == "number":
            if not value.strip().lstrip("-").isdigit():
                raise SyncError(f"'{name}' is a number column: '{value}' is not a number", "give digits, e.g. 3")
            properties[name] = {"number": int(value)}
        elif kind in ("select", "status"):
            properties[name] = {kind: {"name": value}}
        elif kind == "multi_select":
            properties[name] = {kind: [{"name": option.strip()} for option in value.split(",") if option.strip()]}
        elif kind == "checkbox":
            if value.lower() not in ("true", "false"):
                raise SyncError(f"'{name}' is a checkbox: '{value}' is neither true nor false", "give true or false")
            properties[name] = {kind: value.lower() == "true"}
        elif kind == "url":
            properties[name] = {kind: value or None}
        elif kind in ("title", "rich_text"):
            properties[name] = {kind: [{"text": {"content": value}}]}
        else:
            raise SyncError(f"'{name}' is a {kind} column, which this command cannot set", "set it in Notion")
    return properties


def _control(base_url: str, action: str, body: dict[str, Any], quiet: bool = False) -> None:
    import httpx

    root = base_url.rstrip("/").removesuffix("/wiki")
    response = httpx.post(f"{root}/_sandbox/{action}", json=body)
    if response.status_code >= 400:
        raise SyncError(f"the sandbox refused {action}: {response.text}")
    if not quiet:
        click.echo(response.text)


# The audit commands live in their own module (registered here, once `cli` and its helpers exist).
from sync.cli_audit import audit  # noqa: E402

cli.add_command(audit)


from sync import cli_notion  # noqa: E402  (after `cli` exists: it registers commands on it)

cli_notion.register(cli)
cli.add_command(schedule_command)
cli.add_command(cron_group)


def main() -> None:
    overlap.few_arenas()  # before any thread starts
    try:
        cli(obj={})
    except KeyboardInterrupt:  # outside a command (e.g. while starting up)
        sys.exit(ExitCode.INTERRUPTED)


# Command groups kept in their own modules, registered here so `cli` stays the one entry point.
from sync.cli_generate import lint, preview  # noqa: E402

cli.add_command(preview)
cli.add_command(lint)
