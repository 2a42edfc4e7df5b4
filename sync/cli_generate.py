"""`preview` and `lint`: what the generate stage makes of a job's entries, read from Notion, writing nothing.

Registered on the main group from `sync/cli.py`; click stays in the CLI modules.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from sync.cli import _sandbox_options
from sync.cli_options import one_job_options
from sync.config import Job, load_schedule
from sync.errors import ConfigError, ExitCode
from sync.mapping import Mapping
from sync.output import emit_json
from sync.run import Entry, evaluate, read_bodies, read_entries, stage
from sync.session import job_notion, open_services


@contextlib.contextmanager
def _evaluated(job: Job, flavor: str, v1_content: str) -> Iterator[list[Entry]]:
    """Read the job's entries and run map, gate and generate on them: no write to Notion or Confluence."""
    with contextlib.ExitStack() as stack:
        credentials, data_source = stack.enter_context(job_notion(job, flavor or "cloud", v1_content or "available"))
        mapping = Mapping.load(job.mapping)
        services = stack.enter_context(open_services(credentials))
        with stage("reading Notion"):
            entries, _ = read_entries(services, mapping, data_source)
        evaluate(entries, mapping, job)  # properties first; then every usable entry's body (steps may be there)
        with stage("reading page bodies"):
            read_bodies(services.reader, [e for e in entries if not e.problems], services.clock)
        evaluate(entries, mapping, job)
        yield entries


def _title(entry: Entry) -> str:
    if entry.scenario is not None:
        return entry.scenario.title
    return entry.problems[0].title if entry.problems else entry.page_id


def _pick(entries: list[Entry], wanted: str) -> Entry:
    key = wanted.replace("-", "").lower()
    for entry in entries:
        if entry.page_id.replace("-", "").lower() == key or _title(entry).lower() == wanted.lower():
            return entry
    titles = "; ".join(_title(e) for e in entries)
    raise ConfigError(f"no entry with id or title '{wanted}'", f"pass one of: {titles}")


def _verdict(entry: Entry) -> tuple[str, list[str]]:
    if entry.problems:
        return "problem", [str(p) for p in entry.problems]
    assert entry.decision is not None
    return entry.decision.verdict, list(entry.decision.reasons)


def _preview_json(entry: Entry) -> dict[str, Any]:
    verdict, reasons = _verdict(entry)
    generated = entry.generated
    return {
        "entry": {"id": entry.page_id, "title": _title(entry)},
        "decision": verdict,
        "reasons": reasons,
        "prompt": generated.prompt if generated else None,
        "total_s": sum(c["duration_s"] for c in generated.clips) if generated else None,
        "clips": generated.clips if generated else [],
        "findings": [f.to_json() for f in generated.findings] if generated else [],
    }


def _clip_lines(clips: list[dict[str, Any]]) -> list[str]:
    lines = []
    for clip in clips:
        maps = ", ".join(
            f"{target} {' + '.join(str(s['rendered_s']) for s in m['segments'])}"
            + (f" (trim {m['trimmed_s']})" if m["trimmed_s"] else "")
            for target, m in clip["targets"].items()
        )
        shown = f'"{clip["message"]}"' if clip["message"] else "(nothing typed)"
        lines.append(f"  {clip['index']}. {clip['title']}: {clip['duration_s']} s, {clip['narration_wpm']:g} wpm")
        lines.append(f"     on screen: {shown}")
        lines.append(f"     segments: {maps}")
    return lines


@click.command()
@one_job_options
@_sandbox_options
@click.option("--entry", "wanted", required=True, help="The entry's Notion page id or its exact title.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON on stdout.")
def preview(
    config: Path, job_name: str, confluence_flavor: str, cloud_v1_content: str, wanted: str, as_json: bool
) -> None:
    """Show what one entry would become: the gate decision, the walkthrough prompt, the clip plan and the
    over-promise lint findings. Reads Notion; writes nothing anywhere.

    \b
    Example:
      scenario-sync preview --job demo --entry "Refund asked for outside the refund window"
      scenario-sync preview --job support-emea --entry 0f8a2c1e-6b1d-4a7e-9a55-1f2e3d4c5b6a --json
    """
    job = load_schedule(config).job(job_name)
    with _evaluated(job, confluence_flavor, cloud_v1_content) as entries:
        entry = _pick(entries, wanted)
    data = _preview_json(entry)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{data['entry']['title']} ({entry.page_id})")
    click.echo(f"Decision: {data['decision']}")
    for reason in data["reasons"]:
        click.echo(f"  {reason}")
    if data["prompt"]:
        click.echo("\nPrompt:\n" + data["prompt"])
    if data["clips"]:
        click.echo(f"Clip plan: {len(data['clips'])} clips, {data['total_s']} s")
        click.echo("\n".join(_clip_lines(data["clips"])))
    findings = entry.generated.findings if entry.generated else []
    click.echo(f"\nOver-promise lint: {len(findings) or 'no'} finding{'s' if len(findings) != 1 else ''}")
    for finding in findings:
        click.echo(f"  {finding}")


@click.command()
@one_job_options
@_sandbox_options
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
def lint(config: Path, job_name: str, confluence_flavor: str, cloud_v1_content: str, as_json: bool) -> None:
    """Check every entry of a job for over-promises (refunds, dated fixes, guarantees, escalations outside the
    rule, roadmap claims, data access, liability). Exits 1 when a finding would hold publication.

    \b
    Example:
      scenario-sync lint --job demo
      scenario-sync lint --job support-emea --json
    """
    job = load_schedule(config).job(job_name)
    with _evaluated(job, confluence_flavor, cloud_v1_content) as entries:
        rows: list[dict[str, Any]] = [
            {
                "entry": {"id": e.page_id, "title": _title(e)},
                "findings": [f.to_json() for f in e.generated.findings] if e.generated else [],
                "not_checked": [str(p) for p in e.problems] if e.generated is None and e.problems else [],
            }
            for e in entries
        ]
    blocking = sum(1 for row in rows for f in row["findings"] if f["blocking"])
    warnings = sum(1 for row in rows for f in row["findings"] if not f["blocking"])
    if as_json:
        emit_json({"job": job.name, "blocking": blocking, "warnings": warnings, "entries": rows})
    else:
        for row, entry in zip(rows, entries, strict=True):
            state = f"{len(row['findings'])} finding(s)" if row["findings"] else "clean"
            click.echo(f"- {row['entry']['title']}: " + ("not checked" if row["not_checked"] else state))
            for finding in entry.generated.findings if entry.generated else []:
                click.echo(f"    {finding}")
            for problem in row["not_checked"]:
                click.echo(f"    not checked: {problem}")
        click.echo(f"Findings: {blocking} blocking, {warnings} warning(s)")
    sys.exit(ExitCode.ENTRY_PROBLEMS if blocking else ExitCode.OK)
