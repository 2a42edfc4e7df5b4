"""The entry page renderer: hostile text stays text, output is well-formed storage format."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sync.gate import Decision
from sync.model import Lifecycle, Person, QuickReference, Review, ReviewState, Scenario, Steps
from sync.render import entry_page
from sync.storage import storage_error

WRAP = '<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{}</r>'


def scenario(text: str = "plain", title: str = "Refund outside window") -> Scenario:
    return Scenario(
        page_id="0f8a2c1e-6b1d-4a7e-9a55-1f2e3d4c5b6a",
        url="https://www.notion.so/0f8a2c1e6b1d4a7e9a551f2e3d4c5b6a",
        last_edited=datetime(2026, 11, 1, tzinfo=UTC),
        title=title,
        keywords=("refund", text[:50]),
        audience=text,
        tone=text,
        visual_style=text,
        goal=text,
        outcome=text,
        steps=Steps(acknowledge=text, immediate_action=text, expectation=text, escalation_rule=text, close=text),
        quick_reference=QuickReference(
            de_escalation_phrase=text,
            immediate_action=text,
            escalation_rule=text,
            timeline_expectation=text,
            tone_control=text,
        ),
        owner=Person(id="u1", name=text[:80] or "x"),
        version=2,
        reviews={"legal": Review(state=ReviewState.APPROVED, approved_version=2)},
        last_revalidated=date(2026, 10, 1),
        lifecycle=Lifecycle.ACTIVE,
    )


def page_text(body: str) -> str:
    return "".join(etree.fromstring(WRAP.format(body)).itertext())


DECISION = Decision("publish", ("approved by legal for version 2",))


def test_markup_and_macros_in_text_stay_text() -> None:
    hostile = (
        '<script>alert(1)</script> <ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[x]]>'
        "</ac:plain-text-body></ac:structured-macro> {html}<b>x</b>{html} & &amp; ]]>"
        " \u202eRTL \u05e9\u05dc\u05d5\u05dd 🚨"
    )
    body = entry_page(scenario(hostile), DECISION)
    assert storage_error(body) is None
    tree = etree.fromstring(WRAP.format(body))
    macros = tree.findall(".//{http://atlassian.com/content}structured-macro")
    assert sorted(m.get("{http://atlassian.com/content}name") for m in macros) == [
        "code",
        "details",
        "expand",
        "warning",
    ]
    assert tree.find(".//script") is None and tree.find(".//b") is None
    assert hostile in page_text(body)


def test_cdata_terminator_in_prompt_is_split_and_round_trips() -> None:
    body = entry_page(scenario("before ]]> after ]]]]> end"), DECISION)
    assert storage_error(body) is None
    code = etree.fromstring(WRAP.format(body)).find(".//{http://atlassian.com/content}plain-text-body")
    assert "before ]]> after ]]]]> end" in code.text


def test_control_characters_are_dropped_and_long_fields_survive() -> None:
    long = "x" * 5000
    body = entry_page(scenario("a\x00b\x07c\x1bd" + long), DECISION)
    assert storage_error(body) is None
    assert "abcd" + long in page_text(body)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_unicode_renders_well_formed_and_shows_the_same_text(text: str) -> None:
    body = entry_page(scenario(text), DECISION)
    assert storage_error(body) is None
    cleaned = "".join(ch for ch in text if ch in "\t\n\r" or (ch >= " " and ch not in "\ufffe\uffff"))
    cleaned = "".join(ch for ch in cleaned if not 0xD800 <= ord(ch) <= 0xDFFF)
    # XML parsers normalise line ends; compare with that applied.
    expected = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    assert expected in page_text(body).replace("\r\n", "\n").replace("\r", "\n")
