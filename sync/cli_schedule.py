"""The scheduling commands: `schedule` (a long-running scheduler) and `cron export` (snippets for the
schedulers a team already has). Registered by sync/cli.py."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import click

from sync.config import Job, load_schedule
from sync.cron_export import FORMATS, Settings, export
from sync.errors import ExitCode, SyncError
from sync.schedule import Scheduler
from sync.session import run_configured

log = logging.getLogger("sync.schedule")
_config_option = click.option(
    "--config", type=click.Path(path_type=Path), default=Path("scheduler.yaml"), show_default=True, help="Jobs file."
)


def _executor(report_dir: Path | None) -> Any:
    def execute(job: Job) -> int:
        tag = " (sandbox)" if job.sandbox is not None else ""
        try:
            report = run_configured(job)
        except SyncError as error:
            log.error("job %s%s: %s (fix: %s)", job.name, tag, error.message, error.fix)
            return error.exit_code
        totals = ", ".join(f"{n} {k}" for k, n in report.totals.items()) or "no entries"
        log.info("job %s%s: %s; %d errors", job.name, tag, totals, len(report.errors))
        if report_dir is not None:
            path = report_dir / job.name / f"{report.started_at:%Y%m%dT%H%M%SZ}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        return report.exit_code

    return execute


def _this_program() -> tuple[str, ...]:
    """How a scheduler on this host starts scenario-sync: the installed program's absolute path."""
    found = shutil.which("scenario-sync") or (sys.argv[0] if Path(sys.argv[0]).name == "scenario-sync" else None)
    return (str(Path(found).resolve()),) if found else (sys.executable, "-m", "sync")


@click.command("schedule")
@_config_option
@click.option(
    "--report-dir", type=click.Path(file_okay=False, path_type=Path), help="Keep each run's JSON report here."
)
def schedule_command(config: Path, report_dir: Path | None) -> None:
    """Run every job at its cron times, in its time zone, until stopped.

    Each job's `schedule` is read in its `timezone`. A job never overlaps itself: a run still going when the
    next is due skips that one. A failed run is logged and the job stays scheduled; each job's next run is
    logged. SIGHUP reloads scheduler.yaml (a broken file keeps the jobs as they were); SIGTERM stops
    cleanly, letting runs that are going finish; Ctrl-C does the same and exits 130.

    \b
    Example:
      scenario-sync schedule --config /etc/scenario-sync/scheduler.yaml
      kill -HUP <pid>    # after editing scheduler.yaml
    """
    if not logging.getLogger().handlers:  # nothing configured the log output: timestamped lines on stderr
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("sync").setLevel(min(logging.getLogger("sync").getEffectiveLevel(), logging.INFO))
    scheduler = Scheduler(lambda: load_schedule(config).jobs, _executor(report_dir))
    interrupted = False

    def interrupt(*_: Any) -> None:
        nonlocal interrupted
        interrupted = True
        scheduler.request_stop()

    signal.signal(signal.SIGTERM, lambda *_: scheduler.request_stop())
    signal.signal(signal.SIGHUP, lambda *_: scheduler.request_reload())
    signal.signal(signal.SIGINT, interrupt)
    scheduler.run_forever()
    sys.exit(ExitCode.INTERRUPTED if interrupted else ExitCode.OK)


@click.group("cron")
def cron_group() -> None:
    """Run the jobs on a scheduler you already have (cron, Kubernetes, GitHub Actions, systemd)."""


@cron_group.command("export")
@_config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Which scheduler.")
@click.option("--job", "job_names", multiple=True, help="Only this job (repeatable). Default: every real job.")
@click.option("--image", default=Settings.image, show_default=True, help="Kubernetes: an image with scenario-sync.")
@click.option("--secret", default=Settings.secret, show_default=True, help="Kubernetes: the Secret with credentials.")
@click.option("--env-file", default=Settings.env_file, show_default=True, help="crontab/systemd: credentials file.")
@click.option(
    "--package",
    default="",
    metavar="SPEC",
    help="github-actions: what pip installs (default: scenario-sync==this version from your package index; "
    "or a git URL such as git+https://host/org/scenario-sync@TAG, or a wheel's address).",
)
def cron_export(
    config: Path, fmt: str, job_names: tuple[str, ...], image: str, secret: str, env_file: str, package: str
) -> None:
    """Print ready-to-use snippets that run the jobs on another scheduler, each in its time zone.

    crontab: lines for `crontab -e`. kubernetes: a CronJob per job (concurrencyPolicy Forbid, timeZone,
    credentials from a Secret). github-actions: a workflow per job. systemd: a service and a timer per job.
    Credentials are referenced by name, never written out. Sandbox jobs are left out unless named.

    \b
    Example:
      scenario-sync cron export --format kubernetes > cronjobs.yaml
      scenario-sync cron export --format systemd --job support-emea
      scenario-sync cron export --format github-actions --package git+https://git.example.com/ops/scenario-sync@v0.1.0
    """
    schedule = load_schedule(config)
    jobs = [schedule.job(name) for name in job_names] or [j for j in schedule.jobs if j.sandbox is None]
    if not jobs:
        raise click.UsageError("no real job in the config: name a sandbox job with --job to export it")
    from importlib.metadata import version

    settings = Settings(
        config=config.resolve(),
        command=_this_program(),
        env_file=env_file,
        image=image,
        secret=secret,
        version=version("scenario-sync"),
        package=package,
    )
    click.echo(export(fmt, jobs, settings), nl=False)  # type: ignore[arg-type]
