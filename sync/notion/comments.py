"""Notion comments and users: the reminders' way to reach an owner where they work.

A comment whose request failed may still have been posted, so the page's comments are looked at before
posting: a retry never doubles a reminder.
"""

from __future__ import annotations

from functools import partial
from typing import Any, cast

from notion_client import Client

from sync.mapping import plain_text
from sync.retry import ApiCaller


class NotionComments:
    def __init__(self, client: Client, caller: ApiCaller) -> None:
        self.client, self.caller = client, caller

    def users(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"page_size": 100}
            if cursor:
                kwargs["start_cursor"] = cursor
            page = cast(dict[str, Any], self.caller.call(partial(self.client.users.list, **kwargs), idempotent=True))
            out.extend(page["results"])
            if not page.get("has_more"):
                return out
            cursor = page["next_cursor"]

    def _texts(self, page_id: str) -> list[str]:
        texts: list[str] = []
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"block_id": page_id, "page_size": 100}
            if cursor:
                kwargs["start_cursor"] = cursor
            found = cast(
                dict[str, Any], self.caller.call(partial(self.client.comments.list, **kwargs), idempotent=True)
            )
            texts.extend(plain_text(c.get("rich_text", [])) for c in found["results"])
            if not found.get("has_more"):
                return texts
            cursor = found["next_cursor"]

    def posted(self, page_id: str, marker: str) -> bool:
        return any(marker in text for text in self._texts(page_id))

    def post_once(self, page_id: str, mention: tuple[str, ...], text: str, marker: str) -> bool:
        """Post the comment unless one with `marker` is there already; True if it is there now."""
        if self.posted(page_id, marker):
            return True
        rich: list[dict[str, Any]] = []
        for user_id in mention:
            rich.append({"type": "mention", "mention": {"type": "user", "user": {"id": user_id}}})
            rich.append({"type": "text", "text": {"content": " "}})
        # Notion caps one rich-text item at 2,000 characters; the marker must survive the cut.
        rich.append({"type": "text", "text": {"content": f"{text[: 1990 - len(marker)]} {marker}"}})
        try:
            # Never retried blindly: a failed POST may have been applied.
            self.caller.call(
                lambda: self.client.comments.create(parent={"page_id": page_id}, rich_text=rich),
                idempotent=False,
                kind="write",
            )
        except Exception:
            if self.posted(page_id, marker):  # applied, answer lost
                return True
            raise
        return True
