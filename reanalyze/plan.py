"""The experiment planner: which step is fine enough for the property I want, and its cost.

For every candidate step along one scan axis (``--axis H --steps 1T,0.5T,0.2T,0.1T``) the
planner

1. builds the grid the experiment would measure: along the planned axis the lower end of the
   range, then every multiple of the step up to the upper end (which is always included) —
   0.01, 0.2, 0.4, …, 5 T for a 0.2 T step over 0.01–5 T; the other axes at their measured
   resolution (or ``--fixed``);
2. simulates it with the twin (every ensemble member) and computes the property with its
   plugin, giving mean ± std;
3. compares the plugin's convergence curve (e.g. −ΔS_M(T) for the largest field change) with
   that of the **finest** candidate: RMS deviation (absolute and relative to the finest
   curve's maximum), spurious oscillation (total variation relative to the finest's), the
   error of the curve's maximum and of its position, and the ensemble spread;
4. prices the measurement with an instrument profile (:mod:`reanalyze.cost`).

The recommendation is the **coarsest step that meets the tolerance** (defaults:
:class:`Tolerance`). The planner says so when only the finest candidate meets it (the answer
is not converged: add finer steps), when the two finest candidates differ by more than the
tolerance, and when the ensemble spread is larger than the differences between steps (the
twin's own uncertainty, not the step, limits the answer).

Examples
--------
>>> Tolerance().rms_rel
0.02
>>> axis_candidates(0.01, 5.0, 1.0).tolist()
[0.01, 1.0, 2.0, 3.0, 4.0, 5.0]
>>> axis_candidates(0.01, 1.0, 0.3).tolist()
[0.01, 0.3, 0.6, 0.9, 1.0]
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from reanalyze.errors import DataError, OptionError, PluginError
from reanalyze.outputs import output_action, publish_folder
from reanalyze.simulate import split_number
from reanalyze.table import UnitTable
from reanalyze.units import check_kind, convert

__all__ = [
    "Plan",
    "PlanResult",
    "Tolerance",
    "axis_candidates",
    "compare",
    "measured_step",
    "peak_centre",
]

Array = npt.NDArray[np.float64]
PLAN_FILE = "plan.json"


class Tolerance(BaseModel):
    """When a step is fine enough: every criterion must hold (against the finest candidate).

    The defaults are 2 % of the property's maximum for the RMS deviation and for the error
    of the maximum, no more than 25 % extra total variation (spurious oscillation; a twin's
    own small wiggles along the fixed axis add to every candidate's), and the
    maximum's position (:func:`peak_centre`) within ``peak_position`` — by default the larger
    of two spacings of the finest curve's abscissa and a tenth of its full width at half
    maximum (a broad plateau has no sharper position than that).
    """

    model_config = ConfigDict(extra="forbid")

    rms_rel: float = Field(0.02, gt=0, description="RMS deviation / max |finest curve|.")
    peak_rel: float = Field(0.02, gt=0, description="|error of the maximum| / maximum.")
    peak_position: float | None = Field(
        None, gt=0, description="|error of the maximum's position|, in the curve's x unit."
    )
    tv_ratio: float = Field(1.25, ge=1, description="Total variation / the finest's (oscillation).")


def axis_candidates(lo: float, hi: float, step: float) -> Array:
    """Values a scan with ``step`` measures on [lo, hi]: lo, the multiples of step, hi.

    Raises
    ------
    DataError
        A non-positive step or an empty range.
    """
    if not step > 0:
        raise DataError(f"step must be positive, got {step:g}")
    if not hi > lo:
        raise DataError(f"empty range {lo:g}…{hi:g}")
    tol = 1e-9 * max(abs(hi), abs(lo), step)
    first = math.floor(lo / step + 1e-9) + 1
    multiples = step * np.arange(first, math.floor(hi / step + 1e-9) + 1)
    values = [lo, *[v for v in multiples if lo + tol < v < hi - tol], hi]
    return np.asarray(np.round(np.asarray(values, dtype=np.float64), 12), dtype=np.float64)


def measured_step(table: UnitTable, axis: str, slow: str | None) -> float:
    """Median spacing of ``axis`` within the scan lines of ``slow`` (the measured resolution)."""
    values = table.values(axis)
    groups = [values] if slow is None or slow == axis else []
    if slow is not None and slow != axis:
        lines = table.values(slow)
        groups = [values[lines == v] for v in np.unique(lines)]
    steps = [np.median(np.diff(np.unique(g))) for g in groups if len(np.unique(g)) > 2]
    if not steps:
        return float(np.ptp(values)) / 100 or 1.0
    return float(np.median(steps))


@dataclass
class PlanResult:
    """Candidates compared, costed, and the recommendation.

    Attributes
    ----------
    rows
        One dict per candidate, coarsest first (see ``docs/planning.md`` for the keys).
    curves
        The convergence curve of every candidate (same order).
    recommended
        Index of the recommended row, or ``None`` when no candidate but the finest meets the
        tolerance.
    verdict, notes
        What to do, in words, and the observations behind it.
    info
        Property, run, axis, range, fixed axes, instrument, tolerance, parameters.
    finest
        The finest candidate's property result (tables, summary, figures).
    """

    rows: list[dict[str, Any]]
    curves: list[Any]
    recommended: int | None
    verdict: str
    notes: list[str]
    info: dict[str, Any]
    finest: Any = None
    costs: list[Any] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``plan.json``: info, rows, recommendation, verdict, notes."""

        def clean(v: Any) -> Any:
            if isinstance(v, float | np.floating):
                return None if not math.isfinite(float(v)) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.bool_):
                return bool(v)
            return v

        rows = [{k: clean(v) for k, v in row.items()} for row in self.rows]
        return {
            **self.info,
            "rows": rows,
            "recommended": self.recommended,
            "verdict": self.verdict,
            "notes": list(self.notes),
        }

    def table(self) -> UnitTable:
        """The step vs cost vs property-error table with units."""
        q = self.info["quantity"]
        axis_kind = self.info["axis_kind"]
        specs: dict[str, tuple[str, str]] = {
            "step": (axis_kind, self.info["axis_unit"]),
            "lines": ("dimensionless", ""),
            "points": ("dimensionless", ""),
            "hours": ("time", "h"),
            "days": ("time", "day"),
            "rms": ("other", q["unit"]),
            "rms_rel": ("dimensionless", ""),
            "tv_ratio": ("dimensionless", ""),
            "peak": ("other", q["unit"]),
            "peak_error": ("other", q["unit"]),
            "peak_rel_error": ("dimensionless", ""),
            "peak_position": ("other", q["x_unit"]),
            "peak_position_error": ("other", q["x_unit"]),
            "spread": ("other", q["unit"]),
            "meets": ("dimensionless", ""),
        }
        frame = pd.DataFrame(
            {k: [np.nan if r[k] is None else float(r[k]) for r in self.rows] for k in specs}
        )
        return UnitTable(frame, specs, metadata={"property": self.info["property"]})

    def save(
        self, folder: str | Path, *, overwrite: bool = False, option: str = "output folder"
    ) -> Path:
        """Write ``plan.json``, ``tables/``, ``figures/`` and ``property/`` (the finest result).

        Written to a temporary folder first: an error leaves nothing half-written. ``folder``
        must be new, empty or a previous plan; the twin's run folder, the current folder and a
        non-empty folder reanalyze did not write are refused (``overwrite`` allows the last,
        replacing only the plan's files; :func:`reanalyze.outputs.output_action`).
        """
        root = Path(folder)
        run = self.info.get("run")
        action = output_action(
            root,
            "plan",
            inputs=[run] if run and Path(run).exists() else [],
            overwrite=overwrite,
            option=option,
        )
        with publish_folder(root, "plan", action) as tmp:
            (tmp / "tables").mkdir()
            (tmp / "figures").mkdir()
            self.table().to_csv(tmp / "tables" / "plan.csv")
            self._curves_table().to_csv(tmp / "tables" / "curves.csv")
            for name, figure in self.figures().items():
                figure.savefig(tmp / "figures" / f"{name}.png", dpi=120, bbox_inches="tight")
            if self.finest is not None:
                self.finest.save(
                    tmp / "property",
                    plugin=self.info["property"],
                    extra={"input": f"twin {self.info['run']}, finest step"},
                )
            (tmp / PLAN_FILE).write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return root

    def _curves_table(self) -> UnitTable:
        q = self.info["quantity"]
        parts = []
        for row, curve in zip(self.rows, self.curves, strict=True):
            std = curve.std if curve.std is not None else np.full_like(curve.y, np.nan)
            parts.append(
                pd.DataFrame({"step": row["step"], "x": curve.x, "y": curve.y, "y_std": std})
            )
        return UnitTable(
            pd.concat(parts, ignore_index=True),
            {
                "step": (self.info["axis_kind"], self.info["axis_unit"]),
                "x": ("other", q["x_unit"]),
                "y": ("other", q["unit"]),
                "y_std": ("other", q["unit"]),
            },
        )

    def figures(self) -> dict[str, Any]:
        """``convergence`` (curves per step, finest with its band) and ``cost_accuracy``."""
        from matplotlib.figure import Figure

        q = self.info["quantity"]
        unit = self.info["axis_unit"]
        fig = Figure(figsize=(6.4, 4.4))
        ax = fig.add_subplot()
        import matplotlib

        cmap = matplotlib.colormaps["viridis"]
        n = len(self.curves)
        for i, (row, curve) in enumerate(zip(self.rows, self.curves, strict=True)):
            finest = i == n - 1
            color = cmap(i / max(n - 1, 1))
            label = f"{row['step']:g} {unit}" + (" (recommended)" if i == self.recommended else "")
            ax.plot(
                curve.x, curve.y, label=label, color=color, lw=2.4 if i == self.recommended else 1.2
            )
            if finest and curve.std is not None:
                ax.fill_between(
                    curve.x,
                    curve.y - curve.std,
                    curve.y + curve.std,
                    color=color,
                    alpha=0.3,
                    label="finest ±1σ (ensemble)",
                )
        ax.set_xlabel(f"{q['x']} ({q['x_unit']})")
        ax.set_ylabel(f"{q['name']} ({q['unit']})")
        ax.set_title(f"{self.info['property']}: convergence in the {self.info['axis']} step")
        ax.legend(fontsize="small", title=f"{self.info['axis']} step")
        out = {"convergence": fig}

        fig2 = Figure(figsize=(6.4, 4.4))
        ax2 = fig2.add_subplot()
        has_cost = all(r["hours"] is not None for r in self.rows)
        x = [r["hours"] if has_cost else r["lines"] for r in self.rows]
        xlabel = "instrument time (h)" if has_cost else "scan lines"
        y = [max(r["rms_rel"], 1e-6) * 100 for r in self.rows[:-1]]
        ax2.plot(x[:-1], y, "o-", label="RMS deviation from the finest (%)")
        peak = [max(abs(r["peak_rel_error"]), 1e-6) * 100 for r in self.rows[:-1]]
        ax2.plot(x[:-1], peak, "s--", label="error of the maximum (%)")
        for xi, yi, r in zip(x, y, self.rows, strict=False):
            ax2.annotate(
                f"{r['step']:g} {unit}",
                (xi, yi),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize="small",
            )
        if self.recommended is not None and self.recommended < len(self.rows) - 1:
            i = self.recommended
            ax2.plot([x[i]], [y[i]], "*", ms=16, color="C3", label="recommended")
        ax2.axhline(
            self.info["tolerance"]["rms_rel"] * 100, color="gray", ls=":", label="tolerance (RMS)"
        )
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        ax2.set_xlabel(xlabel)
        ax2.set_ylabel("deviation from the finest step (%)")
        ax2.set_title("cost vs accuracy")
        ax2.legend(fontsize="small")
        out["cost_accuracy"] = fig2
        return out


