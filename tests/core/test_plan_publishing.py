"""Planning what publishing needs: title swaps and chains, entries sharing a title, copies of a managed page,
the manual-edit policy and the sync's own interrupted writes."""

from __future__ import annotations

from dataclasses import replace

from sync.confluence.base import MANAGED_LABEL, ManagedPage
from sync.plan import PARK_SUFFIX, DesiredPage, plan


def desired(entry: str, title: str, body: str = "<p>v</p>", version: int = 2) -> DesiredPage:
    return DesiredPage(entry, title, body, ("refund", MANAGED_LABEL), version)


def published(page: DesiredPage, page_id: str, version: int = 1, editor: str = "bot", **extra) -> ManagedPage:
    meta = page.meta(written_version=extra.pop("written", version))
    return ManagedPage(page_id, page.title, version, editor, frozenset(page.labels), meta, **extra)


def steps(result) -> list[tuple[str, str, str]]:
    return [(a.kind, a.notion_page_id, a.title) for a in result.actions if a.writes]


def test_a_swap_parks_one_page_under_a_temporary_title_first() -> None:
    a, b = desired("a", "Alpha"), desired("b", "Beta")
    current = [published(a, "1"), published(b, "2")]
    result = plan([replace(a, title="Beta"), replace(b, title="Alpha")], current, set())
    assert steps(result) == [
        ("park", "a", "Beta" + PARK_SUFFIX),
        ("retitle", "b", "Alpha"),
        ("retitle", "a", "Beta"),
    ]
    assert all(a.serial for a in result.actions if a.writes)


def test_a_rotation_of_three_goes_through_one_temporary_title() -> None:
    pages = [desired(e, t) for e, t in (("a", "A"), ("b", "B"), ("c", "C"))]
    current = [published(p, str(i)) for i, p in enumerate(pages, 1)]
    rotated = [replace(pages[0], title="B"), replace(pages[1], title="C"), replace(pages[2], title="A")]
    kinds = steps(plan(rotated, current, set()))
    assert kinds[0] == ("park", "a", "B" + PARK_SUFFIX)
    assert [k[1] for k in kinds[1:]] == ["c", "b", "a"]  # each takes a title only once it is free


def test_a_chain_frees_each_title_before_it_is_taken() -> None:
    a, b = desired("a", "Alpha"), desired("b", "Beta")
    current = [published(a, "1"), published(b, "2")]
    # b leaves "Beta" for a new title; a takes "Beta"; a new entry takes "Alpha".
    result = plan([replace(a, title="Beta"), replace(b, title="Gamma"), desired("n", "Alpha")], current, set())
    assert steps(result) == [("retitle", "b", "Gamma"), ("retitle", "a", "Beta"), ("create", "n", "Alpha")]


def test_unrelated_writes_keep_their_order_and_run_in_parallel() -> None:
    a, b = desired("a", "Alpha"), desired("b", "Beta")
    result = plan([replace(a, body="<p>new</p>"), b], [published(a, "1")], set())
    assert [(x.kind, x.serial) for x in result.actions] == [("update", False), ("create", False)]


def test_entries_sharing_a_title_give_the_second_a_problem_naming_both() -> None:
    first, second = desired("e1", "Same"), desired("e2", "same")
    kinds = {a.notion_page_id: (a.kind, a.reason) for a in plan([first, second], [], set()).actions}
    assert kinds["e1"][0] == "create"
    kind, reason = kinds["e2"]
    assert kind == "conflict" and "e1" in reason and "e2" in reason and "rename" in reason


def test_the_entry_whose_page_has_the_title_keeps_it() -> None:
    owner, newcomer = desired("e1", "Same"), desired("e2", "Same")
    kinds = {a.notion_page_id: a.kind for a in plan([newcomer, owner], [published(owner, "9")], set()).actions}
    assert kinds == {"e1": "noop", "e2": "conflict"}


def test_a_copy_is_reported_and_the_original_is_planned() -> None:
    page = desired("e1", "Refund")
    original = published(page, "100", version=3)
    copy = replace(published(page, "250", version=1, editor="Dana", written=3), title="Copy of Refund")
    result = plan([replace(page, body="<p>new</p>")], [copy, original], set())
    (action,) = result.actions
    assert action.kind == "update" and action.current is not None and action.current.id == "100"
    assert [(c.page.id, c.original.id) for c in result.copies] == [("250", "100")]
    assert "250" in str(result.copies[0]) and "100" in str(result.copies[0])


def test_keep_policy_keeps_a_human_edit_until_the_entry_changes() -> None:
    page = desired("e1", "Refund")
    edited = published(page, "1", version=3, editor="Dana", written=2, edited_at="2026-11-20T09:15:00.000Z")
    (kept,) = plan([page], [edited], set(), manual_edits="keep").actions
    assert kept.kind == "keep-edit" and not kept.writes
    assert kept.reason.startswith("edited in Confluence by Dana on 2026-11-20 09:15 UTC (version 3, we wrote 2)")
    (restored,) = plan([page], [edited], set()).actions
    assert restored.kind == "restore-edit"
    (changed,) = plan([replace(page, body="<p>v3</p>", entry_version=3)], [edited], set(), "keep").actions
    assert changed.kind == "restore-edit" and "the entry changed in Notion" in changed.reason


def test_our_own_unrecorded_write_is_no_human_edit() -> None:
    page = desired("e1", "Refund")
    ours = published(page, "1", version=3, editor="scenario-sync bot", written=2, own_edit=True)
    (action,) = plan([page], [ours], set()).actions
    assert (action.kind, action.reason) == ("update", "completing an interrupted write")
