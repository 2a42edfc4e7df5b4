"""How close a run comes to the floor the APIs' limits and latency set: first, no-change and 1%-changed runs
at several sizes, against the emulators with realistic latency and the published rate limits.

For each size the harness seeds a fresh sandbox with N generated entries, then runs the sync three times
(first run, no change, 1% of entries changed and re-approved), each in a fresh worker process so its peak
memory is the sync's own. It counts each API's requests from the emulators' request logs (and checks them
against the run report), times the run, and compares it with the floor:

    floor = max(read path, Notion budget, Confluence rate, Notion latency, Confluence latency)   where
    read path          = max(C_notion x latency, C_confluence x latency)   the reads that wait on each other
    Notion budget      = (ceil(R_notion / budget) - 1) x window     budget requests per window, spendable at once
    Confluence rate    = (R_confluence - burst) / rate               the emulator's token bucket
    API latency        = (C + (R - C) / inflight) x latency          the chain C one after another, the rest
                                                                     `inflight` at a time

with C the chain of reads each API needs in a row: Notion the schema, then its L listing pages (L + 1);
Confluence the space, the job's parent page and its index page with its properties (found by title, they need
not wait for each other: 1), then the longer of the L listing pages and the manifest (1), i.e. 1 + max(L, 1).

R counts the requests the run needed (answered requests; a 429 is not one). `--time-scale K` runs every clock
K times faster (the emulators' latency and rate windows, the sync's limiters, retries and sleeps alike), so
ratios hold while a 5,000-entry first run takes minutes, not hours. A run's time is its real time x K. CPU work
does not run faster, so it counts K times over and a scaled time errs high, never low: counting CPU once would
be wrong too, since Notion's window keeps running while the sync computes (an earlier harness did, and its
first runs came out below their floor). Only first runs (minutes long at 1x) run scaled; no-change and
1%-changed runs (seconds long) run at 1x, measured as they are.

    python -m benchmarks.bench --sizes 100,1000 --plan 180 --time-scale 10 --out benchmarks/results.md
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

ROOT = Path(__file__).resolve().parents[1]
RUNS = ("first run", "no change", "1% changed")
OWNER = "Scenario owner"  # the person who edits entries between runs


# --- the limits, read from the project's one place for them --------------------------------------------------
@dataclass(frozen=True)
class Limits:
    notion_per_minute: int
    notion_window_s: float
    confluence_rate: float  # what the sandbox's Confluence allows (per second, and its burst)
    confluence_burst: int
    client_confluence_rate: float  # what the sync allows itself
    client_confluence_burst: int

    @classmethod
    def for_plan(cls, per_minute: int) -> Limits:
        try:
            from sync import limits  # type: ignore[attr-defined]
        except ImportError:  # before the limits module existed: the same figures, from the reference page
            return cls(per_minute, 60.0, 20.0, 40, 10.0, 10)
        return cls(
            per_minute,
            limits.NOTION_WINDOW_S,
            limits.SANDBOX_CONFLUENCE_RATE,
            limits.SANDBOX_CONFLUENCE_BURST,
            limits.CONFLUENCE_RATE,
            limits.CONFLUENCE_BURST,
        )


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = (100, 1000)
    plan: int = 180
    time_scale: float = 10.0
    notion_latency_ms: float = 150.0
    confluence_latency_ms: float = 200.0
    inflight: int = 4  # requests in flight per API the floor assumes ("a handful", as Atlassian advises)
    flavor: str = "cloud"
    changed_share: float = 0.01


class ScaledTime:
    """Time running `scale` times faster: `clock()` in nominal seconds, `sleep(nominal)` sleeps nominal/scale."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._origin = time.monotonic()

    def clock(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)


# --- the floor ---------------------------------------------------------------------------------------------------
def floor_seconds(
    notion: int, confluence: int, notion_listing: int, confluence_listing: int, settings: Settings, limits: Limits
) -> tuple[float, str]:
    """The least time the APIs allow for these requests (see the module's docstring), and what sets it."""
    notion_s, confluence_s = settings.notion_latency_ms / 1000, settings.confluence_latency_ms / 1000
    notion_chain, confluence_chain = read_chains(notion_listing, confluence_listing)
    candidates = {
        "read path": max(notion_chain * notion_s, confluence_chain * confluence_s),
        "Notion budget": max(0, math.ceil(notion / limits.notion_per_minute) - 1) * limits.notion_window_s,
        "Confluence rate": max(0, confluence - limits.confluence_burst) / limits.confluence_rate,
        "Notion latency": (notion_chain + max(0, notion - notion_chain) / settings.inflight) * notion_s,
        "Confluence latency": (confluence_chain + max(0, confluence - confluence_chain) / settings.inflight)
        * confluence_s,
    }
    bound = max(candidates, key=lambda name: candidates[name])
    return candidates[bound], bound


