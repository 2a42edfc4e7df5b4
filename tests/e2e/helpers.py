"""What the publishing tests share: edit the demo entries in Notion, look at the managed pages, run a job with
services the test can reach into (a run killed between two requests), and attach files to desired pages."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import sync.run as run_module
from sync.assets import Attachment
from sync.config import Job
from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY
from sync.mapping import Mapping
from sync.notion.client import make_client
from sync.plan import DesiredPage
from sync.report import RunReport
from sync.run import Services, run_job
from sync.sandbox.bulk_content import bulk_entries
from sync.sandbox.confluence.state import Page
from sync.sandbox.runtime import Sandbox
from sync.sandbox.seed import seed_notion
from sync.session import open_services
from tests.conftest import ROOT

INTEGRATION = "Customer says a critical integration is down right now"
ESCALATION = "Customer escalates after an incomplete first answer"
PUBLISHED = {INTEGRATION, ESCALATION}


def entry_id(sandbox: Sandbox, title: str) -> str:
    state = sandbox.notion.state
    for page in state.query(sandbox.info["data_source_id"]):
        if state.title_of(page) == title:
            return page.id
    raise KeyError(title)


def written_back(sandbox: Sandbox) -> dict[str, tuple[str | None, str, str | None]]:
    """Each entry's written-back (status, message, page link), read through the official client."""
    client = make_client(sandbox.credentials())
    try:
        results = client.data_sources.query(sandbox.info["data_source_id"])["results"]
    finally:
        client.close()
    out = {}
    for page in results:
        props = page["properties"]
        title = "".join(t["plain_text"] for t in props["Scenario"]["title"])
        status = (props["Sync status"]["select"] or {}).get("name")
        message = "".join(t["plain_text"] for t in props["Sync message"]["rich_text"])
        out[title] = (status, message, props["Confluence page"]["url"])
    return out


def notion_status(sandbox: Sandbox) -> dict[str, tuple[str | None, str]]:
    """Each entry's written-back status and message."""
    return {title: (status, message) for title, (status, message, _) in written_back(sandbox).items()}


def reapprove(sandbox: Sandbox, notion_id: str, editor: str | None = None) -> None:
    """The team approves the edited entry: Version and every approved-version column raised by one (approval is
    bound to content, so an edit without it would be held). `editor`: the Notion user (the integration if
    None)."""
    state = sandbox.notion.state
    page = state.pages[notion_id]
    source = state.data_sources[page.data_source_id or ""]
    by_name = {schema.name: schema.id for schema in source.properties.values()}
    version = int(page.values[by_name["Version"]]) + 1
    columns = ["Version", *(f"{review} approved version" for review in ("Legal", "Ops", "Product"))]
    state.update_page(notion_id, {name: {"number": version} for name in columns}, edited_by=editor)


def set_title(sandbox: Sandbox, title: str, new: str) -> None:
    notion_id = entry_id(sandbox, title)
    sandbox.notion.state.update_page(notion_id, {"Scenario": {"title": [{"type": "text", "text": {"content": new}}]}})
    reapprove(sandbox, notion_id)


def set_keywords(sandbox: Sandbox, title: str, keywords: list[str], editor: str | None = None) -> None:
    notion_id = entry_id(sandbox, title)
    values = [{"name": k} for k in keywords]
    sandbox.notion.state.update_page(notion_id, {"Trigger keywords": {"multi_select": values}}, edited_by=editor)
    reapprove(sandbox, notion_id, editor)


def pages(sandbox: Sandbox) -> dict[str, Page]:
    """The entry pages under the job's parent, by title (a duplicate title fails the test); not the sync's own
    index and archive pages."""
    children = sandbox.confluence.state.children(sandbox.info["parent_page_id"])
    children = [p for p in children if "scenario-sync-role" not in p.properties]
    by_title = {p.title: p for p in children}
    assert len(by_title) == len(children), f"duplicate pages: {[p.title for p in children]}"
    return by_title


def labels(page: Page) -> set[str]:
    return {label.name for label in page.labels}


def assert_converged(sandbox: Sandbox, titles: set[str] = PUBLISHED) -> dict[str, Page]:
    """Every published entry has exactly one page, marked and recorded at its current version."""
    found = pages(sandbox)
    assert set(found) == titles
    for page in found.values():
        assert MANAGED_LABEL in labels(page)
        assert page.properties[PROPERTY_KEY].value["written_version"] == page.version
    return found


class Killed(BaseException):
    """The process died: nothing in the sync may catch this."""


