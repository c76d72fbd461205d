"""A validation folder: ``validation.json``, ``lines.csv`` and one overlay figure per line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.plotting import label_axis, std_band
from reanalyze.units import pretty_unit
from reanalyze.validation.result import TWIN, Validation
from reanalyze.validation.run import Predictions

__all__ = ["VALIDATION_FOLDER", "line_figure", "write_validation"]

#: Where ``reanalyze validate RUN`` writes inside a run folder.
VALIDATION_FOLDER = "validation"

_STYLES = {
    TWIN: {"color": "#c0392b", "lw": 1.8, "zorder": 5},
    "linear": {"color": "#7f8c8d", "lw": 1.0, "ls": "--"},
    "pchip": {"color": "#2471a3", "lw": 1.2, "ls": "-."},
    "rbf": {"color": "#7d3c98", "lw": 1.0, "ls": ":"},
    "gp": {"color": "#1e8449", "lw": 1.0, "ls": (0, (5, 1, 1, 1))},
}


def line_figure(validation: Validation, predictions: Predictions, line: float) -> Any:
    """The measured held-out line, every method's prediction and their errors (a Figure)."""
    from matplotlib.figure import Figure

    data = predictions.data
    slow = data.features.index(data.slow_axis)
    fast = 1 - slow if len(data.features) == 2 else slow
    rows = data.line_of_rows() == line
    order = np.argsort(data.x[rows, fast])
    x = data.x[rows, fast][order]
    measured = data.y[rows][order]
    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    top.plot(x, measured, "o", ms=2.5, color="black", label="measured (held out)", zorder=6)
    for name, values in predictions.by_method.items():
        predicted = values[rows][order]
        result = validation.method(name)
        score = ""
        if result is not None:
            here = next((s for s in result.lines if s.line == line), None)
            score = f" ({here.rel_rmse:.1%})" if here is not None else ""
        style = _STYLES.get(name, {})
        top.plot(x, predicted, label=f"{name}{score}", **style)
        bottom.plot(x, predicted - measured, **style)
        if name in predictions.std:
            band = predictions.std[name][rows][order]
            std_band(top, x, predicted, band, style.get("color"), alpha=0.2)
    fast_name = data.features[fast]
    bottom.axhline(0, color="black", lw=0.6)
    label_axis(bottom.xaxis, fast_name, data.units.get(fast_name, ""))
    label_axis(top.yaxis, data.target, validation.unit)
    label_axis(bottom.yaxis, "error", validation.unit)
    top.set_title(
        f"held-out line {data.slow_axis} = {line:g} {pretty_unit(validation.slow_unit)}".strip(),
        fontsize=10,
    )
    top.legend(fontsize=8, frameon=False)
    return fig


def _csv(validation: Validation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    unit = validation.unit
    writer.writerow(
        ["method", f"{validation.slow_axis} ({validation.slow_unit})", f"rmse ({unit})",
         "rmse / line range", f"max error ({unit})", "points", "missing"]
    )  # fmt: skip
    for method in validation.methods:
        for s in method.lines:
            writer.writerow(
                [method.method, f"{s.line:.10g}", f"{s.rmse:.6g}", f"{s.rel_rmse:.6g}",
                 f"{s.max_error:.6g}", s.n, s.missing]
            )  # fmt: skip
    return buffer.getvalue()


def _slug(value: float) -> str:
    return re.sub(r"[^0-9A-Za-z.+-]", "_", f"{value:g}")


def write_validation(
    folder: str | Path,
    validation: Validation,
    predictions: Predictions,
    *,
    inputs: Sequence[str | Path] = (),
    overwrite: bool = False,
    option: str = "output folder",
) -> Path:
    """Write a validation folder atomically and return it.

    An existing ``folder`` is replaced only when it is a previous validation; a non-empty
    folder reanalyze did not write is refused unless ``overwrite`` (then only the
    validation's files are replaced), so no file reanalyze did not write is ever removed
    (:func:`reanalyze.outputs.output_action`).
    """
    from reanalyze.outputs import output_action, publish_folder

    target = Path(folder)
    action = output_action(target, "validation", inputs=inputs, overwrite=overwrite, option=option)
    with publish_folder(target, "validation", action) as tmp:
        validation.save(tmp)
        (tmp / "lines.csv").write_text(_csv(validation), encoding="utf-8")
        for fold in validation.folds:
            for line in fold:
                fig = line_figure(validation, predictions, line)
                fig.savefig(tmp / f"line_{_slug(line)}.png", dpi=130)
    return target
