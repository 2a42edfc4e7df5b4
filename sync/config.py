"""Configuration: credentials from the environment (never from files, never printed) and jobs from
scheduler.yaml, each validated so an error names the job, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync import redact
from sync.errors import ConfigError
from sync.limits import NOTION_PER_MINUTE
from sync.yamlfile import load_model

Flavor = Literal["cloud", "datacenter"]
DEFAULT_NOTION_VERSION = "2025-09-03"  # notion-client 3.1.0's default; 2026-03-11 is served too


class Credentials(BaseSettings):
    """Where the two APIs are and who we are there. Secret values stay SecretStr end to end."""

    model_config = SettingsConfigDict(extra="ignore")

    notion_token: SecretStr | None = None
    notion_base_url: str = "https://api.notion.com"
    notion_version: str = DEFAULT_NOTION_VERSION
    # The workspace plan's per-connection budget: 180 on most plans, 600 on Business and Enterprise.
    notion_requests_per_minute: int = Field(default=NOTION_PER_MINUTE, ge=1)
    confluence_url: str | None = None
    confluence_user: str | None = None
    confluence_token: SecretStr | None = None
    confluence_flavor: Flavor = "cloud"

    @field_validator(
        "notion_token", "notion_base_url", "confluence_url", "confluence_user", "confluence_token", mode="before"
    )
    @classmethod
    def _no_stray_characters(cls, value: object, info: ValidationInfo) -> object:
        # A token pasted with its newline would go out in a header the HTTP library refuses, which looks
        # like a dropped connection: say so here, naming the variable and never its value. ConfigError is
        # not a ValueError, so pydantic lets it through instead of echoing the input in a ValidationError.
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            if "token" in (info.field_name or ""):
                redact.register(text)
            if redact.has_unsafe_characters(text):
                name = (info.field_name or "").upper()
                raise ConfigError(
                    f"{name} contains whitespace or control characters (often a trailing newline)",
                    f"set {name} again without spaces or line breaks",
                )
        return value

    @model_validator(mode="after")
    def _hide_basic_auth(self) -> Credentials:
        token = self.confluence_token.get_secret_value() if self.confluence_token else None
        redact.register_basic(self.confluence_user, token)
        return self

    def require(self) -> None:
        missing = [
            name.upper()
            for name in ("notion_token", "confluence_url", "confluence_token")
            if getattr(self, name) in (None, "")
        ]
        if self.confluence_flavor == "cloud" and not self.confluence_user:
            missing.append("CONFLUENCE_USER")
        if missing:
            raise ConfigError(
                "missing environment variables: " + ", ".join(missing),
                "export them (see README, Configuration) or run a sandbox job",
            )


def load_credentials() -> Credentials:
    """The credentials from the environment; a bad value is a configuration error naming the variable, never
    its value."""
    try:
        return Credentials()
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "the environment"
        raise ConfigError(f"{variable}: {first['msg']}", f"fix {variable} (see README, Configuration)") from None


class SandboxSettings(BaseModel):
    """A job marked `sandbox:` runs against the embedded emulators instead of real sites."""

    model_config = ConfigDict(extra="forbid")

    seed: Literal["demo", "empty"] = "demo"
    state_dir: Path = Path(".sandbox")


class NotionSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data_source_id: str | None = None


class ConfluenceTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    space_key: str
    parent_page_id: str | None = None
    parent_title: str | None = None


class ReviewPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    required: list[str] = Field(default_factory=lambda: ["legal", "ops", "product"])
    # What happens to an entry whose content changed after approval. Unset: reset_reviews where the mapping
    # has no approved-version columns (re-approval must be visible somewhere), hold otherwise.
    on_change_after_approval: Literal["hold", "reset_reviews"] | None = None
    # Changes an approval survives besides whitespace (which never counts).
    ignore_case: bool = False
    ignore_punctuation: bool = False


class RevalidationPolicy(BaseModel):
    """How often an owner must confirm an entry is still right, and who hears when they do not."""

    model_config = ConfigDict(extra="forbid")

    window_days: int = Field(default=90, ge=1)
    remind_before_days: int = Field(default=14, ge=0)
    grace_days: int = Field(default=0, ge=0)
    fallback_owner: str | None = None  # a Notion user id or e-mail
    digest: Literal["daily", "weekly"] = "weekly"

    @model_validator(mode="after")
    def _lead_time_fits(self) -> RevalidationPolicy:
        if self.remind_before_days >= self.window_days:
            raise ValueError(
                f"remind_before_days ({self.remind_before_days}) must be less than window_days ({self.window_days})"
            )
        return self


class ArchivePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_share: float = Field(default=0.2, gt=0, le=1)  # more than this share of managed pages in one run: archive none
    mode: Literal["move", "native"] = "move"  # native: Confluence's own archive (Cloud), retired/deleted only


class GeneratePolicy(BaseModel):
    """Where a team's own prompt templates (a folder overriding the packaged ones by file name) and render
    targets file live; unset means the packaged defaults."""

    model_config = ConfigDict(extra="forbid")

    templates: Path | None = None
    targets: Path | None = None


class LintPolicy(BaseModel):
    """A team's own over-promise rules file, and which rule categories hold publication (the rest warn)."""

    model_config = ConfigDict(extra="forbid")

    rules: Path | None = None
    blocking: list[str] = Field(default_factory=lambda: ["refund", "data-access", "liability"])


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    schedule: str = "0 6 * * 1-5"  # five cron fields, read in `timezone`
    timezone: str = "UTC"  # an IANA time zone name
    mapping: Path
    notion: NotionSource = NotionSource()
    confluence: ConfluenceTarget
    review: ReviewPolicy = ReviewPolicy()
    # A page a person edited in Confluence: restore the approved text, or keep it until the entry changes.
    manual_edits: Literal["restore", "keep"] = "restore"
    revalidation: RevalidationPolicy = RevalidationPolicy()
    archive: ArchivePolicy = ArchivePolicy()
    audit_log: str | None = None  # a JSON-lines file (relative to scheduler.yaml), or "-" for stdout
    generate: GeneratePolicy = GeneratePolicy()
    lint: LintPolicy = LintPolicy()
    sandbox: SandboxSettings | None = None

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError(
                f"'{value}' is not a cron expression of five fields (minute hour day-of-month month day-of-week),"
                " e.g. '0 6 * * 1-5'"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Europe/Dublin)") from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobs: list[Job]

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        known = ", ".join(j.name for j in self.jobs)
        raise ConfigError(f"no job named '{name}' in scheduler.yaml", f"use one of: {known}")


def load_schedule(path: Path) -> Schedule:
    schedule = load_model(
        path,
        Schedule,
        "pass --config, run from the folder that has it, or create one with `scenario-sync init`",
        "see README, Configuration",
    )
    for job in schedule.jobs:  # mapping paths are relative to scheduler.yaml
        if not job.mapping.is_absolute():
            job.mapping = path.parent / job.mapping
        if job.audit_log not in (None, "-") and not Path(job.audit_log).is_absolute():
            job.audit_log = str(path.parent / job.audit_log)
        _resolve_policy_paths(job, path)
    return schedule


def _resolve_policy_paths(job: Job, path: Path) -> None:
    """Generate and lint override files are relative to scheduler.yaml too, and must exist."""
    for section, key in (("generate", "templates"), ("generate", "targets"), ("lint", "rules")):
        policy = getattr(job, section)
        value: Path | None = getattr(policy, key)
        if value is None:
            continue
        if not value.is_absolute():
            value = path.parent / value
            setattr(policy, key, value)
        if not value.exists():
            raise ConfigError(
                f"{path}: job '{job.name}': {section}.{key}: {value} does not exist",
                "fix the path (relative to scheduler.yaml) or remove the key to use the packaged default",
            )