class Plan:
    """Compare candidate steps of one scan axis for a property, with their instrument cost.

    Parameters
    ----------
    run
        Run folder of a trained twin (or a loaded ``ModelBundle``).
    property
        Property plugin name (``reanalyze property list``).
    axis
        The scan axis whose step is planned (a feature of the twin).
    steps
        Candidate steps, each a number with a unit (``"0.2T"``) or in the axis's unit.
    range
        ``(lo, hi)`` of the axis as strings with units or numbers in the axis unit
        (default: the training range).
    fixed
        Grid specs of the other axes (``"T=10:60:0.2K"``; default: their training range at
        the measured resolution).
    instrument
        Instrument profile name or object (default: none, no cost).
    instruments_file
        A user YAML file adding or overriding instrument profiles.
    tolerance
        :class:`Tolerance` or a mapping of its fields.
    params
        Plugin parameters.
    slow_axis
        The axis held fixed per scan line for the cost (default: the cost model's choice).

    Attributes
    ----------
    result_ : PlanResult
        Set by :meth:`fit`.
    """

    result_: PlanResult

    def __init__(
        self,
        run: Any,
        property: str,
        axis: str,
        steps: Sequence[str | float],
        *,
        range: tuple[str | float, str | float] | None = None,
        fixed: Sequence[str] = (),
        instrument: Any = None,
        instruments_file: str | Path | None = None,
        tolerance: Tolerance | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        slow_axis: str | None = None,
    ) -> None:
        self.run = run
        self.property = property
        self.axis = axis
        self.steps = steps
        self.range = range
        self.fixed = fixed
        self.instrument = instrument
        self.instruments_file = instruments_file
        self.tolerance = tolerance
        self.params = params
        self.slow_axis = slow_axis

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _in_unit(
        text: str | float, kind: str, unit: str, where: str, *, difference: bool = False
    ) -> float:
        """A number with an optional unit, in ``unit``; a difference (a step) has no offset."""
        if isinstance(text, int | float):
            return float(text)
        number, given = split_number(str(text), where)
        if given:
            check_kind(given, kind, where=where)
        u = given or unit
        zero = float(convert(0.0, u, unit, kind=kind)) if difference else 0.0
        return float(convert(number, u, unit, kind=kind)) - zero

    # ------------------------------------------------------------------ the work
    def fit(self, progress: Callable[[str], None] | None = None) -> Plan:
        """Simulate, compute and compare every candidate; the outcome is :attr:`result_`.

        Raises
        ------
        DataError
            Unknown axis, a bad step or range, a range outside the training range.
        PluginError
            Unknown property, invalid parameters, or a plugin without a convergence curve.
        """
        from reanalyze.plugins import load_plugin
        from reanalyze.properties.base import parse_params
        from reanalyze.simulate import axis_values, grid_points, simulate
        from reanalyze.train.bundle import ModelBundle

        say = progress or (lambda message: None)
        bundle = self.run if isinstance(self.run, ModelBundle) else ModelBundle.load(self.run)
        if self.axis not in bundle.features:
            raise OptionError(
                f"--axis {self.axis!r} is not a feature of the twin "
                f"(features: {', '.join(bundle.features)})"
            )
        plugin = load_plugin("reanalyze.properties", self.property)()
        params = parse_params(plugin, self.params)
        tolerance = (
            self.tolerance
            if isinstance(self.tolerance, Tolerance)
            else Tolerance(**dict(self.tolerance or {}))
        )
        kind, unit = bundle.kinds[self.axis], bundle.units[self.axis]
        if len(self.steps) < 2:
            raise OptionError(
                "--steps: give at least two candidate steps to compare, e.g. 1T,0.5T,0.2T "
                f"(got {len(self.steps)})"
            )
        steps = sorted(
            {self._in_unit(s, kind, unit, f"--steps {s}", difference=True) for s in self.steps},
            reverse=True,
        )
        show = _display_unit(self.steps, unit)  # the unit the user wrote the steps in
        if any(s <= 0 for s in steps):
            raise OptionError("--steps must be positive")
        if len(steps) < 2:
            raise OptionError(
                f"--steps {','.join(map(str, self.steps))}: the steps are all the same"
            )
        lo_t, hi_t = bundle.ranges[self.axis]
        if self.range is None:
            lo, hi = lo_t, hi_t
        else:
            lo = self._in_unit(self.range[0], kind, unit, "--range")
            hi = self._in_unit(self.range[1], kind, unit, "--range")
        slack = 1e-9 * max(abs(hi_t), abs(lo_t), 1.0)
        if lo < lo_t - slack or hi > hi_t + slack:
            raise OptionError(
                f"--range {lo:g}…{hi:g} {unit} leaves the training range {lo_t:g}…{hi_t:g} "
                f"{unit} of {self.axis!r}: the twin is an interpolator"
            )
        other = [f for f in bundle.features if f != self.axis]
        fixed_axes: dict[str, Array] = {}
        fixed_info: dict[str, Any] = {}
        given = {
            part.partition("=")[0].strip(): part for spec in self.fixed for part in spec.split()
        }
        unknown = [name for name in given if name not in other]
        if unknown:
            raise OptionError(
                f"--fixed {unknown[0]!r} is not another feature of the twin "
                f"(others: {', '.join(other) or 'none'})"
            )
        training = _training_table(self.run)
        for name in other:
            if name in given:
                values = axis_values(given[name], bundle.kinds[name], bundle.units[name])
            else:
                step = (
                    measured_step(training, name, self.axis)
                    if training is not None
                    else (bundle.ranges[name][1] - bundle.ranges[name][0]) / 100
                )
                lo_o, hi_o = bundle.ranges[name]
                count = math.floor((hi_o - lo_o) / step + 1e-9) + 1
                values = np.asarray(lo_o + step * np.arange(count), dtype=np.float64)
            fixed_axes[name] = values
            fixed_info[name] = {
                "start": float(values.min()),
                "stop": float(values.max()),
                "step": float(np.median(np.diff(values))) if len(values) > 1 else None,
                "points": len(values),
                "unit": bundle.units[name],
            }
        profile = self._profile()
        rows: list[dict[str, Any]] = []
        curves: list[Any] = []
        costs: list[Any] = []
        finest_result = None
        for i, step in enumerate(steps):
            values = axis_candidates(lo, hi, step)
            shown = float(
                convert(step, unit, show, kind=kind) - convert(0.0, unit, show, kind=kind)
            )
            shown = _tidy(shown)
            say(f"step {shown:g} {show} ({i + 1}/{len(steps)}): {len(values)} {self.axis} values")
            axes = {self.axis: values, **fixed_axes}
            ordered = {f: axes[f] for f in bundle.features}
            table = simulate(bundle, grid_points(ordered))
            result = plugin.run(table, params, figures=i == len(steps) - 1)
            curve = plugin.convergence_curve(result, params)
            if curve is None:
                raise PluginError(
                    f"property {self.property!r} declares no convergence curve: it cannot be "
                    "planned (its plugin must implement convergence_curve)"
                )
            curves.append(curve)
            if i == len(steps) - 1:
                finest_result = result
            cost = self._cost(profile, axes, bundle) if profile is not None else None
            costs.append(cost)
            rows.append(
                {
                    "step": _tidy(shown),
                    "unit": show,
                    "lines": len(values),
                    "points": int(np.prod([len(v) for v in axes.values()])),
                    "hours": None if cost is None else float(cost.hours),
                    "days": None if cost is None else float(cost.days),
                }
            )
        reference = curves[-1]
        if tolerance.peak_position is None:
            x_ref, y_ref = np.asarray(reference.x, float), np.asarray(reference.y, float)
            spacing = float(np.median(np.diff(x_ref))) if len(x_ref) > 1 else 0.0
            width = _half_width_span(x_ref, y_ref)
            position = max(2 * spacing, 0.1 * width) or 1.0
            tolerance = tolerance.model_copy(update={"peak_position": position})
        for row, curve in zip(rows, curves, strict=True):
            row.update(compare(curve, reference, tolerance))
        recommended, verdict, notes = _recommend(rows, curves, tolerance, show, self.axis)
        first = curves[-1]
        info = {
            "property": self.property,
            "run": str(self.run) if not isinstance(self.run, ModelBundle) else "twin",
            "axis": self.axis,
            "axis_kind": kind,
            "axis_unit": show,
            "range": [
                _tidy(float(convert(lo, unit, show, kind=kind))),
                _tidy(float(convert(hi, unit, show, kind=kind))),
            ],
            "training_unit": unit,
            "fixed_axes": fixed_info,
            "quantity": {
                "name": first.y_name,
                "unit": first.y_unit,
                "x": first.x_name,
                "x_unit": first.x_unit,
                "label": f"{first.y_name} ({first.y_unit}) vs {first.x_name} ({first.x_unit})",
            },
            "instrument": None if profile is None else _dump(profile),
            "tolerance": tolerance.model_dump(),
            "params": params.model_dump(mode="json"),
            "members": getattr(finest_result, "members", 1),
        }
        self.result_ = PlanResult(
            rows=rows,
            curves=curves,
            recommended=recommended,
            verdict=verdict,
            notes=notes,
            info=info,
            finest=finest_result,
            costs=costs,
        )
        return self

    def _profile(self) -> Any:
        if self.instrument is None:
            return None
        if not isinstance(self.instrument, str):
            return self.instrument
        from reanalyze.instruments import get_instrument

        return get_instrument(self.instrument, self.instruments_file)

    def _cost(self, profile: Any, axes: Mapping[str, Array], bundle: Any) -> Any:
        from reanalyze.cost import scan_cost

        names = list(axes)
        return scan_cost(
            profile,
            {n: np.asarray(axes[n]) for n in names},
            {n: bundle.kinds[n] for n in names},
            {n: bundle.units[n] for n in names},
            slow_axis=self.slow_axis,
        )


