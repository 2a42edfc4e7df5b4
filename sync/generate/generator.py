"""What one entry becomes: the walkthrough prompt, the clip plan and its manifest, and the lint findings. Pure
once built: `Generator.for_job` reads the job's templates, render targets and lint rules (or the packaged
defaults) once per run.

The plan's problems and the lint's findings decide whether an entry may publish, so a run needs them for every
entry, changed or not. They are made from a few lines of the entry (its steps and the quick reference's spoken
fields), so each is kept with a key of those lines and of everything else that makes them (the rules, the
targets, this code: `checks_key`); a later run given those (`remember`) takes them for the same key instead of
working them out again (`checked`)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any

from sync.assets import Attachment
from sync.config import Job
from sync.generate import manifest
from sync.generate.clipplan import (
    CLIP_MAX_S,
    CLIP_MIN_S,
    MAX_WPM,
    PLAN_WPM,
    SEND_PAUSE_S,
    TOTAL_MAX_S,
    TOTAL_MIN_S,
    TYPING_CPS,
    ClipPlan,
    PlannedClip,
    PlanProblem,
    StepScript,
    plan_clips,
)
from sync.generate.lint import Finding, Line, Linter
from sync.generate.targets import Targets, load_targets
from sync.generate.templating import Templates
from sync.model import Lifecycle, Person, QuickReference, Scenario, Steps

# Quick-reference fields agents say or type (the rest are guidance for the agent, not lines).
_SPOKEN_REFERENCE = (
    ("de_escalation_phrase", "De-escalation phrase"),
    ("immediate_action", "Immediate action"),
    ("timeline_expectation", "Timeline expectation"),
)
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Rendered:
    """The texts made from an entry's templates, and the manifest before it is encoded."""

    prompt: str
    clips: list[dict[str, Any]] = field(default_factory=list)  # as in the manifest
    document: dict[str, Any] | None = None  # None when the plan has problems


@dataclass
class Generated:
    """The plan and the lint findings, worked out at once (they decide whether an entry may publish); the
    prompts and the manifest are made when first asked for, so a run pays for them only on the pages it renders,
    not on every unchanged entry it checks."""

    plan: ClipPlan
    findings: list[Finding]
    render: Callable[[], Rendered] = field(repr=False, compare=False)
    # The same output made from the entry alone (scripts and plan worked out again): what a released entry
    # renders with.
    remake: Callable[[], Rendered] | None = field(default=None, repr=False, compare=False)
    # The problems and findings as a run keeps them for the next (`Checks`), with the key of what made them.
    checks: Checks | None = field(default=None, compare=False)

    @cached_property
    def rendered(self) -> Rendered:
        return self.render()

    @property
    def prompt(self) -> str:
        return self.rendered.prompt

    @property
    def clips(self) -> list[dict[str, Any]]:
        return self.rendered.clips

    @cached_property
    def manifest(self) -> bytes | None:
        """The manifest file: validated and encoded."""
        document = self.rendered.document
        return None if document is None else manifest.encode(document)

    @property
    def problems(self) -> list[PlanProblem]:
        return self.plan.problems

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.blocking]

    def attachment(self) -> Attachment | None:
        if self.manifest is None:
            return None
        return Attachment.compressed(manifest.FILE_NAME, manifest.MEDIA_TYPE, self.manifest)

    def forget(self) -> Generated:
        """The findings and the plan's problems alone, for an entry whose page is not built: nothing is kept
        that holds the entry (a run holds thousands). Its output cannot be asked for."""
        return Generated(ClipPlan(problems=self.plan.problems), self.findings, _forgotten, checks=self.checks)

    def release(self) -> None:
        """Keep only what decides (the findings, and the plan's problems): a run holding thousands of entries
        keeps that and the page it built, not each entry's clips, scripts and prompts. Asked for again, the
        output is made again, the same."""
        self.__dict__.pop("rendered", None)
        self.__dict__.pop("manifest", None)
        if self.remake is not None:
            self.plan = ClipPlan(problems=self.plan.problems)
            self.render = self.remake


