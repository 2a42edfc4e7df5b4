"""The Confluence adapter against both surfaces: one paginated listing finds every managed page."""

from __future__ import annotations

import logging

import pytest

from sync.confluence import connect
from sync.confluence.base import MANAGED_LABEL, PROPERTY_KEY, PageMeta
from sync.retry import ApiCaller
from tests.conftest import no_sleep


def empty_surface(make_sandbox, surface: str):
    """An empty sandbox on one of the three surfaces, and the adapter the sync would use on it."""
    options = (
        {"flavor": "cloud", "cloud_v1_content": "removed"} if surface == "cloud-v1-removed" else {"flavor": surface}
    )
    sandbox = make_sandbox(seed="empty", **options)
    return sandbox, connect(sandbox.credentials(), ApiCaller("confluence", sleep=no_sleep))


@pytest.mark.parametrize("flavor", ["cloud", "datacenter"])
def test_find_managed_pages_pages_through_the_listing(make_sandbox, flavor) -> None:
    sandbox = make_sandbox(flavor=flavor, seed="empty")
    state = sandbox.confluence.state
    parent = sandbox.info["parent_page_id"]
    for n in range(260):
        page = state.create_page("SUP", f"Scenario {n:03}", "<p>x</p>", parent_id=parent)
        state.add_labels(page.id, [MANAGED_LABEL])
        state.create_property(page.id, PROPERTY_KEY, PageMeta(f"entry-{n}", "f", 1, 1).to_json())
    unmanaged = state.create_page("SUP", "Written by hand", "<p>x</p>", parent_id=parent)
    elsewhere = state.create_page("SUP", "Managed elsewhere", "<p>x</p>")
    state.add_labels(elsewhere.id, [MANAGED_LABEL])

    caller = ApiCaller("confluence", sleep=no_sleep)
    adapter = connect(sandbox.credentials(), caller)
    target = adapter.resolve_target("SUP", parent, None)
    sandbox.confluence.traffic.clear()
    found = adapter.find_managed(target)

    assert len(found) == 260
    assert {p.meta.notion_page_id for p in found if p.meta} == {f"entry-{n}" for n in range(260)}
    assert unmanaged.id not in {p.id for p in found} and elsewhere.id not in {p.id for p in found}
    # As many a page as the site answers (Cloud 250, Data Center 200): one listing in two, no GET per page.
    assert len(sandbox.confluence.traffic.requests()) == 2


@pytest.mark.parametrize("surface", ["cloud", "datacenter", "cloud-v1-removed"])
def test_the_sync_rewrites_its_own_page_on_the_version_its_lookup_saw(make_sandbox, surface) -> None:
    # No read of the page before the write; a person's edit since the lookup is written over, once.
    sandbox, adapter = empty_surface(make_sandbox, surface)
    state = sandbox.confluence.state
    target = adapter.resolve_target("SUP", sandbox.info["parent_page_id"], None)
    page_id = adapter.ensure_page(target, "Scenario index (t)", "<p>v1</p>", "index")

    assert adapter.title_taken(target, "Scenario index (t)") == page_id
    sandbox.confluence.traffic.clear()
    adapter.update_body(page_id, "Scenario index (t)", "<p>v2</p>", "scenario-sync: index updated")
    assert [r.method for r in sandbox.confluence.traffic.requests()] == ["PUT"]
    adapter.update_body(page_id, "Scenario index (t)", "<p>v3</p>", "scenario-sync: index updated")  # on its own write
    assert [r.method for r in sandbox.confluence.traffic.requests()] == ["PUT", "PUT"]
    assert (state.page(page_id).version, state.page(page_id).body) == (3, "<p>v3</p>")

    dana = state.add_user("Dana Editor", "dana@example.com", "dana")
    state.human_edit(page_id, dana, body="<p>Dana's note.</p>")
    adapter.update_body(page_id, "Scenario index (t)", "<p>v5</p>", "scenario-sync: index updated")
    assert (state.page(page_id).version, state.page(page_id).body) == (5, "<p>v5</p>")
    assert [r.status for r in sandbox.confluence.traffic.requests(method="PUT")][-2:] == [409, 200]


