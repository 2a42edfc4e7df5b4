"""Mappings of differently organised teams: steps from the page body, approvals in one multi-select,
a status per review, and the limits later stages need."""

from __future__ import annotations

import copy

import pytest

from sync.blocks import Block, Body, Span
from sync.mapping import Mapping, map_page
from sync.model import ReviewState, Scenario
from tests.conftest import ROOT

TEAM_DE = Mapping.load(ROOT / "mappings" / "team-de.yaml")
DEFAULT = Mapping.load(ROOT / "mappings" / "default.yaml")
STEP_TEXTS = [
    "Ich verstehe, dass es eilt.",
    "Ich prüfe das jetzt.",
    "Rückmeldung in 30 Minuten.",
    "P1: Stufe 2.",
    "Danke.",
]


def rich(text: str) -> dict:
    return {"type": "rich_text", "rich_text": [{"type": "text", "plain_text": text, "text": {"content": text}}]}


def person(**extra) -> dict:
    return {"object": "user", "id": "u1", "type": "person", "name": "Jonas", "person": {}} | extra


def page(mapping: Mapping = TEAM_DE, **overrides) -> dict:
    f = mapping.fields
    props = {
        f.title.property: {"type": "title", "title": [{"type": "text", "plain_text": "Kunde droht mit Kündigung"}]},
        f.keywords.property: {"type": "multi_select", "multi_select": [{"name": "Kündigung"}]},
        f.owner.property: {"type": "people", "people": [person()]},
        f.version.property: {"type": "number", "number": 2},
        f.lifecycle.property: {"type": "status", "status": {"name": "Aktiv"}},
    }
    for column in mapping.columns():
        if column.type == "rich_text":
            props[column.property] = rich(f"Text für {column.property}")
    if mapping.approvals is not None:
        props["Freigaben"] = {
            "type": "multi_select",
            "multi_select": [{"name": n} for n in ("Recht", "Betrieb", "Produkt")],
        }
        props["Freigegeben für Fassung"] = {"type": "number", "number": 2}
    props.update(copy.deepcopy(overrides))
    return {
        "id": "2b8f0c9e-1d2a-4c3b-8e4f-5a6b7c8d9e0f",
        "url": "https://www.notion.so/x",
        "last_edited_time": "2026-11-20T10:31:00.000Z",
        "properties": props,
    }


def heading(text: str, kind: str = "heading_2") -> Block:
    return Block(kind, (Span(text),))  # type: ignore[arg-type]


def para(text: str) -> Block:
    return Block("paragraph", (Span(text),))


def heading_body(skip: str | None = None, empty: str | None = None) -> Body:
    blocks = [Block("callout", (Span("Hinweis vorab"),), icon="💡")]
    assert TEAM_DE.steps_in_body is not None and TEAM_DE.steps_in_body.headings is not None
    for (name, title), text in zip(TEAM_DE.steps_in_body.headings.items(), STEP_TEXTS, strict=True):
        if name == skip:
            continue
        blocks.append(heading(title.upper() if name == "close" else title))  # matched ignoring case
        if name != empty:
            blocks.append(para(text))
    blocks.append(heading("Anhang", "heading_1"))
    blocks.append(para("Weiterführendes"))
    return Body(tuple(blocks))


def test_steps_come_from_the_headings_and_the_rest_is_guidance() -> None:
    scenario = map_page(page(), TEAM_DE, heading_body())
    assert isinstance(scenario, Scenario)
    assert [text for _, text in scenario.steps.ordered()] == [*STEP_TEXTS[:4], "Danke."]
    assert [b.plain for b in scenario.guidance] == ["Hinweis vorab", "Anhang", "Weiterführendes"]
    assert all(review.state is ReviewState.APPROVED for review in scenario.reviews.values())
    assert scenario.reviews["legal"].approved_version == 2


def test_a_missing_or_empty_step_section_names_the_heading() -> None:
    found = map_page(page(), TEAM_DE, heading_body(skip="escalation_rule", empty="acknowledge"))
    assert isinstance(found, list)
    assert [str(p) for p in found] == [
        "body: section 'Dringlichkeit anerkennen': it is empty; write the acknowledge step under the heading",
        "body: section 'Eskalationsregel': there is no such heading; "
        "add a heading 'Eskalationsregel' with the step under it",
    ]
    assert found[0].title == "Kunde droht mit Kündigung" and found[0].url == "https://www.notion.so/x"


def test_without_a_body_the_properties_still_decide_the_gate() -> None:
    scenario = map_page(page(), TEAM_DE, None)
    assert isinstance(scenario, Scenario) and scenario.steps.close == "" and scenario.guidance == ()


def test_approvals_multi_select_unticked_and_unknown_options() -> None:
    partial = page(Freigaben={"type": "multi_select", "multi_select": [{"name": "Recht"}, {"name": "Chef"}]})
    found = map_page(partial, TEAM_DE, heading_body())
    assert isinstance(found, list)
    assert [str(p) for p in found] == ["Freigaben: 'Chef' is not a known option; use one of: Recht, Betrieb, Produkt"]
    ok = map_page(
        page(Freigaben={"type": "multi_select", "multi_select": [{"name": "Recht"}]}), TEAM_DE, heading_body()
    )
    assert isinstance(ok, Scenario)
    assert ok.reviews["legal"].state is ReviewState.APPROVED and ok.reviews["ops"].state is ReviewState.NOT_STARTED


