"""A scenario database as a mapping expects it: its property schema (every column, every option) and the
request that writes one example entry into it. Used by `notion bootstrap` and by the sandbox's demo seed, so
the two always build the same database. Pure.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sync.limits import NOTION_MAX_TEXT
from sync.mapping import STEP_NAMES, BodySteps, Column, Mapping
from sync.model import Lifecycle, ReviewState
from sync.sandbox.demo_content import DemoEntry

# The demo content names review states and lifecycles in English; a mapping may name them otherwise.
_DEMO_REVIEW = {
    "Not started": ReviewState.NOT_STARTED,
    "In review": ReviewState.IN_REVIEW,
    "Changes requested": ReviewState.CHANGES_REQUESTED,
    "Approved": ReviewState.APPROVED,
    "Signed off": ReviewState.APPROVED,
}


def property_schema(column: Column, mapping: Mapping) -> dict[str, Any]:
    """One column as Notion's property schema, with the options the mapping knows."""
    if column.type in ("select", "multi_select", "status"):
        options = mapping.options_for(column) or []
        return {column.type: {"options": [{"name": name} for name in options]}}
    if column.type == "number":
        return {"number": {"format": "number"}}
    return {column.type: {}}


def notion_schema(mapping: Mapping) -> dict[str, dict[str, Any]]:
    """Every column the mapping expects, as Notion's property schema (used to create the database)."""
    columns = [*mapping.columns(), *mapping.writeback_columns()]
    return {c.property: property_schema(c, mapping) for c in columns}


def rich_text(value: str) -> list[dict[str, Any]]:
    """Text as rich-text items, cut where Notion's 2,000-character limit per item requires."""
    return [
        {"type": "text", "text": {"content": value[i : i + NOTION_MAX_TEXT]}}
        for i in range(0, len(value), NOTION_MAX_TEXT)
    ]


def _option_name(table: dict[str, Any], value: Any) -> str:
    """The mapping's own option name for a model value (its first, where several mean the same)."""
    return next(name for name, meant in table.items() if meant == value)


def _choice(column: Column, name: str) -> dict[str, Any]:
    return {column.type: {"name": name}}


def entry_properties(
    entry: DemoEntry, mapping: Mapping, owner_id: str | None, today: date, reviewers: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """An example entry's property values, named as `mapping` names them (`reviewers`: who gives each review,
    by Notion user id, for mappings with approver columns)."""
    f, q = mapping.fields, mapping.quick_reference
    lifecycle = _option_name(mapping.values.lifecycle, Lifecycle(entry.lifecycle.lower()))
    props: dict[str, Any] = {
        f.title.property: {"title": rich_text(entry.title)},
        f.keywords.property: {"multi_select": [{"name": k} for k in entry.keywords]},
        f.audience.property: {"rich_text": rich_text(entry.audience)},
        f.tone.property: {"rich_text": rich_text(entry.tone)},
        f.visual_style.property: {"rich_text": rich_text(entry.visual_style)},
        f.goal.property: {"rich_text": rich_text(entry.goal)},
        f.outcome.property: {"rich_text": rich_text(entry.outcome)},
        f.version.property: {"number": entry.version},
        f.lifecycle.property: _choice(f.lifecycle, lifecycle),
    }
    if owner_id is not None:
        props[f.owner.property] = {"people": [{"object": "user", "id": owner_id}]}
    if f.last_revalidated is not None:
        day = today - timedelta(days=entry.revalidated_days_ago)
        props[f.last_revalidated.property] = {"date": {"start": day.isoformat()}}
    if not isinstance(mapping.steps, BodySteps):
        for name, text in zip(STEP_NAMES, entry.steps, strict=True):
            props[getattr(mapping.steps, name).property] = {"rich_text": rich_text(text)}
    for name, text in entry.quick.items():
        props[getattr(q, name).property] = {"rich_text": rich_text(text)}
    _reviews(entry, mapping, props, reviewers or {}, today)
    return props


def _reviews(entry: DemoEntry, mapping: Mapping, props: dict[str, Any], reviewers: dict[str, str], today: date) -> None:
    for review, (state, approved_for) in entry.reviews.items():
        cols = mapping.reviews.get(review)
        if cols is None:
            continue
        props[cols.state.property] = _choice(cols.state, _option_name(mapping.values.review, _DEMO_REVIEW[state]))
        if cols.approved_version is not None and approved_for is not None:
            props[cols.approved_version.property] = {"number": approved_for}
        if approved_for is not None and cols.approver is not None and review in reviewers:
            props[cols.approver.property] = {"people": [{"object": "user", "id": reviewers[review]}]}
        if approved_for is not None and cols.approved_on is not None:
            props[cols.approved_on.property] = {"date": {"start": (today - timedelta(days=25)).isoformat()}}
    approvals = mapping.approvals
    if approvals is None:
        return
    given = [
        approvals.options[name]
        for name, (state, _) in entry.reviews.items()
        if name in approvals.options and _DEMO_REVIEW[state] is ReviewState.APPROVED
    ]
    props[approvals.property] = {"multi_select": [{"name": option} for option in given]}
    versions = {v for name, (state, v) in entry.reviews.items() if _DEMO_REVIEW[state] is ReviewState.APPROVED}
    if approvals.approved_version is not None and versions:
        props[approvals.approved_version.property] = {"number": min(v for v in versions if v is not None)}


def _block(kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, kind: {"rich_text": rich_text(text), **extra}}


def entry_body(entry: DemoEntry, mapping: Mapping) -> list[dict[str, Any]]:
    """An example entry's page body: guidance, then its steps where the mapping reads them from the body."""
    blocks: list[dict[str, Any]] = []
    if entry.guidance:  # first: under step headings, anything after the last one belongs to that step
        blocks.append(_block("callout", entry.guidance, icon={"type": "emoji", "emoji": "💡"}))
    spec = mapping.steps if isinstance(mapping.steps, BodySteps) else None
    if spec is not None and spec.style == "numbered_list":
        blocks += [_block("numbered_list_item", text) for text in entry.steps]
    elif spec is not None:
        headings = spec.headings or {}
        for name, text in zip(STEP_NAMES, entry.steps, strict=True):
            blocks += [_block("heading_2", headings[name]), _block("paragraph", text)]
    return blocks