# What a run keeps of an entry's checks for the next run: the key alone when there is nothing to say (almost
# every entry, and a manifest holds thousands), else the key with the problems and findings.
Checks = str | dict[str, Any]


def _checks(key: str, problems: list[PlanProblem], findings: list[Finding]) -> Checks:
    if not problems and not findings:
        return key
    return {"key": key, "problems": [asdict(p) for p in problems], "findings": [asdict(f) for f in findings]}


@dataclass(frozen=True)
class _Kept:
    checks: Checks
    problems: tuple[PlanProblem, ...] = ()
    findings: tuple[Finding, ...] = ()


def _read_checks(checks: Any) -> tuple[str, _Kept] | None:
    """A kept `Checks` read back with its key, or None when it is not one (an older or damaged manifest: that
    entry is checked again)."""
    if isinstance(checks, str):
        return checks, _Kept(checks)
    try:
        problems = tuple(PlanProblem(**p) for p in checks["problems"])
        return str(checks["key"]), _Kept(checks, problems, tuple(Finding(**f) for f in checks["findings"]))
    except (KeyError, TypeError):
        return None


# The modules whose code makes the checks: their source is part of every key, so a release that changes how an
# entry is planned or linted checks every entry again.
_CHECKING_MODULES = ("sync.generate.clipplan", "sync.generate.lint", __name__)


def _forgotten() -> Rendered:
    raise RuntimeError("this entry's output was let go (`Generated.forget`): generate it again")


# An entry the templates are tried on when they load: a template asking for a field the entry does not have
# fails then, not on the first page a run renders.
_SAMPLE = Scenario(
    page_id="sample",
    url="https://www.notion.so/sample",
    last_edited=datetime(2026, 1, 1, tzinfo=UTC),
    title="Sample entry",
    keywords=("sample",),
    audience="New agents.",
    tone="Calm.",
    visual_style="Screen recording.",
    goal="Try the templates.",
    outcome="Every template renders.",
    steps=Steps(
        acknowledge='"I understand."',
        immediate_action='"Let me check that now."',
        expectation='"You will hear from us soon."',
        escalation_rule="Hand it to tier-2.",
        close='"Thank you for waiting."',
    ),
    quick_reference=QuickReference(
        de_escalation_phrase="I understand.",
        immediate_action="Check.",
        escalation_rule="Tier-2.",
        timeline_expectation="Soon.",
        tone_control="Calm.",
    ),
    owner=Person(id="sample", name="Sample owner"),
    version=1,
    reviews={},
    lifecycle=Lifecycle.ACTIVE,
)


