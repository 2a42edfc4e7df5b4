"""What a run holds of the job's index site: each approval record once, however many places it was read from."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date

from sync.approval import ApprovalRecord
from sync.confluence.base import ManagedPage, PageMeta, Target
from sync.index_page import Manifest
from sync.upkeep import MANIFEST_FILE, IndexSite

RECORD = {
    "fingerprint": "c099b4cd64094ac5",
    "fields": {"title": "d3d28a029ef56869", "guidance": "e3b0c44298fc1c14"},
    "entry_version": 3,
    "approved_on": "2026-11-27",
    "approvers": {"legal": {"by": "Grace Okafor", "on": "2026-11-02"}},
    "reset": [],
}


def page(notion_id: str, approval: dict | None) -> ManagedPage:
    meta = PageMeta(notion_id, "fp", 1, 3, approval=approval)
    return ManagedPage(
        id=f"p-{notion_id}", title=notion_id, version=1, last_editor="sync", labels=frozenset(), meta=meta
    )


def site(entries: dict[str, dict]) -> IndexSite:
    manifest = Manifest.from_json(json.loads(json.dumps({"entries": entries})))  # as read: objects of its own
    return IndexSite(None, Target("OPS", "1", "2"), None, "9", manifest)  # type: ignore[arg-type]


def test_a_page_holds_the_manifests_record_when_both_say_the_same() -> None:
    index = site({"a": {"approval": RECORD}, "b": {"approval": {**RECORD, "entry_version": 4}}, "c": {}})
    listed = [page("a", json.loads(json.dumps(RECORD))), page("b", dict(RECORD)), page("c", dict(RECORD))]

    shared = index.sharing(listed)

    kept = index.manifest.entries
    assert shared[0].meta.approval is kept["a"]["approval"]  # one object for the two reads
    assert shared[1].meta.approval is listed[1].meta.approval  # they differ: the page keeps its own
    assert shared[1].meta.approval["entry_version"] == 3
    assert shared[2].meta.approval is listed[2].meta.approval  # the manifest has none
    assert [p.meta.approval for p in shared] == [p.meta.approval for p in listed]  # nothing else changed
    assert [(p.id, p.meta.fingerprint) for p in shared] == [(p.id, p.meta.fingerprint) for p in listed]


def test_a_page_without_a_record_or_without_its_property_is_left_as_listed() -> None:
    index = site({"a": {"approval": RECORD}})
    bare = ManagedPage(id="p", title="t", version=1, last_editor="someone", labels=frozenset(), meta=None)
    listed = [page("a", None), bare]
    assert index.sharing(listed) == listed


def test_a_record_read_keeps_the_fields_it_was_read_with() -> None:
    value = json.loads(json.dumps(RECORD))
    record = ApprovalRecord.from_json(value)
    assert record is not None and record.fields is value["fields"]
    assert record.approved_on == date(2026, 11, 27) and record.to_json()["fields"] == RECORD["fields"]
    # Written as read, and made once: the page a run writes and the manifest hold the same JSON, not copies.
    assert record.to_json() is record.to_json() and record.to_json()["fields"] is value["fields"]
    assert json.loads(json.dumps(record.to_json())) == RECORD


def test_a_record_with_fields_of_other_types_is_read_as_text() -> None:
    record = ApprovalRecord.from_json({**RECORD, "fields": {"title": 12}})
    assert record is not None and record.fields == {"title": "12"}


def test_a_manifest_read_holds_each_repeated_text_once_and_says_what_it_read() -> None:
    text = json.dumps(
        {
            "entries": {
                "a": {"approval": RECORD, "keywords": ["outage", "refund"]},
                "b": {
                    "approval": {**RECORD, "approvers": {"legal": {"by": "Grace Okafor", "on": "2026-11-02"}}},
                    "keywords": ["refund"],
                    "owner": "Grace Okafor",
                },
            }
        }
    )

    manifest = Manifest.from_json(json.loads(text))

    assert json.dumps(manifest.to_json()["entries"], sort_keys=True) == json.dumps(
        json.loads(text)["entries"], sort_keys=True
    )
    a, b = manifest.entries["a"], manifest.entries["b"]
    assert a["keywords"][1] is b["keywords"][0]  # "refund", in two lists
    assert a["approval"]["fields"]["guidance"] is b["approval"]["fields"]["guidance"]
    by = b["approval"]["approvers"]["legal"]["by"]
    assert by is a["approval"]["approvers"]["legal"]["by"] and by is b["owner"]  # a reviewer who owns one


def test_a_manifest_is_written_a_piece_at_a_time_as_one_serialising_would_write_it() -> None:
    entries = {
        f"id-{n:04}": {"approval": RECORD, "title": f"Kündigung {n}: «שלום» 🚀", "keywords": ["b", "a"], "v": n}
        for n in range(400, 0, -1)  # out of order, and past a property's size
    }
    manifest = Manifest(entries, {"owner": "2026-11-27"}, "hash", "key")
    whole = json.dumps(manifest.to_json(), sort_keys=True)

    assert "".join(manifest.text()) == whole
    value, file = site({})._stored(manifest)
    assert file == gzip.compress(whole.encode(), compresslevel=6, mtime=0)  # the same file as before, byte for byte
    assert value == {"attachment": MANIFEST_FILE, "sha256": hashlib.sha256(file).hexdigest()}

    small = Manifest({"a": {"approval": RECORD}})
    assert "".join(small.text()) == json.dumps(small.to_json(), sort_keys=True)
    assert site({})._stored(small) == (small.to_json(), None)  # fits the property: kept in it
