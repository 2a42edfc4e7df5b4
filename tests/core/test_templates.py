"""Prompt templates: the packaged defaults, a team's override, and a broken override that says where."""

from __future__ import annotations

import pytest

from sync.generate.generator import Generator
from sync.generate.lint import Linter
from sync.generate.targets import load_targets
from sync.generate.templating import TemplateError, Templates
from tests.core.generate_fixtures import entry


def generator(directory=None) -> Generator:
    return Generator(Templates(directory), load_targets(), Linter.load())


def test_the_default_prompt_has_every_section_and_the_exact_lines_in_quotes() -> None:
    prompt = generator().generate(entry()).prompt
    sections = [line.split(":")[0] for line in prompt.splitlines() if line and not line[0].isdigit()]
    for name in ("Goal", "Audience", "Tone", "Visual style", "Key steps", "Outcome", "Quick reference"):
        assert name in sections
    assert '1. Acknowledge the urgency: "I understand this is blocking your team right now.' in prompt
    assert "4. Escalation rule: Production down: tag the thread 'Integration-P1'" in prompt
    assert '- De-escalation phrase: "I understand this is blocking your team right now."' in prompt


def test_every_clip_prompt_shares_the_same_look_and_quotes_its_text_verbatim() -> None:
    generated = generator().generate(entry())
    look = generated.clips[0]["prompt"].split("\n\n")[0]
    assert "Chat window:" in look and "Agent:" in look and "Setting:" in look
    assert all(clip["prompt"].startswith(look) for clip in generated.clips)
    for clip in generated.clips:
        if clip["message"]:
            assert f'On-screen text, verbatim: "{clip["message"]}"' in clip["prompt"]
        assert "seconds" not in clip["prompt"]  # duration is a request parameter, never prose


def test_a_team_overrides_one_template_and_keeps_the_others(tmp_path) -> None:
    (tmp_path / "walkthrough.txt.j2").write_text(
        "GOAL — {{ entry.goal }}\n{% for step in steps %}* {{ step.line }}\n{% endfor %}"
    )
    generated = generator(tmp_path).generate(entry())
    assert generated.prompt.startswith("GOAL — Take an outage report seriously")
    assert '* "I understand this is blocking your team right now.' in generated.prompt
    assert "Chat window:" in generated.clips[0]["prompt"]  # clip.txt.j2 and look.txt.j2 are the defaults


def test_a_missing_field_names_the_template_the_line_and_the_field(tmp_path) -> None:
    (tmp_path / "walkthrough.txt.j2").write_text("Goal: {{ entry.goal }}\n\nOwner: {{ entry.owner_email }}\n")
    with pytest.raises(TemplateError) as raised:
        generator(tmp_path).generate(entry())
    assert raised.value.message.startswith(
        f"template {tmp_path / 'walkthrough.txt.j2'}, line 3: missing field 'owner_email'"
    )
    assert "walkthrough.txt.j2" in raised.value.fix


def test_a_missing_field_is_found_when_the_templates_load_before_any_entry_is_rendered(tmp_path) -> None:
    # Prompts are rendered only for the pages a run writes: a broken clip template must not wait for one.
    (tmp_path / "clip.txt.j2").write_text("{{ look }}\nShot: {{ clip.shot }} for {{ clip.camera }}\n")
    with pytest.raises(TemplateError) as raised:
        generator(tmp_path)
    assert raised.value.message.startswith(f"template {tmp_path / 'clip.txt.j2'}, line 2: missing field 'camera'")


def test_a_syntax_error_is_found_when_the_templates_load(tmp_path) -> None:
    (tmp_path / "clip.txt.j2").write_text("Shot: {{ clip.shot }}\n{% for o in clip.overlays %}\n{{ o }}\n")
    with pytest.raises(TemplateError, match=r"clip.txt.j2, line 3: Unexpected end of template"):
        Templates(tmp_path)


def test_the_sandbox_refuses_to_reach_outside_the_data(tmp_path) -> None:
    (tmp_path / "look.txt.j2").write_text("{{ entry.goal.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError, match=r"look.txt.j2, line 1: .*unsafe"):
        generator(tmp_path).generate(entry())


def test_text_is_never_escaped_in_a_plain_text_prompt_and_never_run_as_a_template() -> None:
    goal = "Say <b>no</b> & mean it {{ 7 * 7 }} {% raw %} {{ entry.__class__ }}"
    prompt = generator().generate(entry(goal=goal)).prompt
    assert f"Goal: {goal}\n" in prompt
