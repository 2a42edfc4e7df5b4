"""Against a real Notion workspace and Confluence site: run the demo job's mapping twice on a data source
you prepared, record both runs (credentials filtered), and compare the answers' shapes (status codes and
key paths per endpoint) with the emulators' golden cassette. A difference is emulator drift to fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync.config import ConfluenceTarget, Credentials, load_schedule
from sync.redact import secrets
from tests.support.cassettes import ROOT, cassette_path, compare_shapes, make_vcr, shapes

pytestmark = pytest.mark.live


@pytest.fixture
def live_dir(tmp_path_factory) -> Path:
    where = os.environ.get("LIVE_CASSETTES_DIR")
    return Path(where) if where else tmp_path_factory.mktemp("live-cassettes")


def test_the_emulators_answer_like_the_real_apis(live_dir: Path) -> None:
    from sync.session import run_once

    credentials = Credentials()  # the real ones, checked (and registered for redaction) as they load
    flavor = credentials.confluence_flavor
    job = load_schedule(ROOT / "scheduler.yaml").job("demo")
    job = job.model_copy(
        update={
            "sandbox": None,
            "confluence": ConfluenceTarget(
                space_key=os.environ["LIVE_CONFLUENCE_SPACE_KEY"],
                parent_page_id=os.environ["LIVE_CONFLUENCE_PARENT_ID"],
            ),
        }
    )
    recorded = live_dir / f"live-{flavor}.yaml"
    recorded.unlink(missing_ok=True)
    with make_vcr().use_cassette(str(recorded), record_mode="all"):
        reports = [run_once(job, credentials, os.environ["LIVE_NOTION_DATA_SOURCE_ID"])[0] for _ in range(2)]
    assert reports[1].confluence.writes == 0, "a second run with nothing changed must write nothing"

    text = recorded.read_text(encoding="utf-8")
    assert "authorization" not in text.lower()
    assert not [s for s in secrets() if s in text], "a credential reached the live cassette"

    differences = compare_shapes(shapes(cassette_path(flavor)), shapes(recorded))
    assert not differences, "the emulators drifted from the real APIs:\n" + "\n".join(differences)
