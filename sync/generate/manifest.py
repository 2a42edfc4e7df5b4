"""The clip-plan manifest: versioned JSON, validated against `schemas/clip-plan.schema.json`. Pure.

Byte-identical for an unchanged entry: keys sorted, clips in step order, no timestamps and nothing that changes
when only Notion's bookkeeping does (last-edited time), so the publish stage can skip an unchanged upload by hash.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from sync.errors import SyncError

SCHEMA_NAME = "clip-plan.schema.json"
SCHEMA_ID = "urn:scenario-sync:schema:clip-plan:1"
SCHEMA_VERSION = 1
MEDIA_TYPE = "application/json"
FILE_NAME = "clip-plan.json"

_PACKAGE = Path(__file__).resolve().parents[1]
# In a wheel the schemas folder is shipped inside the package; in a checkout it sits beside it.
_SCHEMA_PLACES = (_PACKAGE / "schemas" / SCHEMA_NAME, _PACKAGE.parent / "schemas" / SCHEMA_NAME)


class ManifestError(SyncError):
    """The manifest does not match its schema: a bug in the generator, never the author's text."""


@cache
def schema() -> dict[str, Any]:
    for place in _SCHEMA_PLACES:
        if place.is_file():
            loaded: dict[str, Any] = json.loads(place.read_text(encoding="utf-8"))
            return loaded
    raise ManifestError(f"{SCHEMA_NAME} is missing from the installation", "reinstall scenario-sync")


def encode(manifest: dict[str, Any]) -> bytes:
    """The manifest as stored: validated, sorted keys, two-space indent, UTF-8, one final newline."""
    errors = sorted(Draft202012Validator(schema()).iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise ManifestError(f"clip-plan manifest invalid at {where}: {first.message}", "report this as a bug")
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
