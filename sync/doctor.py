"""`scenario-sync doctor`: can this job's credentials do everything a run needs? Each check says what it
found and, when something is missing, how to grant it.

Checks only read, so they leave nothing behind: Notion's `users/me` and the data source; Confluence's
permitted-operations lists (Cloud REST v2 `spaces/{id}/operations` and `pages/{id}/operations`, Data Center
v1 `expand=operations`). The one exception is Notion, whose API has no way to read an integration's
capabilities: an update to the data source that changes nothing shows whether it may update content.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.config import Credentials, Job
from sync.confluence.base import Target
from sync.confluence.surface import V1
from sync.errors import SyncError, describe, http_status
from sync.mapping import Mapping
from sync.run import Services
from sync.session import open_services

# Managed pages checked for edit restrictions (one request each): enough to catch a restricted tree.
SAMPLE_PAGES = 10


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str = ""
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


class _Stop(Exception):
    """A check failed in a way that makes the checks after it meaningless (no token, no space)."""


class Doctor:
    def __init__(self, job: Job, mapping: Mapping, services: Services, data_source_id: str) -> None:
        self.job, self.mapping, self.services, self.data_source_id = job, mapping, services, data_source_id
        self.findings: list[Finding] = []

    def note(self, check: str, ok: bool, detail: str = "", fix: str = "") -> bool:
        self.findings.append(Finding(check, ok, detail, "" if ok else fix))
        return ok

    def attempt(self, check: str, call: Callable[[], Any], fixes: dict[int, str], stop: bool = False) -> Any:
        """Run `call`; on an HTTP error note the fix for its status (or a generic one) and return None."""
        try:
            return call()
        except SyncError as error:  # e.g. "space not found": the API hides what the user may not see
            hidden = f"; or {fixes[404]}" if 404 in fixes else ""
            self.note(check, False, error.message, error.fix + hidden)
        except Exception as error:
            status = http_status(error)
            self.note(check, False, describe(error), fixes.get(status or 0, "run again; if it persists, check --debug"))
        if stop:
            raise _Stop
        return None

    # --- Notion -------------------------------------------------------------------------------------------
    def notion(self) -> None:
        client, caller = self.services.reader.client, self.services.notion_caller
        me = self.attempt(
            "Notion token",
            lambda: caller.call(client.users.me, idempotent=True),
            {401: "NOTION_TOKEN was refused: copy the integration's secret again (Settings → Integrations)"},
            stop=True,
        )
        self.note("Notion token", True, f"integration '{me.get('name') or me.get('id')}'")

        schema = self.attempt(
            "Notion data source",
            lambda: self.services.reader.schema(self.data_source_id),
            {
                404: "share the database with the integration: open it in Notion, ••• → Connections → add it",
                403: "give the integration the 'Read content' capability (Settings → Integrations → Capabilities)",
            },
            stop=True,
        )
        self.note("Notion data source", True, f"{len(schema)} properties readable")

        wrong = [c for c in self.mapping.writeback_columns() if schema.get(c.property, {}).get("type") != c.type]
        names = ", ".join(f"'{c.property}' ({c.type})" for c in wrong)
        self.note(
            "Notion status columns",
            not wrong,
            f"missing or of another type: {names}" if wrong else "present with the right types",
            f"add {names} to the database, or remove `writeback` from {self.job.mapping.name}",
        )
        # An update that names nothing changes nothing, but is refused without the capability.
        updated = self.attempt(
            "Notion write access",
            lambda: caller.call(lambda: client.data_sources.update(self.data_source_id), idempotent=True),
            {403: "give the integration the 'Update content' capability (Settings → Integrations → Capabilities)"},
        )
        if updated is not None:
            self.note("Notion write access", True, "the integration may update content")
        self._comments()

    def _comments(self) -> None:
        """Reminders are comments on the entries: reading them is tried on the first entry. Inserting cannot be
        tried without posting one; Notion grants the two capabilities side by side."""
        client, caller = self.services.reader.client, self.services.notion_caller
        listed = self.attempt(
            "Notion comments (reminders)",
            lambda: caller.call(lambda: client.data_sources.query(self.data_source_id, page_size=1), idempotent=True),
            {},
        )
        if listed is None:
            return
        if not listed.get("results"):
            self.note("Notion comments (reminders)", True, "no entry yet to try them on")
            return
        page_id = listed["results"][0]["id"]
        read = self.attempt(
            "Notion comments (reminders)",
            lambda: caller.call(lambda: client.comments.list(block_id=page_id, page_size=1), idempotent=True),
            {
                403: "give the integration the 'Read comments' and 'Insert comments' capabilities (Settings →"
                " Integrations → Capabilities): revalidation reminders are comments on the entries"
            },
        )
        if read is not None:
            self.note("Notion comments (reminders)", True, "readable; the first reminder shows inserting works")

    # --- Confluence ---------------------------------------------------------------------------------------
    def confluence(self) -> None:
        adapter = self.services.confluence
        cfg = self.job.confluence
        target: Target = self.attempt(
            "Confluence space and parent",
            lambda: adapter.resolve_target(cfg.space_key, cfg.parent_page_id, cfg.parent_title),
            {
                401: "CONFLUENCE_USER / CONFLUENCE_TOKEN were refused: create a new API token (Cloud) or"
                " personal access token (Data Center)",
                403: "the user may not use Confluence: ask a site admin for the 'Can use' global permission",
                404: f"give the user 'View' on space {cfg.space_key} (Space settings → Permissions)",
            },
            stop=True,
        )
        self.note("Confluence space and parent", True, f"space {target.space_key}, parent page {target.parent_id}")

        space_ops = self._operations("space", target)
        grant = f"in space {target.space_key}, Space settings → Permissions: give the user"
        self.note(
            "Confluence create pages",
            ("create", "page") in space_ops,
            f"may add pages to space {target.space_key}" if ("create", "page") in space_ops else "may not add pages",
            f"{grant} 'Add pages'",
        )
        self._can_update(target)
        if adapter.flavor == "cloud":
            self.note(
                "Confluence archive",
                ("archive", "page") in space_ops,
                "may archive pages" if ("archive", "page") in space_ops else "may not archive pages",
                f"{grant} 'Archive pages' (needed to retire entries with Confluence's own archive)",
            )

    def _operations(self, kind: str, target: Target, page_id: str = "") -> set[tuple[str, str]]:
        adapter: Any = self.services.confluence
        if adapter.flavor == "cloud":
            path = (
                f"api/v2/spaces/{target.space_id}/operations"
                if kind == "space"
                else f"api/v2/pages/{page_id}/operations"
            )
            found = self.attempt(f"Confluence {kind} permissions", lambda: adapter.read(path), {})
        else:
            path = f"{V1}/space/{target.space_key}" if kind == "space" else f"{V1}/content/{page_id}"
            found = self.attempt(
                f"Confluence {kind} permissions", lambda: adapter.read(path, {"expand": "operations"}), {}
            )
        return {(o["operation"], o["targetType"]) for o in (found or {}).get("operations", [])}

    def _can_update(self, target: Target) -> None:
        pages = [target.parent_id]
        managed = self.attempt("Confluence managed pages", lambda: self.services.confluence.find_managed(target), {})
        pages += [page.id for page in (managed or [])[:SAMPLE_PAGES]]
        locked = [page_id for page_id in pages if ("update", "page") not in self._operations("page", target, page_id)]
        self.note(
            "Confluence update pages, labels and properties",
            not locked,
            f"may edit the parent and {len(pages) - 1} managed page(s)"
            if not locked
            else f"may not edit pages {', '.join(locked)}",
            "give the user 'Add pages' in the space and remove edit restrictions on these pages"
            " (••• → Restrictions), or add the user to them",
        )


def diagnose(job: Job, credentials: Credentials, data_source_id: str | None) -> list[Finding]:
    """Every check for `job`, in order; a failure that makes the later checks meaningless stops them."""
    try:
        credentials.require()
    except SyncError as error:
        return [Finding("credentials", False, error.message, error.fix)]
    findings = [Finding("credentials", True, "all variables set")]
    if not data_source_id:
        return [*findings, Finding("Notion data source", False, "no data source id", "set notion.data_source_id")]
    mapping = Mapping.load(job.mapping)
    with open_services(credentials) as services:
        for side in ("notion", "confluence"):
            doctor = Doctor(job, mapping, services, data_source_id)
            with contextlib.suppress(_Stop):  # the checks after it would only repeat the failure
                getattr(doctor, side)()
            findings += doctor.findings
    return findings
