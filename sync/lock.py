"""One run per job at a time, on any host: a lease kept in a content property on the job's index page.

The lease is taken and renewed with Confluence's version check, so of two hosts writing it at once one
gets 409 and stops; a crashed run's lease simply expires and the next run takes it over (and says so).

A run lets its lease go beside its last writes (the index page, the manifest, the records of the pages it
wrote last), not after them: the release names what those writes leave (`landing`), and a run that reads
before they are in place waits for them (`IndexSite.load_manifest`, `IndexSite.caught_up`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sync.confluence.base import ConfluenceAdapter, Property
from sync.errors import LockHeld, PropertyConflict

LOCK_KEY = "scenario-sync-lock"
LEASE = timedelta(minutes=15)
# Leases held by runs alive in this process: a lease naming this process but none of these was left by a run
# that died in it (a worker that keeps running jobs), and is taken over at once.
_LIVE: set[str] = set()


@dataclass
class Lease:
    adapter: ConfluenceAdapter
    page_id: str
    clock: Callable[[], datetime]
    holder: str = field(default_factory=lambda: f"{os.getpid()}-{uuid.uuid4().hex[:8]}")
    host: str = field(default_factory=socket.gethostname)
    length: timedelta = LEASE
    _current: Property | None = None
    started: datetime | None = None
    _renewed: datetime | None = None
    after: dict[str, Any] | None = None  # what the lease taken over said was landing (`landing`)

    def _value(self, expires: datetime) -> dict[str, Any]:
        assert self.started is not None
        return {
            "holder": self.holder,
            "host": self.host,
            "started": self.started.isoformat(),
            "expires": expires.isoformat(),
        }

    @staticmethod
    def _held_by(value: Any) -> str:
        value = value or {}
        return f"{value.get('holder', '?')} on {value.get('host', '?')} since {value.get('started', '?')}"

    def acquire(self) -> str | None:
        """Take the lease; a note when an expired lease was taken over. `LockHeld` if another run has it."""
        return self.take(self.read())

    def read(self) -> Property | None:
        return self.adapter.get_property(self.page_id, LOCK_KEY)

    def _expires(self, current: Property | None, now: datetime) -> datetime | None:
        """When the lease as read stops another run from taking it; None when it is free (never taken, or
        released)."""
        if current is None or not current.value or current.value.get("released"):
            return None
        expires = datetime.fromisoformat(current.value.get("expires", now.isoformat()))
        holder = str(current.value.get("holder", ""))
        if holder.startswith(f"{os.getpid()}-") and current.value.get("host") == self.host and holder not in _LIVE:
            return now  # left by a run that died in this process
        return expires

    def free(self, current: Property | None) -> bool:
        """Whether the lease as read was free to take (released, expired or never taken)."""
        now = self.clock()
        expires = self._expires(current, now)
        return expires is None or expires <= now

    def take(self, current: Property | None) -> str | None:
        """Write our lease over `current` (as read), under Confluence's version check."""
        now = self.clock()
        note = None
        expires = self._expires(current, now)
        if expires is not None and current is not None:
            if expires > now:
                raise LockHeld(
                    f"another run of this job holds its lease: {self._held_by(current.value)}, until {expires}",
                    "wait for that run to finish; a crashed run's lease expires by itself",
                )
            note = f"took over an expired lease from {self._held_by(current.value)} (expired {expires})"
        self.started = self._renewed = now
        self.after = self.landing(current)
        try:
            self._current = self.adapter.set_property(self.page_id, LOCK_KEY, self._value(now + self.length), current)
        except PropertyConflict as error:  # another host wrote it between our read and our write
            winner = self.adapter.get_property(self.page_id, LOCK_KEY)
            raise LockHeld(
                f"another run of this job took its lease first: {self._held_by(winner.value if winner else None)}",
                "wait for that run to finish",
            ) from error
        _LIVE.add(self.holder)
        return note

    @staticmethod
    def landing(current: Property | None) -> dict[str, Any] | None:
        """What a released lease says its run's last writes leave once they have landed: `manifest` (its
        property's version, the SHA-256 of the file it names) and `records` (page id → its record's version).
        None: it says nothing, or it is not released."""
        value = current.value if current is not None else None
        if not isinstance(value, dict) or not value.get("released") or not isinstance(value.get("landing"), dict):
            return None
        return value["landing"]

    def renew_if_due(self) -> None:
        """Renew once a third of the lease has gone by (a long run keeps it; a short one writes it once)."""
        if self._renewed is None or self.clock() - self._renewed >= self.length / 3:
            self.renew()

    def renew(self) -> None:
        """Push the expiry on; losing the version check means someone took the lease: stop."""
        now = self._renewed = self.clock()
        try:
            self._current = self.adapter.set_property(
                self.page_id, LOCK_KEY, self._value(now + self.length), self._current
            )
        except PropertyConflict as error:
            raise LockHeld("this run's lease was taken over by another run", "run again later") from error

    def release(self, landing: dict[str, Any] | None = None) -> None:
        """Let the lease go; `landing`: what the writes still on their way leave, for the next run to wait for
        (see `landing`)."""
        _LIVE.discard(self.holder)
        if self._current is None:
            return
        value = self._value(self.clock()) | {"released": True}
        if landing is not None:
            value["landing"] = landing
        with contextlib.suppress(PropertyConflict):  # someone took it over: it is theirs now
            self.adapter.set_property(self.page_id, LOCK_KEY, value, self._current)
        self._current = None
