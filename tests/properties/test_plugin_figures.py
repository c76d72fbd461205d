"""The figure check, and the figures of the built-in property plugins passing it.

:func:`reanalyze.plotting.figure_problems` is shown to catch each defect it looks for on a
figure made to have it (so the checks elsewhere can fail); then every figure of the three
built-in plugins, on single and ensemble inputs, passes it; a family of many curves gets a
colour bar and bold representatives with bands, a few curves a legend; the Arrott plot's axes
fit the data and say how many outliers they leave out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reanalyze.plotting import (
    CurveFamily,
    figure_problems,
    label_axis,
    plain_log_ticks,
    representatives,
)
from reanalyze.properties.arpes import ArpesMap
from reanalyze.properties.base import ENSEMBLE_KEY, PropertyResult
from reanalyze.properties.magnetocaloric import MagnetocaloricEffect
from reanalyze.properties.magnetocaloric_figures import arrott_figure, arrott_limits
from reanalyze.properties.superconducting import SuperconductingTransport
from reanalyze.synthetic import BeanRodbellMagnet, Superconductor
from reanalyze.table import UnitTable

PLUGIN = MagnetocaloricEffect()


def good_figure() -> Figure:
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [1, 4, 9], label="a")
    ax.plot([1, 2, 3], [2, 3, 4], label="b")
    ax.set_xlabel("T (K)")
    ax.set_ylabel("M (emu)")
    ax.legend()
    return fig


def test_figure_check_passes_a_good_figure_and_names_each_defect() -> None:
    assert figure_problems(good_figure()) == []

    no_layout = good_figure()
    no_layout.set_layout_engine("none")
    assert figure_problems(no_layout) == ["no layout engine (use layout='constrained' or 'tight')"]

    no_unit = good_figure()
    no_unit.axes[0].set_ylabel("M")
    assert figure_problems(no_unit) == ["axes 0 (untitled): y label 'M' has no unit"]

    no_key = good_figure()
    no_key.axes[0].get_legend().remove()
    assert figure_problems(no_key) == ["axes 0 (untitled): 2 curves and no legend or colour bar"]

    crowded = good_figure()
    crowded.axes[0].text(2.0, 5.0, "a note")
    crowded.axes[0].text(2.0, 5.0, "another note")
    assert figure_problems(crowded) == ["texts overlap: 'a note' and 'another note'"]

    bare_bar = Figure(layout="constrained")
    ax = bare_bar.add_subplot()
    bare_bar.colorbar(ax.pcolormesh(np.arange(9.0).reshape(3, 3)), ax=ax, label="I")
    ax.set_xlabel("θ1 (deg)")
    ax.set_ylabel("θ2 (deg)")
    assert figure_problems(bare_bar) == ["colour bar 1: label 'I' has no unit"]


@pytest.mark.parametrize(
    ("span", "expected"),
    [((6.35, 107.3), {"10", "20", "30", "60", "100"}), ((0.2, 30.0), {"0.2", "1", "3", "10"})],
)
def test_log_axes_read_as_plain_numbers(span: tuple[float, float], expected: set[str]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(span, span, "o-", label="y = x")
    ax.set(xscale="log", yscale="log", xlabel="time (h)", ylabel="error (%)")
    for axis in (ax.xaxis, ax.yaxis):
        plain_log_ticks(axis)
    FigureCanvasAgg(fig).draw()
    low, high = ax.get_xlim()
    shown = {
        t.get_text()
        for t in [*ax.get_xticklabels(), *ax.get_xticklabels(minor=True)]
        if t.get_text() and low <= t.get_position()[0] <= high
    }
    assert expected <= shown, shown
    assert all(float(text) > 0 for text in shown)  # plain numbers, no 2×10¹ mathtext
    assert figure_problems(fig) == []


def curve_figure(scale: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.add_subplot()
    t = np.linspace(5.0, 200.0, 80)
    ax.plot(t, scale * (1.5 + np.sin(t / 30.0)))
    label_axis(ax.xaxis, "T", "K")
    return fig, ax


@pytest.mark.parametrize(
    ("unit", "scale", "shown", "factor"),
    [
        ("J/K", 1e-6, "µJ/K", 1e-6),  # Fe3Ga4's per-sample ΔS_M
        ("J/(kg*K)", 3e-4, "µJ kg⁻¹ K⁻¹", 1e-6),
        ("ohm", 2e5, "kΩ", 1e3),
        ("", 2e-5, "10⁻⁶", 1e-6),  # dimensionless: a power of ten
        ("(emu/g)**2", 5e-8, "10⁻⁹ (emu/g)²", 1e-9),  # no symbol to prefix
        ("emu", 0.02, "emu", 1.0),  # plain numbers read well: unchanged
    ],
)
def test_values_far_from_one_take_a_prefixed_unit_and_the_ticks_agree(
    unit: str, scale: float, shown: str, factor: float
) -> None:
    fig, ax = curve_figure(scale)
    label_axis(ax.yaxis, "y", unit)
    FigureCanvasAgg(fig).draw()
    assert ax.get_ylabel() == f"y ({shown})"
    low, high = ax.get_ylim()
    ticks = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels()]
    ticks = [(at, text.replace("−", "-")) for at, text in ticks if text and low <= at <= high]
    assert len(ticks) >= 3
    for at, text in ticks:  # each label is its tick's value in the unit the label names
        assert float(text) == pytest.approx(at / factor, rel=1e-6, abs=1e-9)
    assert figure_problems(fig) == []


def test_greek_column_names_are_labelled_with_their_letters() -> None:
    fig, ax = curve_figure(1.0)
    label_axis(ax.yaxis, "largest std of theta2", "deg")
    family = CurveFamily(np.linspace(-15.0, 15.0, 20), "theta2", "deg")
    family.finish(ax, band=False)
    assert ax.get_ylabel() == "largest std of θ2 (deg)"
    assert fig.axes[1].get_ylabel() == "θ2 (deg)"  # the family's colour bar
    assert ax.get_legend().get_title().get_text().startswith("θ2: bold")
    label_axis(ax.xaxis, "−ΔS_M at µ0ΔH = 5 T", "J/(kg*K)")  # the plan's quantity name
    assert ax.get_xlabel() == "−ΔS$_\\mathrm{M}$ at µ₀ΔH = 5 T (J kg⁻¹ K⁻¹)"
    assert figure_problems(fig) == []


def test_the_figure_check_names_an_axis_whose_ticks_carry_a_separate_factor() -> None:
    fig, ax = curve_figure(1e-6)
    ax.set_ylabel("y (J/K)")  # matplotlib then writes "1e−6" above the axis
    problems = figure_problems(fig)
    assert len(problems) == 1 and "y ticks carry a separate factor or offset" in problems[0]


def test_representatives_pick_round_values_and_always_the_largest() -> None:
    changes = np.linspace(0.05, 5.0, 100)
    assert [round(float(changes[i]), 2) for i in representatives(changes, 5)] == [1, 2, 3, 4, 5]
    isotherms = np.arange(10.0, 61.0, 2.0)
    assert [float(isotherms[i]) for i in representatives(isotherms, 5)] == [20, 30, 40, 50, 60]
    assert representatives([1.0, 2.0, 3.0], 5) == [0, 1, 2]
    few = CurveFamily([1.0, 2.0, 3.0], "µ₀H", "T")
    assert not few.many and few.bold == [0, 1, 2] and few.label(2) == "3 T"


def ensemble(table: UnitTable, scales: np.ndarray) -> UnitTable:
    """Members M·scale_k of a scan (ΔS_M is linear in M: its std is exact)."""
    m, out, names = table.values("M"), table, []
    for i, scale in enumerate(scales):
        names.append(f"M_m{i}")
        out = out.with_column(names[-1], m * scale, "magnetic_moment", "emu")
    out = out.with_column("M_std", m * np.std(scales, ddof=1), "magnetic_moment", "emu")
    return out.with_metadata(**{ENSEMBLE_KEY: {"target": "M", "std": "M_std", "members": names}})


@pytest.fixture(scope="module")
def dense_result() -> PropertyResult:
    """ΔS_M of 50 field lines (100 Oe … 49 100 Oe) of the first-order magnet, 3 members."""
    magnet = BeanRodbellMagnet.erco2_like(fields_oe=tuple(100.0 + 1000.0 * np.arange(50)))
    scan = magnet.scan(seed=0)
    return PLUGIN.run(ensemble(scan, np.array([0.99, 1.0, 1.01])), {"low_field": "constant"})


def test_every_plugin_figure_passes_the_figure_check(dense_result: PropertyResult) -> None:
    results = {
        "magnetocaloric, 8 fields": PLUGIN.run(PLUGIN.example_table()),
        "magnetocaloric, 50 fields, 3 members": dense_result,
        "superconducting": SuperconductingTransport().run(Superconductor.pdh_like().scan(seed=0)),
        "arpes": ArpesMap().run(ArpesMap.example_table()),
    }
    problems = {
        f"{case}: {name}": figure_problems(figure)
        for case, result in results.items()
        for name, figure in result.figures.items()
    }
    assert len(problems) == 4 + 4 + 2 + 3
    assert {key: found for key, found in problems.items() if found} == {}


def test_a_per_sample_entropy_change_of_microjoules_reads_in_microjoules() -> None:
    """A moment of a few µemu (a small sample, no mass) gives ΔS_M of order 1e-6 of the
    usual unit: the figures say µ in the unit instead of a "1e−6" above the axis."""
    table = PLUGIN.example_table()
    small = table.with_column("M", table.values("M") * 1e-6, "magnetic_moment", table.unit("M"))
    result = PLUGIN.run(small)
    assert {
        name: figure_problems(f) for name, f in result.figures.items() if figure_problems(f)
    } == {}
    label = result.figures["delta_s_m"].axes[0].get_ylabel()
    assert label.startswith("−ΔS") and "(µ" in label, label


def test_many_field_changes_get_a_colour_bar_and_few_get_a_legend(
    dense_result: PropertyResult,
) -> None:
    for name in ("delta_s_m", "field_exponent"):
        ax, bar = dense_result.figures[name].axes
        assert bar.get_ylabel() == "µ₀ΔH (T)"
        entries = [t.get_text() for t in ax.get_legend().get_texts()]
        assert entries == ["1.01 T", "2.01 T", "2.91 T", "3.91 T", "4.91 T", "± 1 std (ensemble)"]
    delta_s = dense_result.figures["delta_s_m"].axes[0]
    assert len(delta_s.collections) == 5  # bands of the bold curves only
    few = PLUGIN.run(PLUGIN.example_table()).figures["delta_s_m"]
    assert len(few.axes) == 1  # 7 field changes (8 fields, from the lowest): no colour bar
    assert len(few.axes[0].get_legend().get_texts()) == 7  # a legend entry each


def arrott_table(outliers: int) -> UnitTable:
    """Isotherms M² = a − b·H/M with H/M up to 1000 Oe g/emu, plus far points at 20 000."""
    rows = []
    for k, temp in enumerate(np.arange(20.0, 45.0, 1.0)):
        x = np.linspace(10.0, 1000.0, 40)
        for i, value in enumerate(x):
            far = i == 0 and k < outliers
            rows.append((temp, 20000.0 if far else value, 5000.0 - 4.0 * value - 50 * k))
    frame = pd.DataFrame(rows, columns=["T", "H_over_M", "M2"])
    frame["M"] = np.sqrt(np.abs(frame["M2"]))
    frame["negative_slope"] = 0.0
    specs = {
        "T": ("temperature", "K"),
        "H_over_M": ("other", "Oe/(emu/g)"),
        "M2": ("other", "(emu/g)**2"),
        "M": ("magnetization", "emu/g"),
        "negative_slope": ("dimensionless", "dimensionless"),
    }
    return UnitTable(frame, specs)


def test_arrott_axes_fit_the_data_and_say_what_they_leave_out() -> None:
    clipped = arrott_figure(arrott_table(outliers=3)).axes[0]
    low, high = clipped.get_xlim()
    assert 1000.0 < high < 1200.0 and low <= 10.0  # not stretched to the points at 20 000
    assert "3 points with H/M > " in clipped.get_title()
    assert clipped.get_xlabel() == "H/M (Oe g emu⁻¹)" and clipped.get_ylabel() == "M² ((emu/g)²)"
    whole = arrott_figure(arrott_table(outliers=0)).axes[0]
    assert "off scale" not in whole.get_title() and whole.get_xlim()[1] < 1100.0
    assert arrott_limits(np.linspace(0.0, 1.0, 100)) == (None, 0)
    limits, outside = arrott_limits(np.r_[np.linspace(0.0, 1.0, 100), 50.0])
    assert limits is not None and limits[1] < 1.2 and outside == 1


def test_ensemble_arpes_and_simulated_superconductor_figures_pass_the_figure_check() -> None:
    """Members that disagree on two cuts (a member-specific peak each): the maps mark those
    peaks unresolved (hollow, counted in the legend) and every figure still passes; the
    twin's superconducting curves are titled as simulated."""
    table = ArpesMap.example_table()
    theta1, theta2, intensity = (table.values(c) for c in ("theta1", "theta2", "I"))
    rng = np.random.default_rng(0)
    names = [f"I_m{i}" for i in range(4)]
    for name in names:
        bump = 300.0 / (1 + ((theta1 - rng.uniform(-20.0, 22.0)) / 0.8) ** 2)
        member = intensity + np.where(np.isin(theta2, (-11.0, 6.0)), bump, 0.0)
        table = table.with_column(name, member, "intensity", table.unit("I"))
    arpes = ArpesMap().run(table.with_metadata(**{ENSEMBLE_KEY: {"target": "I", "members": names}}))
    legend = [t.get_text() for t in arpes.figures["fermi_surface"].legends[0].get_texts()]
    assert any("peaks where the members disagree" in text for text in legend), legend
    scan = Superconductor.pdh_like().scan(seed=0)
    for k in range(3):
        scan = scan.with_column(f"R_m{k}", scan.values("R") * (1 + 0.01 * k), "resistance", "ohm")
    members = {"target": "R", "members": [f"R_m{k}" for k in range(3)]}
    twin = SuperconductingTransport().run(scan.with_metadata(**{ENSEMBLE_KEY: members}))
    assert "twin (simulated grid)" in twin.figures["curves"].axes[0].get_title()
    problems = {
        f"{case}: {name}": figure_problems(figure)
        for case, result in {"arpes": arpes, "superconducting": twin}.items()
        for name, figure in result.figures.items()
    }
    assert len(problems) == 3 + 2
    assert {key: found for key, found in problems.items() if found} == {}
