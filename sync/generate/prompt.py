"""The Sora-style walkthrough prompt: Goal, Audience, Tone, Visual style, Key steps, Outcome. Pure."""

from __future__ import annotations

from sync.model import Scenario


def walkthrough_prompt(scenario: Scenario) -> str:
    steps = "\n".join(
        f"{number}. {label}: {text}" for number, (label, text) in enumerate(scenario.steps.ordered(), start=1)
    )
    sections = [
        ("Goal", scenario.goal),
        ("Audience", scenario.audience),
        ("Tone", scenario.tone),
        ("Visual style", scenario.visual_style),
        ("Key steps", "\n" + steps),
        ("Outcome", scenario.outcome),
    ]
    return "\n\n".join(f"{name}: {text}" for name, text in sections)
