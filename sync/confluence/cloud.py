"""Confluence Cloud: pages, versions and content properties through REST v2; CQL and adding labels through
v1, the only places where v2 has no equivalent. Uses atlassian-python-api's v2 client (`api_version=2`)."""

from __future__ import annotations

from typing import Any, cast

from atlassian import Confluence

from sync.confluence.base import PROPERTY_KEY, ManagedPage, PageMeta, Target
from sync.confluence.surface import V1, Found, Surface
from sync.errors import ConfigError
from sync.retry import ApiCaller


class CloudConfluence(Surface):
    flavor = "cloud"

    def __init__(self, url: str, user: str, token: str, caller: ApiCaller, timeout: float = 30) -> None:
        # retry_with_header=False: the library would sleep out a 429 itself; ApiCaller does it, with a clock.
        client = Confluence(
            url=url.rstrip("/"),
            username=user,
            password=token,
            api_version=2,
            timeout=max(1, int(timeout)),
            retry_with_header=False,
        )
        super().__init__(client, url, caller, timeout)
        self._names: dict[str, str] = {}

    def resolve_target(self, space_key: str, parent_id: str | None, parent_title: str | None) -> Target:
        spaces = self.read("api/v2/spaces", {"keys": space_key}).get("results", [])
        if not spaces:
            raise ConfigError(f"Confluence space {space_key} not found", "check confluence.space_key and access")
        space_id = str(spaces[0]["id"])
        if parent_id is None:
            pages = self.read("api/v2/pages", {"space-id": space_id, "title": parent_title}).get("results", [])
            if not pages:
                raise ConfigError(
                    f"no page titled '{parent_title}' in space {space_key}", "create it or set parent_page_id"
                )
            parent_id = str(pages[0]["id"])
        else:
            self.read(f"api/v2/pages/{parent_id}")
        return Target(space_key, space_id, parent_id)

    def title_taken(self, target: Target, title: str) -> str | None:
        pages = self.read("api/v2/pages", {"space-id": target.space_id, "title": title}).get("results", [])
        return str(pages[0]["id"]) if pages else None

    def find_by_title(self, target: Target, title: str) -> Found | None:
        page_id = self.title_taken(target, title)
        return None if page_id is None else self._found(page_id)

    def get_managed(self, page_id: str) -> ManagedPage:
        return self._found(page_id).page

    def _found(self, page_id: str) -> Found:
        params = {"body-format": "storage", "include-labels": "true", "include-properties": "true"}
        page = self.read(f"api/v2/pages/{page_id}", params)
        version = page.get("version") or {}
        props = [p for p in (page.get("properties") or {}).get("results", []) if p.get("key") == PROPERTY_KEY]
        prop = props[0] if props else {}
        managed = ManagedPage(
            id=str(page["id"]),
            title=page["title"],
            version=int(version.get("number", 0)),
            last_editor=self._display_name(str(version.get("authorId") or "")),
            labels=frozenset(label["name"] for label in (page.get("labels") or {}).get("results", [])),
            meta=PageMeta.from_json(prop.get("value")) if prop else None,
            property_id=str(prop["id"]) if prop.get("id") else None,
            property_version=(prop.get("version") or {}).get("number") if prop else None,
            last_editor_id=str(version.get("authorId") or ""),
            edited_at=str(version.get("createdAt") or ""),
        )
        body = ((page.get("body") or {}).get("storage") or {}).get("value") or ""
        return Found(managed, str(page.get("authorId") or ""), body)

    def _display_name(self, account_id: str) -> str:
        """v2 names people by account id only; a report names them as people know them."""
        if not account_id:
            return "someone"
        if account_id not in self._names:
            try:
                self._names[account_id] = self.read(f"{V1}/user", {"accountId": account_id})["displayName"]
            except Exception:  # a name is a courtesy: the account id will do
                return account_id
        return self._names[account_id]

    def _post_page(
        self, target: Target, title: str, body: str, labels: list[str], meta: PageMeta | None, message: str
    ) -> dict[str, Any]:
        return self.write(
            lambda: cast(Any, self.client).create_page(  # the v2 client's method, not on the base class
                space_id=target.space_id, title=title, body=body, parent_id=target.parent_id
            ),
            idempotent=False,
        )

    def _put_page(self, page_id: str, number: int, title: str, body: str, message: str) -> None:
        # Not the library's update_page: it omits `status` (v2 requires it) and fixes the version message.
        payload = {
            "id": page_id,
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
            "version": {"number": number, "message": message},
        }
        self.write(lambda: self.client.put(f"api/v2/pages/{page_id}", data=payload), idempotent=True)

    def _post_property(self, page_id: str, meta: PageMeta) -> str | None:
        data = {"key": PROPERTY_KEY, "value": meta.to_json()}
        prop = self.write(lambda: self.client.post(f"api/v2/pages/{page_id}/properties", data=data), idempotent=False)
        return str(prop["id"])

    def _put_property(self, page: ManagedPage, meta: PageMeta, number: int) -> None:
        # v2 addresses a property by its id (the library's by-key helpers put the key there, which v2 refuses).
        data = {"key": PROPERTY_KEY, "value": meta.to_json(), "version": {"number": number}}
        path = f"api/v2/pages/{page.id}/properties/{page.property_id}"
        self.write(lambda: self.client.put(path, data=data), idempotent=True)
