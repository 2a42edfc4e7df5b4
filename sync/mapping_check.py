"""Does a mapping fit a data source? Every missing, renamed or mistyped property and every unknown option,
each with the fix. Pure: takes the schema Notion answered (property name → {id, type, <type>: config}).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sync.mapping import Column, Mapping

_WHERE_OPTIONS = {"lifecycle": "values.lifecycle", "review": "values.review", "approvals": "approvals.options"}


@dataclass(frozen=True)
class Misfit:
    property: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.fix}"


def _options(schema_entry: dict[str, Any]) -> list[str] | None:
    config = schema_entry.get(schema_entry.get("type", ""), {})
    options = config.get("options") if isinstance(config, dict) else None
    return [o.get("name", "") for o in options] if isinstance(options, list) else None


def _role(column: Column, mapping: Mapping) -> str | None:
    """Which table of the mapping names this column's options (for the fix's wording)."""
    if column == mapping.fields.lifecycle:
        return "lifecycle"
    if any(column == r.state for r in mapping.reviews.values()):
        return "review"
    if mapping.approvals is not None and column == mapping.approvals.as_column():
        return "approvals"
    return None


def check(mapping: Mapping, schema: dict[str, dict[str, Any]]) -> list[Misfit]:
    """Every way `mapping` does not fit `schema`, in the mapping's order; empty when it fits."""
    misfits: list[Misfit] = []
    columns = list(dict.fromkeys([*mapping.columns(), *mapping.writeback_columns()]))
    expected_names = {c.property for c in columns}
    unused = [name for name in schema if name not in expected_names]
    for column in columns:
        entry = schema.get(column.property)
        if entry is None:
            misfits.append(_missing(column, schema, unused))
            continue
        found = entry.get("type")
        if found != column.type:
            misfits.append(
                Misfit(
                    column.property,
                    f"'{column.property}' is a {found} property, the mapping expects {column.type}",
                    f"change `type` to {found}"
                    if found in _COMPATIBLE.get(column.type, ())
                    else f"make '{column.property}' a {column.type} property in Notion",
                )
            )
            continue
        misfits.extend(_option_misfits(column, mapping, entry))
    return misfits


# A mapping column may be read from these property types instead (the fix is then to change `type`).
_COMPATIBLE = {
    "select": ("status",),
    "status": ("select",),
    "rich_text": ("title",),
    "number": (),
    "multi_select": (),
}


def _missing(column: Column, schema: dict[str, dict[str, Any]], unused: list[str]) -> Misfit:
    same_type = [name for name in unused if schema[name].get("type") == column.type]
    lowered = {name.casefold(): name for name in same_type}
    close = difflib.get_close_matches(column.property.casefold(), list(lowered), n=1, cutoff=0.6)
    if close:
        renamed = lowered[close[0]]
        return Misfit(
            column.property,
            f"'{column.property}' is missing; the database has a {column.type} property '{renamed}'",
            f"if it was renamed, change `property` to '{renamed}' (or rename it back in Notion)",
        )
    need = "required" if column.required else "optional"
    return Misfit(
        column.property,
        f"'{column.property}' ({need}, {column.type}) is missing from the database",
        f"add a {column.type} property '{column.property}' in Notion, or point `property` at an existing one",
    )


def _option_misfits(column: Column, mapping: Mapping, entry: dict[str, Any]) -> list[Misfit]:
    role = _role(column, mapping)
    wanted = mapping.options_for(column)
    offered = _options(entry)
    if role is None or wanted is None or offered is None:
        return []  # free text, or options Notion creates on first write (the status write-back)
    table = _WHERE_OPTIONS[role]
    misfits = [
        Misfit(
            column.property,
            f"'{name}' is not an option of '{column.property}' (it offers: {', '.join(offered) or 'none'})",
            f"add the option '{name}' in Notion, or correct it in `{table}`",
        )
        for name in wanted
        if name not in offered and role == "approvals"
    ]
    misfits += [
        Misfit(
            column.property,
            f"'{column.property}' offers '{name}', which the mapping does not know",
            f"add '{name}' under `{table}` (saying what it means), or remove the option in Notion",
        )
        for name in offered
        if name not in wanted
    ]
    return misfits