class Generator:
    def __init__(self, templates: Templates, targets: Targets, linter: Linter) -> None:
        self.templates, self.targets, self.linter = templates, targets, linter
        steps = scripts(_SAMPLE)
        self._render(_SAMPLE, steps, plan_clips(steps, targets))
        self._known: dict[str, _Kept] = {}
        self._mark = _digest(
            [
                *(Path(str(sys.modules[name].__file__)).read_text() for name in _CHECKING_MODULES),
                targets.model_dump_json(),
                linter.rules.model_dump_json(),
                sorted(linter.blocking),
            ]
        )

    @classmethod
    def defaults(cls) -> Generator:
        return cls(Templates(), load_targets(), Linter.load())

    @classmethod
    def for_job(cls, job: Job) -> Generator:
        """The job's `generate:` and `lint:` policy from scheduler.yaml, each falling back to the defaults."""
        return cls(
            Templates(job.generate.templates),
            load_targets(job.generate.targets),
            Linter.load(job.lint.rules, job.lint.blocking),
        )

    def generate(
        self,
        scenario: Scenario,
        step_properties: list[str] | None = None,
        reference_properties: dict[str, str] | None = None,
    ) -> Generated:
        """`step_properties` (in step order) and `reference_properties` (quick-reference field → column) name
        the Notion columns an author fixes a problem or finding in; without them the step or field is named."""
        key = self.checks_key(scenario, step_properties, reference_properties)
        return self._generate(scenario, step_properties, reference_properties, key)

    def _generate(
        self,
        scenario: Scenario,
        step_properties: list[str] | None,
        reference_properties: dict[str, str] | None,
        key: str,
    ) -> Generated:
        steps, plan = self._planned(scenario, step_properties)
        findings = self.linter.check(lint_lines(scenario, steps, reference_properties or {}))
        return Generated(
            plan,
            findings,
            partial(self._render, scenario, steps, plan),
            partial(self._remake, scenario, step_properties),
            _checks(key, plan.problems, findings),
        )

    def checked(
        self,
        scenario: Scenario,
        step_properties: list[str] | None = None,
        reference_properties: dict[str, str] | None = None,
    ) -> Generated:
        """`generate`, for an entry that may need its checks alone: the problems and findings kept for the same
        key are taken as they are, and the output is made only if it is asked for."""
        key = self.checks_key(scenario, step_properties, reference_properties)
        kept = self._known.get(key)
        if kept is None:
            return self._generate(scenario, step_properties, reference_properties, key)
        make = partial(self._remake, scenario, step_properties)
        return Generated(ClipPlan(problems=list(kept.problems)), list(kept.findings), make, checks=kept.checks)

    def remember(self, kept: Iterable[Any]) -> None:
        """Checks an earlier run kept (`Generated.checks`); what is not one is left out. May be called while
        another thread generates: that thread sees the whole set or none of it."""
        known: dict[str, _Kept] = {}
        for checks in kept:
            read = _read_checks(checks)
            if read is not None:
                known[read[0]] = read[1]
        self._known = known

    def checks_key(
        self, scenario: Scenario, step_properties: list[str] | None, reference_properties: dict[str, str] | None
    ) -> str:
        """What the checks are made from, hashed: the entry's steps and spoken quick-reference fields, the
        columns a finding names, and the rules, targets and code that check them."""
        spoken = [getattr(scenario.quick_reference, name) for name, _ in _SPOKEN_REFERENCE]
        reference = sorted((reference_properties or {}).items())
        return _digest([self._mark, scenario.steps.ordered(), spoken, step_properties, reference])[:32]

    def _planned(self, scenario: Scenario, step_properties: list[str] | None) -> tuple[list[StepScript], ClipPlan]:
        steps = scripts(scenario, step_properties)
        return steps, plan_clips(steps, self.targets)

    def _remake(self, scenario: Scenario, step_properties: list[str] | None) -> Rendered:
        return self._render(scenario, *self._planned(scenario, step_properties))

    def _render(self, scenario: Scenario, steps: list[StepScript], plan: ClipPlan) -> Rendered:
        entry = _entry_view(scenario)
        look = self.templates.render("look.txt.j2", entry=entry)
        step_views = [_step_view(s) for s in steps]
        prompt = self.templates.render("walkthrough.txt.j2", entry=entry, steps=step_views, look=look)
        if plan.problems:
            return Rendered(prompt)
        clips = []
        phrase_at = _phrase_clip(scenario.quick_reference.de_escalation_phrase, steps)
        for index, planned in enumerate(plan.clips, start=1):
            clip = self._clip(scenario, planned, index, index == phrase_at)
            clip["prompt"] = self.templates.render("clip.txt.j2", entry=entry, clip=clip, look=look)
            clips.append(clip)
        return Rendered(prompt, clips, self._manifest(scenario, look, prompt, plan, clips))

    def _clip(self, scenario: Scenario, planned: PlannedClip, index: int, phrase: bool) -> dict[str, Any]:
        step = planned.step
        overlays = [f"{step.number} · {step.label}"]
        if phrase:
            overlays.append(scenario.quick_reference.de_escalation_phrase)
        action = "types the reply and sends it" if step.message else "follows the rule in the console's side panel"
        return {
            "id": f"{scenario.page_id}-v{scenario.version}-c{index}",
            "index": index,
            "title": step.label,
            "step_property": step.column,
            "duration_s": planned.duration_s,
            "message": step.message,
            "typing_s": step.typing_s,
            "narration": step.narration,
            "narration_words": step.narration_words,
            "narration_wpm": planned.narration_wpm,
            "hold_s": planned.hold_s,
            "overlays": overlays,
            "shot": f"Over-the-shoulder shot of the chat window, camera locked off; the agent {action}.",
            "targets": {
                target: {
                    "segments": [
                        {
                            "start_s": s.start_s,
                            "used_s": s.used_s,
                            "rendered_s": s.rendered_s,
                            "trim_s": s.trim_s,
                            "how": s.how,
                        }
                        for s in segs
                    ],
                    "cuts_s": [s.start_s for s in segs[1:]],
                    "rendered_s": sum(s.rendered_s for s in segs),
                    "trimmed_s": sum(s.trim_s for s in segs),
                }
                for target, segs in planned.segments.items()
            },
        }

    def _manifest(
        self, scenario: Scenario, look: str, prompt: str, plan: ClipPlan, clips: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "schema": manifest.SCHEMA_ID,
            "schema_version": manifest.SCHEMA_VERSION,
            "entry": {
                "id": scenario.page_id,
                "title": scenario.title,
                "version": scenario.version,
                "url": scenario.url,
            },
            "timing": {
                "plan_wpm": PLAN_WPM,
                "max_wpm": MAX_WPM,
                "clip_s": [CLIP_MIN_S, CLIP_MAX_S],
                "total_s": [TOTAL_MIN_S, TOTAL_MAX_S],
                "typing_cps": TYPING_CPS,
                "send_pause_s": SEND_PAUSE_S,
            },
            "targets": [
                {"id": t.id, "name": t.name, "joins": t.joins, "aspect_ratios": list(t.aspect_ratios)}
                for t in self.targets.targets
            ],
            "look": look,
            "prompt": prompt,
            "total_s": plan.total_s,
            "clips": clips,
        }


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


