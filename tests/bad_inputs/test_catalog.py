"""The catalog of bad inputs: each gets one clear message naming the field, and exit 2."""

import copy
import json
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from evlaunch.cli import app
from evlaunch.scenario.load import bundled_text

runner = CliRunner()
BUNDLED = yaml.safe_load(bundled_text())


def edited(edit) -> str:
    data = copy.deepcopy(BUNDLED)
    edit(data)
    return yaml.safe_dump(data, sort_keys=False)


def setter(*path_and_value):
    *path, value = path_and_value

    def edit(data):
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return edit


def deleter(*path):
    def edit(data):
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return edit


def renamer(index, old, new):
    def edit(data):
        data["options"][index][new] = data["options"][index].pop(old)

    return edit


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(10)
)


SECOND_MODEL = {
    "name": "SUV",
    "launch": "2026-06",
    "addressable_market_vehicles": 2e6,
    "bass_p_per_year": 0.02,
    "bass_q_per_year": 0.5,
    "price_cny": 260000,
    "reference_price_cny": 260000,
}


def _inconsistent_edit(data):
    # three criteria in a cycle: a > b > c > a, each strongly
    data["assessment"]["criteria"] = {
        "capacity_available_per_year": {"direction": "benefit"},
        "months_to_sop": {"direction": "cost"},
        "cost_per_vehicle_cny": {"direction": "cost"},
    }
    data["assessment"]["weights"] = {
        "kind": "ahp",
        "criteria": list(data["assessment"]["criteria"]),
        "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]],
    }
    for option in data["options"]:
        option.pop("scores")


_inconsistent = edited(_inconsistent_edit)
_off_scale = _inconsistent.replace("- 9", "- 50", 1)  # one comparison of 50 (reciprocal kept)

