"""A walkthrough entry for the generate-stage tests, with every text replaceable."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.model import Lifecycle, Person, QuickReference, Review, ReviewState, Scenario, Steps

STEPS = (
    '"I understand this is blocking your team right now. Let me pull up your account."',
    '"I can see your integration logs and check our incident board while we talk."',
    '"If this needs an engineer, tier-2 picks it up within 30 minutes. I can\'t give a fix time before they look."',
    "Production down: tag the thread 'Integration-P1' and hand it to tier-2 at once. Never quote a fix time.",
    "\"You're in the priority queue now; you'll hear from us within 30 minutes.\"",
)


def entry(steps: tuple[str, ...] = STEPS, version: int = 2, edited: datetime | None = None, **fields) -> Scenario:
    names = ("acknowledge", "immediate_action", "expectation", "escalation_rule", "close")
    quick = {
        "de_escalation_phrase": "I understand this is blocking your team right now.",
        "immediate_action": "Check the logs and the incident board.",
        "escalation_rule": "Production down: tier-2 at once.",
        "timeline_expectation": "Tier-2 contact within 30 minutes; no fix time from the agent.",
        "tone_control": "Calm and procedural.",
    }
    quick.update(fields.pop("quick", {}))
    values = {
        "page_id": "0f8a2c1e-6b1d-4a7e-9a55-1f2e3d4c5b6a",
        "url": "https://www.notion.so/0f8a2c1e6b1d4a7e9a551f2e3d4c5b6a",
        "last_edited": edited or datetime(2026, 11, 1, tzinfo=UTC),
        "title": "Customer says a critical integration is down",
        "keywords": ("integration broken",),
        "audience": "New chat agents in their first week.",
        "tone": "Calm, empathetic, procedural.",
        "visual_style": "Screen recording of the chat console with captions.",
        "goal": "Take an outage report seriously without promising a fix time.",
        "outcome": "The customer knows the next step; tier-2 gets a clean hand-off.",
        "steps": Steps(**dict(zip(names, steps, strict=True))),
        "quick_reference": QuickReference(**quick),
        "owner": Person(id="u1", name="Priya Raman"),
        "version": version,
        "reviews": {"legal": Review(state=ReviewState.APPROVED, approved_version=version)},
        "lifecycle": Lifecycle.ACTIVE,
    }
    values.update(fields)
    return Scenario(**values)
