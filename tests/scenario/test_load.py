import json
import tomllib

import pytest
import yaml

from evlaunch.errors import UserError
from evlaunch.scenario.load import load_scenario, parse_scenario
from evlaunch.scenario.months import add_months, months_between, parse_month


def test_bundled_scenario_loads_with_its_sourced_figures():
    scenario, text = load_scenario()
    assert scenario.start == "2021-09"
    assert scenario.target.deliveries == 900_000 and scenario.target.window_months == 36
    assert {o.name for o in scenario.options} >= {"FAW Group", "Great Wall Motor"}
    assert "company_facts" in text  # figures carry their sources


def test_yaml_toml_and_json_give_the_same_scenario(tmp_path, scenario_dict):
    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps(scenario_dict))
    as_yaml = tmp_path / "s.yaml"
    as_yaml.write_text(yaml.safe_dump(scenario_dict))
    assert load_scenario(as_json)[0] == load_scenario(as_yaml)[0] == load_scenario()[0]


def test_toml_scenario(tmp_path):
    text = (
        'name = "t"\nstart = "2021-09"\nhorizon_months = 60\nplan = {options = ["A"]}\n'
        'company = {name = "c", headcount = 10, cost_per_head_per_year_cny = 1e5, '
        "other_fixed_cost_per_year_cny = 0}\n"
        "target = {deliveries = 1000, window_months = 12}\n"
        'market = {launch = "2022-09", addressable_market_vehicles = 1e5, bass_p_per_year = 0.03, '
        "bass_q_per_year = 0.38, price_cny = 1e5, reference_price_cny = 1e5, "
        "price_elasticity = -1, backlog_cancel_rate_per_month = 0.05}\n"
        "finance = {unit_cost_cny = 9e4, learning_rate = 0.9, learning_reference_units = 1000, "
        "discount_rate_per_year = 0.1}\n"
        '[[options]]\nname = "A"\nkind = "partner"\ncapacity_per_year = 10000\n'
        'share_available = 1\nstart = "2021-10"\nlead_time_months = 6\nramp_months = 6\n'
    )
    tomllib.loads(text)
    path = tmp_path / "s.toml"
    path.write_text(text)
    scenario, _ = load_scenario(path)
    assert scenario.options[0].capacity_per_year == 10000


def test_months():
    assert parse_month("2021-09") == "2021-09"
    assert parse_month("2021-09-15") == "2021-09"
    assert months_between("2021-09", "2024-03") == 30
    assert add_months("2021-09", 30) == "2024-03"
    assert add_months("2021-12", 1) == "2022-01"
    with pytest.raises(ValueError):
        parse_month("2021-13")


def test_every_problem_is_reported_at_once(scenario_dict):
    scenario_dict["market"]["price_cny"] = -1
    scenario_dict["options"][0]["share_available"] = 2
    with pytest.raises(UserError) as info:
        parse_scenario(yaml.safe_dump(scenario_dict), "yaml")
    assert len(info.value.problems) == 2


def test_the_2024_launch_scenario_cites_nothing_published_after_its_date(tmp_path):
    """Every Xiaomi fact the scenario names was published by 2024-03-31, its date."""
    import csv
    from importlib.resources import files

    from typer.testing import CliRunner

    from evlaunch.cli import app
    from evlaunch.scenario.load import bundled_text, parse_scenario

    text = bundled_text("xiaomi-2024")
    s = parse_scenario(text, "yaml", "xiaomi-2024")
    assert s.start == s.market.launch == "2024-03"
    with (files("evlaunch") / "data" / "company_facts.csv").open(encoding="utf-8") as h:
        cited = [r for r in csv.DictReader(h) if r["company"] == "Xiaomi EV" and r["fact"] in text]
    assert len(cited) >= 8
    for row in cited:
        assert row["as_of"][:7] <= "2024-03", row
    # and `init` writes it
    out = tmp_path / "launch.yaml"
    result = CliRunner().invoke(app, ["init", str(out), "--scenario", "xiaomi-2024"])
    assert result.exit_code == 0 and out.read_text() == text
    bad = CliRunner().invoke(app, ["init", str(tmp_path / "x.yaml"), "--scenario", "tesla"])
    assert bad.exit_code == 2 and "xiaomi-2021, xiaomi-2024" in bad.output


@pytest.mark.parametrize(
    "text",
    [
        None,  # the bundled scenario: read by libyaml
        "name: a\ta\nb: 1\n",  # a tab: PyYAML's own
        "a: {? b: 1}\n",  # an explicit key in a flow mapping: PyYAML's own
        "a: [1, 2\n",  # not YAML: PyYAML's own message
        "a: 1\na: 2\n",  # a key twice: named at its line
    ],
)
def test_the_fast_yaml_loader_reads_as_pyyamls_own(monkeypatch, text):
    from evlaunch.scenario import documents
    from evlaunch.scenario.load import bundled_text

    text = bundled_text() if text is None else text

    def outcome():
        try:
            return documents.parse_document(text, "yaml", "s.yaml")
        except UserError as exc:
            return str(exc)

    fast = outcome()
    monkeypatch.setattr(documents, "_LOADERS", (documents._Loader,))
    assert fast == outcome()
