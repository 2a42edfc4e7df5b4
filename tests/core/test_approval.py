"""Approval bound to content, table-driven: what holds an approved entry, what does not, what releases it."""

from __future__ import annotations

from datetime import date

import pytest

from sync.approval import ApprovalRecord, bind, fingerprint, normalise
from sync.config import ReviewPolicy
from sync.gate import decide
from sync.model import Review, ReviewState, Scenario, Steps
from tests.core.test_render import scenario

A, IN_REVIEW = ReviewState.APPROVED, ReviewState.IN_REVIEW
DAY1, DAY2 = date(2026, 9, 1), date(2026, 10, 5)
POLICY = ReviewPolicy()


def entry(version: int = 2, approved_for: int | None = 2, close: str = "We will call you back.", **states) -> Scenario:
    reviews = {
        name: Review(state=states.get(name, A), approved_version=approved_for, approver=f"{name} lead")
        for name in ("legal", "ops", "product")
    }
    base = scenario()
    steps = Steps(**{**base.steps.model_dump(), "close": close})
    return base.model_copy(update={"reviews": reviews, "version": version, "steps": steps})


def run(item: Scenario, record: ApprovalRecord | None, today: date = DAY2, columns: bool = True, policy=POLICY):
    decision = decide(item, policy)
    reasons = () if decision.publish else decision.reasons
    return bind(item, reasons, record, policy, today, columns)


def approved(item: Scenario) -> ApprovalRecord:
    result = run(item, None, DAY1)
    assert result.publish and result.record is not None
    return result.record


def test_first_approval_records_content_approvers_and_date() -> None:
    result = run(entry(), None, DAY1)
    assert result.publish
    record = result.record
    assert record is not None and record.approved_on == DAY1 and record.entry_version == 2
    assert record.approvers["legal"] == {"by": "legal lead", "on": None}
    assert ApprovalRecord.from_json(record.to_json()) == record


@pytest.mark.parametrize(
    ("now", "columns", "verdict", "changed", "problem"),
    [
        # unchanged content stays published
        (entry(), True, "publish", (), False),
        # whitespace only: not a change
        (entry(close="  We  will call\nyou back. "), True, "publish", (), False),
        # an edit with no version change holds, and is a problem of its own
        (entry(close="We will refund you today."), True, "hold", ("steps.close",), True),
        # an edit with a version raised but the approvals not: holds
        (entry(version=3, close="We will refund you today."), True, "hold", ("steps.close",), False),
        # ... also when the approved-version columns are empty: the content still binds
        (
            entry(version=3, approved_for=None, close="We will refund you today."),
            False,
            "hold",
            ("steps.close",),
            False,
        ),
        (entry(approved_for=None, close="We will refund you today."), False, "hold", ("steps.close",), True),
        # re-approval with the approved-version columns raised to the new version releases it
        (entry(version=3, approved_for=3, close="We will refund you today."), True, "publish", ("steps.close",), False),
    ],
)
def test_content_binding(now, columns, verdict, changed, problem) -> None:
    record = approved(entry())
    result = run(now, record, columns=columns)
    assert result.verdict == verdict
    assert result.changed == changed
    assert (result.problem is not None) == problem
    if verdict == "hold":
        assert result.reasons[0] == "changed since approval on 2026-09-01: re-approve to publish"
        assert result.record is not None and result.record.fingerprint == record.fingerprint  # the old stays
    if verdict == "publish" and changed:
        assert result.record is not None and result.record.approved_on == DAY2


def test_the_version_number_alone_never_releases() -> None:
    record = approved(entry())
    # Every approved-version column says "2", the entry's version: but the content is not what was approved.
    same = run(entry(version=2, approved_for=2, close="Different."), record)
    assert not same.publish and same.problem is not None
    assert same.reasons[0].startswith("changed since approval on")


def test_reapproval_without_version_columns_needs_each_review_seen_not_approved() -> None:
    policy = ReviewPolicy()  # on_change_after_approval unset: reset_reviews where there are no version columns
    record = approved(entry(approved_for=None))
    edited = entry(version=3, approved_for=None, close="We will refund you today.")
    first = run(edited, record, columns=False, policy=policy)
    assert not first.publish and first.reset == ("legal", "ops", "product")
    assert first.record is not None and first.record.reset == ()  # only what a run read counts as seen

    # The next run reads the reviews back in review (the reset worked): seen.
    in_review = entry(version=3, approved_for=None, close="We will refund you today.", legal=IN_REVIEW, ops=IN_REVIEW)
    in_review = in_review.model_copy(update={"reviews": {**in_review.reviews, "product": Review(state=IN_REVIEW)}})
    second = run(in_review, first.record, columns=False, policy=policy)
    assert not second.publish and second.reset == ()
    assert second.record is not None and second.record.reset == ("legal", "ops", "product")

    # Approved again by all three: released, with a fresh record.
    third = run(edited, second.record, columns=False, policy=policy)
    assert third.publish and third.record is not None and third.record.reset == ()
    assert third.record.fingerprint == fingerprint(edited, policy)[0]


def test_partial_reapproval_does_not_release() -> None:
    record = approved(entry(approved_for=None))
    edited = entry(version=3, approved_for=None, close="We will refund you today.", legal=IN_REVIEW)
    seen = run(edited, record, columns=False, policy=ReviewPolicy(on_change_after_approval="hold"))
    assert seen.reset == ()  # hold: the sync leaves the review columns alone
    back = run(entry(version=3, approved_for=None, close="We will refund you today."), seen.record, columns=False)
    assert not back.publish  # only legal was seen not approved


@pytest.mark.parametrize(
    ("policy", "before", "after", "same"),
    [
        (ReviewPolicy(), "Call us back.", "call us back.", False),
        (ReviewPolicy(ignore_case=True), "Call us back.", "call us back.", True),
        (ReviewPolicy(ignore_punctuation=True), "Call us back.", "Call us back", True),
        (ReviewPolicy(ignore_punctuation=True), "Call us back.", "Call them back", False),
        (ReviewPolicy(), "Call\tus  back.", "Call us back.", True),
    ],
)
def test_normalisation_policy(policy, before, after, same) -> None:
    assert (normalise(before, policy) == normalise(after, policy)) == same


def test_a_new_review_state_on_unchanged_content_holds_but_keeps_the_record() -> None:
    record = approved(entry())
    result = run(entry(ops=ReviewState.CHANGES_REQUESTED), record)
    assert not result.publish and result.record == record
    assert "held: ops review is 'Changes requested' for version 2" in result.reasons
