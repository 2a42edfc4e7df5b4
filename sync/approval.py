"""Approval bound to content, not to a number someone types. Pure.

When every required review is first seen approved, the sync records a fingerprint of what reaches agents
(each field, normalised so whitespace never counts), who approved, and the date. A later change to that
content holds the entry until it is approved again: the approved-version columns raised to a new version
or, where there are none, every review seen not approved by a run and then approved again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from sync.blocks import text_of
from sync.config import ReviewPolicy
from sync.model import ReviewState, Scenario

_SPACE = re.compile(r"\s+")


def normalise(text: str, policy: ReviewPolicy) -> str:
    """Text as an approval sees it: whitespace collapsed; case and punctuation only if the policy says so."""
    text = unicodedata.normalize("NFKC", text)
    if policy.ignore_punctuation:
        text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    if policy.ignore_case:
        text = text.casefold()
    return _SPACE.sub(" ", text).strip()


def content_fields(scenario: Scenario) -> dict[str, str]:
    """Everything a published page shows agents, by field name."""
    fields = {
        "title": scenario.title,
        "keywords": "\n".join(scenario.keywords),
        "audience": scenario.audience,
        "tone": scenario.tone,
        "visual_style": scenario.visual_style,
        "goal": scenario.goal,
        "outcome": scenario.outcome,
    }
    # Each name one string (`sys.intern`): a run keeps a record, with these names, for every published entry.
    fields.update({sys.intern(f"steps.{name}"): text for name, text in scenario.steps.model_dump().items()})
    fields.update(
        {sys.intern(f"quick_reference.{name}"): text for name, text in scenario.quick_reference.model_dump().items()}
    )
    fields["guidance"] = text_of(scenario.guidance)
    return fields


# Fields that come from the page body: when the body was not read (the entry is unchanged since its
# publish), they stand as recorded.
BODY_FIELDS = frozenset({"guidance"})
STEP_FIELDS = frozenset(
    {f"steps.{name}" for name in ("acknowledge", "immediate_action", "expectation", "escalation_rule", "close")}
)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(scenario: Scenario, policy: ReviewPolicy) -> tuple[str, dict[str, str]]:
    """The content fingerprint and one short hash per field (to tell the owner which fields changed)."""
    hashes = {name: _hash(normalise(text, policy)) for name, text in content_fields(scenario).items()}
    return _hash(json.dumps(sorted(hashes.items()))), hashes


@dataclass(frozen=True)
class ApprovalRecord:
    """What was approved, when the sync first saw it approved, and by whom (kept in Confluence)."""

    fingerprint: str
    fields: dict[str, str]
    entry_version: int
    approved_on: date
    approvers: dict[str, dict[str, str | None]] = field(default_factory=dict)
    reset: tuple[str, ...] = ()  # reviews seen not approved since the content changed

    def to_json(self) -> dict[str, Any]:
        """The record as JSON, made once and shared: a run holds it in the page it writes and in the manifest,
        for every entry. Whoever holds it never changes it."""
        return self._json

    @functools.cached_property
    def _json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "fields": self.fields,
            "entry_version": self.entry_version,
            "approved_on": self.approved_on.isoformat(),
            "approvers": self.approvers,
            "reset": list(self.reset),
        }

    @classmethod
    def from_json(cls, value: Any) -> ApprovalRecord | None:
        try:
            fields = value.get("fields", {})
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
                fields = {str(k): str(v) for k, v in fields.items()}
            return cls(
                fingerprint=str(value["fingerprint"]),
                fields=fields,  # the record as read, shared (a run holds one for every entry): never changed
                entry_version=int(value["entry_version"]),
                approved_on=date.fromisoformat(value["approved_on"]),
                approvers=dict(value.get("approvers", {})),
                reset=tuple(value.get("reset", ())),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


@dataclass(frozen=True)
class Binding:
    verdict: Literal["publish", "hold"]
    record: ApprovalRecord | None  # the record to keep from now on (None: no approval yet)
    reasons: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # fields changed since approval
    problem: str | None = None  # content changed without a new Version number
    reset: tuple[str, ...] = ()  # reviews the sync should set back to "in review"

    @property
    def publish(self) -> bool:
        return self.verdict == "publish"


def approvers(scenario: Scenario, required: list[str]) -> dict[str, dict[str, str | None]]:
    out: dict[str, dict[str, str | None]] = {}
    for name in required:
        review = scenario.reviews.get(name)
        on = review.approved_on.isoformat() if review and review.approved_on else None
        out[name] = {"by": review.approver if review else None, "on": on}
    return out


def reset_default(policy: ReviewPolicy, has_version_columns: bool) -> Literal["hold", "reset_reviews"]:
    if policy.on_change_after_approval is not None:
        return policy.on_change_after_approval
    return "hold" if has_version_columns else "reset_reviews"


def bind(
    scenario: Scenario,
    gate_reasons: tuple[str, ...],
    record: ApprovalRecord | None,
    policy: ReviewPolicy,
    today: date,
    has_version_columns: bool,
    unread: frozenset[str] = frozenset(),
    content: tuple[str, dict[str, str]] | None = None,
    seen: dict[str, str] | None = None,
) -> Binding:
    """Publish only content whose every required review approved it. `gate_reasons` are the review gate's
    own reasons to hold (empty when every review is approved for the current version). `unread` fields
    (from a body not read this run) count as recorded, or as `seen` (their hashes when an earlier run read the
    body, unchanged since). `content` is the scenario's `fingerprint`, when it was worked out already."""
    fp, hashes = content or fingerprint(scenario, policy)
    if record is not None and unread:
        known = seen or record.fields
        hashes = {k: known.get(k, v) if k in unread else v for k, v in hashes.items()}
        fp = _hash(json.dumps(sorted(hashes.items())))
    approved = not gate_reasons
    fresh = ApprovalRecord(fp, hashes, scenario.version, today, approvers(scenario, policy.required))
    if record is None:
        return Binding("publish", fresh) if approved else Binding("hold", None, gate_reasons)
    not_approved = [
        n for n in policy.required if (r := scenario.reviews.get(n)) is None or r.state is not ReviewState.APPROVED
    ]
    if fp == record.fingerprint:
        if approved:
            kept = replace(record, reset=()) if record.reset else record
            return Binding("publish", kept)
        return Binding("hold", record, gate_reasons)

    changed = tuple(sorted(k for k in {*hashes, *record.fields} if hashes.get(k) != record.fields.get(k)))
    problem = None
    if scenario.version == record.entry_version:
        problem = (
            f"content changed without a new Version number (still version {scenario.version}): "
            "raise Version when you change an approved entry"
        )
    seen_reset = tuple(sorted({*record.reset, *not_approved}))
    if approved:
        versions = [scenario.reviews[n].approved_version for n in policy.required if n in scenario.reviews]
        raised = (
            has_version_columns
            and versions
            and all(v == scenario.version for v in versions)
            and scenario.version > record.entry_version
        )
        if raised or set(policy.required) <= set(seen_reset):
            return Binding("publish", fresh, changed=changed, problem=problem)
    reasons = (f"changed since approval on {record.approved_on}: re-approve to publish", *gate_reasons)
    reset: tuple[str, ...] = ()
    if reset_default(policy, has_version_columns) == "reset_reviews":
        # Only what a run read counts as seen: a reset whose write failed is simply made again next run.
        reset = tuple(n for n in policy.required if n not in seen_reset)
    held = replace(record, reset=seen_reset) if seen_reset != record.reset else record
    return Binding("hold", held, reasons, changed, problem, reset)
