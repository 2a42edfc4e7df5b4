"""Read a YAML file into a pydantic model: the one loader for scheduler.yaml and mapping files, with one error
format that names the file, then the line (bad YAML) or the key (a wrong value), then the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sync.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path, missing_fix: str) -> Any:
    """The file's YAML data; a missing file or bad YAML is a configuration error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path} does not exist", missing_fix) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}", "fix the YAML syntax there") from error


def load_model(path: Path, model: type[M], missing_fix: str, fix: str) -> M:
    raw = read_yaml(path, missing_fix)
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        more = len(error.errors()) - 1
        extra = f" (and {more} more)" if more else ""
        raise ConfigError(f"{path}: {location(raw, first['loc'])}: {first['msg']}{extra}", fix) from error


def location(raw: Any, loc: tuple[int | str, ...]) -> str:
    """A key path for people; a list item with a name is named: `job 'emea': confluence.space_key`."""
    prefix, node = "", raw
    keys: list[str] = []
    for key in loc:
        item = node[key] if _has(node, key) else None
        if isinstance(key, int) and isinstance(item, dict) and item.get("name") and keys:
            prefix, keys = f"{prefix}{keys[-1].removesuffix('s')} '{item['name']}': ", []
        elif isinstance(key, int) and keys:
            keys[-1] += f"[{key}]"
        else:
            keys.append(str(key))
        node = item
    return (prefix + ".".join(keys)).removesuffix(": ") or "the top level"


def _has(node: Any, key: int | str) -> bool:
    if isinstance(node, list):
        return isinstance(key, int) and 0 <= key < len(node)
    return isinstance(node, dict) and key in node
