"""The checks a run keeps for the next (the plan's problems and the lint's findings, with the key of what made
them): taken again only for the same lines under the same rules, targets and code."""

from __future__ import annotations

import pytest

from sync.generate.generator import Generator
from sync.generate.lint import Finding, Linter
from sync.generate.targets import load_targets
from sync.generate.templating import Templates
from tests.core.generate_fixtures import STEPS, entry

WARNED = (*STEPS[:4], '"You\'re in the P1 queue now, and this will definitely be looked at."')
HELD = (*STEPS[:4], '"Sorry again, I\'ll refund this month in full for the trouble."')
TOO_LONG = (*STEPS[:3], " ".join(["Escalate to tier-2 when production is down."] * 9), STEPS[4])
COLUMNS = ["1 Acknowledge", "2 Act now", "3 Expectation", "4 Escalation rule", "5 Close"]


def generator(blocking: tuple[str, ...] = ("refund", "data-access", "liability")) -> Generator:
    return Generator(Templates(), load_targets(), Linter.load(None, blocking))


@pytest.mark.parametrize("steps", [STEPS, WARNED, HELD, TOO_LONG], ids=["clean", "warned", "held", "too-long"])
def test_kept_checks_are_taken_again_as_they_were_found_and_the_output_is_still_made(steps) -> None:
    scenario = entry(steps)
    first = generator().generate(scenario, COLUMNS)
    later = generator()  # the next run's
    later.remember([first.checks])
    again = later.checked(scenario, COLUMNS)

    assert (again.problems, again.findings, again.checks) == (first.problems, first.findings, first.checks)
    assert again.rendered == first.rendered  # asked for, the prompt, clips and manifest are made as before
    assert bool(first.findings or first.problems) == isinstance(first.checks, dict)  # the key alone, else all


def test_checks_are_taken_from_what_was_kept_not_worked_out_again() -> None:
    scenario = entry()
    clean = generator().generate(scenario, COLUMNS)
    assert clean.findings == []
    kept = Finding("step 5 (Close)", "5 Close", "kept", "guarantee", "guarantee", "what", "safer", True)
    later = generator()
    later.remember([{"key": clean.checks, "problems": [], "findings": [kept.__dict__]}])

    assert later.checked(scenario, COLUMNS).findings == [kept]
    assert later.generate(scenario, COLUMNS).findings == []  # generate always works them out


def test_the_key_changes_with_every_line_checked_and_every_name_a_finding_gives() -> None:
    made = generator()
    base = made.checks_key(entry(), COLUMNS, {"immediate_action": "Immediate action"})
    changed = {
        "a step": made.checks_key(entry(WARNED), COLUMNS, {"immediate_action": "Immediate action"}),
        "a spoken reference line": made.checks_key(
            entry(quick={"timeline_expectation": "Soon."}), COLUMNS, {"immediate_action": "Immediate action"}
        ),
        "a step's column": made.checks_key(entry(), [*COLUMNS[:4], "Close"], {"immediate_action": "Immediate action"}),
        "a reference column": made.checks_key(entry(), COLUMNS, {"immediate_action": "Do now"}),
    }
    assert base not in changed.values() and len(set(changed.values())) == len(changed)
    # What is neither linted nor planned leaves the key as it is.
    unchecked = entry(title="Another title", quick={"tone_control": "Warm."}, version=7)
    assert made.checks_key(unchecked, COLUMNS, {"immediate_action": "Immediate action"}) == base


def test_the_key_changes_with_the_rules_the_policy_and_the_targets(tmp_path) -> None:
    scenario = entry(WARNED)
    base = generator().generate(scenario, COLUMNS)
    stricter = generator(("refund", "data-access", "liability", "guarantee"))
    stricter.remember([base.checks])
    held = stricter.checked(scenario, COLUMNS)
    assert [f.blocking for f in base.findings] == [False] and [f.blocking for f in held.findings] == [True]

    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nnegations: '\\bnot\\b'\nhedges: '\\bmay\\b'\nrules:\n"
        "  - {id: p1, category: refund, what: w, safer: s, patterns: ['\\bP1\\b']}\n"
    )
    own = Generator(Templates(), load_targets(), Linter.load(rules, ["refund"]))
    own.remember([base.checks])
    assert {f.rule for f in own.checked(scenario, COLUMNS).findings} == {"p1"}

    targets = tmp_path / "targets.yaml"
    default = load_targets()
    targets.write_text(default.model_copy(update={"targets": default.targets[:1]}).model_dump_json())
    narrower = Generator(Templates(), load_targets(targets), Linter.load())
    assert narrower.checks_key(scenario, COLUMNS, None) != generator().checks_key(scenario, COLUMNS, None)


def test_what_is_not_kept_checks_is_left_out_and_worked_out_again() -> None:
    scenario = entry(WARNED)
    made = generator()
    key = made.checks_key(scenario, COLUMNS, None)
    made.remember([None, 7, [], {"key": key}, {"key": key, "problems": [{"nope": 1}], "findings": []}])
    again = made.checked(scenario, COLUMNS)
    assert [f.rule for f in again.findings] == ["guarantee"] and again.checks["key"] == key
