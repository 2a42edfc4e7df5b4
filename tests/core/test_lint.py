"""The over-promise lint, measured on a labelled corpus of agent lines, and its findings and policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sync.errors import ConfigError
from sync.generate.generator import Generator, default_generator
from sync.generate.lint import Linter
from sync.generate.targets import load_targets
from sync.generate.templating import Templates
from tests.core.generate_fixtures import STEPS, entry

CORPUS = yaml.safe_load((Path(__file__).parent / "lint_corpus.yaml").read_text())
HELD_OUT = yaml.safe_load((Path(__file__).parent / "lint_heldout.yaml").read_text())


def figures(corpus: dict) -> tuple[float, float, list[str], list[str]]:
    """Recall (risky lines flagged under their own category) and false-alarm rate (safe lines flagged at all)."""
    linter = Linter.load()
    missed = [
        r["text"]
        for r in corpus["risky"]
        if r["category"] not in {rule.category for rule, _ in linter.matches(r["text"])}
    ]
    false_alarms = [text for text in corpus["safe"] if linter.matches(text)]
    return 1 - len(missed) / len(corpus["risky"]), len(false_alarms) / len(corpus["safe"]), missed, false_alarms


def test_the_corpus_is_big_enough_and_a_third_risky() -> None:
    risky, safe = len(CORPUS["risky"]), len(CORPUS["safe"])
    assert risky + safe >= 60
    assert 0.3 <= risky / (risky + safe) <= 0.4
    assert {r["category"] for r in CORPUS["risky"]} == Linter.load().rules.categories


def test_recall_and_false_alarms_on_the_corpus() -> None:
    recall, false_alarm_rate, missed, false_alarms = figures(CORPUS)
    print(f"\nlint corpus: recall {recall:.3f}, false alarms {false_alarm_rate:.3f}; missed {missed}; {false_alarms}")
    assert recall >= 0.95, missed
    assert false_alarm_rate <= 0.05, false_alarms


def test_on_lines_it_was_never_tuned_on_the_lint_stays_quiet_on_safe_text() -> None:
    recall, false_alarm_rate, missed, false_alarms = figures(HELD_OUT)
    print(f"\nlint held out: recall {recall:.3f}, false alarms {false_alarm_rate:.3f}; missed {missed}")
    assert false_alarm_rate <= 0.05, false_alarms
    linter = Linter.load()
    for line in HELD_OUT["risky"]:  # what it flags there, it flags under the right category
        assert {rule.category for rule, _ in linter.matches(line["text"])} <= {line["category"]}


def test_a_finding_names_the_step_phrase_rule_and_a_safer_wording() -> None:
    steps = (*STEPS[:2], '"No problem, I\'ll refund the full amount today."', *STEPS[3:])
    generated = default_generator().generate(entry(steps=steps))
    [finding] = generated.findings
    assert (finding.where, finding.property, finding.phrase, finding.rule) == (
        "step 3 (Set the expectation)",
        "step 3 (Set the expectation)",
        "I'll refund",
        "refund-promise",
    )
    assert finding.blocking and "billing" in finding.safer
    assert str(finding).startswith('step 3 (Set the expectation): "I\'ll refund" (refund-promise, blocks publication)')


def test_quick_reference_lines_are_checked_too_and_policy_decides_what_blocks() -> None:
    risky = entry(quick={"timeline_expectation": "Fixed by tonight, 100% sure."})
    findings = default_generator().generate(risky).findings
    assert {(f.where, f.category, f.blocking) for f in findings} == {
        ("quick reference: timeline expectation", "dated-fix", False),
        ("quick reference: timeline expectation", "guarantee", False),
    }
    strict = Generator(Templates(), load_targets(), Linter.load(blocking=["dated-fix"]))
    assert [f.blocking for f in strict.generate(risky).findings] == [True, False]


def test_a_team_rules_file_and_a_bad_policy_are_checked(tmp_path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'version: 1\nnegations: "\\\\b(?:not|never)\\\\b"\nhedges: "\\\\bmay\\\\b"\nrules:\n'
        "  - {id: no-asap, category: timing, what: vague urgency, safer: 'by 3 pm', patterns: ['\\basap\\b']}\n"
    )
    linter = Linter.load(rules, blocking=["timing"])
    assert [rule.id for rule, _ in linter.matches("We'll sort it ASAP.")] == ["no-asap"]
    assert linter.matches("We will not promise ASAP.") == []
    with pytest.raises(ConfigError, match=r"lint\.blocking names categories the rules do not have: refund"):
        Linter.load(rules, blocking=["refund"])
    rules.write_text(
        "version: 1\nnegations: x\nhedges: y\nrules:\n  - {id: r, category: c, what: w, safer: s, patterns: ['(']}\n"
    )
    with pytest.raises(ConfigError, match=r"rules.yaml: rules.0.patterns: Value error, not a valid regular expression"):
        Linter.load(rules, blocking=[])


def test_a_team_pattern_with_a_back_reference_or_a_leading_flag_matches_as_written(tmp_path) -> None:
    # A rule's patterns are searched together first; these two cannot be joined and are searched one by one.
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'version: 1\nnegations: "\\\\bnot\\\\b"\nhedges: "\\\\bmay\\\\b"\nrules:\n'
        "  - {id: echo, category: style, what: twice, safer: once, patterns: ['\\b(never)\\b', '\\b(\\w+) \\1\\b']}\n"
        "  - {id: verbose, category: tone, what: spaced, safer: plain, patterns: ['(?x) a s a p', 'right\\ now']}\n"
    )
    linter = Linter.load(rules, blocking=[])
    assert [(rule.id, phrase) for rule, phrase in linter.matches("It is very very late.")] == [("echo", "very very")]
    assert [(rule.id, phrase) for rule, phrase in linter.matches("Fixed asap.")] == [("verbose", "asap")]
    assert [(rule.id, phrase) for rule, phrase in linter.matches("We act right now.")] == [("verbose", "right now")]
    assert linter.matches("Very late, and not right now.") == []


def test_a_sentence_is_flagged_the_same_in_any_case_and_a_capital_in_a_pattern_keeps_its_meaning(tmp_path) -> None:
    # Lowercase patterns are searched in the lowered sentence; one naming a capital is searched as written.
    linter = Linter.load()
    for row in CORPUS["risky"]:
        for variant in (row["text"].upper(), row["text"].swapcase()):
            assert {r.category for r, _ in linter.matches(variant)} == {
                r.category for r, _ in linter.matches(row["text"])
            }
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'version: 1\nnegations: "\\\\bnot\\\\b"\nhedges: "\\\\bmay\\\\b"\nrules:\n'
        "  - {id: shout, category: tone, what: caps, safer: calm, patterns: ['\\bASAP\\b', '\\bNOW\\S*']}\n"
    )
    shout = Linter.load(rules, blocking=[])
    assert [phrase for _, phrase in shout.matches("Do it asap.")] == ["asap"]  # IGNORECASE, as before
    assert [phrase for _, phrase in shout.matches("Right NOW!!")] == ["NOW!!"]
