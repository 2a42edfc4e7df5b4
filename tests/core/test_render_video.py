"""The walkthrough-video section of the entry page: prompt, clip plan table and manifest link; text stays text."""

from __future__ import annotations

from lxml import etree

from sync.gate import Decision
from sync.generate.generator import default_generator
from sync.render import entry_page
from sync.storage import storage_error
from tests.core.generate_fixtures import STEPS, entry

WRAP = '<r xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">{}</r>'
AC, RI = "{http://atlassian.com/content}", "{http://atlassian.com/resource/identifier}"
DECISION = Decision("publish", ("approved by legal for version 2",))


def test_hostile_step_text_stays_text_in_the_clip_table() -> None:
    hostile = '"<ac:link><ri:attachment ri:filename="x.exe"/></ac:link> ]]> {html}<b>x</b>"'
    scenario = entry(steps=(hostile, *STEPS[1:]))
    body = entry_page(scenario, DECISION, default_generator().generate(scenario))
    assert storage_error(body) is None
    tree = etree.fromstring(WRAP.format(body))
    assert [a.get(f"{RI}filename") for a in tree.iter(f"{RI}attachment")] == ["clip-plan.json"]
    assert tree.find(".//b") is None
    cells = ["".join(td.itertext()) for td in tree.iter("td")]
    assert '<ac:link><ri:attachment ri:filename="x.exe"/></ac:link> ]]> {html}<b>x</b>' in " ".join(cells)


def test_an_entry_without_a_plan_shows_its_prompt_but_no_table_or_link() -> None:
    scenario = entry(steps=(*STEPS[:3], " ".join(["escalate"] * 70), STEPS[4]))
    generated = default_generator().generate(scenario)
    tree = etree.fromstring(WRAP.format(entry_page(scenario, DECISION, generated)))
    code = next(m for m in tree.iter(f"{AC}structured-macro") if m.get(f"{AC}name") == "code")
    assert code.find(f"{AC}plain-text-body").text == generated.prompt
    assert tree.find(f".//{RI}attachment") is None and not tree.xpath("//h3")
