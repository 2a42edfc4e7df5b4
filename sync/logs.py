"""Structured logs on stderr (stdout stays for reports): text or one JSON object a line, a run id on every
line, credentials redacted from every line and trace.

- `configure()` is called once by the CLI (`--log-format`, `--log-level`);
- `run_context()` gives a run its id (a contextvar, so runs in threads of one process keep theirs);
- `api_request()` wraps each attempt of an API call: the HTTP hooks below fill in the method, path and
  status the official clients send and receive, and one debug line is written per request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from sync.redact import redact

ROOT = "scenario_sync"
LogFormat = Literal["text", "json"]

_run_id: ContextVar[str | None] = ContextVar("scenario_sync_run_id", default=None)
_exchange: ContextVar[dict[str, Any] | None] = ContextVar("scenario_sync_exchange", default=None)
# LogRecord's own attributes: anything else on a record came in through `extra=` and is a field of the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "run_id"}


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{name}")


def current_run_id() -> str | None:
    return _run_id.get()


def new_run_id(sandbox: bool = False) -> str:
    """A fresh run id; a run against the embedded emulators says so on every line it logs."""
    value = uuid.uuid4().hex[:12]
    return f"sandbox-{value}" if sandbox else value


@contextlib.contextmanager
def run_context(run_id: str | None = None) -> Iterator[str]:
    """Every line logged inside carries this run's id."""
    value = run_id or new_run_id()
    token = _run_id.set(value)
    try:
        yield value
    finally:
        _run_id.reset(token)


class _RunId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.run_id = _run_id.get() or "-"
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, run_id, msg, then the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "run_id": getattr(record, "run_id", "-"),
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """`time level run=ID logger: message key=value …`, one line per event (a trace follows on its own lines)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        # Values with spaces are quoted, so `key=value` pairs stay splittable.
        extra = "".join(f" {k}={json.dumps(v) if ' ' in str(v) else v}" for k, v in _fields(record).items())
        text = f"{stamp} {record.levelname} run={getattr(record, 'run_id', '-')} {record.name}: "
        text += record.getMessage() + extra
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return redact(text)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test runner swaps it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(level: str = "warning", fmt: LogFormat = "text") -> None:
    """Send the project's logs to stderr in `fmt`; calling again replaces the previous setup."""
    logger = logging.getLogger(ROOT)
    for handler in [h for h in logger.handlers if isinstance(h, _Stderr)]:
        logger.removeHandler(handler)
    handler = _Stderr()
    handler.addFilter(_RunId())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())


# --- one line per API request ---------------------------------------------------------------------------
_http = get("http")


def _note(method: str, url: str, status: int | None = None) -> None:
    exchange = _exchange.get()
    if exchange is not None:
        exchange.update(method=method, path=urlsplit(url).path, **({"status": status} if status else {}))


def httpx_event_hooks() -> dict[str, list[Any]]:
    """For `httpx.Client(event_hooks=…)` (notion-client)."""

    def on_request(request: Any) -> None:
        _note(request.method, str(request.url))

    def on_response(response: Any) -> None:
        _note(response.request.method, str(response.request.url), response.status_code)

    return {"request": [on_request], "response": [on_response]}


def requests_response_hook(response: Any, *args: Any, **kwargs: Any) -> None:
    """For a requests session's `hooks["response"]` (atlassian-python-api)."""
    _note(response.request.method or "", response.request.url or "", response.status_code)


@contextlib.contextmanager
def api_request(api: str, retry: int, run_id: str | None = None) -> Iterator[None]:
    """Log one debug line for the request made inside: method, path, status, duration, retry number."""
    exchange: dict[str, Any] = {}
    token = _exchange.set(exchange)
    run_token = _run_id.set(run_id) if run_id and _run_id.get() is None else None
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        yield
    except BaseException as raised:
        error = raised
        raise
    finally:
        _exchange.reset(token)
        if _http.isEnabledFor(logging.DEBUG):
            request = getattr(error, "request", None)  # httpx and requests errors carry what was sent
            if "method" not in exchange and request is not None:
                with contextlib.suppress(Exception):
                    exchange.update(method=request.method, path=urlsplit(str(request.url)).path)
            fields = {
                "api": api,
                "method": exchange.get("method", "?"),
                "path": exchange.get("path", "?"),
                "status": exchange.get("status") or (type(error).__name__ if error else None),
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "retry": retry,
            }
            _http.debug("api request", extra=fields)
        if run_token is not None:
            _run_id.reset(run_token)
