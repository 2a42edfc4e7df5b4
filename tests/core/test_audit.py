"""The audit log's hash chain, and reading what was live from a page's version messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sync.audit import AuditLog, live_at, parse_message, record, record_part, verify
from sync.confluence.base import PageVersion

APPROVAL = {
    "fingerprint": "abcdef0123456789ffff",
    "approved_on": "2026-09-01",
    "approvers": {"legal": {"by": "Lena Legal", "on": "2026-08-30"}, "ops": {"by": None, "on": None}},
}


def test_chain_verifies_and_detects_an_edited_line(tmp_path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))
    for n in range(4):
        log.append({"event": "publish", "n": n})
    AuditLog(str(path)).append({"event": "archive"})  # a later run continues the chain
    assert verify(path) == []

    lines = path.read_text().splitlines()
    edited = json.loads(lines[1]) | {"n": 99}
    lines[1] = json.dumps(edited, sort_keys=True)
    path.write_text("\n".join(lines) + "\n")
    assert verify(path) == ["line 3: does not follow line 2 (edited, removed or inserted)"]


def test_a_removed_line_is_detected(tmp_path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(str(path))
    for n in range(3):
        log.append({"n": n})
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert verify(path) == ["line 2: does not follow line 1 (edited, removed or inserted)"]


def test_stdout_log(capsys) -> None:
    log = AuditLog("-")
    log.append({"event": "publish"})
    log.append({"event": "update"})
    first, second = capsys.readouterr().out.splitlines()
    assert json.loads(first)["prev"] == "0" * 64 and json.loads(second)["prev"] != "0" * 64


def test_version_message_round_trip_and_live_at() -> None:
    recorded = record("update", 4, "abcdef0123456789ff", APPROVAL)
    message = "scenario-sync: Notion version 4 (content changed)" + record_part(recorded)
    # What a message records reads back as the data it was made from (the manifest keeps that data for a create).
    assert (
        parse_message(message)
        == recorded
        == {
            "a": "update",
            "v": 4,
            "fp": "abcdef0123456789",
            "ok": {"legal": ["Lena Legal", "2026-08-30"], "ops": ["unmapped", None]},
            "since": "2026-09-01",
        }
    )
    created = "scenario-sync: create" + record_part(record("create", 3, "x", None))
    history = [
        PageVersion(1, "2026-09-01T06:00:00.000Z", created, ""),
        PageVersion(2, "2026-10-01T06:00:00.000Z", message, ""),
        PageVersion(3, "2026-10-05T09:00:00.000Z", "Edited by hand", "Dana"),
    ]
    live = live_at(history, datetime(2026, 10, 3, tzinfo=UTC))
    assert live is not None and live.version.number == 2 and live.record is not None and live.record["v"] == 4
    assert "legal: approved (by Lena Legal) on 2026-08-30" in live.describe()
    assert "Notion version 4, content fingerprint abcdef0123456789" in live.describe()
    assert live_at(history, datetime(2026, 8, 1, tzinfo=UTC)) is None
    assert parse_message("Edited by hand") is None
