"""The planner on a twin with an exact answer.

The twin's members are real Keras networks whose weights make them an analytic magnet,
M(T, H) = (c/2)·[1 + tanh((T0 + a·µ0H − T)/w)]: a transition at T0 + a·µ0H of width w. Its
Maxwell entropy change for 0 → H is exact,
ΔS_M = −(c/m)/(2a)·[tanh(u(H)) − tanh(u(0))],  u(H) = (T0 + a·µ0H − T)/w,
and coarse field steps integrate it with the paper's spikes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from twins import magnet_twin, tanh_member

from reanalyze.cli import main
from reanalyze.errors import DataError, OptionError, UnknownNameError
from reanalyze.planning import Plan, Tolerance, axis_candidates, compare
from reanalyze.properties.base import Curve
from reanalyze.twin.bundle import ModelBundle

T0, A, C, MASS_G = 30.0, 4.0, 0.05, 0.61e-3  # K, K/T, emu, g
WIDTHS = (1.0, 1.1)  # K, one per member


def exact_delta_s(t: np.ndarray, field_t: float, width: float) -> np.ndarray:
    u_h = (T0 + A * field_t - t) / width
    u_0 = (T0 - t) / width
    return -(C / MASS_G) / (2 * A) * (np.tanh(u_h) - np.tanh(u_0))


@pytest.fixture(scope="module")
def twin() -> ModelBundle:
    return magnet_twin(
        [tanh_member(w, T0, A, C) for w in WIDTHS],
        {"T": (10.0, 60.0), "H": (0.0, 50000.0)},
        sample={"mass": 0.61, "mass_unit": "mg"},
    )


@pytest.fixture(scope="module")
def plan(twin: ModelBundle) -> Plan:
    return Plan(
        twin,
        "magnetocaloric",
        "H",
        ["2T", "1T", "0.5T", "0.2T", "0.1T", "0.05T"],
        fixed=["T=10:60:0.1K"],
    ).run()


def test_candidates_are_the_multiples_of_the_step_with_both_ends() -> None:
    assert axis_candidates(0.0, 1.0, 0.25).tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert axis_candidates(0.01, 1.0, 0.075).tolist()[:3] == [0.01, 0.075, 0.15]
    assert axis_candidates(0.01, 1.0, 0.075).tolist()[-2:] == [0.975, 1.0]
    with pytest.raises(DataError, match="step must be positive"):
        axis_candidates(0, 1, 0)


def test_compare_measures_against_independent_arithmetic() -> None:
    x = np.linspace(0, np.pi, 201)
    triangle = 1 - np.abs(x - np.pi / 2)  # its kink is on the coarse grid: interpolation exact
    reference = Curve(x, triangle, "x", "K", "y", "J/K")
    shifted = Curve(x[::2], triangle[::2] + 0.01, "x", "K", "y", "J/K", std=np.full(101, 0.2))
    row = compare(shifted, reference, Tolerance(peak_position=0.05))
    assert row["rms"] == pytest.approx(0.01, rel=1e-9)
    assert row["rms_rel"] == pytest.approx(0.01, rel=1e-9)
    assert row["peak_error"] == pytest.approx(0.01, abs=1e-6)
    assert row["peak_position_error"] == pytest.approx(0.0, abs=1e-12)
    assert row["tv_ratio"] == pytest.approx(1.0, rel=1e-9)
    assert row["spread"] == 0.2 and row["meets"]
    wiggle = triangle + 0.05 * np.sin(40 * x)
    row = compare(Curve(x, wiggle, "x", "K", "y", "J/K"), reference, Tolerance())
    expected = np.abs(np.diff(wiggle)).sum() / np.abs(np.diff(triangle)).sum()
    assert row["tv_ratio"] == pytest.approx(expected, rel=1e-9)
    assert expected > 1.1 and not row["meets"]


def test_finest_candidate_matches_the_exact_entropy_change(plan: Plan) -> None:
    curve = plan.result_.curves[-1]
    exact = np.mean([-exact_delta_s(curve.x, 5.0, w) for w in WIDTHS], axis=0)
    assert np.max(np.abs(curve.y - exact)) < 0.01 * np.max(exact)
    members = np.array([-exact_delta_s(curve.x, 5.0, w) for w in WIDTHS])
    k = int(np.argmax(curve.y))
    assert curve.std is not None and curve.std[k] == pytest.approx(
        members[:, k].std(ddof=1), rel=0.1, abs=0.02
    )


def test_coarse_steps_are_spiky_and_the_recommendation_is_the_coarsest_converged(
    plan: Plan,
) -> None:
    rows = plan.result_.rows
    assert [r["step"] for r in rows] == [2, 1, 0.5, 0.2, 0.1, 0.05]
    assert [r["unit"] for r in rows] == ["T"] * 6
    assert rows[0]["tv_ratio"] > 2 and not rows[0]["meets"]  # the paper's spikes
    rms = [r["rms_rel"] for r in rows]
    assert rms == sorted(rms, reverse=True) and rms[-1] == 0
    i = plan.result_.recommended
    assert i is not None and all(r["meets"] for r in rows[i:]) and not rows[i - 1]["meets"]
    # independently: the recommended step is within 2 % of the exact curve too
    curve = plan.result_.curves[i]
    exact = np.mean([-exact_delta_s(curve.x, 5.0, w) for w in WIDTHS], axis=0)
    rms_exact = np.sqrt(np.mean((curve.y - exact) ** 2)) / exact.max()
    assert rms_exact < 0.03
    assert f"{rows[i]['step']:g} T is fine enough" in plan.result_.verdict


def test_a_tolerance_no_candidate_meets(twin: ModelBundle) -> None:
    result = (
        Plan(
            twin,
            "magnetocaloric",
            "H",
            ["1T", "0.5T"],
            fixed=["T=10:60:0.5K"],
            tolerance={"rms_rel": 1e-6},
        )
        .run()
        .result_
    )
    assert result.recommended is None
    assert "no candidate coarser than 0.5 T meets the tolerance" in result.verdict
    assert any("may not be converged" in n for n in result.notes)


def test_bad_plans_are_refused(twin: ModelBundle) -> None:
    """From Python the messages name the parameters, not command-line options."""
    with pytest.raises(OptionError, match="^axis 'X' is not a feature"):
        Plan(twin, "magnetocaloric", "X", ["1T", "0.5T"]).run()
    with pytest.raises(OptionError, match="^steps must be positive"):
        Plan(twin, "magnetocaloric", "H", ["1T", "-0.5T"]).run()
    with pytest.raises(OptionError, match="^span 0…60000 Oe leaves the training range"):
        Plan(twin, "magnetocaloric", "H", ["1T", "0.5T"], span=("0T", "6T")).run()
    with pytest.raises(OptionError, match="^--range 0…60000 Oe leaves"):  # as the CLI calls it
        Plan(twin, "magnetocaloric", "H", ["1T", "0.5T"], span=("0T", "6T"),
             names={"span": "--range"}).run()  # fmt: skip
    with pytest.raises(OptionError, match="leaves the training range 0…50000 Oe"):
        Plan(twin, "magnetocaloric", "H", ["1T", "0.5T"], span=("0T", "6T")).run()
    with pytest.raises(OptionError, match="steps 1K: unit .K. has the wrong dimension"):
        Plan(twin, "magnetocaloric", "H", ["1K", "0.5T"]).run()
    with pytest.raises(OptionError, match="give at least two candidate steps"):
        Plan(twin, "magnetocaloric", "H", ["1T"]).run()
    with pytest.raises(OptionError, match="the steps are all the same"):
        Plan(twin, "magnetocaloric", "H", ["1T", "10000Oe"]).run()
    with pytest.raises(UnknownNameError, match="unknown property plugin 'nope'"):
        Plan(twin, "nope", "H", ["1T", "0.5T"]).run()


def test_a_plan_never_writes_over_its_twin_or_a_users_folder(
    twin: ModelBundle, plan: Plan, tmp_path: Path
) -> None:
    run = twin.save(tmp_path / "run")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    before = sorted(p.name for p in run.iterdir())
    with pytest.raises(OptionError, match="run folder"):
        plan.result_.save(run)
    with pytest.raises(OptionError, match="not empty and not written by reanalyze plan"):
        plan.result_.save(mine)
    assert sorted(p.name for p in run.iterdir()) == before
    plan.result_.save(mine, overwrite=True)  # only the plan's own files are added
    assert (mine / "notes.txt").read_text() == "keep me" and (mine / "plan.json").is_file()
    plan.result_.save(mine)  # now it is a plan folder: replaced, the user's file kept
    assert (mine / "notes.txt").read_text() == "keep me"


def test_saved_plan_follows_the_contract(plan: Plan, tmp_path: Path) -> None:
    folder = plan.result_.save(tmp_path / "plan")
    info = json.loads((folder / "plan.json").read_text())
    assert info["property"] == "magnetocaloric" and info["axis"] == "H"
    assert info["axis_unit"] == "T" and info["range"] == [0.0, 5.0]
    assert info["fixed_axes"]["T"]["step"] == pytest.approx(0.1)
    assert info["quantity"]["unit"] == "J/(kg*K)" and info["quantity"]["x_unit"] == "K"
    assert info["recommended"] == plan.result_.recommended and info["verdict"]
    assert len(info["rows"]) == 6 and info["rows"][-1]["rms"] == 0
    for name in (
        "tables/plan.csv",
        "tables/curves.csv",
        "figures/convergence.png",
        "figures/cost_accuracy.png",
        "property/summary.json",
    ):
        assert (folder / name).is_file(), name


def test_cli_plan(twin: ModelBundle, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = twin.save(tmp_path / "run")
    out = tmp_path / "plan"
    argv = [
        "plan",
        str(run),
        "--property",
        "magnetocaloric",
        "--axis",
        "H",
        "--steps",
        "1T,0.5T,0.2T",
        "--fixed",
        "T=10:60:0.5K",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "verdict:" in printed and (out / "plan.json").is_file()
    bad = tmp_path / "bad"
    for extra, message in [
        (["--tolerance", "rms_rel=-1"], "--tolerance rms_rel"),
        (["--range", "5T"], "--range expects LO:HI"),
        (["--fixed", "Q=1:2:1K"], "--fixed 'Q' is not another feature"),
    ]:
        argv_bad = [*argv[:-1], str(bad), *extra]
        assert main(argv_bad) == 2  # a misused option
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert not bad.exists()


def test_costs_are_the_instrument_time_of_each_candidate_grid(twin: ModelBundle) -> None:
    from reanalyze.planning.cost import scan_cost

    result = (
        Plan(
            twin, "magnetocaloric", "H", ["1T", "0.5T"], fixed=["T=10:60:0.5K"], instrument="mpms3"
        )
        .run()
        .result_
    )
    temperatures = np.arange(10, 60.25, 0.5)
    for row, step in zip(result.rows, (1.0, 0.5), strict=True):
        fields = axis_candidates(0.0, 5.0, step)
        direct = scan_cost(
            "mpms3",
            {"T": temperatures, "H": fields},
            {"T": "temperature", "H": "magnetic_field"},
            {"T": "K", "H": "T"},
        )
        assert row["hours"] == pytest.approx(direct.hours, rel=1e-12)
        assert row["lines"] == len(fields)
    assert result.rows[1]["hours"] > result.rows[0]["hours"]
    assert result.info["instrument"]["name"] == "mpms3"


def test_a_real_plan_goes_into_the_report(twin: ModelBundle, plan: Plan, tmp_path: Path) -> None:
    from reanalyze.report import write_report

    run = twin.save(tmp_path / "run")
    folder = plan.result_.save(tmp_path / "plan")
    html = write_report(run, tmp_path / "report" / "a.html", plans=[folder], log_mlflow=False)
    text = Path(html).read_text()
    assert plan.result_.verdict.split(":")[0] in text
    assert f"{plan.result_.rows[0]['step']:g}" in text
