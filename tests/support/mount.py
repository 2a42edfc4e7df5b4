"""One loopback server for many tests: it forwards to whichever emulator the current test mounted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sync.sandbox.server import LoopbackServer


class Mount:
    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: dict, start_response: Any) -> Any:
        assert self.app is not None, "no emulator mounted"
        return self.app(environ, start_response)


@contextmanager
def serving(loopback: tuple[LoopbackServer, Mount], app: Any) -> Iterator[LoopbackServer]:
    """Mount `app` on the shared server for the duration of one test."""
    running, mount = loopback
    mount.app = app
    try:
        yield running
    finally:
        mount.app = None


@contextmanager
def shared_server() -> Iterator[tuple[LoopbackServer, Mount]]:
    mount = Mount()
    with LoopbackServer(mount) as running:
        yield running, mount
