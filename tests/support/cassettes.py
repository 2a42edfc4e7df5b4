"""Recorded HTTP (vcrpy): the requests a full demo run sends to Notion and Confluence, one cassette per
Confluence flavour, recorded from the emulators and replayed by `tests/e2e/test_cassettes.py`.

Re-record with `make cassettes` (`python -m tests.support.cassettes`) whenever what the sync sends changes on
purpose, and review the diff. A recording is deterministic: the emulators get a fixed id seed and a clock
that ticks one second per reading, the sync a fixed clock; loopback ports become fixed host names;
credentials are filtered from headers, URIs and bodies; headers that only add noise are dropped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import vcr
import yaml
from pydantic import SecretStr

from sync import logs
from sync.config import Credentials, load_schedule
from sync.mapping import Mapping
from sync.redact import redact
from sync.report import RunReport
from sync.retry import ApiCaller
from sync.run import run_job
from sync.session import open_services

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "tests" / "cassettes"
FLAVORS = ("cloud", "datacenter")
SEED = 20260105
SEEDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SYNC_NOW = SEEDED_AT + timedelta(hours=1)
NOTION_HOST = "http://notion.sandbox.test"
# Confluence page links go into page bodies whose hashes the sync stores, so its host must be the same while
# recording and replaying: the recording serves Confluence on this fixed loopback port.
CONFLUENCE_PORT = 47913
CONFLUENCE_HOST = f"http://127.0.0.1:{CONFLUENCE_PORT}"
# Headers that change with the machine, the library versions or the length of a normalised body.
NOISY_REQUEST_HEADERS = ["authorization", "cookie", "user-agent", "host", "content-length", "accept-encoding"]
NOISY_RESPONSE_HEADERS = {"date", "server", "content-length", "set-cookie"}
# `body` compares JSON bodies parsed (the cassettes keep them indented, for reviewable diffs).
MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "same_body"]


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (indented JSON bodies) as YAML block literals."""


_Dumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def _indented(body: Any) -> Any:
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    if not isinstance(body, str) or not body.strip():
        return body
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False) + "\n"
    except ValueError:
        return body


class ReviewableYaml:
    """vcrpy serializer: YAML with JSON bodies indented, one key per line, so a changed field is a one-line diff."""

    @staticmethod
    def serialize(cassette: dict[str, Any]) -> str:
        # Notion's requests, then Confluence's, each in the order sent: the two APIs are called side by side,
        # so their interleaving varies from run to run while each one's own order does not.
        cassette["interactions"].sort(key=lambda i: not i["request"]["uri"].startswith(NOTION_HOST))
        for interaction in cassette["interactions"]:
            for side in ("request", "response"):  # header order varies with the client's threads
                headers = interaction[side].get("headers") or {}
                headers = {k: [_fixed(v) if isinstance(v, str) else v for v in vs] for k, vs in headers.items()}
                interaction[side]["headers"] = {k: headers[k] for k in sorted(headers, key=str.lower)}
            interaction["request"]["body"] = _indented(interaction["request"]["body"])
            body = interaction["response"].get("body", {})
            if "string" in body:
                body["string"] = _indented(body["string"])
        return yaml.dump(cassette, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)

    @staticmethod
    def deserialize(text: str) -> dict[str, Any]:
        return yaml.safe_load(text)


def ticking(start: datetime) -> Callable[[], datetime]:
    """A clock that moves one second each time it is read: distinct, reproducible timestamps."""
    moments: Iterator[int] = iter(range(10**9))
    return lambda: start + timedelta(seconds=next(moments))


# Values that differ on every run, each replaced by one fixed value: Notion's request ids, and the
# run lock's holder (process id and a random part) and host.
_VARYING = [
    (re.compile(r'("request_id":\s*")[0-9a-f-]{36}"'), r'\g<1>00000000-0000-4000-8000-000000000000"'),
    (re.compile(r'("holder":\s*")[^"]*"'), r'\g<1>recorded-holder"'),
    (re.compile(r'("host":\s*")[^"]*"'), r'\g<1>recorded-host"'),
    # multipart attachment uploads: a random boundary
    (re.compile(r"boundary=[0-9a-f]{32}"), "boundary=recorded-boundary"),
    (re.compile(r"--[0-9a-f]{32}"), "--recorded-boundary"),
]


def _fixed(text: str) -> str:
    for pattern, value in _VARYING:
        text = pattern.sub(value, text)
    return text


def _rewrite(text: str, hosts: dict[str, str]) -> str:
    for loopback, name in hosts.items():
        text = text.replace(loopback, name)
    return redact(_fixed(text))


