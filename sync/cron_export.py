"""Ready-to-use snippets that run the jobs of scheduler.yaml on an existing scheduler: crontab, Kubernetes
CronJobs, GitHub Actions workflows, systemd timers. Pure: jobs and settings in, text out.

Every snippet runs `scenario-sync run --job NAME` once per due time, in the job's time zone, never two runs
of one job at once on that scheduler (the job's lock keeps other hosts off it). Secrets are referenced by
name (an environment file, a Kubernetes Secret, GitHub secrets), never written out.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from croniter import croniter

from sync.config import Job

Format = Literal["crontab", "kubernetes", "github-actions", "systemd"]
FORMATS: tuple[Format, ...] = ("crontab", "kubernetes", "github-actions", "systemd")
# What a real job reads from its environment; the token variables are the secrets.
CREDENTIALS = ("NOTION_TOKEN", "CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN", "CONFLUENCE_FLAVOR")
_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]


@dataclass(frozen=True)
class Settings:
    config: Path  # scheduler.yaml, as the scheduler's host sees it
    command: tuple[str, ...] = ("scenario-sync",)  # the program, as the scheduler's host starts it
    env_file: str = "/etc/scenario-sync/scenario-sync.env"
    image: str = "registry.example.com/scenario-sync:latest"
    secret: str = "scenario-sync"
    version: str = ""
    package: str = ""  # what `pip install` takes in a workflow; default scenario-sync==version from the index


def export(fmt: Format, jobs: list[Job], settings: Settings) -> str:
    render = {"crontab": crontab, "kubernetes": kubernetes, "github-actions": github_actions, "systemd": systemd}
    return render[fmt](jobs, settings)


def resource_name(job: Job) -> str:
    """The job's name as Kubernetes, systemd and file names accept it (lower-case letters, digits, dashes)."""
    name = re.sub(r"[^a-z0-9-]+", "-", job.name.lower()).strip("-")
    return f"scenario-sync-{name}"[:52]  # a CronJob's name leaves 11 characters for the Jobs it creates


def _run_args(job: Job, config: str) -> list[str]:
    return ["run", "--config", config, "--job", job.name]


# --- crontab -------------------------------------------------------------------------------------------------
def crontab(jobs: list[Job], s: Settings) -> str:
    workdir = s.config.parent
    lines = [
        "# scenario-sync jobs for crontab -e (cronie reads CRON_TZ; elsewhere set the host's time zone instead).",
        f"# Credentials come from {s.env_file} ({', '.join(CREDENTIALS)}): owned by this user, chmod 600.",
        "SHELL=/bin/sh",
    ]
    for job in jobs:
        command = shlex.join([*s.command, *_run_args(job, str(s.config))])
        lines += [
            "",
            f"# {job.name}",
            f"CRON_TZ={job.timezone}",
            f"{job.schedule} cd {shlex.quote(str(workdir))} && set -a && . {shlex.quote(s.env_file)} && set +a"
            f" && {command} >> {shlex.quote(f'/var/log/scenario-sync/{job.name}.log')} 2>&1",
        ]
    return "\n".join(lines) + "\n"


# --- Kubernetes ------------------------------------------------------------------------------------------------
def kubernetes(jobs: list[Job], s: Settings) -> str:
    mappings = sorted({_relative(job.mapping, s.config.parent) for job in jobs})
    files = " ".join(f"--from-file={_key(m)}={m}" for m in mappings)
    header = (
        "# One CronJob per scenario-sync job (timeZone needs Kubernetes 1.27 or later). Create the config and the\n"
        "# secret first:\n"
        f"#   kubectl create configmap scenario-sync-config --from-file=scheduler.yaml={s.config.name} {files}\n"
        f"#   kubectl create secret generic {s.secret} --from-env-file=scenario-sync.env"
        f"   # {', '.join(CREDENTIALS)}\n"
        f"# The image has scenario-sync installed ({s.image} is a placeholder).\n"
    )
    items = [{"key": "scheduler.yaml", "path": "scheduler.yaml"}] + [{"key": _key(m), "path": m} for m in mappings]
    documents = [_cron_job(job, s, items) for job in jobs]
    return header + yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def _key(path: str) -> str:
    return path.replace("/", "-")


