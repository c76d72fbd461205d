"""Every figure of a demo-like report passes the figure check, and the demo's exact answer shows.

The report is made as ``reanalyze demo`` makes it, only smaller: a tiny twin (2 trials, 2
members) of the synthetic first-order magnet (``synthetic_magnet``, exact answer known), ΔS_M
on a dense grid of 100 field changes with ``low_field='constant'``, a two-step plan, the
report. Every figure embedded in the page is checked with
:func:`reanalyze.plotting.figure_problems`: the report's own (kept by the collect step) and
those it embeds from the property and plan folders (drawn again by the same plugin and plan).
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from report_helpers import Page

from reanalyze.load import load_dataset
from reanalyze.planning import Plan
from reanalyze.plotting import figure_problems
from reanalyze.plugins import load_plugin
from reanalyze.properties.base import PropertyResult
from reanalyze.report import write_report
from reanalyze.report.collect import collect_report
from reanalyze.report.data import ReportData
from reanalyze.synthetic import GENERATORS
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.simulate import simulate
from reanalyze.twin.space import SearchSpace

GRID = "T=20:55:0.5K H=100:50000Oe:500Oe"  # 100 field lines, as the demo's 500 Oe steps
PARAMS = {"low_field": "constant"}


@dataclass
class Demo:
    run: Path
    prop: Path
    plan: Path
    result: PropertyResult
    plan_figures: dict[str, Any]
    data: ReportData
    page: Page


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, tiny_space: SearchSpace) -> Demo:
    root = tmp_path_factory.mktemp("demo-report")
    table = load_dataset("synthetic_magnet")  # the demo's dataset, metadata and all
    keep = np.zeros(len(table), bool)
    keep[::3] = True
    data = TrainingData.from_table(table.filter(keep), ["T", "H"], "M")
    Search(tiny_space, n_trials=2, workers=1, ensemble=2, seed=0).fit(data, root / "run")
    run = root / "run"
    result = load_plugin("reanalyze.properties", "magnetocaloric")().run(
        simulate(run, GRID), PARAMS
    )
    prop = result.save(root / "delta_s_m", plugin="magnetocaloric", extra={"input": GRID})
    plan = Plan(
        run, "magnetocaloric", "H", ["1T", "0.5T"], fixed=["T=20:55:0.5K"], params=PARAMS
    ).run()
    plan.result_.save(root / "plan")
    html = write_report(run, plans=[root / "plan"], properties=[prop], log_mlflow=False)
    collected = collect_report(
        run, html, plans=[root / "plan"], properties=[prop], log_mlflow=False
    )
    page = Page(html.read_text(encoding="utf-8"))
    return Demo(run, prop, root / "plan", result, plan.result_.figures(), collected, page)


def test_every_figure_of_the_report_passes_the_figure_check(demo: Demo) -> None:
    drawn = {i.name: i.figure for i in demo.data.images if i.figure is not None}
    assert {
        "training_vs_twin.png",
        "learning_curves.png",
        "grid.png",
        "grid_spread.png",
        "property1-magnetocaloric-exact.png",
    } == set(drawn)
    embedded = {
        f"property1-magnetocaloric-{name}.png": figure
        for name, figure in demo.result.figures.items()
    } | {f"plan1-plan-{name}.png": figure for name, figure in demo.plan_figures.items()}
    # the page shows exactly these figures: the report's own and the folders' files
    assert sorted(i.name for i in demo.data.images) == sorted([*drawn, *embedded])
    assert len(demo.page.images) == len(demo.data.images)
    problems = {name: figure_problems(figure) for name, figure in {**drawn, **embedded}.items()}
    assert {name: p for name, p in problems.items() if p} == {}


def test_delta_s_of_100_field_changes_has_a_colour_bar_and_bold_representatives(
    demo: Demo,
) -> None:
    figure = demo.result.figures["delta_s_m"]
    ax, bar = figure.axes
    assert bar.get_ylabel() == "µ₀ΔH (T)" and hasattr(bar, "_colorbar")
    assert ax.get_ylabel() == "−ΔS$_\\mathrm{M}$ (J kg⁻¹ K⁻¹)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["1.01 T", "1.96 T", "2.96 T", "3.96 T", "4.96 T", "± 1 std (ensemble)"]
    assert len(ax.get_lines()) == 100
    assert len(ax.collections) == 5  # a band for each bold curve only
    faint = [line for line in ax.get_lines() if line.get_alpha() == 0.35]
    assert len(faint) == 95


def test_exact_answer_is_overlaid_and_its_error_printed(demo: Demo) -> None:
    (entry,) = demo.data.properties
    exact = entry.exact
    assert exact is not None and exact.generator == "bean_rodbell_first_order"
    magnet = GENERATORS["bean_rodbell_first_order"]()
    largest = exact.rows[-1]
    assert largest.delta_h == pytest.approx(4.96, abs=1e-9)  # low_field='constant': ΔH = H
    # the exact maximum, found independently on a grid finer than the report's
    temps = np.arange(20.0, 55.0, 0.002)
    truth = np.abs(magnet.delta_s_m(temps, np.full_like(temps, 49600.0)))
    assert largest.exact_peak == pytest.approx(truth.max(), rel=2e-4)
    assert largest.exact_t_peak == pytest.approx(temps[np.argmax(truth)], abs=0.02)
    # the twin's number is the summary's, so the two tables agree
    summary = demo.result.summary["delta_s_max"]
    assert largest.twin_peak == pytest.approx(summary.value, rel=1e-6)
    assert largest.twin_std == pytest.approx(summary.std, rel=1e-6)
    rows = [cells for _, cells in demo.page.tables["property-1-exact"]]
    assert len(rows) == len(exact.rows) == 3
    error = largest.twin_peak - largest.exact_peak
    # the error to the precision of the twin's std (2 significant digits of it), in % too
    std = largest.twin_std
    assert std is not None and std > 0
    relative, relative_std = 100 * error / largest.exact_peak, 100 * std / largest.exact_peak
    places, places_rel = (1 - math.floor(math.log10(s)) for s in (std, relative_std))
    assert float(rows[-1][3]) == pytest.approx(error, abs=0.5 * 10.0**-places + 1e-12)
    assert float(rows[-1][4]) == pytest.approx(relative, abs=0.5 * 10.0**-places_rel + 1e-12)
    assert len(rows[-1][3].split(".")[1]) == places  # the std is below 1 here
    assert f"exact {largest.exact_peak:.4g} J kg⁻¹ K⁻¹" in demo.page.all_text
    figure = next(i for i in demo.data.images if i.name.endswith("-exact.png")).figure
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels[-1] == "exact (bean_rodbell_first_order)"


def test_spread_map_draws_the_measured_lines(demo: Demo) -> None:
    grid = demo.data.grid
    assert grid is not None and grid.lines == 8 and grid.spread is not None
    right = grid.image.figure.axes[1]
    (lines,) = [c for c in right.collections if c.get_label().startswith("measured lines")]
    measured = sorted(float(np.mean(seg[:, 1])) for seg in lines.get_segments())
    assert measured == pytest.approx(sorted(GENERATORS["bean_rodbell_first_order"]().fields_oe))
    stats = demo.page.pairs("grid-stats")
    assert "largest std on a measured line" in stats
    assert "largest std between measured lines" in stats
    assert grid.between_std is not None and grid.line_std is not None


def test_report_prints_no_zero_std_and_conventional_units(demo: Demo) -> None:
    shown = {cells[0]: cells[1] for _, cells in demo.page.tables["property-1-summary"]}
    assert shown["delta_h"] == "4.96 T"  # std 0 over the members: no "± 0"
    assert " ± 0 " not in demo.page.all_text
    assert "J/(kg*K)" not in demo.page.all_text and "**2" not in demo.page.all_text
    pngs = [base64.b64decode(src.split(",", 1)[1]) for src in demo.page.images]
    assert all(p.startswith(b"\x89PNG") for p in pngs)