def numbered_mapping() -> Mapping:
    data = TEAM_DE.model_dump()
    data["steps"] = {"source": "body", "style": "numbered_list"}
    data["approvals"] = None
    data["reviews"] = {
        name: {"state": {"property": f"Prüfung {name}", "type": "status"}} for name in ("legal", "ops", "product")
    }
    return Mapping.model_validate(data)


def test_numbered_list_steps_and_a_status_per_review() -> None:
    mapping = numbered_mapping()
    reviews = {
        f"Prüfung {n}": {"type": "status", "status": {"name": "Freigegeben"}} for n in ("legal", "ops", "product")
    }
    reviews["Prüfung ops"] = {"type": "status", "status": {"name": "In Prüfung"}}
    items = tuple(Block("numbered", (Span(t),)) for t in STEP_TEXTS)
    nested = Block("numbered", (Span("Danke."),), (Block("bulleted", (Span("und tschüss"),)),))
    body = Body((para("Vorweg"), *items[:4], nested, para("Danach")))
    scenario = map_page(page(mapping, **reviews), mapping, body)
    assert isinstance(scenario, Scenario)
    assert scenario.steps.close == "Danke.\nund tschüss"  # a step keeps the text of its nested items
    assert [b.plain for b in scenario.guidance] == ["Vorweg", "Danach"]
    assert scenario.reviews["ops"].state is ReviewState.IN_REVIEW
    four = Body((para("Vorweg"), *items[:4]))
    found = map_page(page(mapping, **reviews), mapping, four)
    assert isinstance(found, list)
    assert str(found[0]) == (
        "body: numbered list: 4 numbered steps; write the 5 steps as one numbered list, in order: "
        "acknowledge, immediate action, expectation, escalation rule, close"
    )


def test_a_mapping_must_say_how_reviews_are_kept() -> None:
    data = TEAM_DE.model_dump()
    data["approvals"] = None
    with pytest.raises(ValueError, match="either `reviews`"):
        Mapping.model_validate(data)
    data = TEAM_DE.model_dump() | {"steps": {"source": "body", "style": "headings"}}
    with pytest.raises(ValueError, match="needs `headings`"):
        Mapping.model_validate(data)


def people(*users: dict) -> dict:
    return {"type": "people", "people": list(users)}


LIMITS = [
    (
        {"Auslöser": {"type": "multi_select", "multi_select": [{"name": f"k{i}"} for i in range(100)]}},
        "Auslöser: 100 keywords; keep to 30 (each becomes a page label)",
    ),
    (
        {"Szenario": {"type": "title", "title": [{"type": "text", "plain_text": "T" * 300}]}},
        "Szenario: the title is 300 characters; keep it to 255 (Confluence's limit)",
    ),
    (
        {"Verantwortlich": people({"object": "user", "id": "b", "type": "bot", "name": "Zapier"})},
        "Verantwortlich: the owner is a bot (Zapier); set a person who can revalidate the entry",
    ),
]


@pytest.mark.parametrize(("override", "message"), LIMITS)
def test_limits_and_owners_later_stages_need(override: dict, message: str) -> None:
    found = map_page(page(**override), TEAM_DE, heading_body())
    assert isinstance(found, list) and message in [str(p) for p in found]


def test_an_owner_who_left_still_owns_the_entry_by_id() -> None:
    # Notion shows a member who left by id only; the approved entry stays, the fallback owner is reminded.
    found = map_page(page(Verantwortlich=people({"object": "user", "id": "gone"})), TEAM_DE, heading_body())
    assert not isinstance(found, list)
    assert (found.owner.id, found.owner.name) == ("gone", "gone")


def test_a_step_longer_than_one_clip_can_narrate() -> None:
    # An unknown heading of the same level ends a step's section.
    long = Body(
        (
            heading("Dringlichkeit anerkennen"),
            para("x" * 700),
            heading("Zwischen"),
            *heading_body(skip="acknowledge").blocks,
        )
    )
    found = map_page(page(), TEAM_DE, long)
    assert isinstance(found, list)
    assert [str(p) for p in found] == [
        "body: step 'acknowledge': the step is 700 characters; "
        "keep it to 600: each step is narrated in one 15-20 s clip"
    ]
    steps = page(
        DEFAULT, **{"1 Acknowledge": rich("y" * 601), "Lifecycle": {"type": "status", "status": {"name": "Active"}}}
    )
    found = map_page(steps, DEFAULT)
    assert isinstance(found, list) and str(found[-1]).startswith("1 Acknowledge: the step is 601 characters")


def test_body_problems_are_reported_with_the_entry() -> None:
    trouble = ("a synced block shows content from a page not shared with the integration", "share it")
    body = Body(heading_body().blocks, (trouble,))
    found = map_page(page(), TEAM_DE, body)
    assert isinstance(found, list) and found[0].property == "body"