def _cron_job(job: Job, s: Settings, items: list[dict[str, str]]) -> dict[str, Any]:
    container = {
        "name": "scenario-sync",
        "image": s.image,
        "command": ["scenario-sync", *_run_args(job, "/config/scheduler.yaml")],
        "envFrom": [{"secretRef": {"name": s.secret}}],
        "volumeMounts": [{"name": "config", "mountPath": "/config", "readOnly": True}],
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": resource_name(job), "labels": {"app.kubernetes.io/name": "scenario-sync"}},
        "spec": {
            "schedule": job.schedule,
            "timeZone": job.timezone,
            "concurrencyPolicy": "Forbid",  # never two runs of one job at once
            "startingDeadlineSeconds": 600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 0,  # a failed run waits for the next time: every run reconciles from scratch
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [container],
                            "volumes": [
                                {"name": "config", "configMap": {"name": "scenario-sync-config", "items": items}}
                            ],
                        }
                    },
                }
            },
        },
    }


# --- GitHub Actions ------------------------------------------------------------------------------------------
def github_actions(jobs: list[Job], s: Settings) -> str:
    install = s.package or (f"scenario-sync=={s.version}" if s.version else "scenario-sync")
    documents = []
    for job in jobs:
        config = _relative(s.config, s.config.parent)
        workflow = {
            "name": f"scenario-sync {job.name}",
            "on": {"schedule": [{"cron": job.schedule, "timezone": job.timezone}], "workflow_dispatch": {}},
            "concurrency": {"group": resource_name(job), "cancel-in-progress": False},
            "permissions": {"contents": "read"},
            "jobs": {
                "sync": {
                    "runs-on": "ubuntu-latest",
                    "timeout-minutes": 60,
                    "steps": [
                        {"uses": "actions/checkout@v4"},
                        {"uses": "actions/setup-python@v5", "with": {"python-version": "3.11"}},
                        {"run": f"pip install {shlex.quote(install)}"},
                        {
                            "run": shlex.join(["scenario-sync", *_run_args(job, config), "--report", "report.json"]),
                            "env": {name: f"${{{{ secrets.{name} }}}}" for name in CREDENTIALS},
                        },
                        {
                            "if": "always()",
                            "uses": "actions/upload-artifact@v4",
                            "with": {"name": f"{resource_name(job)}-report", "path": "report.json"},
                        },
                    ],
                }
            },
        }
        documents.append(workflow)
    header = (
        "# One workflow per job: save each document as .github/workflows/<its name>.yml in the repository that\n"
        f"# holds {s.config.name} and the mappings. Repository secrets: {', '.join(CREDENTIALS)}.\n"
        f"# Each installs {install} with pip; where your package index does not have it, export again with\n"
        "# --package naming a git URL (git+https://host/org/scenario-sync@TAG) or a wheel's address.\n"
    )
    return header + yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True, width=200)


# --- systemd ---------------------------------------------------------------------------------------------------
def on_calendar(expression: str, zone: str) -> list[str]:
    """systemd OnCalendar= values for a cron expression. Cron runs when either a restricted day of the month or
    a restricted day of the week matches; systemd needs both, so that case takes two values."""
    minute, hour, dom, month, dow = croniter(expression).expanded

    def values(field: list[Any], width: int = 2) -> str:
        return "*" if field == ["*"] else ",".join(f"{int(v):0{width}d}" for v in field)

    days = "" if dow == ["*"] else ",".join(_DAYS[int(d) % 7] for d in dow) + " "
    time = f"{values(hour)}:{values(minute)}:00 {zone}"
    if dom != ["*"] and dow != ["*"]:
        return [f"*-{values(month)}-{values(dom)} {time}", f"{days}*-{values(month)}-* {time}"]
    return [f"{days}*-{values(month)}-{values(dom)} {time}"]


def systemd(jobs: list[Job], s: Settings) -> str:
    parts = [
        "# A service and a timer per job, for /etc/systemd/system/; then: systemctl enable --now <name>.timer\n"
        f"# {s.env_file} holds {', '.join(CREDENTIALS)}: owned by root, chmod 600.\n"
    ]
    for job in jobs:
        name = resource_name(job)
        command = shlex.join([*s.command, *_run_args(job, str(s.config))])
        calendars = "\n".join(f"OnCalendar={value}" for value in on_calendar(job.schedule, job.timezone))
        parts.append(
            f"""# ---- {name}.service
[Unit]
Description=scenario-sync job {job.name}
Wants=network-online.target
After=network-online.target

[Service]
# oneshot: systemd never starts the service again while a run is going
Type=oneshot
WorkingDirectory={s.config.parent}
EnvironmentFile={s.env_file}
ExecStart={command}
# 1 means some entries have problems (reported to their owners in Notion), not a failed run
SuccessExitStatus=1

# ---- {name}.timer
[Unit]
Description=Run scenario-sync job {job.name} on its schedule ({job.schedule}, {job.timezone})

[Timer]
{calendars}
Persistent=true

[Install]
WantedBy=timers.target
"""
        )
    return "\n".join(parts)
