"""The terminal's renderings of a successful run: what a user reads, checked as text."""

import pytest
from rich.console import Console

import evlaunch as ev
from evlaunch.report.terminal import print_partners, print_risk
from evlaunch.report.terminal_plan import print_plan


@pytest.fixture(scope="module")
def scenario():
    return ev.bundled("xiaomi-2021")


def _text(draw) -> str:
    console = Console(record=True, width=130, color_system=None)
    draw(console)
    return console.export_text()


def test_print_risk_shows_the_probability_its_quantiles_and_drivers(scenario):
    result = ev.risk(scenario, paths=2_000, seed=0)
    found = ev.sensitivity(scenario, paths=1_000, seed=0)
    text = _text(lambda c: print_risk(result, found, c))
    assert f"P(target: 900,000 in 36 months of sales) = {100 * result.p_target:.1f}%" in text
    assert "deliveries, 36 mo (k)" in text and "peak cash need (bn CNY)" in text
    median = result.deliveries_quantiles[36][3] / 1e3
    assert f"{median:,.0f}" in text
    assert found.tornado[0].input[:30] in text  # the widest bar is listed
    assert "Own plant phase I: ran above nameplate with an added shift" in text


def test_print_partners_shows_rankings_simulation_and_the_verdict(scenario):
    result = ev.partners(scenario, paths=1_000, seed=0)
    text = _text(lambda c: print_partners(result, c))
    for a in result.alternatives:
        assert a.alternative[:18] in text
    assert "P(target)" in text and "paths adding a shift" in text
    assert result.statement.split(".")[0] in " ".join(text.split())


def test_print_plan_shows_the_years_and_the_learning_curve(scenario):
    result = ev.plan(scenario)
    text = _text(lambda c: print_plan(result, c))
    assert "production plan, deterministic" in text
    assert "by model" in text and "second model" in text  # the bundled roadmap's two
    assert "did not settle" not in text  # it settled (result.learning_settled)
    assert result.learning_settled


def test_names_are_printed_never_interpreted(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from evlaunch.cli import app
    from evlaunch.scenario.load import bundled_text

    data = yaml.safe_load(bundled_text())
    data["name"] = "[/bold] Plan [draft] :car:"
    data["options"][2]["name"] = "Phase [red]I"
    data["options"][3]["requires"] = "Phase [red]I"
    data["plan"]["options"] = ["Phase [red]I", "Own plant phase II"]
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(data))
    runner = CliRunner()
    for command in (["validate"], ["run", "--no-save"], ["risk", "--paths", "1000", "--no-save"]):
        result = runner.invoke(app, [*command, str(path)])
        assert result.exit_code == 0, result.output
        assert "[/bold] Plan [draft] :car:" in result.output  # no markup, no emoji
    assert "Phase [red]I" in result.output  # shown, as text
    # a name with an escape sequence is refused, and the refusal shows it as codes
    data["options"][2]["name"] = "Phase I\x1b[2J"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "control characters" in result.output
    assert "\x1b" not in result.output and "Phase I\\x1b[2J" in result.output
