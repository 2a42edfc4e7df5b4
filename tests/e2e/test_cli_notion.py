"""`mapping check`, `validate` and `notion bootstrap` as a support-ops lead runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from sync.cli import cli
from sync.sandbox.runtime import NOTION_TOKEN, Sandbox
from tests.conftest import ROOT

CONFIG = str(ROOT / "scheduler.yaml")


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("NOTION_TOKEN", "NOTION_BASE_URL", "CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


def notion_env(sandbox: Sandbox) -> dict[str, str]:
    return {"NOTION_TOKEN": NOTION_TOKEN, "NOTION_BASE_URL": sandbox.coordinates()["notion"]["base_url"]}


def config_for(tmp_path: Path, data_source_id: str, mapping: str) -> str:
    job = {
        "name": "support-dach",
        "mapping": str(ROOT / "mappings" / mapping),
        "notion": {"data_source_id": data_source_id},
        "confluence": {"space_key": "SUP"},
    }
    path = tmp_path / "scheduler.yaml"
    path.write_text(yaml.safe_dump({"jobs": [job]}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", [["mapping", "check"], ["validate"], ["notion", "bootstrap"]], ids=" ".join)
def test_help_teaches_with_an_example(runner, command) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


@pytest.mark.parametrize("job", ["demo", "demo-de"])
def test_mapping_check_passes_for_both_shipped_mappings(runner, job: str) -> None:
    result = runner.invoke(cli, ["mapping", "check", "--config", CONFIG, "--job", job])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("fits. Every property and option is there.\n")


def test_mapping_check_names_each_misfit_and_its_fix(runner, make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox()
    source = sandbox.info["data_source_id"]
    sandbox.notion.state.update_data_source(
        source, {"Legal review": {"status": {}}, "Goal": {"name": "Goals"}, "Ops review": None}
    )
    config = config_for(tmp_path, source, "default.yaml")
    result = runner.invoke(
        cli, ["mapping", "check", "--config", config, "--job", "support-dach"], env=notion_env(sandbox)
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  - 'Goal' is missing; the database has a rich_text property 'Goals'",
        "    fix: if it was renamed, change `property` to 'Goals' (or rename it back in Notion)",
        "  - 'Legal review' is a status property, the mapping expects select",
        "    fix: change `type` to status",
        "  - 'Ops review' (required, select) is missing from the database",
        "    fix: add a select property 'Ops review' in Notion, or point `property` at an existing one",
    ]
    assert NOTION_TOKEN not in result.output


def test_bootstrap_creates_a_database_the_mapping_fits(runner, make_sandbox, tmp_path) -> None:
    sandbox = make_sandbox(seed="empty")
    env = notion_env(sandbox)
    root = sandbox.notion.state.root_page_id
    team_de = str(ROOT / "mappings" / "team-de.yaml")
    made = runner.invoke(
        cli, ["notion", "bootstrap", "--parent", root, "--mapping", team_de, "--with-examples"], env=env
    )
    assert made.exit_code == 0, made.output
    assert "Created 'Support scenario walkthroughs' with 21 columns for mapping 'team-de'." in made.output
    assert made.output.count("example entry: https://www.notion.so/") == 2
    source = re.search(r"data_source_id: (\S+)", made.output)
    assert source is not None
    config = config_for(tmp_path, source.group(1), "team-de.yaml")
    checked = runner.invoke(cli, ["mapping", "check", "--config", config, "--job", "support-dach"], env=env)
    assert checked.exit_code == 0, checked.output

    validated = runner.invoke(cli, ["validate", "--config", config, "--job", "support-dach", "--json"], env=env)
    report = json.loads(validated.output)
    assert (validated.exit_code, report["entries"], report["invalid"]) == (1, 2, 2)
    for entry in report["results"]:  # the examples only need someone to own them
        assert entry["problems"] == [{"property": "Verantwortlich", "found": "it is empty", "expected": "set a person"}]


def test_bootstrap_needs_the_notion_token(runner) -> None:
    result = runner.invoke(
        cli, ["notion", "bootstrap", "--parent", "x", "--mapping", str(ROOT / "mappings" / "default.yaml")]
    )
    assert result.exit_code == 2
    assert "Error: missing environment variable: NOTION_TOKEN" in result.output


def test_validate_lists_every_problem_without_touching_confluence(runner) -> None:
    result = runner.invoke(cli, ["validate", "--config", CONFIG, "--job", "demo-de"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Job demo-de: 5 entries, 1 with problems"
    assert lines[2] == "Customer asks for account access or data the agent may not share"
    assert lines[3].startswith("  https://www.notion.so/Customer-asks-for-account-access")
    assert lines[4:] == [
        "  - body: section 'Eskalationsregel': it is empty",
        "    expected: write the escalation rule step under the heading",
    ]
    as_json = json.loads(runner.invoke(cli, ["validate", "--config", CONFIG, "--job", "demo", "--json"]).output)
    assert as_json["invalid"] == 1 and len(as_json["results"]) == 5
    broken = [r for r in as_json["results"] if not r["valid"]]
    assert broken[0]["problems"] == [
        {"property": "4 Escalation rule", "found": "it is empty", "expected": "set some text"}
    ]
