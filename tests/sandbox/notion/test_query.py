"""Data source queries: every filter kind, sorts, pagination past 100, filter_properties."""

from __future__ import annotations

import pytest
from notion_client import APIResponseError, Client
from notion_client.helpers import collect_paginated_api

from sync.sandbox.notion import NotionState
from tests.sandbox.notion import shapes
from tests.sandbox.notion.conftest import FakeClock
from tests.support.specs import assert_matches

ROWS = [
    # name, score, product, tags, review, due, published, link, summary
    ("Alpha", 3, "Billing", ["urgent"], "Done", "2025-10-02", True, "https://a.example", "reset card"),
    ("beta", 7, "Login", ["mobile", "urgent"], "In progress", "2025-10-05T10:00:00Z", False, None, "Two factor"),
    ("Gamma", None, None, [], None, None, False, "https://g.example", ""),
    ("delta", 5, "Billing", ["mobile"], "Not started", "2025-09-20", True, None, "refund a CARD"),
]


@pytest.fixture
def rows(state: NotionState, scenarios: str, person, clock: FakeClock) -> dict[str, str]:
    ids = {}
    for name, score, product, tags, review, due, published, link, summary in ROWS:
        props: dict = {
            "Name": {"title": [{"text": {"content": name}}]},
            "Score": {"number": score},
            "Tags": {"multi_select": [{"name": t} for t in tags]},
            "Published": {"checkbox": published},
            "Link": {"url": link},
            "Summary": {"rich_text": [{"text": {"content": summary}}]},
            "Due": {"date": {"start": due} if due else None},
        }
        if product:
            props["Product"] = {"select": {"name": product}}
        if review:
            props["Review"] = {"status": {"name": review}}
        if name == "beta":
            props["Owner"] = {"people": [{"id": person.id}]}
        ids[name] = state.create_page({"data_source_id": scenarios}, props).id
        clock.advance(minutes=10)
    return ids


def _names(result: dict) -> list[str]:
    return [r["properties"]["Name"]["title"][0]["plain_text"] for r in result["results"]]


def test_query_without_filter_lists_in_creation_order(client: Client, scenarios: str, rows: dict) -> None:
    result = client.data_sources.query(scenarios)
    assert_matches("notion", "/v1/data_sources/{data_source_id}/query", "post", 200, result)
    shapes.check(shapes.listing("page_or_data_source", shapes.page("2025-09-03")), result)
    assert _names(result) == ["Alpha", "beta", "Gamma", "delta"]
    assert result["has_more"] is False and result["next_cursor"] is None


