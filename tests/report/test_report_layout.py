"""Where the report's figures put their legends and markers, and the held-out lines' captions.

No twin is trained: the figures are drawn from hand-made arrays shaped like real datasets (PdH's
resistance lines fill the upper-left corner of the axes), and the validation folder comes from
:func:`reanalyze.validation.validate_data` with a single classic method.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reanalyze.plotting import figure_problems
from reanalyze.report import collect, figures

FIELDS_OE = [0.0, 500.0, 1000.0, 3000.0, 6000.0, 10000.0, 14000.0]  # PdH's seven lines


def pdh_like_lines(fields: list[float]) -> list[figures.DrawnLine]:
    """R(T) of a superconductor at each field: transitions move to low T as H rises, so the
    high-field lines sit at the normal-state R from 2 K on (the upper-left corner)."""
    rng = np.random.default_rng(0)
    t = np.linspace(2.0, 10.0, 120)
    dense = np.linspace(2.0, 10.0, 400)
    out = []
    for h in fields:
        tc = 7.2 - 6.0 * h / 14000.0

        def r(x: Any, tc: float = tc) -> Any:
            return 0.066 / (1.0 + np.exp(-(x - tc) / 0.25))

        y = r(t) + rng.normal(0.0, 0.0008, t.size)
        mean = r(dense)
        out.append(
            figures.DrawnLine(
                f"H = {h:g} Oe", t, y, y - r(t), dense, mean, np.full_like(mean, 0.002), h
            )
        )
    return out


def draw(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def points_inside(box: Any, ax: Any) -> int:
    """The plotted data points of ``ax`` (line vertices) inside ``box`` (display pixels)."""
    count = 0
    for line in ax.get_lines():
        xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
        x, y = ax.transData.transform(xy).T
        count += int(np.sum((x >= box.x0) & (x <= box.x1) & (y >= box.y0) & (y <= box.y1)))
    return count


@pytest.mark.parametrize(
    "fields",
    [FIELDS_OE, list(np.linspace(0.0, 14000.0, 12)), [5000.0]],
    ids=["pdh-7-lines", "12-lines-colour-bar", "one-line"],
)
def test_training_legend_covers_no_data_point(fields: list[float]) -> None:
    lines = pdh_like_lines(fields)
    fig = figures.training_figure(lines, "R", "ohm", "T", "K", ("H", "Oe"))
    renderer = draw(fig)
    top, bottom = fig.axes[:2]
    legend = top.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    assert points_inside(box, top) == 0 and points_inside(box, bottom) == 0
    assert box.x0 >= top.get_window_extent(renderer).x1  # outside the axes, to the right
    assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1  # and on the figure
    assert figure_problems(fig) == []


def grid_arrays() -> tuple[tuple[Any, Any], Any, Any]:
    t, h = np.meshgrid(np.linspace(10.0, 60.0, 60), np.linspace(100.0, 50000.0, 50))
    mean = 0.07 / (1.0 + np.exp((t - 35.0 - h / 3000.0) / 1.5))
    std = 1e-4 + 1e-3 * np.exp(-(((t - 35.0) / 2.0) ** 2)) * (h < 2000)  # largest on the edge
    return (t, h), mean, std


def test_grid_marks_the_largest_std_whole_and_keeps_the_colour_bar_label_clear() -> None:
    mesh, mean, std = grid_arrays()
    measured = [figures.MeasuredLine(v, 10.0, 60.0) for v in (100.0, 10000.0, 50000.0)]
    fig = figures.grid_figure(mesh, mean, std, ("M", "T", "H"), ("emu", "K", "Oe"), measured)
    renderer = draw(fig)
    left, right, bar = fig.axes[:3]  # the panels, then the left panel's colour bar
    (marker,) = [line for line in right.get_lines() if line.get_label() == "largest std"]
    assert not marker.get_clip_on()  # on the bottom edge: drawn whole, not half
    x, y = right.transData.transform([[marker.get_xdata()[0], marker.get_ydata()[0]]])[0]
    radius = marker.get_markersize() / 72.0 * fig.dpi / 2.0
    assert y - radius < right.get_window_extent(renderer).y0  # it reaches past the edge
    assert fig.bbox.y0 <= y - radius and x + radius <= fig.bbox.x1  # inside the figure
    assert hasattr(bar, "_colorbar") and bar.get_ylabel() == "M (emu)"
    label = bar.yaxis.label.get_window_extent(renderer)
    ticks = max(
        t.get_window_extent(renderer).x1 for t in bar.yaxis.get_ticklabels() if t.get_text()
    )
    gap = right.get_tightbbox(renderer).x0 - label.x1  # to the right panel's tick marks
    # clear of the right panel: twice the label's own width, and plainly nearer its own bar
    assert gap >= 2.0 * label.width and gap >= 3.0 * (label.x0 - ticks)
    assert left.get_window_extent(renderer).x1 < label.x0
    assert figure_problems(fig) == []


def test_held_out_line_figures_are_captioned_with_the_line_not_the_file(tmp_path: Path) -> None:
    from reanalyze.synthetic import GENERATORS
    from reanalyze.twin.data import TrainingData
    from reanalyze.validation import validate_data
    from reanalyze.validation.write import write_validation

    magnet = GENERATORS["bean_rodbell_second_order"]()
    fields = np.array([100.0, 1000.0, 5000.0, 20000.0])
    t, h = np.tile(np.linspace(10, 60, 41), fields.size), np.repeat(fields, 41)
    data = TrainingData(
        np.column_stack([t, h]), magnet.moment(t, h), ["T", "H"], "M",
        {"T": "K", "H": "Oe", "M": "emu"},
        {"T": "temperature", "H": "magnetic_field", "M": "magnetic_moment"}, "H",
    )  # fmt: skip
    result, predictions = validate_data(data, methods=("linear",))
    write_validation(tmp_path / "run" / "validation", result, predictions)
    info = collect._validation(tmp_path / "run", collect._Images())
    assert info is not None
    captions = [f.caption.split(":")[0] for f in info.figures if hasattr(f, "caption")]
    assert captions == ["Held-out line H = 1000 Oe", "Held-out line H = 5000 Oe"]
    assert all("line_" not in f.caption for f in info.figures if hasattr(f, "caption"))
