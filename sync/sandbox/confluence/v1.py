"""REST v1 routes (`/rest/api/...`): all of Data Center's surface, and on Cloud what v2 has no equivalent of."""

from __future__ import annotations

from werkzeug.routing import Rule


class V1Routes:
    def v1_rules(self, prefix: str) -> list[Rule]:
        return []
