"""`mapping check`'s logic: every misfit between a mapping and a data source schema, with its fix."""

from __future__ import annotations

import copy

from sync.mapping import Mapping
from sync.mapping_check import check
from sync.notion.schema import notion_schema
from tests.conftest import ROOT

DEFAULT = Mapping.load(ROOT / "mappings" / "default.yaml")
TEAM_DE = Mapping.load(ROOT / "mappings" / "team-de.yaml")


def schema_for(mapping: Mapping) -> dict:
    """The schema Notion answers for a database bootstrapped from `mapping`."""
    answered = {}
    for index, (name, spec) in enumerate(notion_schema(mapping).items()):
        kind = next(iter(spec))
        answered[name] = {"id": f"p{index}", "name": name, "type": kind, kind: copy.deepcopy(spec[kind])}
    return answered


def test_a_bootstrapped_database_fits_its_mapping() -> None:
    assert check(DEFAULT, schema_for(DEFAULT)) == []
    assert check(TEAM_DE, schema_for(TEAM_DE)) == []


def test_mistyped_renamed_missing_and_unknown_options_each_with_the_fix() -> None:
    schema = schema_for(DEFAULT)
    schema["Legal review"] = {
        "id": "x",
        "name": "Legal review",
        "type": "status",
        "status": {"options": [{"name": "Approved"}]},
    }
    schema["Goal"] = {"id": "g", "name": "Goal", "type": "number", "number": {}}
    schema["Trigger Keyword"] = schema.pop("Trigger keywords")
    del schema["Outcome"]
    schema["Ops review"]["select"]["options"].append({"name": "Blocked"})
    misfits = [str(m) for m in check(DEFAULT, schema)]
    assert misfits == [
        "'Trigger keywords' is missing; the database has a multi_select property 'Trigger Keyword': "
        "if it was renamed, change `property` to 'Trigger Keyword' (or rename it back in Notion)",
        "'Goal' is a number property, the mapping expects rich_text: make 'Goal' a rich_text property in Notion",
        "'Outcome' (required, rich_text) is missing from the database: "
        "add a rich_text property 'Outcome' in Notion, or point `property` at an existing one",
        "'Legal review' is a status property, the mapping expects select: change `type` to status",
        "'Ops review' offers 'Blocked', which the mapping does not know: "
        "add 'Blocked' under `values.review` (saying what it means), or remove the option in Notion",
    ]


def test_an_approval_option_the_database_lacks() -> None:
    schema = schema_for(TEAM_DE)
    schema["Freigaben"]["multi_select"]["options"] = [{"name": "Recht"}, {"name": "Betrieb"}]
    assert [str(m) for m in check(TEAM_DE, schema)] == [
        "'Produkt' is not an option of 'Freigaben' (it offers: Recht, Betrieb): "
        "add the option 'Produkt' in Notion, or correct it in `approvals.options`"
    ]


def test_the_other_teams_database_does_not_fit() -> None:
    misfits = check(TEAM_DE, schema_for(DEFAULT))
    assert len(misfits) == 21 and all("is missing" in m.problem for m in misfits)
