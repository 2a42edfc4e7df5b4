"""The review gate, table-driven."""

from __future__ import annotations

import pytest

from sync.config import ReviewPolicy
from sync.gate import decide
from sync.model import Lifecycle, Review, ReviewState
from tests.core.test_render import scenario

A = ReviewState.APPROVED


def with_reviews(reviews: dict[str, Review], lifecycle: Lifecycle = Lifecycle.ACTIVE, version: int = 2):
    return scenario().model_copy(update={"reviews": reviews, "lifecycle": lifecycle, "version": version})


ALL_APPROVED = {name: Review(state=A, approved_version=2) for name in ("legal", "ops", "product")}


@pytest.mark.parametrize(
    ("reviews", "lifecycle", "verdict", "reason"),
    [
        (ALL_APPROVED, Lifecycle.ACTIVE, "publish", "approved by legal, ops, product for version 2"),
        (
            {**ALL_APPROVED, "legal": Review(state=ReviewState.IN_REVIEW)},
            Lifecycle.ACTIVE,
            "hold",
            "held: legal review is 'In review' for version 2",
        ),
        (
            {**ALL_APPROVED, "ops": Review(state=A, approved_version=1)},
            Lifecycle.ACTIVE,
            "hold",
            "held: changed since ops approved version 1 (entry is version 2)",
        ),
        (ALL_APPROVED, Lifecycle.DRAFT, "hold", "held: lifecycle is Draft, not Active"),
        (
            {"legal": Review(state=A), "ops": Review(state=A)},
            Lifecycle.ACTIVE,
            "hold",
            "held: the mapping has no product review column",
        ),
    ],
)
def test_gate(reviews, lifecycle, verdict, reason) -> None:
    decision = decide(with_reviews(reviews, lifecycle), ReviewPolicy())
    assert decision.verdict == verdict
    assert reason in decision.reasons


def test_every_blocking_reason_is_listed() -> None:
    reviews = {
        "legal": Review(state=ReviewState.CHANGES_REQUESTED),
        "ops": Review(state=ReviewState.NOT_STARTED),
        "product": Review(state=A, approved_version=2),
    }
    decision = decide(with_reviews(reviews, Lifecycle.RETIRED), ReviewPolicy())
    assert decision.reasons == (
        "held: lifecycle is Retired, not Active",
        "held: legal review is 'Changes requested' for version 2",
        "held: ops review is 'Not started' for version 2",
    )


def test_policy_decides_which_reviews_are_required() -> None:
    reviews = {"legal": Review(state=A, approved_version=2), "ops": Review(state=ReviewState.IN_REVIEW)}
    assert decide(with_reviews(reviews), ReviewPolicy(required=["legal"])).publish