@cache
def default_generator() -> Generator:
    """The packaged templates, targets and rules, read once."""
    return Generator.defaults()


def scripts(scenario: Scenario, step_properties: list[str] | None = None) -> list[StepScript]:
    """The entry's decision points, each with the Notion column an author fixes it in."""
    ordered = scenario.steps.ordered()
    names = step_properties if step_properties and len(step_properties) == len(ordered) else None
    return [
        StepScript(number, label, text, names[number - 1] if names else f"step {number} ({label})")
        for number, (label, text) in enumerate(ordered, start=1)
    ]


def lint_lines(scenario: Scenario, steps: list[StepScript], columns: dict[str, str]) -> list[Line]:
    lines = [Line(f"step {s.number} ({s.label})", s.column, s.text) for s in steps]
    q = scenario.quick_reference
    for name, label in _SPOKEN_REFERENCE:
        lines.append(Line(f"quick reference: {label.lower()}", columns.get(name, label), getattr(q, name)))
    return lines


def _entry_view(scenario: Scenario) -> dict[str, Any]:
    """What templates see: plain values only (no model methods inside the sandbox)."""
    return {
        "id": scenario.page_id,
        "title": scenario.title,
        "url": scenario.url,
        "version": scenario.version,
        "keywords": list(scenario.keywords),
        "audience": scenario.audience,
        "tone": scenario.tone,
        "visual_style": scenario.visual_style,
        "goal": scenario.goal,
        "outcome": scenario.outcome,
        "owner": scenario.owner.name,
        "quick_reference": scenario.quick_reference.model_dump(),
    }


def _step_view(step: StepScript) -> dict[str, Any]:
    return {
        "number": step.number,
        "label": step.label,
        "text": step.text,
        "message": step.message,
        "guidance": step.guidance,
        "line": " ".join(filter(None, [f'"{step.message}"' if step.message else "", step.guidance])),
    }


def _phrase_clip(phrase: str, steps: list[StepScript]) -> int:
    """The clip whose message carries the de-escalation phrase (else the first): its overlay belongs there."""
    wanted = " ".join(_PUNCT.sub(" ", phrase.lower()).split())
    for step in steps:
        if wanted and wanted in " ".join(_PUNCT.sub(" ", step.message.lower()).split()):
            return step.number
    return 1
