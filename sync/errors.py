"""The errors scenario-sync raises, each with the exit code a cron monitor reads and the fix a person can make.

The CLI turns any `SyncError` into one readable line (`Error: …`, then `Fix: …`) and its exit code.
"""

from __future__ import annotations

from typing import Any

from sync.redact import redact


class SyncError(Exception):
    exit_code = 1

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


class ConfigError(SyncError):
    """scheduler.yaml, a mapping file or the environment is wrong."""

    exit_code = 2


class AuthError(SyncError):
    """Notion or Confluence refused the credentials."""

    exit_code = 2


class ApiFailure(SyncError):
    """An API kept failing after the retries: the run is partial."""

    exit_code = 3


class TitleCollision(SyncError):
    """A page we do not manage already has the title an entry needs."""


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
    return getattr(getattr(error, "response", None), "status_code", None) or getattr(error, "status", None)


class PageChanged(SyncError):
    """A page changed in Confluence between our read and our write (a version conflict that was not our own)."""


class PartialWrite(SyncError):
    """The page was written (it is live) but a later step failed: its labels, attachments or our record."""

    def __init__(self, message: str, fix: str, page: object) -> None:
        super().__init__(message, fix)
        self.page: Any = page
