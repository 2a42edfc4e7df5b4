"""The clip plan: for any step texts it either fits every rule or says which step cannot, never both or neither."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import ConfigError
from sync.generate.clipplan import (
    CLIP_MAX_S,
    CLIP_MIN_S,
    MAX_WPM,
    TOTAL_MAX_S,
    TOTAL_MIN_S,
    StepScript,
    plan_clips,
    words,
)
from sync.generate.targets import load_targets, segments

TARGETS = load_targets()
BY_ID = {t.id: t for t in TARGETS.targets}

word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
phrase = st.lists(word, min_size=0, max_size=70).map(" ".join)
step_text = st.one_of(
    phrase,  # guidance only (a rule the agent follows)
    st.tuples(phrase, phrase).map(lambda t: f'"{t[0]}" {t[1]}'),  # a typed line and some guidance
    st.text(max_size=400),  # anything at all, quotes and symbols included
)


def script(number: int, text: str) -> StepScript:
    return StepScript(number, f"Decision {number}", text, f"{number} Step")


def fastest(step: StepScript) -> float:
    """The shortest a clip can be at the ceiling pace, worked out here independently of the planner."""
    return step.typing_s + words(step.narration) * 60 / MAX_WPM


@settings(max_examples=300, deadline=None)
@given(st.lists(step_text, min_size=1, max_size=8))
def test_a_plan_fits_every_rule_or_reports_why_never_both_never_neither(texts) -> None:
    steps = [script(n, t) for n, t in enumerate(texts, start=1)]
    result = plan_clips(steps, TARGETS)

    assert bool(result.clips) != bool(result.problems)  # exactly one of the two
    each_fits = all(fastest(s) <= CLIP_MAX_S + 1e-9 for s in steps)
    total_fits = (
        len(steps) * CLIP_MAX_S >= TOTAL_MIN_S
        and sum(max(CLIP_MIN_S, math.ceil(fastest(s) - 1e-9)) for s in steps) <= TOTAL_MAX_S
    )
    assert bool(result.clips) == (each_fits and total_fits)  # a problem is reported only when one is real
    if result.problems:
        for problem in result.problems:
            assert problem.found and problem.expected and problem.property
        return
    assert [c.step for c in result.clips] == steps  # one clip per decision point, in order
    assert TOTAL_MIN_S <= result.total_s <= TOTAL_MAX_S
    for clip in result.clips:
        assert CLIP_MIN_S <= clip.duration_s <= CLIP_MAX_S
        assert isinstance(clip.duration_s, int)
        assert clip.narration_wpm <= MAX_WPM
        assert clip.step.typing_s + words(clip.step.narration) * 60 / clip.narration_wpm <= clip.duration_s + 0.05
        assert set(clip.segments) == set(BY_ID)
        for target_id, segs in clip.segments.items():
            target = BY_ID[target_id]
            assert sum(s.used_s for s in segs) == clip.duration_s
            assert segs[0].rendered_s in (target.first_extended or target.lengths if len(segs) > 1 else target.lengths)
            assert all(s.rendered_s in target.next for s in segs[1:])
            assert all(s.trim_s == 0 for s in segs[:-1]) and len(segs) <= target.max_segments


def test_a_step_too_long_names_the_step_its_words_and_how_many_it_may_have() -> None:
    long_rule = " ".join(["escalate"] * 60)
    steps = [script(n, '"Short line."') for n in range(1, 6)]
    steps[3] = script(4, long_rule)
    result = plan_clips(steps, TARGETS)
    assert result.clips == []
    [problem] = result.problems
    assert problem.property == "4 Step"
    assert problem.found.startswith("step 4 (Decision 4) needs 26 s at 150 words a minute")
    assert "60 spoken words" in problem.found
    assert (
        problem.expected == "a clip lasts at most 20 s: the step may have at most 46 words"
    )  # 50 at 150 wpm, less the 4-word intro


def test_a_message_too_long_to_type_asks_for_a_shorter_message() -> None:
    steps = [script(n, '"Short line."') for n in range(1, 6)]
    steps[0] = script(1, '"' + "x" * 400 + '"')
    [problem] = plan_clips(steps, TARGETS).problems
    assert "to type the 400-character message" in problem.found
    assert problem.expected.startswith("a clip lasts at most 20 s: shorten the typed message to at most 261 characters")


def test_a_walkthrough_over_90_s_says_which_steps_to_cut_and_by_how_much() -> None:
    rule = " ".join(["word"] * 42)  # 19 s at 150 wpm: each step fits, five do not fit 90 s
    steps = [script(n, rule) for n in range(1, 6)]
    [problem] = plan_clips(steps, TARGETS).problems
    assert problem.property == "Key steps"
    assert problem.found == "the walkthrough needs 95 s at 150 words a minute, the fastest allowed"
    assert problem.expected == (
        "a walkthrough lasts at most 90 s: step 1 has 42 spoken words, may have 32; "
        "step 2 has 42 spoken words, may have 39"
    )
    cut = [script(1, " ".join(["word"] * 32)), script(2, " ".join(["word"] * 39)), *steps[2:]]
    assert plan_clips(cut, TARGETS).total_s == 90  # following the advice makes it fit


@pytest.mark.parametrize(("count", "expected"), [(2, "give it at least 3 steps"), (7, "give it at most 6 steps")])
def test_too_few_or_too_many_decision_points(count, expected) -> None:
    [problem] = plan_clips([script(n, '"Hi."') for n in range(1, count + 1)], TARGETS).problems
    assert problem.expected.endswith(expected)


def test_a_short_step_is_held_to_15_s_and_a_long_one_runs_at_130_wpm() -> None:
    steps = [script(n, '"Thanks."') for n in range(1, 6)]
    steps[2] = script(3, " ".join(["word"] * 38))  # 42 words with the intro: 19.4 s at 130 wpm
    result = plan_clips(steps, TARGETS)
    assert [c.duration_s for c in result.clips] == [15, 15, 20, 15, 15]
    assert result.clips[0].hold_s > 10 and result.clips[0].narration_wpm == 130
    assert result.clips[2].narration_wpm == 130 and result.clips[2].hold_s == pytest.approx(0.6)


def test_clips_are_tightened_towards_150_wpm_to_fit_90_s_never_beyond() -> None:
    steps = [script(n, " ".join(["word"] * 36)) for n in range(1, 6)]  # 19 s each at 130 wpm: 95 s in all
    result = plan_clips(steps, TARGETS)
    assert [c.duration_s for c in result.clips] == [18, 18, 18, 18, 18]
    assert {c.narration_wpm for c in result.clips} == {133.3}


# The reference table in the vendors' notes: how a 15-20 s clip is rendered on each model.
@pytest.mark.parametrize(
    ("target", "length", "rendered"),
    [
        ("veo-3.1", 15, [8, 7]),
        ("veo-3.1", 18, [8, 7, 7]),
        ("veo-3.1", 20, [8, 7, 7]),
        ("runway-gen-4.5", 15, [8, 7]),
        ("runway-gen-4.5", 16, [8, 8]),
        ("runway-gen-4.5", 18, [9, 9]),
        ("runway-gen-4.5", 20, [10, 10]),
        ("luma-ray-2", 15, [9, 9]),
        ("luma-ray-2", 18, [9, 9]),
        ("luma-ray-2", 20, [9, 9, 5]),
    ],
)
def test_segments_follow_each_models_lengths(target, length, rendered) -> None:
    segs = segments(BY_ID[target], length)
    assert [s.rendered_s for s in segs] == rendered
    assert sum(s.used_s for s in segs) == length
    assert [s.start_s for s in segs] == [sum(s.used_s for s in segs[:i]) for i in range(len(segs))]


def test_an_overriding_targets_file_is_used_and_a_bad_one_is_refused(tmp_path) -> None:
    own = tmp_path / "targets.yaml"
    own.write_text(
        "version: 1\ntargets:\n  - {id: kling-3, name: Kling v3, lengths: [3, 5, 7, 9, 10, 12, 15],\n"
        "      next: [5, 10], max_segments: 3}\n"
    )
    targets = load_targets(own)
    assert [s.rendered_s for s in segments(targets.targets[0], 17)] == [7, 10]  # the most even split

    own.write_text("version: 1\ntargets:\n  - {id: tiny, name: Tiny, lengths: [4]}\n")
    with pytest.raises(ConfigError, match="render target 'tiny' cannot make a 15 s clip"):
        load_targets(own)
    own.write_text("version: 1\ntargets:\n  - {id: Bad Id, name: x, lengths: [4]}\n")
    with pytest.raises(ConfigError, match=r"targets.yaml: targets.0.id: String should match pattern"):
        load_targets(own)
    with pytest.raises(ConfigError, match="does not exist"):
        load_targets(tmp_path / "missing.yaml")


def test_openai_is_not_a_target() -> None:
    assert not any("sora" in t.id or "openai" in t.name.lower() for t in TARGETS.targets)


@pytest.mark.parametrize(
    ("text", "message", "guidance"),
    [
        ('"I understand. Let me look."', "I understand. Let me look.", ""),
        (
            'Acknowledge first: "Click "Export" in the menu." Then wait.',
            'Click "Export" in the menu.',
            "Acknowledge first: Then wait.",
        ),
        ("Tag the thread 'P1' and hand it to tier-2.", "", "Tag the thread 'P1' and hand it to tier-2."),
        ("\u201cI\u2019m on it.\u201d Stay in the thread.", "I\u2019m on it.", "Stay in the thread."),
        ('An unmatched " quote', "", 'An unmatched " quote'),
    ],
)
def test_the_typed_line_is_what_the_step_quotes(text, message, guidance) -> None:
    step = script(1, text)
    assert (step.message, step.guidance) == (message, guidance)
