"""The scenario walkthrough entry, as support teams write it, and the problems an entry can have."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from sync.blocks import Block


class ReviewState(StrEnum):
    NOT_STARTED = "not_started"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Lifecycle(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class Person(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None = None


class Review(BaseModel):
    """One required review (legal, ops, product): its state and the entry version it was given for."""

    model_config = ConfigDict(frozen=True)

    state: ReviewState = ReviewState.NOT_STARTED
    approved_version: int | None = None
    approver: str | None = None  # who approved (where the mapping has an approver column)
    approved_on: date | None = None


class Steps(BaseModel):
    """The approved response, in order: the five decision points of a walkthrough."""

    model_config = ConfigDict(frozen=True)

    acknowledge: str
    immediate_action: str
    expectation: str
    escalation_rule: str
    close: str

    def ordered(self) -> list[tuple[str, str]]:
        return [
            ("Acknowledge the urgency", self.acknowledge),
            ("State what you can do now", self.immediate_action),
            ("Set the expectation", self.expectation),
            ("Escalation rule", self.escalation_rule),
            ("Close", self.close),
        ]


class QuickReference(BaseModel):
    model_config = ConfigDict(frozen=True)

    de_escalation_phrase: str
    immediate_action: str
    escalation_rule: str
    timeline_expectation: str
    tone_control: str


class Scenario(BaseModel):
    """A valid walkthrough entry. Identity is the Notion page id, never the title."""

    model_config = ConfigDict(frozen=True)

    page_id: str
    url: str
    last_edited: datetime
    title: str
    keywords: tuple[str, ...] = ()
    audience: str
    tone: str
    visual_style: str
    goal: str
    outcome: str
    steps: Steps
    quick_reference: QuickReference
    owner: Person
    version: int = Field(ge=1)
    reviews: dict[str, Review]
    last_revalidated: date | None = None
    lifecycle: Lifecycle = Lifecycle.DRAFT
    # The page body beyond the steps: extra guidance shown on the page (built by the reader, not validated).
    guidance: SkipValidation[tuple[Block, ...]] = ()

    def outline(self) -> Outline:
        """What a run keeps of an entry once decided (its page, if it has one to write, is made)."""
        return Outline(
            self.page_id,
            self.url,
            self.title,
            tuple(sys.intern(k) for k in self.keywords),  # a few dozen keywords name thousands of entries
            self.owner,
            self.version,
            self.lifecycle,
            self.last_revalidated,
        )


@dataclass(frozen=True, slots=True)
class Outline:
    """An entry without what its page is made of (its texts, steps, guidance) or what decided it (its
    reviews): who owns it, its title, keywords, version and lifecycle. A run holds thousands of entries to
    its end, and a whole `Scenario` copy took some 3 KB each, its reviews included."""

    page_id: str
    url: str
    title: str
    keywords: tuple[str, ...]
    owner: Person
    version: int
    lifecycle: Lifecycle
    last_revalidated: date | None


class EntryProblem(BaseModel):
    """Why one entry cannot be used, in words its author can act on."""

    model_config = ConfigDict(frozen=True)

    page_id: str
    title: str
    url: str
    property: str
    found: str
    expected: str

    def __str__(self) -> str:
        return f"{self.property}: {self.found}; {self.expected}"