def read_chains(notion_listing: int, confluence_listing: int) -> tuple[int, int]:
    """The reads each API needs one after another. Notion: the schema, then the listing pages. Confluence: the
    space, the job's parent page and its index page with its properties, side by side; then the longer of the
    listing pages and the manifest, which need not wait for each other."""
    return notion_listing + 1, 1 + max(confluence_listing, 1)


def no_change_budget(entries: int) -> int:
    """The most requests a no-change run may make per API: one listing page per 100 entries, plus five."""
    return math.ceil(entries / 100) + 5


# --- one measured run ------------------------------------------------------------------------------------------
@dataclass
class Measured:
    size: int
    run: str
    seconds: float  # nominal: real time with the sleeps counted K times and the CPU once
    scaled_seconds: float  # nominal on the scaled clock alone (the CPU counted K times too)
    real_seconds: float
    cpu_seconds: float  # the sync's and both emulators' CPU during the run
    deciding_seconds: float  # real seconds the sync spent deciding with no request in flight
    peak_rss_mb: float
    notion: int  # answered requests, from the emulator's log
    confluence: int
    notion_writes: int
    confluence_writes: int
    rate_limited: int  # 429s answered by either emulator
    report_requests: dict[str, int]
    totals: dict[str, int]
    floor: float = 0.0
    bound: str = ""
    parts: dict[str, float] = field(default_factory=dict)  # the run report's seconds per part, real
    checks: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor else float("inf")


def _log_counts(traffic: Any) -> dict[str, int]:
    log = traffic.requests()
    answered = [r for r in log if r.fault != "rate_limit"]
    return {
        "answered": len(answered),
        "writes": sum(1 for r in answered if r.write and r.status < 400),
        "rate_limited": len(log) - len(answered),
        "listing": sum(1 for r in answered if r.path.endswith("/query") or _lists_managed_pages(r)),
    }


def _lists_managed_pages(request: Any) -> bool:
    """A page of Confluence's listing of the managed pages: a CQL search by their label (the run also finds
    its parent and index pages through CQL, by title, beside the space: one request each, not the listing)."""
    from sync.confluence.base import MANAGED_LABEL

    return "search" in request.path and MANAGED_LABEL in unquote_plus(request.query)


def _pace_emulators(sandbox: Any, settings: Settings, limits: Limits, scaled: ScaledTime) -> None:
    """Latency and limits on both emulators, on the scaled clock; fresh windows and logs for each run."""
    from sync.sandbox.faults import Traffic

    notion = Traffic(latency_ms=settings.notion_latency_ms, clock=scaled.clock, sleep=scaled.sleep)
    if hasattr(notion, "set_budget"):
        notion.set_budget(limits.notion_per_minute, limits.notion_window_s)
    else:  # an emulator without the per-minute budget: its token bucket at the same average
        notion.set_rate_limit(limits.notion_per_minute / limits.notion_window_s, 10)
    confluence = Traffic(latency_ms=settings.confluence_latency_ms, clock=scaled.clock, sleep=scaled.sleep)
    confluence.set_rate_limit(limits.confluence_rate, limits.confluence_burst)
    sandbox.notion.traffic, sandbox.confluence.traffic = notion, confluence


