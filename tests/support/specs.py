"""Check emulator responses against the official OpenAPI descriptions in tests/specs/.

OpenAPI 3.0 schemas (Confluence) are turned into JSON Schema (`nullable` becomes a "null" type) and
validated with jsonschema; Notion's spec is OpenAPI 3.1, already JSON Schema.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parents[1] / "specs"
SPECS = {
    "notion": "notion-openapi-2025-09-03.json",
    "confluence-v2": "confluence-cloud-rest-v2.openapi.json",
    "confluence-v1": "confluence-cloud-rest-v1.swagger.v3.json",
}
URI = "urn:spec:"


def _nullable_to_json_schema(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _nullable_to_json_schema(v) for k, v in node.items()}
        if out.pop("nullable", False):
            if "type" in out:
                kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
                out["type"] = [*kinds, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
            if "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
                out = {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable_to_json_schema(v) for v in node]
    return node


@functools.cache
def load(name: str) -> dict:
    doc = json.loads((SPEC_DIR / SPECS[name]).read_text())
    if doc.get("openapi", "").startswith("3.0"):
        doc = _nullable_to_json_schema(doc)
    return doc


@functools.cache
def _registry(name: str) -> Registry:
    return Registry().with_resource(URI + name, Resource(contents=load(name), specification=DRAFT202012))


def response_schema(name: str, path: str, method: str, status: int) -> dict:
    """The JSON schema the spec gives for `method path` answering `status` (path as in the spec)."""
    operation = load(name)["paths"][path][method.lower()]
    responses = operation["responses"]
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise AssertionError(f"{name}: {method} {path} documents no {status} response")
    while "$ref" in response:
        response = _resolve(load(name), response["$ref"])
    return response["content"]["application/json"]["schema"]


def _resolve(doc: dict, ref: str) -> dict:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _rebase_refs(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (URI + name + v if k == "$ref" and v.startswith("#") else _rebase_refs(v, name)) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase_refs(v, name) for v in node]
    return node


def assert_matches(name: str, path: str, method: str, status: int, body: Any) -> None:
    """Fail with the first schema violation of `body` against the spec's response schema."""
    schema = _rebase_refs(copy.deepcopy(response_schema(name, path, method, status)), name)
    validator = jsonschema.Draft202012Validator(schema, registry=_registry(name))
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        worst = errors[0]
        where = "/".join(str(p) for p in worst.absolute_path) or "<root>"
        raise AssertionError(f"{name} {method} {path} {status}: at {where}: {worst.message}")


def spec_paths(name: str, pattern: str = "") -> list[str]:
    return [p for p in load(name)["paths"] if re.search(pattern, p)]