def _tidy(value: float) -> float:
    """``value`` rounded to 12 significant digits (0.2 T, not 0.20000000000000004 T)."""
    return float(f"{value:.12g}")


def _display_unit(steps: Sequence[str | float], unit: str) -> str:
    for step in steps:
        if isinstance(step, str):
            given = split_number(step, f"--steps {step}")[1]
            if given:
                return given
    return unit


def _dump(profile: Any) -> Any:
    dump = getattr(profile, "model_dump", None)
    return dump(mode="json") if dump is not None else str(profile)


def _training_table(run: Any) -> UnitTable | None:
    from reanalyze.train.search import TRAINING_FILE

    if not isinstance(run, str | Path):
        return None
    path = Path(run) / TRAINING_FILE
    return UnitTable.read_parquet(path) if path.is_file() else None


def _total_variation(y: Array) -> float:
    finite = y[np.isfinite(y)]
    return float(np.sum(np.abs(np.diff(finite)))) if finite.size > 1 else 0.0


def _half_width_span(x: Array, y: Array) -> float:
    """Width of the contiguous region around the maximum where y ≥ max/2 (x units)."""
    if not np.isfinite(y).any():
        return 0.0
    k = int(np.nanargmax(y))
    half = y[k] / 2
    lo, hi = k, k
    while lo > 0 and y[lo - 1] >= half:
        lo -= 1
    while hi < len(y) - 1 and y[hi + 1] >= half:
        hi += 1
    return float(x[hi] - x[lo])