def _change_entries(sandbox: Any, mapping: Any, entries: list[Any], run: int) -> None:
    """Edit these entries in Notion as an owner would (a person, not the integration), and re-approve them for
    the new version."""
    state = sandbox.notion.state
    owner = next((u for u in state.users.values() if u.name == OWNER), None) or state.add_user(OWNER)
    by_title = {state.title_of(page): page for page in state.pages.values()}
    for entry in entries:
        page = by_title[entry.title]
        version = entry.version + 1
        props: dict[str, Any] = {
            mapping.fields.goal.property: {"rich_text": [{"type": "text", "text": {"content": f"Revised ({run})."}}]},
            mapping.fields.version.property: {"number": version},
        }
        for review in mapping.reviews.values():
            if review.approved_version is not None:
                props[review.approved_version.property] = {"number": version}
        state.update_page(page.id, props, edited_by=owner.id)


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """One sync run with the limiters and sleeps on the scaled clock (runs in its own process)."""
    from pydantic import SecretStr

    from sync import overlap
    from sync.config import Credentials, load_schedule
    from sync.mapping import Mapping
    from sync.ratelimit import TokenBucket
    from sync.run import run_job
    from sync.session import open_services

    overlap.few_arenas()  # as `scenario-sync` does when it starts
    settings, limits = Settings(**spec["settings"]), Limits(**spec["limits"])
    scaled = ScaledTime(settings.time_scale)
    job = load_schedule(ROOT / "scheduler.yaml").job("demo")
    credentials = Credentials(
        **{**spec["credentials"], "notion_token": SecretStr(spec["notion_token"])},
        confluence_token=SecretStr(spec["confluence_token"]),
    )
    started, nominal, cpu = time.monotonic(), scaled.clock(), time.process_time()
    with open_services(credentials, sleep=scaled.sleep) as services:
        # The run's own limiters, on the scaled clock (everything else is the sync's own code path).
        try:
            from sync.limits import NOTION_WINDOW_MARGIN_S
            from sync.ratelimit import WindowBudget  # type: ignore[attr-defined]

            notion_limiter: Any = WindowBudget(
                limits.notion_per_minute, limits.notion_window_s, scaled.clock, NOTION_WINDOW_MARGIN_S
            )
        except ImportError:
            notion_limiter = TokenBucket(limits.notion_per_minute / limits.notion_window_s, 3, scaled.clock)
        services.notion_caller.limiter = notion_limiter
        services.confluence_caller.limiter = TokenBucket(
            limits.client_confluence_rate, limits.client_confluence_burst, scaled.clock
        )
        services.notion_caller.sleep = services.confluence_caller.sleep = scaled.sleep
        # The report alone, as the CLI keeps it: the plan (every page as desired and as read) goes with the run.
        report = run_job(job, Mapping.load(job.mapping), services, spec["data_source_id"])[0]
    real = time.monotonic() - started
    data = report.to_json()
    return {
        "seconds": scaled.clock() - nominal,
        "real_seconds": real,
        "cpu_seconds": time.process_time() - cpu,
        "deciding_seconds": data["seconds"].get("decide", 0.0),  # real seconds with no request in flight
        "parts": data["seconds"],
        "peak_rss_mb": peak_rss_mb(),
        "requests": {"notion": data["notion"]["requests"], "confluence": data["confluence"]["requests"]},
        "totals": data["totals"],
        "errors": data["errors"],
    }


