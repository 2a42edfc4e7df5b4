"""A stateful emulator of the Notion API (versions 2025-09-03 and 2026-03-11) for tests and the demo."""

from sync.sandbox.notion.app import DEFAULT_TOKEN, NotionEmulator, make_app
from sync.sandbox.notion.state import NotionState

__all__ = ["DEFAULT_TOKEN", "NotionEmulator", "NotionState", "make_app"]