# (id, file name, file text or None for no file, message fragments that must all appear)
CASES = [
    (
        "missing field",
        "s.yaml",
        edited(deleter("market", "price_cny")),
        ["market.price_cny", "missing", "fields allowed here"],
    ),
    (
        "wrong type",
        "s.yaml",
        edited(setter("options", 0, "capacity_per_year", "lots")),
        ["options[0].capacity_per_year (line", "'lots'", "text where a number belongs"],
    ),
    (
        "wrong unit in field name",
        "s.yaml",
        edited(renamer(0, "capacity_per_year", "capacity_per_month")),
        ["options[0].capacity_per_month", "unknown field", "did you mean 'capacity_per_year'"],
    ),
    (
        "negative price",
        "s.yaml",
        edited(setter("market", "price_cny", -5)),
        ["market.price_cny", "-5", "greater than 0"],
    ),
    (
        "FAW builds millions a day",
        "s.yaml",
        edited(setter("options", 0, "capacity_per_year", 3_000_000 * 365)),
        [
            "options[0].capacity_per_year",
            "1,095,000,000",
            "largest car production site",
            "Hyundai Ulsan",
            "1,530,000",
            "auto123.com",
        ],
    ),
    (
        "share above one",
        "s.yaml",
        edited(setter("options", 1, "share_available", 1.5)),
        ["options[1].share_available", "less than or equal to 1"],
    ),
    (
        "option starts before the scenario",
        "s.yaml",
        edited(setter("options", 0, "start", "2020-01")),
        ["options[0].start", "2020-01", "must be from 2021-09"],
    ),
    (
        "launch after the horizon",
        "s.yaml",
        edited(setter("market", "launch", "2035-01")),
        ["market.launch", "2035-01", "before 2028-09"],
    ),
    (
        "horizon shorter than the target window",
        "s.yaml",
        edited(setter("horizon_months", 40)),
        ["horizon_months", "too short", "2027-06"],
    ),
    (
        "unknown option in the plan",
        "s.yaml",
        edited(setter("plan", "options", ["BYD"])),
        ["plan.options[0]", "'BYD'", "no option has this name", "FAW Group"],
    ),
    (
        "unknown required option",
        "s.yaml",
        edited(setter("options", 3, "requires", "Phase 0")),
        ["options[3].requires", "'Phase 0'", "must name another option"],
    ),
    (
        "own plant faster than any on record",
        "s.yaml",
        edited(setter("options", 2, "lead_time_months", 3)),
        ["options[2].lead_time_months", "fastest build on record", "Tesla Shanghai"],
    ),
    (
        "seasonality that adds demand",
        "s.yaml",
        edited(setter("market", "seasonality", [2.0] * 12)),
        ["market.seasonality", "average 2.000", "must average 1"],
    ),
    (
        "not a month",
        "s.yaml",
        edited(setter("start", "2021-13")),
        ["start", "'2021-13'", "YYYY-MM"],
    ),
    (
        "learning too steep",
        "s.yaml",
        edited(setter("finance", "learning_rate", 0.4)),
        ["finance.learning_rate", "greater than 0.5"],
    ),
    (
        "two options with one name",
        "s.yaml",
        edited(setter("options", 1, "name", "FAW Group")),
        ["options[1].name", "two options have this name"],
    ),
    (
        "weights that do not sum to 1",
        "s.yaml",
        edited(
            setter(
                "assessment",
                "weights",
                {"kind": "point", "values": {n: 0.2 for n in BUNDLED["assessment"]["criteria"]}},
            )
        ),
        ["assessment.weights.values", "1.6", "sum to 1"],
    ),
    (
        "AHP matrix not reciprocal",
        "s.yaml",
        edited(setter("assessment", "weights", "matrix", 0, 1, 3)),
        [
            "assessment.weights.matrix[0][1]",
            "not reciprocal",
            "row 1 column 2 is 3",
            "it must be 1/3",
        ],
    ),
    (
        "AHP comparison off Saaty's scale",
        "s.yaml",
        _off_scale,
        ["assessment.weights.matrix", "Saaty's scale, 1/9 to 9", "50"],
    ),
    (
        "NaN in a figure",
        "s.yaml",
        edited(setter("market", "price_cny", float("nan"))),
        ["market.price_cny", "must be finite"],
    ),
    (
        "distribution that overflows",
        "s.yaml",
        edited(
            setter(
                "market",
                "price_cny",
                {"dist": "triangular", "low": -1.7e308, "mode": 0, "high": 1.7e308},
            )
        ),
        ["market.price_cny", "overflows a float", "far beyond any real one"],
    ),
    (
        "AHP too inconsistent",
        "s.yaml",
        _inconsistent,
        [
            "assessment.weights.matrix",
            "consistency ratio",
            "above Saaty's limit of 0.1",
            "allow_inconsistent",
        ],
    ),
    (
        "unknown criterion in the weights",
        "s.yaml",
        edited(setter("assessment", "weights", "criteria", 0, "capacity_per_day")),
        [
            "assessment.weights.criteria",
            "'capacity_per_day'",
            "unknown criterion",
            "capacity_available_per_year",
        ],
    ),
    (
        "a score missing",
        "s.yaml",
        edited(deleter("options", 1, "scores", "quality")),
        ["options[1].scores", "needs a score (value and source) for 'quality'"],
    ),
    (
        "a score without its source",
        "s.yaml",
        edited(setter("options", 1, "scores", "quality", {"value": 7})),
        ["options[1].scores.quality.source", "missing"],
    ),
    (
        "a derived criterion scored by hand",
        "s.yaml",
        edited(setter("options", 0, "scores", "months_to_sop", {"value": 3, "source": "x"})),
        ["options[0].scores.months_to_sop", "derived from the option's fields"],
    ),
    (
        "a derived criterion turned around",
        "s.yaml",
        edited(setter("assessment", "criteria", "months_to_sop", "direction", "benefit")),
        ["assessment.criteria.months_to_sop.direction", "is a cost criterion"],
    ),
    (
        "unknown option to plan with",
        "s.yaml",
        edited(setter("planning", {"options": ["FAW Group", "BYD"]})),
        ["planning.options[1]", "'BYD'", "no option has this name"],
    ),
    (
        "take-or-pay above what the option can build",
        "s.yaml",
        edited(setter("options", 0, "min_volume_per_year", 500_000)),
        ["options[0].min_volume_per_year", "500000", "above the most this option can build"],
    ),
    (
        "an unknown planning objective",
        "s.yaml",
        edited(setter("planning", {"objective": "max_sales"})),
        ["planning.objective", "'max_sales'", "'max_npv' or 'min_cost'"],
    ),
    (
        "malformed YAML",
        "s.yaml",
        "name: x\noptions: [a, b\nstart: 2021-09\n",
        ["not valid YAML", "line"],
    ),
    (
        "YAML alias bomb",
        "s.yaml",
        ALIAS_BOMB,
        ["aliases", "39,716,653,577 values", "at most 100,000"],
    ),
    (
        "utilisation below nameplate",
        "s.yaml",
        edited(setter("options", 2, "max_utilisation", 0.8)),
        ["options[2].max_utilisation", "0.8", "greater than or equal to 1"],
    ),
    (
        "utilisation of four shifts",
        "s.yaml",
        edited(setter("options", 2, "max_utilisation", 3.5)),
        ["options[2].max_utilisation", "3.5", "less than or equal to 3"],
    ),
    (
        "expansion of an option that does not exist",
        "s.yaml",
        edited(
            setter(
                "expansions",
                [{"option": "Phase III", "backlog_months_above": 3, "for_months": 3}],
            )
        ),
        ["expansions[0].option", "'Phase III'", "no option has this name", "FAW Group"],
    ),
    (
        "two rules for one option",
        "s.yaml",
        edited(
            setter(
                "expansions",
                [{"option": "Own plant phase II", "backlog_months_above": 3, "for_months": 3}] * 2,
            )
        ),
        ["expansions[1].option", "another rule already commits this option"],
    ),
    (
        "expansion rule with no streak",
        "s.yaml",
        edited(
            setter(
                "expansions",
                [{"option": "Own plant phase II", "backlog_months_above": 3, "for_months": 0}],
            )
        ),
        ["expansions[0].for_months", "greater than or equal to 1"],
    ),
    (
        "second model launched before the first",
        "s.yaml",
        edited(setter("models", [dict(SECOND_MODEL, launch="2022-01")])),
        ["models[0].launch", "2022-01", "from the first car's launch (market.launch, 2024-06)"],
    ),
    (
        "model launched before the company exists",
        "s.yaml",
        edited(setter("models", [dict(SECOND_MODEL, launch="2019-05")])),
        ["models[0].launch", "2019-05"],
    ),
    (
        "two models of one name",
        "s.yaml",
        edited(setter("models", [SECOND_MODEL, SECOND_MODEL])),
        ["models[1].name", "two models have this name"],
    ),
    (
        "cannibalisation above one",
        "s.yaml",
        edited(setter("models", [dict(SECOND_MODEL, cannibalisation=1.5)])),
        ["models[0].cannibalisation", "less than or equal to 1"],
    ),
    (
        "a cycle of expansions",
        "s.yaml",
        edited(
            lambda d: [
                setter("options", 2, "requires", "Own plant phase II")(d),
                setter(
                    "expansions",
                    [
                        {"option": n, "backlog_months_above": 3, "for_months": 3}
                        for n in ("Own plant phase I", "Own plant phase II")
                    ],
                )(d),
            ]
        ),
        ["options[2].requires", "options require each other"],
    ),
    (
        "a fixed-date option requiring one under a rule",
        "s.yaml",
        edited(
            setter(
                "expansions",
                [{"option": "Own plant phase I", "backlog_months_above": 3, "for_months": 3}],
            )
        ),
        ["options[3].requires", "'Own plant phase I'", "only when its expansion rule fires"],
    ),
    (
        "an option building a model that does not exist",
        "s.yaml",
        edited(setter("options", 0, "builds", ["first model", "SUV"])),
        ["options[0].builds[1]", "'SUV'", "no model has this name", "first model"],
    ),
    (
        "a model no option builds",
        "s.yaml",
        edited(
            lambda d: [
                setter("models", [SECOND_MODEL])(d),
                *(o.update(builds=["first model"]) for o in d["options"]),
            ]
        ),
        ["options", "'SUV'", "no option builds this model"],
    ),
    (
        "a later model named as the first car",
        "s.yaml",
        edited(setter("models", [dict(SECOND_MODEL, name="first model")])),
        ["models[0].name", "two models have this name"],
    ),
    ("not a mapping", "s.yaml", "- just\n- a list\n", ["top level must be a mapping", "list"]),
    ("empty file", "s.yaml", "", ["empty", "evlaunch init"]),
    ("missing file", "nope.yaml", None, ["nope.yaml", "no such file"]),
    ("unknown format", "s.txt", "name: x\n", ["unknown scenario format", "'.txt'", ".yaml"]),
    ("malformed JSON", "s.json", '{"name": "x",}', ["not valid JSON", "line 1"]),
    ("malformed TOML", "s.toml", "name = \n", ["not valid TOML"]),
    # limits: checked without recursion, each named (scenario/limits.py)
    ("nested 100,000 deep (JSON)", "s.json", "[" * 100_000 + "]" * 100_000, ["20 levels"]),
    ("nested 100,000 deep (YAML)", "s.yaml", "a: " + "[" * 100_000, ["20 levels"]),
    ("nested 25 deep", "s.yaml", "a: " + "[" * 25 + "]" * 25, ["line 1", "20 levels"]),
    ("5,000-digit number (YAML)", "s.yaml", "name: " + "9" * 5000, ["5,000 characters"]),
    ("5,000-digit number (JSON)", "s.json", '{"a": ' + "9" * 5000 + "}", ["at most 40"]),
    ("5,000-digit number (TOML)", "s.toml", "a = " + "9" * 5000, ["at most 40"]),
    ("text of 20,000 characters", "s.yaml", "name: " + "x" * 20_000, ["at most 10,000"]),
    ("NaN in JSON", "s.json", '{"name": NaN}', ["NaN is not a number", "not finite"]),
    ("infinity in YAML", "s.yaml", "name: x\nstart: .inf\n", ["start = inf", "finite"]),
    # strict inputs
    ("a key twice (YAML)", "s.yaml", "name: a\nname: b\n", ["line 2", "'name' is given twice"]),
    ("a key twice (JSON)", "s.json", '{"name": "a", "name": "b"}', ["'name' is given twice"]),
    (
        "a correlation pair twice",
        "s.yaml",
        edited(
            lambda d: d["correlations"].append(
                {"between": list(reversed(d["correlations"][0]["between"])), "rank": 0.5}
            )
        ),
        ["correlations[1].between", "this pair is given already (correlations[0], rank -0.3)"],
    ),
    (
        "a blank option name",
        "s.yaml",
        edited(setter("options", 0, "name", "   ")),
        ["options[0].name (line", "a character other than spaces"],
    ),
    (
        "a name with a control character",
        "s.yaml",
        edited(setter("name", "plan\x1b[2J")),
        ["name (line", "control characters"],
    ),
    (
        "a yes/no value for a number",
        "s.yaml",
        edited(setter("options", 0, "capacity_per_year", True)),
        ["options[0].capacity_per_year (line", "= True", "a yes/no value"],
    ),
    (
        "a number written as text",
        "s.yaml",
        edited(setter("options", 0, "capacity_per_year", "200000")),
        ["options[0].capacity_per_year (line", "'200000'", "without quotes"],
    ),
    (
        "a judged score off its scale",
        "s.yaml",
        edited(setter("options", 0, "scores", "quality", "value", 1e300)),
        ["options[0].scores.quality.value", "outside quality's scale, 1 to 10"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_scenario_file(tmp_path, case):
    _, name, text, fragments = case
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    for command in (
        ["validate", str(path)],
        ["run", str(path), "--json", str(tmp_path / "o.json")],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        for fragment in fragments:
            assert fragment in result.output, (fragment, result.output)
        assert "Traceback" not in result.output
        assert not (tmp_path / "o.json").exists()  # nothing half-written


def test_the_faw_claim_message_names_the_line(tmp_path):
    text = bundled_text().replace("capacity_per_year: 200000", "capacity_per_year: 1095000000", 1)
    line = text.splitlines().index(next(x for x in text.splitlines() if "1095000000" in x)) + 1
    path = tmp_path / "faw.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert (
        f"options[0].capacity_per_year (line {line}) = 1095000000: 1,095,000,000 vehicles/year"
        in result.output
    )


def test_json_into_a_missing_folder(tmp_path):
    result = runner.invoke(app, ["run", "--json", str(tmp_path / "no" / "out.json")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_init_will_not_overwrite(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("mine")
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 2 and "--force" in result.output
    assert path.read_text() == "mine"


def test_unknown_flag_exits_2():
    assert runner.invoke(app, ["run", "--bogus"]).exit_code == 2


@pytest.mark.parametrize(
    "flags, fragments",
    [
        (["--paths", "0"], ["--paths 0", "from 1 to 100,000,000"]),
        (["--paths", "lots"], ["Invalid value for '--paths'"]),
        (["--sampler", "halton"], ["--sampler 'halton'", "random, lhs, sobol"]),
        (["--option", "BYD"], ["--option 'BYD'", "no such option", "FAW Group"]),
        (["--sobol-n", "100"], ["--sobol-n 100", "power of 2"]),
        (["--chunk", "0"], ["--chunk 0", "from 1 to 1,000,000"]),
        (["--seed", "-1"], ["seed -1", "from 0"]),
    ],
)
def test_bad_risk_flags(flags, fragments):
    result = runner.invoke(app, ["risk", "--paths", "1000", *flags])
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    assert "Traceback" not in result.output


def test_real_process_exit_status_and_no_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(edited(setter("market", "price_cny", -5)))
    proc = subprocess.run(
        [sys.executable, "-m", "evlaunch.cli", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "market.price_cny" in proc.stderr and "Traceback" not in proc.stderr


def test_good_run_writes_json_atomically(tmp_path):
    out = tmp_path / "run.json"
    result = runner.invoke(app, ["run", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["cases"][-1]["case"] == "chosen mix"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # none left


@pytest.mark.parametrize(
    "flags, fragments",
    [
        (["--stochastic", "1"], ["--stochastic 1", "from 2 to 2,000"]),
        (["--time-limit", "0"], ["--time-limit 0", "above 0"]),
    ],
)
def test_bad_plan_flags(flags, fragments):
    result = runner.invoke(app, ["plan", *flags])
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    assert "Traceback" not in result.output


def test_partners_without_an_assessment_section(tmp_path):
    data = copy.deepcopy(BUNDLED)
    data.pop("assessment")
    for option in data["options"]:
        option.pop("scores")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["partners", str(path)])
    assert result.exit_code == 2 and "no `assessment` section" in result.output