def _body_text(request: Any) -> str:
    body = request.body or b""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _same_body(sent: Any, recorded: Any) -> None:
    """vcrpy matcher: the bodies as JSON (as text otherwise), with the run-varying values fixed."""
    a, b = _fixed(_body_text(sent)), _fixed(_body_text(recorded))
    with contextlib.suppress(ValueError):
        a, b = json.loads(a) if a.strip() else a, json.loads(b) if b.strip() else b
    assert a == b, "the bodies differ"


def _scrub_body(body: Any, hosts: dict[str, str]) -> Any:
    if isinstance(body, bytes):
        try:
            return _rewrite(body.decode("utf-8"), hosts).encode("utf-8")
        except UnicodeDecodeError:  # attachments: binary, nothing to rewrite
            return body
    if isinstance(body, str):
        return _rewrite(body, hosts)
    return body


def make_vcr(hosts: dict[str, str] | None = None) -> vcr.VCR:
    """The one vcrpy setup for recording and replaying; `hosts` maps loopback URLs to fixed names."""
    hosts = hosts or {}

    def request_hook(request: Any) -> Any:
        request.uri = _rewrite(request.uri, hosts)
        request.body = _scrub_body(request.body, hosts)
        return request

    def response_hook(response: dict[str, Any]) -> dict[str, Any]:
        headers = response.get("headers", {})
        response["headers"] = {k: v for k, v in headers.items() if k.lower() not in NOISY_RESPONSE_HEADERS}
        body = response.get("body", {})
        if "string" in body:
            body["string"] = _scrub_body(body["string"], hosts)
        return response

    recorder = vcr.VCR(
        serializer="reviewable-yaml",
        record_mode="none",
        match_on=MATCH_ON,
        filter_headers=NOISY_REQUEST_HEADERS,
        before_record_request=request_hook,
        before_record_response=response_hook,
        decode_compressed_response=True,
    )
    recorder.register_serializer("reviewable-yaml", ReviewableYaml)
    recorder.register_matcher("same_body", _same_body)
    return recorder


def demo_runs(credentials: Credentials, data_source_id: str, runs: int = 2) -> list[RunReport]:
    """What `scenario-sync demo` does: the demo job, run twice (the second run finds nothing to do)."""
    job = load_schedule(ROOT / "scheduler.yaml").job("demo")
    mapping = Mapping.load(job.mapping)
    reports = []
    with one_request_at_a_time():
        for number in range(runs):
            with logs.run_context(f"recorded-{number + 1}"), open_services(credentials, sleep=lambda _: None) as run:
                run.clock = lambda: SYNC_NOW
                reports.append(run_job(job, mapping, run, data_source_id)[0])
    return reports


def cassette_path(flavor: str, directory: Path = CASSETTES) -> Path:
    return directory / f"demo-{flavor}.yaml"


@contextlib.contextmanager
def one_request_at_a_time() -> Iterator[None]:
    """The run with one request in flight: each API then sees its requests in one order, so the ids and
    times the emulators hand out, and the cassette, are the same from one recording to the next; and vcrpy,
    which is not thread-safe, records every one. The run's own code, only less parallel: one worker per
    pool, and the two APIs' requests taking turns."""
    import sync.overlap
    import sync.run

    limits = {name: value for name, value in vars(sync.run).items() if name.endswith(("_IN_FLIGHT", "_CONCURRENCY"))}
    saved_apply, saved_call, saved_pool = sync.run.apply, ApiCaller.call, sync.overlap.Pool
    turn = threading.Lock()

    def call(self: ApiCaller, fn: Callable[[], Any], **kwargs: Any) -> Any:
        def in_turn() -> Any:
            with turn:
                return fn()

        return saved_call(self, in_turn, **kwargs)

    sync.run.apply = functools.partial(saved_apply, workers=1)  # type: ignore[assignment]
    vars(sync.run).update(dict.fromkeys(limits, 1))
    ApiCaller.call = call  # type: ignore[method-assign]
    sync.overlap.Pool = lambda workers: InlineExecutor()  # work side by side runs when it is started
    try:
        yield
    finally:
        sync.run.apply = saved_apply  # type: ignore[assignment]
        vars(sync.run).update(limits)
        ApiCaller.call = saved_call  # type: ignore[method-assign]
        sync.overlap.Pool = saved_pool


