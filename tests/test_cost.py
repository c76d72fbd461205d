"""Cost of a plan: totals checked against sums written out by hand in each test."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reanalyze.errors import DataError, UnitError
from reanalyze.instrument_profiles import ArpesProfile, MagnetometerProfile
from reanalyze.instruments import get_instrument
from reanalyze.planning.cost import ACTIONS, scan_cost

KINDS = {"T": "temperature", "H": "magnetic_field"}


def _profile(**changes: object) -> MagnetometerProfile:
    """Round numbers for hand arithmetic: 2 K/min = 1/30 K/s, 6 K/min = 0.1 K/s, 50 Oe/s."""
    fields: dict[str, object] = {
        "kind": "magnetometer",
        "sweep_rate_K_per_min": 2.0,
        "cool_back_rate_K_per_min": 6.0,
        "temperature_settle_s": 100.0,
        "field_ramp_rate_Oe_per_s": 50.0,
        "field_settle_s": 30.0,
        "point_time_sweep_s": 4.0,
        "point_time_settle_s": 20.0,
        "line_overhead_s": 10.0,
        **changes,
    }
    return MagnetometerProfile.model_validate(fields)


SMALL = {"T": np.array([10.0, 20.0, 30.0]), "H": np.array([1000.0, 3000.0])}
SMALL_UNITS = {"T": "K", "H": "Oe"}


def test_small_sweep_plan_equals_the_sum_written_out() -> None:
    cost = scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS)
    # line 0, H = 1000 Oe: ramp 0→1000 Oe at 50 Oe/s = 20 s, settle 30 s, already at 10 K,
    #   sweep 20 K at 1/30 K/s = 600 s (3 points × 4 s = 12 s is shorter), overhead 10 s
    line0 = 20 + 30 + 600 + 10
    # line 1, H = 3000 Oe: ramp 2000 Oe = 40 s, settle 30 s, cool back 20 K at 0.1 K/s = 200 s,
    #   temperature settle 100 s, sweep 600 s, overhead 10 s
    line1 = 40 + 30 + 200 + 100 + 600 + 10
    assert cost.seconds == pytest.approx(line0 + line1, rel=1e-12)
    assert cost.hours == pytest.approx(1640 / 3600, rel=1e-12)
    assert cost.days == pytest.approx(1640 / 86400, rel=1e-12)
    assert (cost.n_lines, cost.n_points, cost.slow_axis, cost.fast_axis) == (2, 6, "H", "T")
    assert [row["seconds"] for row in cost.per_line()] == pytest.approx([line0, line1])
    assert cost.totals == pytest.approx(
        {
            "field_ramp": 60,
            "field_settle": 60,
            "temperature_move": 200,
            "temperature_settle": 100,
            "sweep": 1200,
            "overhead": 20,
        }
    )
    steps = cost.sequence()
    assert [a.action for a in steps[:4]] == ["field_ramp", "field_settle", "sweep", "overhead"]
    assert math.fsum(a.seconds for a in steps) == pytest.approx(cost.seconds, rel=1e-12)
    assert {a.action for a in steps} <= set(ACTIONS)
    assert steps[6].detail == "cool back 30 → 10 K"
    assert cost.to_dict()["hours"] == pytest.approx(1640 / 3600)


def test_settle_mode_costs_a_settle_and_a_reading_per_point() -> None:
    cost = scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS, mode="settle")
    # points of one line: 20 K at 1/30 K/s = 600 s of steps, 2 settles after the first point
    # (100 s each; the first is settled by the move to the start), 3 readings × 20 s
    points = 600 + 2 * 100 + 3 * 20
    assert cost.totals["points"] == pytest.approx(2 * points)
    assert cost.seconds == pytest.approx(
        (20 + 30 + points + 10) + (40 + 30 + 200 + 100 + points + 10)
    )
    assert cost.mode == "settle"
    # the profile's default mode is used when none is given
    assert scan_cost(_profile(default_mode="settle"), SMALL, KINDS, SMALL_UNITS).seconds == (
        cost.seconds
    )


def test_a_small_step_settles_faster_than_a_large_move() -> None:
    fast = scan_cost(_profile(step_settle_s=15.0), SMALL, KINDS, SMALL_UNITS, mode="settle")
    slow = scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS, mode="settle")
    # 2 settles per line of 2 lines: 100 s each without step_settle_s, 15 s with it
    assert slow.seconds - fast.seconds == pytest.approx(2 * 2 * (100 - 15))
    # the move to the start of a line still takes the full temperature_settle_s
    assert fast.totals["temperature_settle"] == slow.totals["temperature_settle"]


def test_sweep_is_as_slow_as_its_points_demand() -> None:
    axes = {"T": np.linspace(10.0, 11.0, 101), "H": np.array([0.0])}
    cost = scan_cost(_profile(), axes, KINDS, {"T": "K", "H": "Oe"})
    # 1 K at 1/30 K/s = 30 s, but 101 points × 4 s = 404 s; no field ramp from zero to zero
    assert cost.seconds == pytest.approx(404 + 10)
    assert "points-limited" in cost.sequence()[0].detail


def test_isotherm_plan_sweeps_the_field_at_fixed_temperatures() -> None:
    cost = scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS, slow_axis="T")
    # line 0, 10 K (the start): field 0→1000 Oe 20 s + 30 s settle, sweep 2000 Oe at 50 Oe/s
    #   = 40 s (2 points × 4 s = 8 s shorter), overhead 10 s
    line0 = 20 + 30 + 40 + 10
    # lines 1, 2: warm 10 K at 0.1 K/s = 100 s + 100 s settle, field back 3000→1000 Oe = 40 s
    #   + 30 s settle, sweep 40 s, overhead 10 s
    line12 = 100 + 100 + 40 + 30 + 40 + 10
    assert cost.seconds == pytest.approx(line0 + 2 * line12)
    assert (cost.slow_axis, cost.fast_axis, cost.n_lines) == ("T", "H", 3)
    assert cost.sequence()[4].detail == "warm 10 → 20 K"
    assert [row["value"] for row in cost.per_line()] == [10.0, 20.0, 30.0]


def test_fixed_cool_back_time_replaces_the_rate() -> None:
    cost = scan_cost(_profile(cool_back_time_s=45.0), SMALL, KINDS, SMALL_UNITS)
    assert cost.totals["temperature_move"] == 45.0
    assert cost.seconds == pytest.approx(1640 - 200 + 45)


def test_same_plan_in_other_units_costs_the_same() -> None:
    reference = scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS)
    in_tesla = scan_cost(
        _profile(),
        {"T": SMALL["T"] * 1000.0, "H": np.array([0.1, 0.3])},
        KINDS,
        {"T": "mK", "H": "T"},
    )
    in_kilo_oe_and_celsius = scan_cost(
        _profile(),
        {"T": SMALL["T"] - 273.15, "H": np.array([1.0, 3.0])},
        KINDS,
        {"T": "degC", "H": "kOe"},
    )
    assert in_tesla.seconds == pytest.approx(reference.seconds, rel=1e-12)
    assert in_kilo_oe_and_celsius.seconds == pytest.approx(reference.seconds, rel=1e-12)
    assert in_tesla.slow_unit == "T"
    assert [row["value"] for row in in_tesla.per_line()] == pytest.approx([0.1, 0.3])


def test_arpes_map_costs_cuts_and_manipulator_steps_only() -> None:
    profile = ArpesProfile(
        kind="arpes", time_per_cut_s=120, angle_step_time_s=10, map_overhead_s=300
    )
    axes = {"theta1": np.linspace(-22.7, 24.3, 967), "theta2": np.arange(-15.0, 15.5, 1.0)}
    kinds = {"theta1": "angle", "theta2": "angle"}
    cost = scan_cost(profile, axes, kinds, {"theta1": "degree", "theta2": "degree"})
    # 31 cuts × 120 s + 30 steps × 10 s + 300 s
    assert cost.seconds == pytest.approx(31 * 120 + 30 * 10 + 300)
    assert (cost.n_lines, cost.n_points, cost.mode) == (31, 31 * 967, None)
    assert cost.totals == pytest.approx({"overhead": 300, "angle_step": 300, "cut": 3720})
    # the slit angle's sampling costs nothing; the manipulator axis in radians counts the same
    coarse = {"theta1": np.array([0.0]), "theta2": np.deg2rad(axes["theta2"])}
    same = scan_cost(profile, coarse, kinds, {"theta1": "degree", "theta2": "rad"})
    assert same.seconds == cost.seconds
    by_name = scan_cost("arpes_map", axes, kinds, {"theta1": "degree", "theta2": "degree"})
    assert by_name.instrument == "arpes_map"


def test_fe3ga4_scan_at_0075_tesla_takes_about_a_week() -> None:
    """Paper, section 3.2: 10-200 K at 0.075 T steps over the data's 0.01-2 T is ~a week."""
    profile = get_instrument("mpms3")
    fields = 0.01 + 0.075 * np.arange(27)  # 0.01 ... 1.96 T, the 0.01-2 T range inclusive
    temperatures = np.arange(10.0, 200.25, 0.5)  # the data's 0.5 K spacing
    cost = scan_cost(profile, {"T": temperatures, "H": fields}, KINDS, {"T": "K", "H": "T"})
    # Independent sum: every line sweeps 190 K at the sweep rate (rate-limited: 381 points
    # take 381 × point time, far less); the first line ramps 0 → 100 Oe, the other 26 ramp
    # 750 Oe and cool back 190 K.
    sweep = 190.0 / (profile.sweep_rate_K_per_min / 60.0)
    assert 381 * profile.point_time_sweep_s < sweep
    first = 100.0 / profile.field_ramp_rate_Oe_per_s + profile.field_settle_s + sweep
    other = (
        750.0 / profile.field_ramp_rate_Oe_per_s
        + profile.field_settle_s
        + 190.0 / (profile.cool_back_rate_K_per_min / 60.0)
        + profile.temperature_settle_s
        + sweep
    )
    expected = first + 26 * other + 27 * profile.line_overhead_s
    assert cost.seconds == pytest.approx(expected, rel=1e-12)
    assert cost.n_lines == 27
    print(f"Fe3Ga4 10-200 K, 0.075 T steps, mpms3: {cost.days:.2f} days ({cost.hours:.1f} h)")
    assert 4.0 <= cost.days <= 10.0