class KillAfter:
    """A limiter that lets `n` requests through, then kills the run before the next one is sent."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.lock = threading.Lock()

    def take(self, sleep: Callable[[float], None]) -> float:
        with self.lock:
            if self.left <= 0:
                raise Killed()
            self.left -= 1
        return 0.0


def killed_at_every_request(sandbox: Sandbox, job: Job) -> int:
    """Run `job` killed before its first request, then before its second, and so on, each run starting from
    what the one before left, until a run goes through; how many runs were killed."""
    killed_at = 0
    while True:
        limiter = KillAfter(killed_at)

        def kill(services: Services, limiter: KillAfter = limiter) -> None:
            services.confluence_caller.limiter = services.notion_caller.limiter = limiter  # type: ignore[assignment]

        try:
            run_with(sandbox, job, kill)
        except Killed:
            killed_at += 1
            continue
        return killed_at


def run_with(
    sandbox: Sandbox, job: Job, prepare: Callable[[Services], None] | None = None, **overrides: Any
) -> RunReport:
    """One run of `job` (with `overrides` to its fields), with a look at its services before it starts."""
    job = job.model_copy(update=overrides) if overrides else job
    with open_services(sandbox.credentials(), sleep=lambda s: None) as services:
        # The emulators run without rate limits here; the client's limiters would only spin on a no-op sleep.
        services.notion_caller.limiter = services.confluence_caller.limiter = None
        if prepare is not None:
            prepare(services)
        report, _ = run_job(job, Mapping.load(job.mapping), services, sandbox.info["data_source_id"])
    return report


def attach(monkeypatch: pytest.MonkeyPatch, files: dict[str, bytes]) -> None:
    """Every published page carries these files (as the generate and read stages will add them)."""

    def desired(**fields: Any) -> DesiredPage:
        extra = tuple(Attachment(name, "application/octet-stream", data) for name, data in files.items())
        ours = {a.name for a in extra}  # stand in for the generated file of the same name
        fields["attachments"] = tuple(a for a in fields.get("attachments", ()) if a.name not in ours) + extra
        return DesiredPage(**fields)

    monkeypatch.setattr(run_module, "DesiredPage", desired)


def bookkeeping_pages(sandbox: Sandbox) -> set[str]:
    """The ids of the sync's own pages (the job's index page, "Archived scenarios")."""
    return {pid for pid, p in sandbox.confluence.state.pages.items() if "scenario-sync-role" in p.properties}


def entry_traffic(sandbox: Sandbox, records: list[Any]) -> list[Any]:
    """Requests about the entries' pages, without the job's own bookkeeping (its index page: lease, manifest)."""
    own = bookkeeping_pages(sandbox)

    def about_bookkeeping(record: Any) -> bool:
        ids = re.findall(r"/(?:pages|content)/(\d+)", record.path)
        return any(i in own for i in ids) or "Scenario+index" in record.query or "Scenario%20index" in record.query

    kept = [r for r in records if not about_bookkeeping(r)]
    # A create names no page: drop the first creates, one per bookkeeping page (they come before any entry's).
    creates = [r for r in kept if r.method == "POST" and re.search(r"(/api/v2/pages|/rest/api/content)$", r.path)]
    made = {id(r) for r in creates[: len(own)]}
    return [r for r in kept if id(r) not in made]


def prepare_index(sandbox: Sandbox, job: Job) -> None:
    """Make the job's index page as a first run would, so a test's faults hit only the entries' writes."""
    from sync.upkeep import IndexSite

    with open_services(sandbox.credentials(), sleep=lambda _: None) as services:
        target = services.confluence.resolve_target(
            job.confluence.space_key, job.confluence.parent_page_id, job.confluence.parent_title
        )
        IndexSite.ensure(services.confluence, target, job)
    sandbox.confluence.traffic.clear()


def write_real_job(sandbox: Sandbox, folder: Path, extra: str = "") -> Path:
    """A scheduler.yaml with one real (non-sandbox) job, `team`, pointed at the running emulators; `extra` is
    more of the job's keys, indented as job keys."""
    coords = sandbox.coordinates()
    path = folder / "scheduler.yaml"
    path.write_text(
        f"""
jobs:
  - name: team
    mapping: {ROOT / "mappings" / "default.yaml"}
    notion: {{data_source_id: {coords["notion"]["data_source_id"]}}}
    confluence: {{space_key: SUP, parent_page_id: "{coords["confluence"]["parent_page_id"]}"}}
{extra}""",
        encoding="utf-8",
    )
    return path


def real_job_env(sandbox: Sandbox) -> dict[str, str]:
    """The environment a real job reads its credentials from, pointed at the running emulators."""
    coords = sandbox.coordinates()
    env = {
        "NOTION_TOKEN": coords["notion"]["token"],
        "NOTION_BASE_URL": coords["notion"]["base_url"],
        "CONFLUENCE_URL": coords["confluence"]["base_url"],
        "CONFLUENCE_TOKEN": coords["confluence"]["token"],
        "CONFLUENCE_FLAVOR": coords["confluence"]["flavor"],
    }
    if coords["confluence"]["user"]:
        env["CONFLUENCE_USER"] = coords["confluence"]["user"]
    return env


def bulk_sandbox(make_sandbox: Callable[..., Sandbox], entries: int) -> Sandbox:
    """An empty sandbox seeded with `entries` generated entries, its data source the one the demo job reads."""
    sandbox = make_sandbox(seed="empty")
    _, data_source = seed_notion(sandbox.notion.state, Mapping.load(sandbox.options.mapping), bulk_entries(entries))
    sandbox.info.update(data_source_id=data_source)
    return sandbox
