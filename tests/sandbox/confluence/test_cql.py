"""The CQL parser and evaluator on their own: operators, precedence, quoting, dates, ordering, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.sandbox.confluence.cql import And, Clause, Context, CqlError, Document, Not, Or, parse, search

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)

DOCS = [
    Document(
        id="10",
        title="Password reset walkthrough",
        space_key="SUP",
        space_id="1",
        space_name="Support",
        labels=frozenset({"scenario", "auth"}),
        ancestors=("1",),
        parent_id="1",
        text="Ask the customer for their email address.",
        created=NOW - timedelta(days=10),
        lastmodified=NOW - timedelta(days=1),
        creator=frozenset({"bot", "557058:bot"}),
        contributors=frozenset({"bot", "557058:bot", "dana"}),
    ),
    Document(
        id="11",
        title="Refund walkthrough",
        space_key="SUP",
        space_id="1",
        space_name="Support",
        labels=frozenset({"scenario", "billing"}),
        ancestors=("1", "10"),
        parent_id="10",
        text="Open the billing console.",
        created=NOW - timedelta(days=3),
        lastmodified=NOW - timedelta(hours=2),
        creator=frozenset({"dana"}),
        contributors=frozenset({"dana"}),
    ),
    Document(
        id="12",
        title="Team handbook",
        space_key="OPS",
        space_id="2",
        space_name="Operations",
        labels=frozenset(),
        status="archived",
        created=datetime(2024, 1, 1, 9, tzinfo=UTC),
        lastmodified=datetime(2024, 1, 1, 9, tzinfo=UTC),
    ),
]


def ids(cql: str, ctx: Context | None = None) -> list[str]:
    return [d.id for d in search(cql, DOCS, ctx or Context(now=NOW))]


def test_equality_fields() -> None:
    assert ids("space = SUP") == ["10", "11"]
    assert ids("space.key = 'OPS'") == ["12"]
    assert ids("type = page") == ["10", "11", "12"]
    assert ids("type = blogpost") == []
    assert ids("label = scenario") == ["10", "11"]
    assert ids('label = "billing"') == ["11"]
    assert ids("ancestor = 10") == ["11"]
    assert ids("ancestor = 1") == ["10", "11"]
    assert ids("parent = 1") == ["10"]
    assert ids("id = 12") == ["12"]
    assert ids("content = 11") == ["11"]
    assert ids("space.id = 2") == ["12"]
    assert ids("status = archived") == ["12"]


def test_negations_and_in_lists() -> None:
    assert ids("space != SUP") == ["12"]
    assert ids("label != scenario") == ["12"]
    assert ids("id in (10, '12')") == ["10", "12"]
    assert ids('label in ("auth", "billing")') == ["10", "11"]
    assert ids("label not in (auth, billing)") == ["12"]
    assert ids("not label = scenario") == ["12"]
    assert ids("NOT (space = SUP and label = auth)") == ["11", "12"]


def test_title_equality_and_contains() -> None:
    assert ids('title = "Refund walkthrough"') == ["11"]
    assert ids("title = 'refund WALKTHROUGH'") == ["11"]  # case-insensitive, as Confluence's index
    assert ids('title ~ "walkthrough"') == ["10", "11"]
    assert ids('title ~ "walk*"') == ["10", "11"]
    assert ids('title ~ "pass?ord"') == ["10"]
    assert ids('title ~ "reset walkthrough"') == ["10"]  # every term must appear
    assert ids('title !~ "walkthrough"') == ["12"]
    assert ids('title ~ "walk"') == []  # whole words, not substrings
    assert ids('text ~ "billing console"') == ["11"]
    assert ids('text ~ "auth"') == ["10"]  # labels are searched as text too
    assert ids('space.title ~ "operations"') == ["12"]


def test_and_binds_tighter_than_or_and_parentheses_override() -> None:
    query = parse("space = OPS or space = SUP and label = auth")
    assert isinstance(query.where, Or)
    assert isinstance(query.where.items[1], And)
    assert ids("space = OPS or space = SUP and label = auth") == ["10", "12"]
    assert ids("(space = OPS or space = SUP) and label = auth") == ["10"]
    assert ids("space = SUP AND (label = auth OR label = billing) AND NOT id = 10") == ["11"]


def test_keywords_are_case_insensitive_and_quotes_escape() -> None:
    q = parse("Space = SUP aNd LABEL In (scenario) oRdEr By TITLE Desc")
    assert q.order_by == (("title", True),)
    quoted = parse(r'title = "say \"hi\"" and title = ' + "'it\\'s'")
    assert isinstance(quoted.where, And)
    first, second = quoted.where.items
    assert isinstance(first, Clause) and first.values[0].text == 'say "hi"'
    assert isinstance(second, Clause) and second.values[0].text == "it's"
    assert isinstance(parse("not not id = 1").where, Not)


def test_dates_functions_and_users() -> None:
    assert ids("created > '2024-06-01'") == ["10", "11"]
    assert ids("created = '2024-01-01'") == ["12"]  # a date alone is the whole day
    assert ids("created <= '2024/01/01'") == ["12"]
    assert ids("lastmodified > now('-1d')") == ["11"]
    assert ids("lastmodified >= now('-1d')") == ["10", "11"]
    assert ids('lastmodified < startOfDay("-30d")') == ["12"]
    assert ids("created >= '2025-06-05 12:00'") == ["10", "11"]
    ctx = Context(now=NOW, current_user=frozenset({"dana"}))
    assert ids("creator = currentUser()", ctx) == ["11"]
    assert ids("contributor = currentUser()", ctx) == ["10", "11"]
    assert ids("creator = bot") == ["10"]


def test_order_by() -> None:
    assert ids("type = page order by title") == ["10", "11", "12"]
    assert ids("type = page order by created desc") == ["11", "10", "12"]
    assert ids("type = page ORDER BY lastmodified asc, id desc") == ["12", "10", "11"]
    assert ids("order by id desc") == ["12", "11", "10"]


@pytest.mark.parametrize(
    "cql",
    [
        "",
        "   ",
        "space =",
        "space = SUP and",
        "(space = SUP",
        "space = SUP)",
        "space = SUP label = x",
        "colour = red",
        "title > 3",
        "label ~ scen",
        "text = hello",
        "created > 'yesterday'",
        "label = now()",
        "space in SUP",
        "space = SUP order by colour",
        'title = "unterminated',
    ],
)
def test_what_cannot_be_parsed_is_reported_as_confluence_does(cql: str) -> None:
    with pytest.raises(CqlError) as raised:
        parse(cql)
    assert raised.value.message == f"Could not parse cql : {cql}"
    assert raised.value.detail


def test_fields_reports_what_the_condition_mentions() -> None:
    assert parse("space = SUP and not (status = archived or label = x)").fields() == {"space", "status", "label"}
    assert parse("order by title").fields() == set()
