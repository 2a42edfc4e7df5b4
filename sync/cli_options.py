"""Options shared by the command modules (kept apart from cli.py so each command module can import them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

DEFAULT_CONFIG: Path = Path("scheduler.yaml")


def config_option(fn: Any) -> Any:
    """--config: the jobs file."""
    return click.option(
        "--config", type=click.Path(path_type=Path), default=DEFAULT_CONFIG, show_default=True, help="Jobs file."
    )(fn)


def one_job_options(fn: Any) -> Any:
    """--config and a required --job: for commands that look at one job (no --all)."""
    return click.option("--job", "job_name", required=True, help="Name of the job in scheduler.yaml.")(
        config_option(fn)
    )
