"""Confluence Cloud: pages, versions and content properties through REST v2; CQL and adding labels through
v1, the only places where v2 has no equivalent. Uses atlassian-python-api's v2 client (`api_version=2`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

from atlassian import Confluence

from sync.confluence import v1
from sync.confluence.base import PROPERTY_KEY, ManagedPage, PageMeta, PageVersion, Property, Target, Titled
from sync.confluence.surface import V1, Found, Surface, space_not_found
from sync.errors import ApiFailure, ConfigError
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
        self._spaces: dict[str, Target] = {}
        self._spaces_lock = threading.Lock()

    def space(self, space_key: str) -> Target:
        with self._spaces_lock:  # a space's id never changes: asked once, a second caller waits for the answer
            if space_key not in self._spaces:
                spaces = self.read("api/v2/spaces", {"keys": space_key}).get("results", [])
                if not spaces:
                    raise ConfigError(*space_not_found(space_key))
                self._spaces[space_key] = Target(space_key, str(spaces[0]["id"]), "")
            return self._spaces[space_key]

    def _read_page(self, page_id: str) -> None:
        self.read(f"api/v2/pages/{page_id}")

    def titled(self, space_key: str, title: str, keys: tuple[str, ...] = ()) -> Titled | None:
        """Through CQL (v1, kept on Cloud for search), which takes the space key and expands properties. Its
        index lags writes: a page it does not find (made seconds ago, or none) is looked for again by title
        through v2, which needs the space's id, and its properties read apart."""
        content = v1.searched_by_title(self.client, self.caller, V1, space_key, title, keys)
        if content is not None:
            self._saw(content)
            return Titled(str(content["id"]), v1.expanded_properties(content))
        page_id = self.title_taken(self.space(space_key), title)
        if page_id is None:
            return None
        properties = self.get_properties(page_id) if keys else {}
        return Titled(page_id, {key: prop for key, prop in properties.items() if key in keys})

    def title_taken(self, target: Target, title: str) -> str | None:
        pages = self.read("api/v2/pages", {"space-id": target.space_id, "title": title}).get("results", [])
        if not pages:
            return None
        self._saw(pages[0])
        return str(pages[0]["id"])

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
        self.put_unread(f"api/v2/pages/{page_id}", payload)

    def _post_property(self, page_id: str, meta: PageMeta) -> str | None:
        data = {"key": PROPERTY_KEY, "value": meta.to_json()}
        prop = self.write(lambda: self.client.post(f"api/v2/pages/{page_id}/properties", data=data), idempotent=False)
        return str(prop["id"])

    def _put_property(self, page: ManagedPage, meta: PageMeta, number: int) -> None:
        # v2 addresses a property by its id (the library's by-key helpers put the key there, which v2 refuses).
        data = {"key": PROPERTY_KEY, "value": meta.to_json(), "version": {"number": number}}
        path = f"api/v2/pages/{page.id}/properties/{page.property_id}"
        self.write(lambda: self.client.put(path, data=data), idempotent=True)

    def _move_page(self, page_id: str, number: int, title: str, body: str, message: str, parent_id: str) -> None:
        payload = {
            "id": page_id,
            "status": "current",
            "title": title,
            "parentId": parent_id,
            "body": {"representation": "storage", "value": body},
            "version": {"number": number, "message": message},
        }
        self.put_unread(f"api/v2/pages/{page_id}", payload)

    def get_property(self, page_id: str, key: str) -> Property | None:
        found = self.read(f"api/v2/pages/{page_id}/properties", {"key": key}).get("results", [])
        if not found:
            return None
        prop = found[0]
        return Property(key, prop.get("value"), int(prop["version"]["number"]), str(prop["id"]))

    def get_properties(self, page_id: str) -> dict[str, Property]:
        out: dict[str, Property] = {}
        for prop in self._listing(f"api/v2/pages/{page_id}/properties", {"limit": 250}):
            key = str(prop["key"])
            out[key] = Property(key, prop.get("value"), int(prop["version"]["number"]), str(prop["id"]))
        return out

    def _listing(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every result of a v2 listing, following its `next` links."""
        at: str | None = path
        query: dict[str, Any] | None = params
        while at:
            found = self.read(at, query)
            yield from found.get("results", [])
            next_link = found.get("_links", {}).get("next")
            at, query = (next_link.removeprefix("/wiki").lstrip("/"), None) if next_link else (None, None)

    def _write_named_property(self, page_id: str, key: str, value: Any, current: Property | None) -> Property:
        if current is None:
            data: dict[str, Any] = {"key": key, "value": value}
            made = self.write(
                lambda: self.client.post(f"api/v2/pages/{page_id}/properties", data=data), idempotent=False
            )
            return Property(key, value, 1, str(made["id"]))
        number = current.version + 1
        data = {"key": key, "value": value, "version": {"number": number}}
        path = f"api/v2/pages/{page_id}/properties/{current.id}"
        self.write(lambda: self.client.put(path, data=data), idempotent=True)
        return replace(current, value=value, version=number)

    def get_body(self, page_id: str) -> tuple[str, int, str]:
        page = self.read(f"api/v2/pages/{page_id}", {"body-format": "storage"})
        return page["title"], int(page["version"]["number"]), page["body"]["storage"]["value"]

    def children(self, page_id: str) -> list[str]:
        return [str(child["id"]) for child in self._listing(f"api/v2/pages/{page_id}/children", {"limit": 250})]

    def history(self, page_id: str) -> list[PageVersion]:
        out: list[PageVersion] = []
        params = {"limit": 250, "sort": "modified-date"}
        for item in self._listing(f"api/v2/pages/{page_id}/versions", params):
            when, message = item.get("createdAt", ""), item.get("message", "")
            out.append(PageVersion(int(item["number"]), when, message, item.get("authorId", "")))
        return sorted(out, key=lambda v: v.number)

    def archive_native(self, page: ManagedPage, meta: PageMeta) -> ManagedPage:
        """Confluence's own archive (v1, Cloud): record it on the page first (an archived page may refuse
        writes), then start the long task and follow it to the end."""
        property_id, property_version = self._write_property(page, meta)
        body = {"pages": [{"id": int(page.id)}]}
        # Not repeated on a 5xx: a second archive of a page already archiving is refused, not doubled.
        task = self.write(lambda: self.client.post(f"{V1}/content/archive", data=body), idempotent=False)
        task_id = str(task["id"])
        for _ in range(60):
            status = self.read(f"{V1}/longtask/{task_id}")
            if status.get("finished"):
                if not status.get("successful"):
                    raise ApiFailure(f"archiving page {page.id} failed in Confluence", "look at the page, run again")
                return replace(page, meta=meta, property_id=property_id, property_version=property_version)
            self.caller.sleep(1)
        raise ApiFailure(f"archiving page {page.id} did not finish", "run again; the next run checks it")
