"""Live tests run only when asked for (`pytest -m live`) and when the real credentials are in the
environment; see docs/live.md."""

from __future__ import annotations

import os

import pytest

REQUIRED = (
    "NOTION_TOKEN",
    "CONFLUENCE_URL",
    "CONFLUENCE_TOKEN",
    "LIVE_NOTION_DATA_SOURCE_ID",
    "LIVE_CONFLUENCE_SPACE_KEY",
    "LIVE_CONFLUENCE_PARENT_ID",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    asked = "live" in (config.getoption("-m") or "")
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if os.environ.get("CONFLUENCE_FLAVOR", "cloud") == "cloud" and not os.environ.get("CONFLUENCE_USER"):
        missing.append("CONFLUENCE_USER")
    reason = "live tests run only with `pytest -m live`" if not asked else f"set {', '.join(missing)} (docs/live.md)"
    for item in items:
        if "live" in item.keywords and (not asked or missing):
            item.add_marker(pytest.mark.skip(reason=reason))
