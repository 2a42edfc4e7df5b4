"""The over-promise lint: flags language in the lines agents type and say that the next shift cannot keep. Pure.

Rules are data (`data/lint-rules.yaml`, or a team's own file): patterns plus the context that makes a match
safe (a negation in the same clause, a hedge or a rule-specific phrase in the same sentence), so "I'll refund
you today" is flagged and "I can't refund it myself" is not. The job's policy decides which categories hold
publication and which only warn reviewers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sync.errors import ConfigError
from sync.generate.datafile import load_data

DEFAULT_BLOCKING = ("refund", "data-access", "liability")

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"[,;:]\s|\s(?:but|however|although|though|whereas|unless|so)\s|\s[-\u2013\u2014]\s", re.I)
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
_ESCAPE = re.compile(r"\\.")  # \S, \W, \B ...: capitals that are not letters to match
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a valid regular expression ({error}): {pattern}") from error


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: str
    what: str
    safer: str
    patterns: tuple[str, ...] = Field(min_length=1)
    # Each of these must also be in the match's clause: a rule can pair a topic with a commitment ("I'll" + "refund").
    with_: tuple[str, ...] = Field(default=(), alias="with")
    negated: bool = True
    hedged: bool = False
    unless: tuple[str, ...] = ()
    negation_scope: Literal["before", "through"] = "through"

    @field_validator("patterns", "with_", "unless")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            _regex(pattern)
        return value

    @cached_property
    def compiled(self) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]], list[re.Pattern[str]]]:
        return [_regex(p) for p in self.patterns], [_regex(p) for p in self.with_], [_regex(p) for p in self.unless]

    @cached_property
    def any_pattern(self) -> tuple[re.Pattern[str], bool] | None:
        """All the patterns in one expression: most sentences match none, and one search tells; and whether it
        is searched in the lowered sentence. None where the patterns cannot be joined (a back-reference would
        point into another pattern's groups).

        Patterns that name no capital letter are searched in lowered text without IGNORECASE: they find the
        same, and several times faster, as the engine then skips to their literal parts."""
        if any(_BACKREFERENCE.search(p) for p in self.patterns):
            return None
        joined = "|".join(f"(?:{p})" for p in self.patterns)
        try:
            if not any(c.isupper() for c in _ESCAPE.sub("", joined)):
                return re.compile(joined), True
            return re.compile(joined, re.IGNORECASE), False
        except re.error:  # e.g. a global inline flag, valid only at the start of its own pattern
            return None


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    negations: str
    hedges: str
    rules: tuple[Rule, ...] = Field(min_length=1)

    @field_validator("negations", "hedges")
    @classmethod
    def _compiles(cls, value: str) -> str:
        _regex(value)
        return value

    @property
    def categories(self) -> set[str]:
        return {r.category for r in self.rules}


@dataclass(frozen=True)
class Finding:
    where: str  # "step 3 (Set the expectation)" or "quick reference: timeline expectation"
    property: str  # where the author fixes it
    phrase: str
    rule: str
    category: str
    what: str
    safer: str
    blocking: bool

    def __str__(self) -> str:
        kind = "blocks publication" if self.blocking else "warning"
        return f'{self.where}: "{self.phrase}" ({self.rule}, {kind}): {self.what}; safer: "{self.safer}"'

    def to_json(self) -> dict[str, object]:
        return {
            "where": self.where,
            "property": self.property,
            "phrase": self.phrase,
            "rule": self.rule,
            "category": self.category,
            "blocking": self.blocking,
            "safer": self.safer,
        }


@dataclass(frozen=True)
class Line:
    """One text an agent types or says, and where it lives in the entry."""

    where: str
    property: str
    text: str


class Linter:
    def __init__(self, rules: RuleSet, blocking: tuple[str, ...] | list[str] = DEFAULT_BLOCKING) -> None:
        unknown = sorted(set(blocking) - rules.categories)
        if unknown:
            raise ConfigError(
                f"lint.blocking names categories the rules do not have: {', '.join(unknown)}",
                f"use some of: {', '.join(sorted(rules.categories))}",
            )
        self.rules, self.blocking = rules, frozenset(blocking)
        self._negation, self._hedge = _regex(rules.negations), _regex(rules.hedges)

    @classmethod
    def load(cls, path: Path | None = None, blocking: tuple[str, ...] | list[str] = DEFAULT_BLOCKING) -> Linter:
        return cls(load_data(RuleSet, path, "lint-rules.yaml", "lint.rules"), blocking)

    def check(self, lines: list[Line]) -> list[Finding]:
        return [finding for line in lines for finding in self._check_line(line)]

    def matches(self, text: str) -> list[tuple[Rule, str]]:
        """The rules that flag `text`, each with the phrase it flags: per sentence, the first rule of each category
        (the specific rules come before the broad ones in the file)."""
        out: list[tuple[Rule, str]] = []
        for sentence in _SENTENCE.split(text.translate(_TYPOGRAPHIC)):
            flagged: set[str] = set()
            lowered = sentence.lower()
            for rule in self.rules.rules:
                if rule.category in flagged:
                    continue
                phrase = self._flag(rule, sentence, lowered)
                if phrase is not None:
                    out.append((rule, phrase))
                    flagged.add(rule.category)
        return out

    def _check_line(self, line: Line) -> list[Finding]:
        return [
            Finding(
                line.where,
                line.property,
                phrase,
                rule.id,
                rule.category,
                rule.what,
                rule.safer,
                rule.category in self.blocking,
            )
            for rule, phrase in self.matches(line.text)
        ]

    def _flag(self, rule: Rule, sentence: str, lowered: str) -> str | None:
        quick = rule.any_pattern
        if quick is not None and quick[0].search(lowered if quick[1] else sentence) is None:
            return None
        patterns, required, unless = rule.compiled
        if any(p.search(sentence) for p in unless) or (rule.hedged and self._hedge.search(sentence)):
            return None
        for pattern in patterns:
            for match in pattern.finditer(sentence):
                start, end = _clause(sentence, match)
                if not all(p.search(sentence, start, end) for p in required):
                    continue
                if rule.negated:
                    until = match.start() if rule.negation_scope == "before" else match.end()
                    if self._negation.search(sentence, start, until):
                        continue
                return match.group(0).strip()
        return None


def _clause(sentence: str, match: re.Match[str]) -> tuple[int, int]:
    """Where the clause holding a match starts and ends (a match may run past a comma: keep all of it)."""
    starts = [m.end() for m in _CLAUSE.finditer(sentence, 0, match.start())]
    after = _CLAUSE.search(sentence, match.end())
    return (starts[-1] if starts else 0), (after.start() if after else len(sentence))