def peak_rss_mb() -> float:
    """This process's own peak resident set (VmHWM). Not `ru_maxrss`: on Linux a child started by the harness
    inherits its parent's figure, and the parent holds both emulators' state."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_worker(sandbox: Any, settings: Settings, limits: Limits) -> dict[str, Any]:
    coords = sandbox.coordinates()
    spec = {
        "settings": asdict(settings),
        "limits": asdict(limits),
        "data_source_id": sandbox.info["data_source_id"],
        "notion_token": coords["notion"]["token"],
        "confluence_token": coords["confluence"]["token"],
        "credentials": {
            "notion_base_url": coords["notion"]["base_url"],
            "confluence_url": coords["confluence"]["base_url"],
            "confluence_user": coords["confluence"]["user"],
            "confluence_flavor": settings.flavor,
        },
    }
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--worker"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the sync run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _index_written(sandbox: Any) -> None:
    """Confluence indexes what is written as it is written; the emulator makes a page's search document on the
    first search after the page changed. One search before a run does that work where Confluence does it, not
    in the run's first lookups (after a first run at 5,000 entries they took 1.7 s, not 0.2, and the Notion
    emulator beside them answered late)."""
    import httpx

    coords = sandbox.coordinates()["confluence"]
    auth = (coords["user"], coords["token"]) if coords["user"] else None
    headers = {} if auth else {"Authorization": f"Bearer {coords['token']}"}
    url = f"{coords['base_url']}/rest/api/content/search"
    httpx.get(
        url, params={"cql": "type = page", "limit": 1}, auth=auth, headers=headers, timeout=120
    ).raise_for_status()


@contextlib.contextmanager
def _emulators_held() -> Iterator[None]:
    from sync.run import collecting_rarely

    with collecting_rarely():
        try:
            yield
        finally:
            gc.unfreeze()


def measure_size(size: int, settings: Settings, limits: Limits, log: Any = print) -> list[Measured]:
    """Seed a sandbox with `size` entries and measure the three runs."""
    from sync.mapping import Mapping
    from sync.sandbox.bulk_content import bulk_entries
    from sync.sandbox.runtime import Sandbox, SandboxOptions
    from sync.sandbox.seed import seed_notion
    from sync.starter import default_mapping

    mapping = Mapping.load(default_mapping())
    entries = bulk_entries(size)
    results: list[Measured] = []
    options = SandboxOptions(seed="empty", flavor=settings.flavor, rate_limit=False)  # type: ignore[arg-type]
    # This process serves both emulators, which hold every seeded page and every page a run wrote: its
    # garbage collector is kept from walking them between answers (as a run keeps its own), so an answer takes
    # the set latency and no more; what each run wrote is set aside with the seeded pages before the next.
    with Sandbox(options) as sandbox, _emulators_held():
        database_id, data_source_id = seed_notion(sandbox.notion.state, mapping, entries)
        sandbox.info.update(database_id=database_id, data_source_id=data_source_id)
        for number, run in enumerate(RUNS):
            if run == "1% changed":
                count = math.ceil(size * settings.changed_share)
                published = [e for e in entries if all(v == e.version for _, v in e.reviews.values()) and all(e.steps)]
                spread = published[:: max(1, len(published) // count)][:count]  # across the whole library
                _change_entries(sandbox, mapping, spread, number)
            run_settings = replace(settings, time_scale=settings.time_scale if run == "first run" else 1.0)
            _index_written(sandbox)
            gc.collect()
            gc.freeze()
            _pace_emulators(sandbox, run_settings, limits, ScaledTime(run_settings.time_scale))
            server_cpu = time.process_time()
            out = _run_worker(sandbox, run_settings, limits)
            server_cpu = time.process_time() - server_cpu
            # Every second counts K times, CPU included: the floor's windows kept running while the sync computed.
            cpu = out["cpu_seconds"] + server_cpu
            seconds = out["real_seconds"] * run_settings.time_scale
            notion, confluence = _log_counts(sandbox.notion.traffic), _log_counts(sandbox.confluence.traffic)
            measured = Measured(
                size=size,
                run=run,
                seconds=seconds,
                scaled_seconds=out["seconds"],
                real_seconds=out["real_seconds"],
                cpu_seconds=cpu,
                deciding_seconds=out["deciding_seconds"],
                parts=out["parts"],
                peak_rss_mb=out["peak_rss_mb"],
                notion=notion["answered"],
                confluence=confluence["answered"],
                notion_writes=notion["writes"],
                confluence_writes=confluence["writes"],
                rate_limited=notion["rate_limited"] + confluence["rate_limited"],
                report_requests=out["requests"],
                totals=out["totals"],
            )
            measured.floor, measured.bound = floor_seconds(
                notion["answered"], confluence["answered"], notion["listing"], confluence["listing"], settings, limits
            )
            measured.checks = _checks(measured, notion["answered"] + notion["rate_limited"], out)
            results.append(measured)
            log(_row(measured))
            log(f"  ({_parts(measured)})")
    return results


def _checks(m: Measured, notion_sent: int, out: dict[str, Any]) -> list[str]:
    """The targets this run misses, in words (empty when it meets them all)."""
    missed: list[str] = []
    if m.ratio > 1.25:
        missed.append(f"{m.ratio:.2f}x the floor (target 1.25x)")
    if m.run == "no change":
        budget = no_change_budget(m.size)
        if m.notion > budget or m.confluence > budget:
            missed.append(f"no-change requests {m.notion}/{m.confluence} > {budget} per API")
        if m.notion_writes or m.confluence_writes:
            missed.append(f"no-change run wrote ({m.notion_writes} Notion, {m.confluence_writes} Confluence)")
    if m.size >= 5000 and m.peak_rss_mb > 200:
        missed.append(f"peak memory {m.peak_rss_mb:.0f} MB > 200 MB")
    if out["errors"]:
        missed.append(f"{len(out['errors'])} run errors")
    if out["requests"]["notion"] != notion_sent:
        missed.append(f"report counts {out['requests']['notion']} Notion requests, the emulator {notion_sent}")
    return missed


# --- output ----------------------------------------------------------------------------------------------------
HEADER = (
    "| entries | run | outcome | Notion req | Confluence req | writes N/C | 429s | time (s) | floor (s) | bound by "
    "| ratio | CPU (s) | deciding (s) | peak RSS (MB) | targets missed |\n"
    "|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
)


def _row(m: Measured) -> str:
    outcome = ", ".join(f"{count} {name}" for name, count in m.totals.items())
    return (
        f"| {m.size:,} | {m.run} | {outcome} | {m.notion:,} | {m.confluence:,} | "
        f"{m.notion_writes:,}/{m.confluence_writes:,} | {m.rate_limited} | {m.seconds:,.1f} | {m.floor:,.1f} | "
        f"{m.bound} | {m.ratio:.2f} | {m.cpu_seconds:.1f} | {m.deciding_seconds:.1f} | {m.peak_rss_mb:.0f} | "
        f"{'; '.join(m.checks) or 'none'} |"
    )


def _parts(m: Measured) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in m.parts.items()) or "not reported"


def _say(line: str) -> None:
    print(line, flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{cpu}, {os.cpu_count()} CPUs visible, {memory:.0f} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def settings_line(settings: Settings, limits: Limits) -> str:
    return (
        f"sizes {', '.join(f'{s:,}' for s in settings.sizes)}; Notion budget {limits.notion_per_minute} "
        f"requests per {limits.notion_window_s:.0f} s; Confluence (sandbox) {limits.confluence_rate:g}/s, burst "
        f"{limits.confluence_burst}; latency Notion {settings.notion_latency_ms:g} ms, Confluence "
        f"{settings.confluence_latency_ms:g} ms; floor assumes {settings.inflight} requests in flight per API; "
        f"time scale {settings.time_scale:g}x for first runs, 1x for the others; Confluence {settings.flavor}; "
        f"{settings.changed_share:.0%} of entries changed in the third run"
    )


def markdown(results: list[Measured], settings: Settings, limits: Limits, wall: float, load: tuple[float, ...]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = (
        f"python -m benchmarks.bench --sizes {','.join(map(str, settings.sizes))} --plan {settings.plan} "
        f"--time-scale {settings.time_scale:g}"
    )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"Measured {when} on {machine()}, in {wall / 60:.1f} minutes of real time; load average "
            f"{load[0]:.1f} before, {os.getloadavg()[0]:.1f} after (the machine was shared with other work).",
            "",
            f"Settings: {settings_line(settings, limits)}.",
            "",
            f"Command: `{command}` (see `benchmarks/README.md` for how the floor and the ratio are computed).",
            "",
            HEADER,
            *(_row(m) for m in results),
            "",
            "Where each run's time went, from its report (`seconds`, real seconds; first runs on the scaled clock):",
            "",
            *(f"- {m.size:,} {m.run}: {_parts(m)}" for m in results),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="entry counts, comma-separated (default 100,1000)")
    parser.add_argument("--plan", type=int, choices=(180, 600), default=180, help="Notion requests per minute")
    parser.add_argument("--time-scale", type=float, default=Settings.time_scale, help="run every clock K times faster")
    parser.add_argument("--notion-latency-ms", type=float, default=Settings.notion_latency_ms)
    parser.add_argument("--confluence-latency-ms", type=float, default=Settings.confluence_latency_ms)
    parser.add_argument("--inflight", type=int, default=Settings.inflight, help="requests in flight the floor allows")
    parser.add_argument("--flavor", choices=("cloud", "datacenter"), default="cloud")
    parser.add_argument("--out", type=Path, help="also write the table, machine and settings to this Markdown file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(json.loads(sys.stdin.read()))))
        return 0
    settings = Settings(
        sizes=tuple(int(s) for s in args.sizes.split(",")),
        plan=args.plan,
        time_scale=args.time_scale,
        notion_latency_ms=args.notion_latency_ms,
        confluence_latency_ms=args.confluence_latency_ms,
        inflight=args.inflight,
        flavor=args.flavor,
    )
    limits = Limits.for_plan(settings.plan)
    print(f"Settings: {settings_line(settings, limits)}\n", flush=True)
    print(HEADER, flush=True)
    started, load = time.monotonic(), os.getloadavg()
    results = [m for size in settings.sizes for m in measure_size(size, settings, limits, _say)]
    if args.out:
        args.out.write_text(markdown(results, settings, limits, time.monotonic() - started, load), encoding="utf-8")
        print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
