"""The clip-plan manifest: valid against the schema in the repository, and byte-identical for an unchanged entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from sync.generate import manifest
from sync.generate.generator import default_generator
from tests.conftest import ROOT
from tests.core.generate_fixtures import STEPS, entry

SCHEMA = json.loads((ROOT / "schemas" / "clip-plan.schema.json").read_text())


def test_the_schema_has_an_id_and_a_version_and_the_package_reads_the_same_file() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == manifest.SCHEMA_ID and SCHEMA["version"] == "1.0.0"
    assert manifest.schema() == SCHEMA


def test_the_manifest_validates_and_carries_one_clip_per_step() -> None:
    generated = default_generator().generate(entry())
    data = json.loads(generated.manifest)
    assert list(Draft202012Validator(SCHEMA).iter_errors(data)) == []
    assert data["schema_version"] == 1 and data["entry"]["version"] == 2
    assert [c["id"] for c in data["clips"]] == [f"{entry().page_id}-v2-c{n}" for n in range(1, 6)]
    assert (
        data["clips"][0]["message"] == "I understand this is blocking your team right now. Let me pull up your account."
    )
    assert data["clips"][0]["overlays"] == [
        "1 · Acknowledge the urgency",
        "I understand this is blocking your team right now.",
    ]
    assert data["clips"][3]["message"] == "" and "Integration-P1" in data["clips"][3]["narration"]
    assert data["total_s"] == sum(c["duration_s"] for c in data["clips"])
    veo = data["clips"][0]["targets"]["veo-3.1"]
    assert veo["cuts_s"] == [8] and veo["rendered_s"] == 15 and veo["trimmed_s"] == 0
    attachment = generated.attachment()
    assert (attachment.name, attachment.media_type, attachment.data) == (
        "clip-plan.json",
        "application/json",
        generated.manifest,
    )


def test_an_unchanged_entry_gives_a_byte_identical_manifest() -> None:
    first = default_generator().generate(entry()).manifest
    # Notion's last-edited time moves whenever the sync writes its status back: not part of the manifest.
    again = default_generator().generate(entry(edited=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))).manifest
    assert first == again
    assert first.endswith(b"}\n") and b"2026-11" not in first
    changed = default_generator().generate(entry(steps=(*STEPS[:4], '"You are in the queue now."'))).manifest
    assert changed != first
    assert default_generator().generate(entry(version=3)).manifest != first


def test_an_invalid_manifest_is_refused_before_anyone_uploads_it() -> None:
    data = json.loads(default_generator().generate(entry()).manifest)
    data["clips"][0]["duration_s"] = "15"
    with pytest.raises(manifest.ManifestError, match=r"invalid at clips/0/duration_s: '15' is not of type 'integer'"):
        manifest.encode(data)


def test_an_entry_whose_plan_has_problems_has_no_manifest() -> None:
    generated = default_generator().generate(entry(steps=(*STEPS[:3], " ".join(["escalate"] * 70), STEPS[4])))
    assert generated.manifest is None and generated.attachment() is None
    assert generated.problems[0].found.startswith("step 4 (Escalation rule)")
    assert generated.prompt.startswith("Goal:")  # the prompt is still there to preview


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=5, max_size=5), st.text(min_size=1, max_size=200))
def test_any_entry_gives_a_valid_manifest_or_problems_and_no_manifest(steps, phrase) -> None:
    generated = default_generator().generate(entry(steps=tuple(steps), quick={"de_escalation_phrase": phrase}))
    if generated.problems:
        assert generated.manifest is None
        return
    data = json.loads(generated.manifest)
    assert list(Draft202012Validator(SCHEMA).iter_errors(data)) == []
    assert [c["message"] for c in data["clips"]] == [c.step.message for c in generated.plan.clips]


def test_released_output_is_made_again_the_same_when_asked_for() -> None:
    generated = default_generator().generate(entry())
    prompt, clips, made = generated.prompt, generated.clips, generated.manifest
    assert generated.plan.clips
    generated.release()
    assert "rendered" not in vars(generated) and "manifest" not in vars(generated)
    assert generated.plan.clips == [] and generated.plan.problems == []  # a run holding thousands keeps none
    assert (generated.prompt, generated.clips, generated.manifest) == (prompt, clips, made)


def test_forgotten_output_keeps_the_findings_and_holds_nothing_of_the_entry() -> None:
    promise = '"I promise this will be fixed today, guaranteed."'
    generated = default_generator().generate(entry(steps=(*STEPS[:4], promise)))
    assert generated.findings  # the lint has something to say of it
    forgotten = generated.forget()
    assert forgotten.findings == generated.findings and forgotten.plan.problems == generated.plan.problems
    assert [f.blocking for f in forgotten.findings] == [f.blocking for f in generated.findings]
    assert forgotten.plan.clips == []
    with pytest.raises(RuntimeError, match="let go"):
        forgotten.prompt  # noqa: B018
    assert generated.prompt  # the original still makes its output


def test_an_outline_keeps_who_owns_an_entry_and_what_the_run_reports_but_no_texts_or_reviews() -> None:
    item = entry()
    outline = item.outline()
    kept = ("page_id", "url", "title", "keywords", "owner", "version", "last_revalidated", "lifecycle")
    assert {name: getattr(outline, name) for name in kept} == {name: getattr(item, name) for name in kept}
    for gone in ("goal", "outcome", "audience", "tone", "visual_style", "steps", "quick_reference", "guidance"):
        assert not hasattr(outline, gone)
    assert not hasattr(outline, "reviews") and not hasattr(outline, "__dict__")  # its fields in slots
    assert item.goal and item.steps.acknowledge  # the entry itself is untouched
