"""Take the README's screenshot: run the demo job once in a fresh sandbox, open a published entry page in
headless Chromium and save it as a PNG. `python -m tests.support.screenshot docs/img/entry-page.png`"""

from __future__ import annotations

import sys
from pathlib import Path

from sync.config import load_schedule
from sync.sandbox.runtime import Sandbox, SandboxOptions
from sync.session import run_once
from tests.support.browser import Browser

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Customer says a critical integration is down right now"


def main(out: Path, title: str = TITLE) -> None:
    job = load_schedule(ROOT / "scheduler.yaml").job("demo")
    with Sandbox(SandboxOptions(rate_limit=False)) as sandbox:
        report, _ = run_once(job, sandbox.credentials(), sandbox.info["data_source_id"])
        url = next(e.confluence_url for e in report.entries if e.title == title and e.confluence_url)
        with Browser(width=1000) as browser:
            browser.open(url)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(browser.screenshot())
    print(f"{out}: {url}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "entry-page.png")
