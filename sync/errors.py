"""The errors scenario-sync raises, each with the exit code a cron monitor reads and the fix a person can make.

The CLI turns any `SyncError` into one readable line (`Error: …`, then `Fix: …`) and its exit code.
The exit codes are defined here and nowhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from enum import IntEnum
from typing import Any

from sync.redact import redact


class ExitCode(IntEnum):
    """What a run's exit status means; `EXIT_CODES` says it in words for `--help` and the README."""

    OK = 0
    ENTRY_PROBLEMS = 1
    CONFIG = 2
    PARTIAL = 3
    LOCK_HELD = 4
    INTERRUPTED = 130


EXIT_CODES: dict[ExitCode, str] = {
    ExitCode.OK: "all good",
    ExitCode.ENTRY_PROBLEMS: "some entries have problems or are held for one (a title collision is one)",
    ExitCode.CONFIG: "configuration, permission or authentication error (the message names what to fix)",
    ExitCode.PARTIAL: "partial failure: an API kept failing, or the mass-archive guard tripped",
    ExitCode.LOCK_HELD: "another run of the job holds its lock",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
}

# Which code several runs (`run --all`) report: the one that most needs a person.
_SEVERITY = [ExitCode.CONFIG, ExitCode.PARTIAL, ExitCode.ENTRY_PROBLEMS, ExitCode.LOCK_HELD, ExitCode.OK]


def worst(codes: Iterable[int]) -> int:
    """The most serious of several exit codes: interrupted, then 2, 3, 1, 4, 0."""
    seen = set(codes)
    if ExitCode.INTERRUPTED in seen:
        return ExitCode.INTERRUPTED
    return next((code for code in _SEVERITY if code in seen), ExitCode.OK)


class SyncError(Exception):
    exit_code: int = ExitCode.ENTRY_PROBLEMS

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


class ConfigError(SyncError):
    """scheduler.yaml, a mapping file, the environment or a referenced Notion/Confluence object is wrong."""

    exit_code = ExitCode.CONFIG


class AuthError(SyncError):
    """Notion or Confluence refused the credentials."""

    exit_code = ExitCode.CONFIG


class ApiFailure(SyncError):
    """An API kept failing after the retries: the run is partial."""

    exit_code = ExitCode.PARTIAL


class TitleCollision(SyncError):
    """A page we do not manage already has the title an entry needs: a problem of that entry."""

    exit_code = ExitCode.ENTRY_PROBLEMS


class PropertyConflict(SyncError):
    """Someone else wrote a content property between our read and our write (409)."""


class LockHeld(SyncError):
    """Another run of the same job holds the job's lease."""

    exit_code = 4


def describe(error: BaseException) -> str:
    """One line for a report: the error's kind, HTTP status and first line of its message; never the request
    (it may carry credentials) or a page body."""
    status = http_status(error)
    kind = type(error).__name__
    text = redact(str(error).splitlines()[0][:300]) if str(error).strip() else ""
    return f"{kind} (HTTP {status}): {text}" if status else f"{kind}: {text}"


def http_status(error: BaseException) -> int | None:
    """The HTTP status an error from either official client carries, if any (notion-client: `.status`;
    requests: `.response.status_code`)."""
    status = getattr(error, "status", None)
    if isinstance(status, int):
        return status
    status = getattr(getattr(error, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


@contextlib.contextmanager
def missing_is_config(message: str, fix: str, statuses: tuple[int, ...] = (404,)) -> Iterator[None]:
    """Around the first read of something the configuration names: its absence is a configuration error."""
    try:
        yield
    except SyncError:
        raise
    except Exception as error:
        if http_status(error) in statuses:
            raise ConfigError(message, fix) from error
        raise


class PageChanged(SyncError):
    """A page changed in Confluence between our read and our write (a version conflict that was not our own)."""


class PartialWrite(SyncError):
    """The page was written (it is live) but a later step failed: its labels, attachments or our record."""

    def __init__(self, message: str, fix: str, page: object) -> None:
        super().__init__(message, fix)
        self.page: Any = page
