"""Mapping a Notion page onto the model: every problem named with its property and the fix."""

from __future__ import annotations

import copy

import pytest

from sync.mapping import Mapping, map_page
from sync.model import Lifecycle, ReviewState, Scenario
from tests.conftest import ROOT

MAPPING = Mapping.load(ROOT / "mappings" / "default.yaml")


def rich(text: str) -> dict:
    return {"type": "rich_text", "rich_text": [{"type": "text", "plain_text": text, "text": {"content": text}}]}


def page(**overrides: dict) -> dict:
    props = {
        "Scenario": {"type": "title", "title": [{"type": "text", "plain_text": "Refund outside window"}]},
        "Trigger keywords": {"type": "multi_select", "multi_select": [{"name": "refund"}, {"name": "billing"}]},
        "Owner": {"type": "people", "people": [{"object": "user", "id": "u1", "name": "Marcus", "person": {}}]},
        "Version": {"type": "number", "number": 3},
        "Lifecycle": {"type": "status", "status": {"name": "Active"}},
        "Last revalidated": {"type": "date", "date": {"start": "2026-10-01"}},
    }
    for column in MAPPING.columns():
        if column.type == "rich_text":
            props[column.property] = rich(f"text of {column.property}")
    for name in ("Legal", "Ops", "Product"):
        props[f"{name} review"] = {"type": "select", "select": {"name": "Approved"}}
        props[f"{name} approved version"] = {"type": "number", "number": 3}
    props.update(copy.deepcopy(overrides))
    return {
        "id": "2b8f0c9e-1d2a-4c3b-8e4f-5a6b7c8d9e0f",
        "url": "https://www.notion.so/2b8f0c9e1d2a4c3b8e4f5a6b7c8d9e0f",
        "last_edited_time": "2026-11-20T10:31:00.000Z",
        "properties": props,
    }


def problems(raw: dict) -> list[str]:
    result = map_page(raw, MAPPING)
    assert isinstance(result, list), "expected problems"
    return [str(p) for p in result]


def test_a_complete_entry_maps_to_a_scenario() -> None:
    scenario = map_page(page(), MAPPING)
    assert isinstance(scenario, Scenario)
    assert scenario.keywords == ("refund", "billing")
    assert scenario.owner.name == "Marcus"
    assert scenario.version == 3 and scenario.lifecycle is Lifecycle.ACTIVE
    assert scenario.reviews["legal"].state is ReviewState.APPROVED
    assert scenario.steps.escalation_rule == "text of 4 Escalation rule"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"Owner": {"type": "people", "people": []}}, "Owner: it is empty; set a person"),
        ({"Version": rich("v2")}, "Version: the property is a rich_text property; make it a number property"),
        (
            {"Version": {"type": "number", "number": 2.5}},
            "Version: '2.5' is not a whole number of 1 or more; use 1, 2, 3…",
        ),
        ({"Version": {"type": "number", "number": None}}, "Version: it is empty; set a whole number of 1 or more"),
        (
            {"Legal review": {"type": "select", "select": {"name": "Looks fine"}}},
            "Legal review: 'Looks fine' is not a known option; use one of: Not started, In review, "
            "Changes requested, Approved, Signed off",
        ),
        ({"4 Escalation rule": rich("   ")}, "4 Escalation rule: it is empty; set some text"),
    ],
)
def test_each_problem_names_the_property_and_the_fix(override: dict, expected: str) -> None:
    assert problems(page(**override)) == [expected]


def test_a_missing_column_is_reported_and_all_problems_come_at_once() -> None:
    raw = page(Owner={"type": "people", "people": []})
    del raw["properties"]["Goal"]
    assert problems(raw) == [
        "Goal: the property is missing from the database; add a rich_text property",
        "Owner: it is empty; set a person",
    ]


def test_option_aliases_map_to_the_same_state() -> None:
    scenario = map_page(page(**{"Product review": {"type": "select", "select": {"name": "Signed off"}}}), MAPPING)
    assert isinstance(scenario, Scenario)
    assert scenario.reviews["product"].state is ReviewState.APPROVED


def test_hostile_text_passes_through_as_text() -> None:
    hostile = (
        '<ac:structured-macro ac:name="html"/> {html}<script>x</script>{html} \u202e \u0645\u0631\u062d\u0628\u0627 🧯'
        + "y" * 5000
    )
    scenario = map_page(page(Goal=rich(hostile)), MAPPING)
    assert isinstance(scenario, Scenario)
    assert scenario.goal == hostile