def peak_centre(x: Array, y: Array, fraction: float = 0.9) -> float:
    """Position of a curve's maximum: the centroid of its top ``1 − fraction`` (x units).

    The contiguous region around the largest value where y ≥ fraction·max is averaged with
    weights y − fraction·max, so a flat or double-humped top (ErCo2's ΔS_M) gives a stable
    position instead of jumping between nearly equal maxima.

    >>> peak_centre(np.array([0.0, 1, 2, 3, 4]), np.array([0.0, 1, 0.95, 1, 0]))
    2.0
    """
    finite = np.isfinite(y)
    if not finite.any():
        return float("nan")
    k = int(np.nanargmax(y))
    level = fraction * y[k] if y[k] > 0 else y[k]
    lo = k
    while lo > 0 and finite[lo - 1] and y[lo - 1] >= level:
        lo -= 1
    hi = k
    while hi < len(y) - 1 and finite[hi + 1] and y[hi + 1] >= level:
        hi += 1
    weights = y[lo : hi + 1] - level
    if weights.sum() <= 0:
        return float(x[k])
    return float(np.sum(x[lo : hi + 1] * weights) / weights.sum())


def compare(curve: Any, reference: Any, tolerance: Tolerance) -> dict[str, Any]:
    """Deviation of ``curve`` from ``reference`` (interpolated onto the reference's x).

    Returns the keys ``rms``, ``rms_rel``, ``tv_ratio``, ``peak``, ``peak_error``,
    ``peak_rel_error``, ``peak_position`` (:func:`peak_centre`), ``peak_position_error``,
    ``spread`` (ensemble std of the curve at its maximum; 0 for a single twin) and ``meets``.
    """
    x_ref, y_ref = np.asarray(reference.x, float), np.asarray(reference.y, float)
    x, y = np.asarray(curve.x, float), np.asarray(curve.y, float)
    ok = np.isfinite(y)
    inside = (x_ref >= x[ok].min()) & (x_ref <= x[ok].max()) if ok.any() else x_ref < -np.inf
    y_on_ref = np.full_like(y_ref, np.nan)
    if ok.sum() > 1:
        y_on_ref[inside] = np.interp(x_ref[inside], x[ok], y[ok])
    both = np.isfinite(y_on_ref) & np.isfinite(y_ref)
    scale = float(np.nanmax(np.abs(y_ref))) if np.isfinite(y_ref).any() else np.nan
    rms = float(np.sqrt(np.mean((y_on_ref[both] - y_ref[both]) ** 2))) if both.any() else np.nan
    tv_ref = _total_variation(y_ref[both])
    tv = _total_variation(y_on_ref[both])
    k = int(np.nanargmax(y)) if ok.any() else 0
    k_ref = int(np.nanargmax(y_ref)) if np.isfinite(y_ref).any() else 0
    peak, peak_ref = float(y[k]), float(y_ref[k_ref])
    spread = 0.0 if curve.std is None else float(np.asarray(curve.std)[k])
    position = peak_centre(x, y)
    row = {
        "rms": rms,
        "rms_rel": rms / scale if scale else np.nan,
        "tv_ratio": tv / tv_ref if tv_ref > 0 else np.nan,
        "peak": peak,
        "peak_error": peak - peak_ref,
        "peak_rel_error": (peak - peak_ref) / abs(peak_ref) if peak_ref else np.nan,
        "peak_position": position,
        "peak_position_error": position - peak_centre(x_ref, y_ref),
        "spread": spread,
    }
    allowed = tolerance.peak_position if tolerance.peak_position is not None else np.inf
    row["meets"] = bool(
        np.isfinite(rms)
        and row["rms_rel"] <= tolerance.rms_rel
        and abs(row["peak_rel_error"]) <= tolerance.peak_rel
        and abs(row["peak_position_error"]) <= allowed + 1e-12
        and (not np.isfinite(row["tv_ratio"]) or row["tv_ratio"] <= tolerance.tv_ratio)
    )
    return row


