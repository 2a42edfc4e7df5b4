"""The record of what was live.

Every write's version message carries a short machine-readable part (Notion version, content fingerprint,
approvals), so Confluence's page history answers "what was live on DATE, approved by whom" from any host.
The JSON-lines audit log is a second copy, each line carrying the hash of the one before it, so an edited
or removed line is detectable.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.confluence.base import PageVersion

GENESIS = "0" * 64
SEPARATOR = " | sync:"


def record(action: str, entry_version: int | None, fingerprint: str | None, approval: dict | None) -> dict[str, Any]:
    """What a version message records, as data: the manifest keeps it for each page created (its texts shared
    with the approval record, where parsing the message back made new ones)."""
    approvers = (approval or {}).get("approvers", {})
    data: dict[str, Any] = {"a": action, "v": entry_version, "fp": (fingerprint or "")[:16]}
    data["ok"] = {name: [who.get("by") or "unmapped", who.get("on")] for name, who in approvers.items()}
    if approval:
        data["since"] = approval.get("approved_on")
    return data


def record_part(data: dict[str, Any]) -> str:
    """The machine-readable tail of a version message, from its `record`."""
    return SEPARATOR + json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def parse_message(message: str) -> dict[str, Any] | None:
    if SEPARATOR not in message:
        return None
    try:
        value = json.loads(message.rsplit(SEPARATOR, 1)[1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class LiveAt:
    version: PageVersion
    record: dict[str, Any] | None

    def describe(self) -> str:
        rec = self.record or {}
        message = self.version.message or ("created by scenario-sync" if rec.get("a") == "create" else "")
        lines = [f"page version {self.version.number}, written {self.version.when}: {message}"]
        if rec.get("v") is not None:
            lines.append(f"  Notion version {rec['v']}, content fingerprint {rec.get('fp', '')}")
        if rec.get("a") == "archive":
            lines.append("  the page was archived then: not current guidance")
        if self.record is None:
            lines.append("  not written by scenario-sync: no approval record")
        for name, (by, on) in sorted((rec.get("ok") or {}).items()):
            who = "approver column not mapped" if by == "unmapped" else f"by {by}"
            lines.append(f"  {name}: approved ({who})" + (f" on {on}" if on else ""))
        return "\n".join(lines)


def live_at(history: list[PageVersion], when: datetime) -> LiveAt | None:
    """The version of the page that was live at `when` (the last one written at or before it)."""
    live = None
    for version in sorted(history, key=lambda v: v.number):
        written = datetime.fromisoformat(version.when.replace("Z", "+00:00"))
        if written.tzinfo is None:
            written = written.replace(tzinfo=when.tzinfo)
        if written <= when:
            live = version
    return LiveAt(live, parse_message(live.message)) if live else None


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


class AuditLog:
    """Append-only JSON lines, each with `prev`: the hash of the previous line."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._last = GENESIS
        if target != "-":
            path = Path(target)
            if path.exists():
                lines = path.read_text(encoding="utf-8").splitlines()
                if lines:
                    self._last = _line_hash(lines[-1])

    def append(self, event: dict[str, Any]) -> None:
        line = json.dumps({**event, "prev": self._last}, ensure_ascii=False, sort_keys=True)
        if self.target == "-":
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        else:
            path = Path(self.target)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        self._last = _line_hash(line)


def verify(path: Path) -> list[str]:
    """What is wrong with a log's chain (empty when intact), by line number."""
    problems: list[str] = []
    last = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            prev = json.loads(line).get("prev")
        except ValueError:
            problems.append(f"line {number}: not JSON")
            prev = None
        if prev != last:
            problems.append(f"line {number}: does not follow line {number - 1} (edited, removed or inserted)")
        last = _line_hash(line)
    return problems
