"""What a new installation starts from: the default mapping, the built-in demo job and the files `init` writes.

The default mapping has one source, the project's top-level `mappings/default.yaml` (the copy teams edit);
the wheel carries it as `sync/mappings/` (see pyproject.toml), so an installed package needs no checkout.
"""

from __future__ import annotations

from pathlib import Path

from sync.config import ConfluenceTarget, Job, SandboxSettings
from sync.errors import ConfigError

_HERE = Path(__file__).resolve().parent
PACKAGED_MAPPINGS = _HERE.parent / "mappings"  # in an installed wheel
SOURCE_MAPPINGS = _HERE.parents[1] / "mappings"  # in a source checkout (editable install)
STARTER_SCHEDULE = _HERE / "scheduler.yaml"


def default_mapping() -> Path:
    """The mapping of the reference database the sandbox seeds."""
    for folder in (PACKAGED_MAPPINGS, SOURCE_MAPPINGS):
        if (folder / "default.yaml").is_file():
            return folder / "default.yaml"
    raise ConfigError("the default mapping is missing from the installation", "reinstall scenario-sync")


def demo_job(state_dir: Path) -> Job:
    """The demo job `scenario-sync demo` runs when no scheduler.yaml is given."""
    from sync.sandbox.seed import PARENT_TITLE, SPACE_KEY  # the space and parent page the sandbox seeds

    return Job.model_validate(
        {
            "name": "demo",
            "mapping": default_mapping(),
            "confluence": ConfluenceTarget(space_key=SPACE_KEY, parent_title=PARENT_TITLE),
            "revalidation": {"window_days": 90, "remind_before_days": 14, "fallback_owner": "lead@example.com"},
            "archive": {"max_share": 0.5},  # the demo library is small: one page of two may be archived
            "sandbox": SandboxSettings(seed="demo", state_dir=state_dir),
        }
    )


def write_starter(folder: Path, force: bool = False) -> list[Path]:
    """Write scheduler.yaml and mappings/default.yaml into `folder`; never overwrite unless `force`."""
    wanted = {
        folder / "scheduler.yaml": STARTER_SCHEDULE.read_text(encoding="utf-8"),
        folder / "mappings" / "default.yaml": default_mapping().read_text(encoding="utf-8"),
    }
    existing = [path for path in wanted if path.exists()]
    if existing and not force:
        raise ConfigError(
            "already there: " + ", ".join(str(p) for p in existing), "pass --force to overwrite, or another folder"
        )
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(wanted)