class InlineExecutor(Executor):
    """Runs each call as it is submitted, on the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def record(flavor: str, directory: Path = CASSETTES) -> list[RunReport]:
    """Run the demo against fresh, deterministic emulators and record every request into the cassette."""
    from sync.sandbox.runtime import Sandbox, SandboxOptions
    from sync.sandbox.server import LoopbackServer

    options = SandboxOptions(flavor=flavor, rate_limit=False, random_seed=SEED, clock=ticking(SEEDED_AT))  # type: ignore[arg-type]
    sandbox = Sandbox(options)
    sandbox.confluence_server._server.server_close()  # not started yet: serve on the fixed port instead
    sandbox.confluence_server = LoopbackServer(sandbox.confluence, port=CONFLUENCE_PORT)
    sandbox.start()
    # Seeded: from here on each emulator keeps its own clock, so one API's pace never shifts the other's times.
    sandbox.notion.state.clock = ticking(SEEDED_AT + timedelta(minutes=10))
    sandbox.confluence.state.clock = ticking(SEEDED_AT + timedelta(minutes=10))
    try:
        hosts = {sandbox.notion_server.url: NOTION_HOST}
        path = cassette_path(flavor, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        with make_vcr(hosts).use_cassette(str(path), record_mode="all"):
            reports = demo_runs(sandbox.credentials(), sandbox.info["data_source_id"])
        meta = {"data_source_id": sandbox.info["data_source_id"], "flavor": flavor}
        path.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        return reports
    finally:
        sandbox.stop()


def replay_credentials(flavor: str) -> Credentials:
    """Credentials aimed at the recorded host names; tokens are not matched (they were never recorded)."""
    return Credentials(
        notion_token=SecretStr("replayed-notion-token"),
        notion_base_url=NOTION_HOST,
        confluence_url=CONFLUENCE_HOST + ("/wiki" if flavor == "cloud" else ""),
        confluence_user="sync-bot@example.com" if flavor == "cloud" else None,
        confluence_token=SecretStr("replayed-confluence-token"),
        confluence_flavor=flavor,  # type: ignore[arg-type]
    )


def data_source_of(flavor: str, directory: Path = CASSETTES) -> str:
    return json.loads(cassette_path(flavor, directory).with_suffix(".json").read_text(encoding="utf-8"))[
        "data_source_id"
    ]


# --- shapes: what a live recording is compared on ------------------------------------------------------------
_ID = re.compile(r"/(?:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|\d+)(?=/|$)")


def endpoint(method: str, uri: str) -> str:
    """`GET /v1/pages/{id}`: the request with its host, context path, query, ids and space key taken out."""
    path = re.sub(r"^[a-z]+://[^/]+", "", uri).split("?")[0]
    path = re.sub(r"^.*?(?=/v1/|/wiki/|/rest/api/)", "", path)  # a Data Center context path (/confluence)
    path = re.sub(r"/space/[^/]+", "/space/{key}", path)
    return f"{method} {_ID.sub('/{id}', path)}"


def key_paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON document (`results[].properties`); values and dynamic keys left out."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("properties", "value") and isinstance(item, dict):  # user-named keys
                paths.add(f"{prefix}{key}")
                continue
            paths.add(f"{prefix}{key}")
            paths |= key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            paths |= key_paths(item, f"{prefix.rstrip('.')}[].")
    return paths


def shapes(cassette_file: Path) -> dict[str, dict[str, Any]]:
    """Per endpoint: the status codes answered and the union of response key paths."""
    data = yaml.safe_load(cassette_file.read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = {}
    for interaction in data["interactions"]:
        request, response = interaction["request"], interaction["response"]
        shape = found.setdefault(endpoint(request["method"], request["uri"]), {"statuses": set(), "keys": set()})
        shape["statuses"].add(response["status"]["code"])
        body = response.get("body", {}).get("string") or ""
        with contextlib.suppress(TypeError, ValueError):  # not JSON: no keys to compare
            shape["keys"] |= key_paths(json.loads(body))
    return found


def compare_shapes(emulated: dict[str, dict[str, Any]], live: dict[str, dict[str, Any]]) -> list[str]:
    """Where the emulators answer differently from the real APIs, for endpoints both recordings called
    (an endpoint only one run called, e.g. a parent found by id instead of title, is no difference)."""
    differences = []
    for name in sorted(set(emulated) & set(live)):
        if emulated[name]["statuses"] != live[name]["statuses"]:
            differences.append(
                f"{name}: status {sorted(live[name]['statuses'])} live, emulator {sorted(emulated[name]['statuses'])}"
            )
        missing = live[name]["keys"] - emulated[name]["keys"]
        if missing:
            differences.append(f"{name}: the emulator's answer lacks {sorted(missing)[:10]}")
    return differences


if __name__ == "__main__":  # make cassettes
    for name in sys.argv[1:] or FLAVORS:
        runs = record(name)
        print(f"{cassette_path(name).relative_to(ROOT)}: {[r.totals for r in runs]}")
