"""The clip plan: one 15-20 s clip per decision point, 60-90 s in all, timed from the words. Pure.

A clip's length is its narration at 130 words a minute plus the time the chat message takes to appear on
screen, rounded up to whole seconds (render targets take whole seconds). A clip may be tightened towards 150 words
a minute, never faster, to fit 20 s or the 90 s total; a short clip is held on screen up to 15 s. Where the words
cannot fit at 150 words a minute, the plan is a list of problems naming the step, its words and how many it may
have: never a silly timing, never silent truncation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from sync.generate.targets import Segment, Targets, segments

PLAN_WPM, MAX_WPM = 130, 150
CLIP_MIN_S, CLIP_MAX_S = 15, 20
TOTAL_MIN_S, TOTAL_MAX_S = 60, 90
# The message is typed on screen faster than a person types (a recording, sped up) but slow enough to read.
TYPING_CPS = 15
SEND_PAUSE_S = 1.0

# The agent's exact line is the part of a step in double quotes: from the first to the last straight quote (so a
# line may quote a button name inside it), or within curly quotes.
_QUOTED = re.compile(r'"(.+)"|\u201c(.+)\u201d', re.DOTALL)
_WORD = re.compile(r"[\w'\u2019-]+")


def words(text: str) -> int:
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class StepScript:
    """One decision point: what the agent types (the quoted line) and what the voice-over explains. The parts
    derived from the text are worked out once (planning, lint and the manifest each read them several times)."""

    number: int
    label: str
    text: str
    column: str  # where an author fixes it (the Notion column, or the step's name)

    @cached_property
    def message(self) -> str:
        found = _QUOTED.search(self.text)
        return " ".join((found.group(1) or found.group(2)).split()) if found else ""

    @cached_property
    def guidance(self) -> str:
        rest = _QUOTED.sub(" ", self.text, count=1)
        return " ".join(rest.split()).strip(" ,;:-")

    @cached_property
    def intro(self) -> str:
        return f"Step {self.number}: {self.label}."

    @cached_property
    def narration(self) -> str:
        return f"{self.intro} {self.guidance}".strip()

    @cached_property
    def narration_words(self) -> int:
        return words(self.narration)

    @cached_property
    def typing_s(self) -> float:
        """Time for the message to appear and be sent; none for a step the agent does not type."""
        return round(len(self.message) / TYPING_CPS + SEND_PAUSE_S, 1) if self.message else 0.0

    def seconds_at(self, wpm: int) -> int:
        return max(CLIP_MIN_S, math.ceil(self.typing_s + self.narration_words * 60 / wpm - 1e-9))


@dataclass(frozen=True)
class PlannedClip:
    step: StepScript
    duration_s: int
    segments: dict[str, list[Segment]]  # target id -> segments whose used parts add up to duration_s

    @property
    def narration_wpm(self) -> float:
        """130 words a minute, or faster (never above 150) where the clip was tightened to fit."""
        room = self.duration_s - self.step.typing_s
        return round(max(PLAN_WPM, self.step.narration_words * 60 / room), 1)

    @property
    def hold_s(self) -> float:
        """What is left once the narration and the typing are done: the last frame held on screen."""
        spoken = self.step.narration_words * 60 / self.narration_wpm
        return round(max(0.0, self.duration_s - self.step.typing_s - spoken), 1)


@dataclass(frozen=True)
class PlanProblem:
    property: str
    found: str
    expected: str


@dataclass
class ClipPlan:
    clips: list[PlannedClip] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)

    @property
    def total_s(self) -> int:
        return sum(c.duration_s for c in self.clips)


def plan_clips(steps: list[StepScript], targets: Targets) -> ClipPlan:
    """Clips that fit every rule, or (and then no clips) the problems that stop them fitting."""
    problems = [p for s in steps if (p := _step_problem(s))]
    if problems:
        return ClipPlan(problems=problems)
    if problem := _total_problem(steps):
        return ClipPlan(problems=[problem])
    durations = _fit_total([min(CLIP_MAX_S, s.seconds_at(PLAN_WPM)) for s in steps], steps)
    return ClipPlan(
        clips=[
            PlannedClip(s, d, {t.id: segments(t, d) for t in targets.targets})
            for s, d in zip(steps, durations, strict=True)
        ]
    )


def _step_problem(step: StepScript) -> PlanProblem | None:
    need = step.seconds_at(MAX_WPM)
    if need <= CLIP_MAX_S:
        return None
    spoken = words(step.guidance)
    found = f"step {step.number} ({step.label}) needs {need} s at {MAX_WPM} words a minute, the fastest allowed: "
    found += f"{spoken} spoken words"
    if step.message:
        found += f" plus {step.typing_s:g} s to type the {len(step.message)}-character message"
    room = CLIP_MAX_S - step.typing_s
    may = math.floor(room * MAX_WPM / 60 + 1e-9) - words(step.intro)
    if may < 0:  # the message alone does not fit
        most = int((CLIP_MAX_S - SEND_PAUSE_S - words(step.intro) * 60 / MAX_WPM) * TYPING_CPS)
        expected = f"a clip lasts at most {CLIP_MAX_S} s: shorten the typed message to at most {most} characters"
        if spoken:
            expected += " and leave fewer spoken words"
    elif step.message:
        expected = (
            f"a clip lasts at most {CLIP_MAX_S} s: with this message the step may have at most {may} spoken words"
            " (or shorten the message)"
        )
    else:
        expected = f"a clip lasts at most {CLIP_MAX_S} s: the step may have at most {may} words"
    return PlanProblem(step.column, found, expected)


def _total_problem(steps: list[StepScript]) -> PlanProblem | None:
    count = len(steps)
    if count * CLIP_MAX_S < TOTAL_MIN_S:
        fewest = math.ceil(TOTAL_MIN_S / CLIP_MAX_S)
        return PlanProblem(
            "Key steps",
            f"{count} decision points make at most {count * CLIP_MAX_S} s",
            f"a walkthrough lasts {TOTAL_MIN_S}-{TOTAL_MAX_S} s: give it at least {fewest} steps",
        )
    if count * CLIP_MIN_S > TOTAL_MAX_S:
        most = TOTAL_MAX_S // CLIP_MIN_S
        return PlanProblem(
            "Key steps",
            f"{count} decision points need at least {count * CLIP_MIN_S} s",
            f"a walkthrough lasts {TOTAL_MIN_S}-{TOTAL_MAX_S} s: give it at most {most} steps",
        )
    fastest = [s.seconds_at(MAX_WPM) for s in steps]
    excess = sum(fastest) - TOTAL_MAX_S
    if excess <= 0:
        return None
    cuts = []  # take the excess from the longest steps first, down to a 15 s clip each
    for index in sorted(range(count), key=lambda i: (-fastest[i], i)):
        if excess <= 0:
            break
        shed = min(excess, fastest[index] - CLIP_MIN_S)
        step = steps[index]
        spoken = words(step.guidance)
        cut = math.ceil(shed * MAX_WPM / 60)
        cuts.append(f"step {step.number} has {spoken} spoken words, may have {max(0, spoken - cut)}")
        excess -= shed
    return PlanProblem(
        "Key steps",
        f"the walkthrough needs {sum(fastest)} s at {MAX_WPM} words a minute, the fastest allowed",
        f"a walkthrough lasts at most {TOTAL_MAX_S} s: " + "; ".join(cuts),
    )


def _fit_total(durations: list[int], steps: list[StepScript]) -> list[int]:
    """Tighten the longest clips (never below their 150 wpm length) or hold the shortest, into 60-90 s."""
    floor = [s.seconds_at(MAX_WPM) for s in steps]
    out = list(durations)
    while sum(out) > TOTAL_MAX_S:
        index = max((i for i in range(len(out)) if out[i] > floor[i]), key=lambda i: (out[i], -i))
        out[index] -= 1
    while sum(out) < TOTAL_MIN_S:
        index = min((i for i in range(len(out)) if out[i] < CLIP_MAX_S), key=lambda i: (out[i], i))
        out[index] += 1
    return out