def _recommend(
    rows: list[dict[str, Any]], curves: list[Any], tolerance: Tolerance, unit: str, axis: str
) -> tuple[int | None, str, list[str]]:
    notes: list[str] = []
    n = len(rows)
    finest = rows[-1]
    meeting = [i for i, r in enumerate(rows[:-1]) if r["meets"]]
    if n == 1:
        return (
            0,
            "only one candidate step: nothing to compare (give several --steps)",
            ["a single candidate is its own reference"],
        )
    # the coarsest step that meets the tolerance, with every finer step meeting it too
    recommended = None
    for i in range(n - 1):
        if all(rows[j]["meets"] for j in range(i, n - 1)):
            recommended = i
            break
    second = rows[-2]
    if not second["meets"]:
        notes.append(
            f"even the two finest steps ({second['step']:g} and {finest['step']:g} {unit}) "
            f"differ by more than the tolerance (RMS {second['rms_rel']:.1%}, maximum "
            f"{second['peak_rel_error']:+.1%}): the finest candidate may not be converged; "
            "add finer steps"
        )
    spread = finest["spread"]
    if recommended is not None:
        diff = max(abs(rows[recommended]["peak_error"]), rows[recommended]["rms"])
        if spread > diff and spread > 0:
            notes.append(
                f"the ensemble spread at the maximum ({spread:.3g}) is larger than the "
                f"recommended step's deviation from the finest ({diff:.3g}): below this level "
                "the twin's own uncertainty, not the step, limits the answer"
            )
    if meeting and recommended is not None and meeting[0] < recommended:
        notes.append(
            f"{rows[meeting[0]]['step']:g} {unit} also meets the tolerance, but a finer step "
            "does not: taken as chance agreement"
        )
    if recommended is None:
        verdict = (
            f"no candidate coarser than {finest['step']:g} {unit} meets the tolerance: "
            f"measure {axis} in steps of {finest['step']:g} {unit} or finer"
        )
        return None, verdict, notes
    row = rows[recommended]
    cost = f", about {row['hours']:.1f} h ({row['days']:.2f} days)" if row["hours"] else ""
    verdict = (
        f"a {axis} step of {row['step']:g} {unit} is fine enough: it deviates from the finest "
        f"candidate ({finest['step']:g} {unit}) by {row['rms_rel']:.1%} RMS and "
        f"{row['peak_rel_error']:+.1%} at the maximum{cost}"
    )
    if finest["hours"] and row["hours"]:
        verdict += f"; the finest would take {finest['hours']:.1f} h ({finest['days']:.2f} days)"
    return recommended, verdict, notes
