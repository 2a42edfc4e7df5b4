"""Each page the demo publishes, opened through the sandbox's page view in headless Chromium: every section
is visible, expands start collapsed and open on click, attachments load through the browser session, and no
text of the storage body is lost. Skipped, with the reason, where Debian's chromium is not installed."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import httpx
import pytest

from sync.confluence.base import MANAGED_LABEL
from sync.sandbox.runtime import Sandbox
from tests.conftest import ROOT
from tests.support.browser import Browser, chromium_path
from tests.support.showcase import ATTACHMENTS, SHOWCASE
from tests.support.storage_text import missing_texts

needs_chromium = pytest.mark.skipif(
    chromium_path() is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)

# Every block a reader scans for; each one present must take up room on the page.
SECTIONS = (
    "h1, h2, h3, .page-properties, .panel, details.expand > summary, .code-block, table, .status-lozenge, img, "
    "video, .attachments-macro, .page-properties-report, .macro-placeholder, .task-list, .labels"
)
LAYOUT = """(() => [...document.querySelectorAll(%r)]
  .filter(e => e.tagName === 'SUMMARY' || !e.closest('details:not([open])'))
  .map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
              return {what: e.tagName + '.' + e.className, w: r.width, h: r.height,
                      shown: s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0'}; }))()"""


@pytest.fixture(params=["cloud", "datacenter"])
def published(request, make_sandbox, run_demo) -> Sandbox:
    """The demo after one run, plus a page that uses every element the view knows, with its attachments."""
    sandbox = make_sandbox(flavor=request.param)
    report, _ = run_demo(sandbox)
    assert report.count("published") == 2
    state = sandbox.confluence.state
    showcase = SHOWCASE.replace(">walkthrough<", f">{MANAGED_LABEL}<")  # the report lists the published pages
    page = state.create_page("SUP", "Every element the view renders", showcase, sandbox.info["parent_page_id"])
    for name, (kind, data) in ATTACHMENTS.items():
        state.add_attachment(page.id, name, data, kind)
    return sandbox


def view_url(sandbox: Sandbox, page_id: str) -> str:
    return f"{sandbox.confluence_base_url}/pages/viewpage.action?pageId={page_id}"


@needs_chromium
def test_every_page_shows_every_section_and_loses_no_text(published: Sandbox, tmp_path) -> None:
    state = published.confluence.state
    pages = [p for p in state.visible_pages() if p.space_key == "SUP"]
    assert len(pages) == 7  # home, parent, handover, two entries, the job's index page, the showcase
    with Browser() as browser:
        for page in pages:
            browser.open(view_url(published, page.id))
            assert browser.evaluate("document.getElementById('title-text').innerText") == page.title

            layout = browser.evaluate(LAYOUT % SECTIONS)
            hidden = [box["what"] for box in layout if not (box["shown"] and box["w"] > 0 and box["h"] > 0)]
            assert hidden == [], f"{page.title}: sections without room on the page: {hidden}"

            expands = browser.evaluate("document.querySelectorAll('details.expand').length")
            closed = browser.evaluate("[...document.querySelectorAll('details.expand')].every(d => !d.open)")
            assert closed, f"{page.title}: an expand starts open"
            if expands:
                before = browser.evaluate("document.body.innerText")
                browser.evaluate("document.querySelectorAll('details.expand > summary').forEach(s => s.click())")
                assert browser.evaluate("[...document.querySelectorAll('details.expand')].every(d => d.open)")
                after = browser.evaluate("document.body.innerText")
                assert missing_texts(page.body, before), f"{page.title}: collapsed content shows before a click"
            else:
                after = browser.evaluate("document.body.innerText")
            assert missing_texts(page.body, after) == [], f"{page.title}: text lost in the view"

            images = browser.evaluate("[...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
            assert all(width > 0 for _, width in images), f"{page.title}: images that did not load: {images}"
            placeholders = browser.evaluate(
                "[...document.querySelectorAll('.macro-placeholder-label')].map(e => e.innerText)"
            )
            if page.title.startswith("Every element"):
                assert placeholders == ["Unknown macro: jira"]
                assert len(images) == 1 and browser.evaluate("document.querySelectorAll('video').length") == 1
                report = browser.evaluate("document.querySelector('.page-properties-report').innerText")
                assert "Customer says a critical integration is down right now" in report
            else:
                assert placeholders == [], f"{page.title}: the sync wrote a macro the view does not know"

        entry = next(p for p in pages if MANAGED_LABEL in {label.name for label in p.labels})
        browser.open(view_url(published, entry.id))
        shot = browser.screenshot()
    assert shot.startswith(b"\x89PNG") and len(shot) > 20_000  # a rendered page, not a blank one
    (tmp_path / "entry-page.png").write_bytes(shot)


def test_demo_serve_keeps_the_sandbox_up_with_working_links_until_sigterm(tmp_path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sync", "demo", "--serve", "--config", str(ROOT / "scheduler.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        lines: list[str] = []
        while not lines or "Ctrl-C stops it" not in lines[-1]:
            line = process.stdout.readline()
            assert line, f"demo ended early: {''.join(lines)} {process.stderr.read()}"
            lines.append(line)
        links = re.findall(r"http://127\.0\.0\.1:\d+\S*viewpage\.action\?pageId=\d+", "".join(lines))
        assert len(links) == 2
        for link in links:
            page = httpx.get(link, timeout=10)
            assert page.status_code == 200 and 'id="title-text"' in page.text
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
