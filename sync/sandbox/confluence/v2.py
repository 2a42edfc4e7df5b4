"""REST v2 routes (`/wiki/api/v2/...`): Cloud's pages, spaces, versions, labels (read) and content properties."""

from __future__ import annotations

from werkzeug.routing import Rule


class V2Routes:
    def v2_rules(self, prefix: str) -> list[Rule]:
        return []
