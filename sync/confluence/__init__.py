"""The Confluence adapter: one interface (`base.ConfluenceAdapter`), a Cloud and a Data Center surface."""

from __future__ import annotations

from sync.config import Credentials
from sync.confluence.base import ConfluenceAdapter
from sync.confluence.cloud import CloudConfluence
from sync.confluence.datacenter import DataCenterConfluence
from sync.retry import ApiCaller


def connect(credentials: Credentials, caller: ApiCaller, timeout_s: float = 30) -> ConfluenceAdapter:
    """The adapter for the configured flavour."""
    token = credentials.confluence_token.get_secret_value() if credentials.confluence_token else ""
    url = credentials.confluence_url or ""
    if credentials.confluence_flavor == "cloud":
        return CloudConfluence(url, credentials.confluence_user or "", token, caller, timeout_s)
    return DataCenterConfluence(url, token, caller, timeout_s)