FILTERS = [
    ({"property": "Name", "title": {"equals": "Alpha"}}, ["Alpha"]),
    ({"property": "Name", "title": {"contains": "ELT"}}, ["delta"]),
    ({"property": "Name", "title": {"does_not_equal": "Alpha"}}, ["beta", "Gamma", "delta"]),
    ({"property": "Summary", "rich_text": {"contains": "card"}}, ["Alpha", "delta"]),
    ({"property": "Summary", "rich_text": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Summary", "rich_text": {"starts_with": "two"}}, ["beta"]),
    ({"property": "Score", "number": {"equals": 7}}, ["beta"]),
    ({"property": "Score", "number": {"does_not_equal": 7}}, ["Alpha", "Gamma", "delta"]),
    ({"property": "Score", "number": {"greater_than": 3}}, ["beta", "delta"]),
    ({"property": "Score", "number": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Score", "number": {"is_not_empty": True}}, ["Alpha", "beta", "delta"]),
    ({"property": "Product", "select": {"equals": "Billing"}}, ["Alpha", "delta"]),
    ({"property": "Product", "select": {"does_not_equal": "Billing"}}, ["beta", "Gamma"]),
    ({"property": "Product", "select": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Product", "select": {"is_not_empty": True}}, ["Alpha", "beta", "delta"]),
    ({"property": "Tags", "multi_select": {"contains": "urgent"}}, ["Alpha", "beta"]),
    ({"property": "Tags", "multi_select": {"does_not_contain": "urgent"}}, ["Gamma", "delta"]),
    ({"property": "Tags", "multi_select": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Review", "status": {"equals": "Done"}}, ["Alpha"]),
    ({"property": "Review", "status": {"does_not_equal": "Done"}}, ["beta", "Gamma", "delta"]),
    ({"property": "Review", "status": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Due", "date": {"on_or_after": "2025-10-02"}}, ["Alpha", "beta"]),
    ({"property": "Due", "date": {"before": "2025-10-02"}}, ["delta"]),
    ({"property": "Due", "date": {"equals": "2025-10-05"}}, ["beta"]),
    ({"property": "Due", "date": {"is_empty": True}}, ["Gamma"]),
    ({"property": "Published", "checkbox": {"equals": True}}, ["Alpha", "delta"]),
    ({"property": "Published", "checkbox": {"does_not_equal": True}}, ["beta", "Gamma"]),
    ({"property": "Link", "url": {"is_not_empty": True}}, ["Alpha", "Gamma"]),
    ({"property": "Link", "url": {"equals": "https://g.example"}}, ["Gamma"]),
    ({"property": "Owner", "people": {"is_not_empty": True}}, ["beta"]),
    ({"property": "Key", "unique_id": {"greater_than_or_equal_to": 3}}, ["Gamma", "delta"]),
    ({"timestamp": "created_time", "created_time": {"after": "2025-10-01T09:05:00Z"}}, ["beta", "Gamma", "delta"]),
    ({"property": "Created", "created_time": {"on_or_before": "2025-10-01T09:10:00Z"}}, ["Alpha", "beta"]),
    (
        {
            "and": [
                {"property": "Published", "checkbox": {"equals": True}},
                {"property": "Score", "number": {"less_than": 5}},
            ]
        },
        ["Alpha"],
    ),
    (
        {
            "or": [
                {"property": "Name", "title": {"equals": "Gamma"}},
                {
                    "and": [
                        {"property": "Tags", "multi_select": {"contains": "mobile"}},
                        {"or": [{"property": "Score", "number": {"greater_than": 6}}]},
                    ]
                },
            ]
        },
        ["beta", "Gamma"],
    ),
]


@pytest.mark.parametrize(("query_filter", "expected"), FILTERS)
def test_filters(client: Client, scenarios: str, rows: dict, query_filter: dict, expected: list) -> None:
    assert _names(client.data_sources.query(scenarios, filter=query_filter)) == expected


def test_people_contains_filter(client: Client, scenarios: str, rows: dict, person) -> None:
    result = client.data_sources.query(scenarios, filter={"property": "Owner", "people": {"contains": person.id}})
    assert _names(result) == ["beta"]


def test_last_edited_time_filter_sees_edits(
    client: Client, state: NotionState, scenarios: str, rows: dict, clock: FakeClock
) -> None:
    clock.advance(hours=1)
    since = "2025-10-01T10:00:00.000Z"
    state.update_page(rows["Gamma"], {"Score": {"number": 1}})
    for condition in ({"on_or_after": since}, {"after": "2025-10-01T09:59:00Z"}):
        edited = client.data_sources.query(
            scenarios, filter={"timestamp": "last_edited_time", "last_edited_time": condition}
        )
        assert _names(edited) == ["Gamma"]
    before = {"timestamp": "last_edited_time", "last_edited_time": {"before": since}}
    assert _names(client.data_sources.query(scenarios, filter=before)) == ["Alpha", "beta", "delta"]


SORTS = [
    ([{"property": "Score", "direction": "ascending"}], ["Alpha", "delta", "beta", "Gamma"]),
    ([{"property": "Score", "direction": "descending"}], ["beta", "delta", "Alpha", "Gamma"]),
    ([{"property": "Name", "direction": "ascending"}], ["Alpha", "beta", "delta", "Gamma"]),
    (
        [{"property": "Product", "direction": "ascending"}, {"property": "Score", "direction": "descending"}],
        ["delta", "Alpha", "beta", "Gamma"],
    ),
    ([{"property": "Due", "direction": "descending"}], ["beta", "Alpha", "delta", "Gamma"]),
    ([{"timestamp": "created_time", "direction": "descending"}], ["delta", "Gamma", "beta", "Alpha"]),
    ([{"timestamp": "last_edited_time", "direction": "ascending"}], ["Alpha", "beta", "Gamma", "delta"]),
]


@pytest.mark.parametrize(("sorts", "expected"), SORTS)
def test_sorts(client: Client, scenarios: str, rows: dict, sorts: list, expected: list) -> None:
    assert _names(client.data_sources.query(scenarios, sorts=sorts)) == expected


def test_filter_properties_limits_returned_properties(client: Client, scenarios: str, rows: dict) -> None:
    score_id = client.data_sources.retrieve(scenarios)["properties"]["Score"]["id"]
    result = client.data_sources.query(scenarios, filter_properties=["title", score_id])
    assert all(set(r["properties"]) == {"Name", "Score"} for r in result["results"])
    by_name = client.data_sources.query(scenarios, filter_properties=["Product"])
    assert all(set(r["properties"]) == {"Product"} for r in by_name["results"])


def test_pagination_past_one_hundred(client: Client, state: NotionState, scenarios: str) -> None:
    for i in range(250):
        state.create_page({"data_source_id": scenarios}, {"Name": {"title": [{"text": {"content": f"Row {i:03d}"}}]}})
    first = client.data_sources.query(scenarios)
    assert len(first["results"]) == 100 and first["has_more"] is True
    second = client.data_sources.query(scenarios, start_cursor=first["next_cursor"], page_size=100)
    assert second["results"][0]["id"] == first["next_cursor"]
    third = client.data_sources.query(scenarios, start_cursor=second["next_cursor"])
    assert len(second["results"]) == 100 and len(third["results"]) == 50
    assert third["has_more"] is False and third["next_cursor"] is None
    everything = collect_paginated_api(client.data_sources.query, data_source_id=scenarios, page_size=40)
    assert [r["properties"]["Name"]["title"][0]["plain_text"] for r in everything] == [
        f"Row {i:03d}" for i in range(250)
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"page_size": 101}, "body.page_size should be ≤ `100`, instead was `101`."),
        ({"page_size": 0}, "body.page_size should be ≥ `1`"),
        ({"start_cursor": "not-a-cursor"}, "body.start_cursor should be a valid start_cursor"),
        (
            {"filter": {"property": "Missing", "number": {"equals": 1}}},
            "Could not find property with name or id: Missing",
        ),
        ({"sorts": [{"property": "Missing", "direction": "ascending"}]}, "Could not find sort property"),
        ({"sorts": [{"property": "Score", "direction": "up"}]}, "body.sorts[0].direction should be one of"),
        ({"filter": {"property": "Score", "select": {"equals": "x"}}}, "Score is a number property"),
        (
            {"filter": {"and": [{"or": [{"and": [{"or": [{"property": "Score", "number": {"equals": 1}}]}]}]}]}},
            "nested at most 2 levels",
        ),
    ],
)
def test_invalid_queries(client: Client, scenarios: str, body: dict, fragment: str) -> None:
    with pytest.raises(APIResponseError) as caught:
        client.data_sources.query(scenarios, **body)
    assert caught.value.status == 400 and caught.value.code == "validation_error"
    assert fragment in str(caught.value)


def test_query_latest_version(client_latest: Client, scenarios: str, rows: dict) -> None:
    result = client_latest.data_sources.query(scenarios, page_size=2)
    shapes.check(shapes.listing("page_or_data_source", shapes.page("2026-03-11")), result)
    assert result["has_more"] is True


def test_search_finds_pages_and_data_sources(client: Client, scenarios: str, rows: dict) -> None:
    found = client.search(query="alp")
    assert_matches("notion", "/v1/search", "post", 200, found)
    assert [r["object"] for r in found["results"]] == ["page"]
    sources = client.search(filter={"property": "object", "value": "data_source"})
    assert [r["id"] for r in sources["results"]] == [scenarios]
