"""Prompt templates: Jinja2, sandboxed, plain text (no autoescape), every field required (StrictUndefined).

The defaults ship in `sync/generate/templates/`; a job's `generate.templates` folder overrides any of them by
file name. A template error names the template, the line and the missing field.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from sync.errors import ConfigError

DEFAULTS = Path(__file__).parent / "templates"
NAMES = ("walkthrough.txt.j2", "clip.txt.j2", "look.txt.j2")

_MISSING = (re.compile(r"has no attribute '([^']+)'"), re.compile(r"'([^']+)' is undefined"))


class TemplateError(ConfigError):
    """A prompt template does not compile or asks for a field the entry does not have."""


class Templates:
    def __init__(self, directory: Path | None = None) -> None:
        if directory is not None and not directory.is_dir():
            raise ConfigError(f"template folder {directory} does not exist", "check `generate.templates`")
        folders = [directory, DEFAULTS] if directory is not None else [DEFAULTS]
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(f) for f in folders]),
            autoescape=False,  # plain text for a video model, never HTML
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._compiled = {name: self._compile(name) for name in NAMES}  # a broken override fails at once

    def _compile(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            where = error.filename or error.name or name
            raise TemplateError(
                f"template {where}, line {error.lineno}: {error.message}", "fix the template's syntax"
            ) from error

    def render(self, name: str, **context: Any) -> str:
        template = self._compiled[name]
        try:
            return template.render(**context).strip() + "\n"
        except jinja2.TemplateError as error:
            where, line = _template_frame(error, template.filename or name)
            message = str(error)
            found = next((m.group(1) for p in _MISSING if (m := p.search(message))), None)
            what = f"missing field '{found}' ({message})" if found else message
            raise TemplateError(
                f"template {where}, line {line}: {what}",
                f"use only the fields the default {name} uses (see {DEFAULTS / name})",
            ) from error


def _template_frame(error: BaseException, fallback: str) -> tuple[str, int | str]:
    """Jinja rewrites tracebacks so template lines appear as frames of the template file."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return fallback, "?"
    return frames[-1].filename, frames[-1].lineno or "?"
