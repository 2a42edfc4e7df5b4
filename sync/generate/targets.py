"""Render targets (video models) as data, and how a clip of any whole length maps onto one. Pure.

A clip longer than one generation is built from segments: a first generation, then extensions (or chained
generations); the last segment is trimmed in the edit so the segments add up to the clip exactly. Among the
ways to cover a clip we take the fewest segments, then the least trimmed away, then the most even split.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync.errors import ConfigError
from sync.generate.datafile import load_data

# Every clip length a plan can ask for; a targets file must cover them all.
CLIP_LENGTHS = range(15, 21)


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    lengths: tuple[int, ...] = Field(min_length=1)
    first_extended: tuple[int, ...] | None = None
    next: tuple[int, ...] = ()
    joins: Literal["extend", "chain"] = "extend"
    max_segments: int = Field(default=1, ge=1, le=40)
    aspect_ratios: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _positive(self) -> Target:
        if any(n < 1 for n in (*self.lengths, *(self.first_extended or ()), *self.next)):
            raise ValueError("lengths are whole seconds, at least 1")
        return self


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    targets: tuple[Target, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Targets:
        ids = [t.id for t in self.targets]
        if len(ids) != len(set(ids)):
            raise ValueError(f"target ids repeat: {ids}")
        return self


@dataclass(frozen=True)
class Segment:
    start_s: int  # where it starts in the clip (a cut, except for the first)
    used_s: int  # how much of it the clip uses
    rendered_s: int  # what the model renders
    how: str  # generate | extend | chain

    @property
    def trim_s(self) -> int:
        return self.rendered_s - self.used_s


def load_targets(path: Path | None = None) -> Targets:
    targets = load_data(Targets, path, "targets.yaml", "generate.targets")
    for target in targets.targets:
        for length in CLIP_LENGTHS:
            if _cover(target, length) is None:
                raise ConfigError(
                    f"render target '{target.id}' cannot make a {length} s clip from its lengths",
                    "give it longer lengths, `next` segments or more `max_segments`",
                )
    return targets


def segments(target: Target, length: int) -> list[Segment]:
    """How a clip of `length` seconds is rendered on `target`; the used parts add up to `length`."""
    return list(_segments(target, length))


@cache
def _segments(target: Target, length: int) -> tuple[Segment, ...]:  # a plan asks for the same few lengths
    rendered = _cover(target, length)
    if rendered is None:  # load_targets checked every length a plan can ask for
        raise ConfigError(f"render target '{target.id}' cannot make a {length} s clip", "fix the targets file")
    out, start = [], 0
    for index, size in enumerate(rendered):
        used = min(size, length - start)
        how = "generate" if index == 0 else target.joins
        out.append(Segment(start, used, size, how))
        start += used
    return tuple(out)


@cache
def _cover(target: Target, length: int) -> tuple[int, ...] | None:
    if candidates := [n for n in target.lengths if n >= length]:
        return (min(candidates),)
    firsts = target.first_extended or target.lengths
    for count in range(2, target.max_segments + 1):
        options = [
            (first, *rest)
            for first in firsts
            for rest in itertools.combinations_with_replacement(sorted(target.next, reverse=True), count - 1)
            if first + sum(rest) >= length and first + sum(rest[:-1]) < length  # the last segment is needed
        ]
        if options:
            return min(options, key=lambda o: (sum(o) - length, max(o) - min(o), [-n for n in o]))
    return None