@pytest.mark.parametrize("surface", ["cloud", "datacenter", "cloud-v1-removed"])
def test_a_page_by_title_comes_with_its_properties_in_one_request(make_sandbox, surface) -> None:
    sandbox, adapter = empty_surface(make_sandbox, surface)
    state = sandbox.confluence.state
    page = state.create_page("SUP", 'Index "(t)" <b>', "<p>x</p>", parent_id=sandbox.info["parent_page_id"])
    state.create_property(page.id, "wanted", {"n": 1})
    state.update_property(page.id, "wanted", {"n": 2}, 2)
    state.create_property(page.id, "other", {"n": 3})
    sandbox.confluence.traffic.clear()

    found = adapter.titled("SUP", 'Index "(t)" <b>', ("wanted", "absent"))
    assert found is not None and found.page_id == page.id
    assert set(found.properties) == {"wanted"}
    wanted = found.properties["wanted"]
    assert (wanted.value, wanted.version) == ({"n": 2}, 2)
    assert len(sandbox.confluence.traffic.requests()) == 1
    # The id is the one v2 and v1 writes address the property by: a write on the version read goes through.
    adapter.set_property(page.id, "wanted", {"n": 4}, wanted)
    assert state.get_property(page.id, "wanted").value == {"n": 4}

    if surface != "datacenter":  # CQL compares titles without case; Cloud's lookup by title does not
        assert adapter.titled("SUP", 'index "(t)" <b>') is None
    assert adapter.titled("SUP", "No such page") is None


def test_a_page_the_search_index_has_not_seen_yet_is_found_by_its_title(make_sandbox) -> None:
    # Cloud's search index lags writes: a page made seconds ago is looked for again by title (v2), once.
    sandbox = make_sandbox(flavor="cloud", seed="empty")
    sandbox.confluence.index_lag_s = 30.0
    state = sandbox.confluence.state
    page = state.create_page("SUP", "Made just now", "<p>x</p>", parent_id=sandbox.info["parent_page_id"])
    state.create_property(page.id, "wanted", {"n": 1})
    adapter = connect(sandbox.credentials(), ApiCaller("confluence", sleep=no_sleep))
    sandbox.confluence.traffic.clear()

    found = adapter.titled("SUP", "Made just now", ("wanted",))
    assert found is not None and found.page_id == page.id and found.properties["wanted"].value == {"n": 1}
    paths = [r.path for r in sandbox.confluence.traffic.requests()]
    assert paths[0].endswith("/content/search") and sum(p.endswith("/spaces") for p in paths) == 1
    assert adapter.titled("SUP", "Made just now") is not None  # the space's id is asked once
    assert sum(r.path.endswith("/spaces") for r in sandbox.confluence.traffic.requests()) == 1


@pytest.mark.parametrize("surface", ["cloud", "datacenter"])
def test_the_librarys_curl_line_is_made_only_when_its_logger_shows_it(make_sandbox, surface, caplog, monkeypatch):
    # The library quotes each request's whole payload into a curl command line for a DEBUG call, whatever the
    # level: for the index page, megabytes copied twice for nothing.
    from atlassian import rest_client

    quoted: list[int] = []
    real_quote = rest_client._curl_quote
    monkeypatch.setattr(rest_client, "_curl_quote", lambda text: quoted.append(len(text)) or real_quote(text))
    sandbox, adapter = empty_surface(make_sandbox, surface)
    target = adapter.resolve_target("SUP", sandbox.info["parent_page_id"], None)
    page_id = adapter.ensure_page(target, "Scenario index (t)", "<p>v1</p>", "index")
    text = "<p>" + "Acknowledge the urgency. " * 4000 + "</p>"

    caplog.set_level(logging.INFO, logger="atlassian.rest_client")
    adapter.update_body(page_id, "Scenario index (t)", text, "scenario-sync: index updated")
    assert quoted == [] and not [r for r in caplog.records if r.getMessage().startswith("curl")]
    assert sandbox.confluence.state.page(page_id).body == text

    caplog.set_level(logging.DEBUG, logger="atlassian.rest_client")
    adapter.update_body(page_id, "Scenario index (t)", text + "<p>2</p>", "scenario-sync: index updated")
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("curl") and "PUT" in r.getMessage()]
    assert max(quoted) > len(text) and "Acknowledge the urgency." in line
