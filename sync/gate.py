"""The review gate: which entries may reach agents, and why the others may not. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sync.config import ReviewPolicy
from sync.model import Lifecycle, ReviewState, Scenario

Verdict = Literal["publish", "hold"]


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[str, ...]

    @property
    def publish(self) -> bool:
        return self.verdict == "publish"


def decide(scenario: Scenario, policy: ReviewPolicy) -> Decision:
    """Publish only an Active entry whose every required review approved its current version."""
    reasons: list[str] = []
    if scenario.lifecycle is not Lifecycle.ACTIVE:
        reasons.append(f"held: lifecycle is {scenario.lifecycle.value.capitalize()}, not Active")
    for name in policy.required:
        review = scenario.reviews.get(name)
        if review is None:
            reasons.append(f"held: the mapping has no {name} review column")
        elif review.state is not ReviewState.APPROVED:
            reasons.append(f"held: {name} review is '{review.state.label}' for version {scenario.version}")
        elif review.approved_version is not None and review.approved_version != scenario.version:
            reasons.append(
                f"held: changed since {name} approved version {review.approved_version} "
                f"(entry is version {scenario.version})"
            )
    if reasons:
        return Decision("hold", tuple(reasons))
    approvers = ", ".join(policy.required)
    return Decision("publish", (f"approved by {approvers} for version {scenario.version}",))
