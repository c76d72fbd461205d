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
4. prices the measurement with an instrument profile (:mod:`reanalyze.planning.cost`).

The recommendation is the **coarsest step that meets the tolerance** (defaults:
:class:`~reanalyze.planning.compare.Tolerance`; :mod:`reanalyze.planning.compare`). The
planner says so when only the finest candidate meets it (the answer is not converged: add
finer steps), when the two finest candidates differ by more than the tolerance, and when the
ensemble spread is larger than the differences between steps (the twin's own uncertainty, not
the step, limits the answer). The outcome is a :class:`~reanalyze.planning.result.PlanResult`.

Examples
--------
>>> axis_candidates(0.01, 5.0, 1.0).tolist()
[0.01, 1.0, 2.0, 3.0, 4.0, 5.0]
>>> axis_candidates(0.01, 1.0, 0.3).tolist()
[0.01, 0.3, 0.6, 0.9, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError, OptionError, PluginError, UnitError
from reanalyze.planning.compare import Tolerance, compare, half_width_span, recommend
from reanalyze.planning.result import PlanResult
from reanalyze.table import UnitTable
from reanalyze.twin.simulate import split_number
from reanalyze.units import check_kind, convert

__all__ = ["Plan", "axis_candidates", "measured_step"]


def axis_candidates(lo: float, hi: float, step: float) -> FloatArray:
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


class Plan:
    """Compare candidate steps of one scan axis for a property, with their instrument cost.

    Parameters
    ----------
    run
        Run folder of a trained twin (or a loaded ``ModelBundle``).
    plugin
        Property plugin name (``reanalyze property list``).
    axis
        The scan axis whose step is planned (a feature of the twin).
    steps
        Candidate steps, each a number with a unit (``"0.2T"``) or in the axis's unit.
    span
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
    names
        How ``axis``, ``steps``, ``span`` and ``fixed`` are called in messages (default: as
        here; the command line passes its options, ``{"span": "--range", …}``).

    Attributes
    ----------
    result_ : PlanResult
        Set by :meth:`run`.
    """

    result_: PlanResult

    def __init__(
        self,
        run: Any,
        plugin: str,
        axis: str,
        steps: Sequence[str | float],
        *,
        span: tuple[str | float, str | float] | None = None,
        fixed: Sequence[str] = (),
        instrument: Any = None,
        instruments_file: str | Path | None = None,
        tolerance: Tolerance | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        slow_axis: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.twin = run  # not ``self.run``: that is the method
        self.plugin = plugin
        self.axis = axis
        self.steps = steps
        self.span = span
        self.fixed = fixed
        self.instrument = instrument
        self.instruments_file = instruments_file
        self.tolerance = tolerance
        self.params = params
        self.slow_axis = slow_axis
        self.names = dict(names or {})

    # ------------------------------------------------------------------ helpers
    def _called(self, parameter: str) -> str:
        """How ``parameter`` is called in messages (:attr:`names`, else its own name)."""
        return self.names.get(parameter, parameter)

    @staticmethod
    def _in_unit(
        text: str | float, kind: str, unit: str, where: str, *, difference: bool = False
    ) -> float:
        """A number with an optional unit, in ``unit``; a difference (a step) has no offset."""
        if isinstance(text, int | float):
            return float(text)
        try:  # a step or range is an option: a bad unit in it is a misused option
            number, given = split_number(str(text), where)
            if given:
                check_kind(given, kind, where=where)
        except UnitError as exc:
            raise OptionError(str(exc)) from None
        u = given or unit
        zero = float(convert(0.0, u, unit, kind=kind)) if difference else 0.0
        return float(convert(number, u, unit, kind=kind)) - zero

    # ------------------------------------------------------------------ the work
    def run(self, progress: Callable[[str], None] | None = None) -> Plan:
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
        from reanalyze.twin.bundle import ModelBundle
        from reanalyze.twin.simulate import axis_values, grid_points, simulate

        say = progress or (lambda message: None)
        bundle = self.twin if isinstance(self.twin, ModelBundle) else ModelBundle.load(self.twin)
        if self.axis not in bundle.features:
            raise OptionError(
                f"{self._called('axis')} {self.axis!r} is not a feature of the twin "
                f"(features: {', '.join(bundle.features)})"
            )
        impl = load_plugin("reanalyze.properties", self.plugin)()
        params = parse_params(impl, self.params)
        tolerance = (
            self.tolerance
            if isinstance(self.tolerance, Tolerance)
            else Tolerance(**dict(self.tolerance or {}))
        )
        kind, unit = bundle.kinds[self.axis], bundle.units[self.axis]
        if len(self.steps) < 2:
            raise OptionError(
                f"{self._called('steps')}: give at least two candidate steps to compare, e.g. "
                "1T,0.5T,0.2T "
                f"(got {len(self.steps)})"
            )
        steps = sorted(
            {
                self._in_unit(s, kind, unit, f"{self._called('steps')} {s}", difference=True)
                for s in self.steps
            },
            reverse=True,
        )
        show = _display_unit(self.steps, unit, self._called("steps"))  # as the user wrote
        if any(s <= 0 for s in steps):
            raise OptionError(f"{self._called('steps')} must be positive")
        if len(steps) < 2:
            raise OptionError(
                f"{self._called('steps')} {','.join(map(str, self.steps))}: the steps are all "
                "the same"
            )
        lo_t, hi_t = bundle.ranges[self.axis]
        if self.span is None:
            lo, hi = lo_t, hi_t
        else:
            lo = self._in_unit(self.span[0], kind, unit, self._called("span"))
            hi = self._in_unit(self.span[1], kind, unit, self._called("span"))
        slack = 1e-9 * max(abs(hi_t), abs(lo_t), 1.0)
        if lo < lo_t - slack or hi > hi_t + slack:
            raise OptionError(
                f"{self._called('span')} {lo:g}…{hi:g} {unit} leaves the training range "
                f"{lo_t:g}…{hi_t:g} {unit} of {self.axis!r}: the twin is an interpolator"
            )
        other = [f for f in bundle.features if f != self.axis]
        fixed_axes: dict[str, FloatArray] = {}
        fixed_info: dict[str, Any] = {}
        given = {
            part.partition("=")[0].strip(): part for spec in self.fixed for part in spec.split()
        }
        unknown = [name for name in given if name not in other]
        if unknown:
            raise OptionError(
                f"{self._called('fixed')} {unknown[0]!r} is not another feature of the twin "
                f"(others: {', '.join(other) or 'none'})"
            )
        training = _training_table(self.twin)
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
            result = impl.run(table, params, figures=i == len(steps) - 1)
            curve = impl.convergence_curve(result, params)
            if curve is None:
                raise PluginError(
                    f"property {self.plugin!r} declares no convergence curve: it cannot be "
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
            width = half_width_span(x_ref, y_ref)
            position = max(2 * spacing, 0.1 * width) or 1.0
            tolerance = tolerance.model_copy(update={"peak_position": position})
        for row, curve in zip(rows, curves, strict=True):
            row.update(compare(curve, reference, tolerance))
        recommended, verdict, notes = recommend(rows, curves, tolerance, show, self.axis)
        first = curves[-1]
        info = {
            "property": self.plugin,
            "run": str(self.twin) if not isinstance(self.twin, ModelBundle) else "twin",
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

    def _cost(self, profile: Any, axes: Mapping[str, FloatArray], bundle: Any) -> Any:
        from reanalyze.planning.cost import scan_cost

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


def _display_unit(steps: Sequence[str | float], unit: str, called: str) -> str:
    for step in steps:
        if isinstance(step, str):
            given = split_number(step, f"{called} {step}")[1]
            if given:
                return given
    return unit


def _dump(profile: Any) -> Any:
    dump = getattr(profile, "model_dump", None)
    return dump(mode="json") if dump is not None else str(profile)


def _training_table(run: Any) -> UnitTable | None:
    from reanalyze.twin.run_folder import TRAINING_FILE

    if not isinstance(run, str | Path):
        return None
    path = Path(run) / TRAINING_FILE
    return UnitTable.read_parquet(path) if path.is_file() else None
