"""The generate stage's data files (render targets, lint rules): shipped defaults, or a team's own copy.

One loader, one error format: a bad file names itself, the key and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sync.errors import ConfigError

DATA = Path(__file__).parent / "data"
M = TypeVar("M", bound=BaseModel)


def load_data(model: type[M], path: Path | None, default: str, key: str) -> M:
    """`path` (a job's override, named by its scheduler.yaml `key`) or the packaged `default` file."""
    source = path if path is not None else DATA / default
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        return model.model_validate(raw)
    except FileNotFoundError as error:
        raise ConfigError(f"{source} does not exist", f"check the job's `{key}` path in scheduler.yaml") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}", "fix the file") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"{source}: {where}: {first['msg']}", "fix the file (the packaged default shows the form)"
        ) from error