def test_fe3ga4_field_range_is_the_datasets(seeded_cache: object) -> None:
    from reanalyze.load import load_dataset

    table = load_dataset("fe3ga4")
    fields = table.values("H", "T")
    assert (fields.min(), fields.max()) == pytest.approx((0.01, 2.0))


@pytest.mark.parametrize(
    ("axes", "kinds", "units", "slow", "error", "pattern"),
    [
        ({}, {}, {}, None, DataError, "the plan has no scan axes"),
        ({"T": []}, KINDS, SMALL_UNITS, None, DataError, "scan axis 'T' has no values"),
        ({"T": [1.0, np.nan]}, KINDS, SMALL_UNITS, None, DataError, "'T' has non-finite"),
        (
            SMALL,
            {"T": "temperature", "H": "flux"},
            SMALL_UNITS,
            None,
            DataError,
            "scan axis 'H' has unknown kind 'flux'",
        ),
        (
            SMALL,
            {"T": "temperature", "H": "angle"},
            {"T": "K", "H": "degree"},
            None,
            DataError,
            "scan axis 'H' has kind 'angle': a magnetometer plan scans temperature",
        ),
        (SMALL, {"T": "temperature"}, SMALL_UNITS, None, DataError, "'H' has no quantity kind"),
        (SMALL, KINDS, {"T": "K"}, None, DataError, "scan axis 'H' has no unit"),
        (SMALL, KINDS, SMALL_UNITS, "B", DataError, "slow axis 'B' is not a scan axis"),
        ({"T": [1.0, 2.0]}, KINDS, SMALL_UNITS, "T", DataError, "slow axis 'T' leaves no axis"),
        (
            {"T": [1.0], "T2": [2.0]},
            {"T": "temperature", "T2": "temperature"},
            {"T": "K", "T2": "K"},
            None,
            DataError,
            "at most one temperature and one magnetic_field",
        ),
        (
            SMALL,
            KINDS,
            {"T": "K", "H": "K"},
            None,
            UnitError,
            "scan axis 'H': unit 'K' has the wrong dimension for magnetic_field",
        ),
    ],
)
def test_invalid_plans_name_the_axis(axes, kinds, units, slow, error, pattern) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=pattern) as info:
        scan_cost(_profile(), axes, kinds, units, slow_axis=slow)
    assert "\n" not in str(info.value)


def test_unknown_mode_and_arpes_without_manipulator_axis() -> None:
    with pytest.raises(DataError, match=r"unknown mode 'jog' \(known: sweep, settle\)"):
        scan_cost(_profile(), SMALL, KINDS, SMALL_UNITS, mode="jog")
    with pytest.raises(DataError, match="give slow_axis, the manipulator angle"):
        scan_cost("arpes_map", {"phi": [0.0, 1.0]}, {"phi": "angle"}, {"phi": "degree"})
    cost = scan_cost("arpes_map", {"phi": [0.0, 1.0]}, {"phi": "angle"}, {"phi": "degree"}, "phi")
    profile = get_instrument("arpes_map")
    assert isinstance(profile, ArpesProfile)
    assert cost.seconds == 2 * profile.time_per_cut_s + profile.angle_step_time_s + (
        profile.map_overhead_s
    )
