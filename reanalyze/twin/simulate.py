"""Simulate a measurement with a trained twin: predictions on a new grid, in physical units.

A grid is given either as axis ranges with units, one per feature::

    T=10:60:0.5K          10 K to 60 K (inclusive) in 0.5 K steps
    H=0:5T:0.2T           a number without a unit takes the unit written in the same axis
    H=0.01,0.1,0.5,1T     a list of values
    T=300K                a single value

or as a table of points (CSV/Parquet, any loader) whose columns are the training features.
Values are converted to the twin's training units with pint, so ``H=0:50kOe:2kOe`` and
``H=0:5T:0.2T`` are the same grid. Ranges make a Cartesian product; the first axis given
varies slowest.

The twin is an interpolator: a point outside the training range of any feature is refused,
naming the feature and the range, unless extrapolation is allowed, in which case the point is
kept and flagged in the ``extrapolated`` column. The start or stop of a range written in round
numbers that misses the measured range by less than :data:`CLAMP_FRACTION` of the range's step
(``T=10:60:0.2K`` on data measured from 9.99876 to 59.9995 K: 60 K is 0.0005 K, 0.25 % of the
step, outside) is set to the end of the range, with a note saying so.

The simulated table holds the features and the predicted target in the training units, the
ensemble spread ``<target>_std``, and (by default) every member's prediction
``<target>_m0``, ``<target>_m1``, ... listed in the metadata under ``"ensemble"``, so property
plugins can report mean ± std.

Examples
--------
>>> axis_values("T=10:12:0.5K", "temperature", "K")
array([10. , 10.5, 11. , 11.5, 12. ])
>>> axis_values("H=0:1T:0.5T", "magnetic_field", "Oe")
array([    0.,  5000., 10000.])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError, OptionError, UnitError
from reanalyze.table import Sample, UnitTable
from reanalyze.units import check_kind, convert, parse_quantity
from reanalyze.wording import option

__all__ = [
    "CLAMP_FRACTION",
    "MAX_POINTS",
    "axis_values",
    "grid_points",
    "parse_grid",
    "points_from_table",
    "simulate",
    "split_number",
]

#: Largest grid accepted (points); a typo like a 1e-6 K step should not exhaust memory.
MAX_POINTS = 50_000_000
#: The start or stop of a grid range outside the training range by less than this fraction of
#: the range's step is clamped onto the training range (with a note) instead of refused.
CLAMP_FRACTION = 0.01
#: A miss this small relative to the step or the bound is rounding: clamped without a note.
ROUNDING = 1e-9


def split_number(token: str, where: str) -> tuple[float, str]:
    """``"0.2T"`` → ``(0.2, "T")``; :class:`OptionError` naming ``where`` if not a number (or
    one too large for a float: :func:`reanalyze.units.parse_quantity`)."""
    try:
        return parse_quantity(token, where=where)
    except DataError as exc:
        raise OptionError(str(exc)) from None


def axis_values(text: str, kind: str, unit: str) -> FloatArray:
    """Values of one axis spec ``NAME=...`` converted to ``unit``.

    Parameters
    ----------
    text
        ``NAME=START:STOP:STEP``, ``NAME=V1,V2,...`` or ``NAME=V``; numbers may carry units.
    kind, unit
        The feature's quantity kind and training unit (numbers without any unit in the whole
        spec are taken in ``unit``).

    Raises
    ------
    OptionError
        Malformed spec, non-positive step, stop below start, too many points, or a unit of
        the wrong dimension for ``kind``.
    """
    return _axis(text, kind, unit)[0]


def _axis(text: str, kind: str, unit: str) -> tuple[FloatArray, str | None]:
    """:func:`axis_values`, and a note when a ``START:STOP:STEP`` range's stop is not on a
    step (the axis then ends at the last step below it, evenly spaced)."""
    name, sep, body = text.partition("=")
    where = f"grid axis {name.strip()!r}" if sep else "grid axis"
    if not sep or not body.strip():
        raise OptionError(f"{where}: expected NAME=START:STOP:STEP, got {text!r}")
    is_range = ":" in body
    tokens = body.split(":") if is_range else body.split(",")
    if is_range and len(tokens) != 3:
        raise OptionError(f"{where}: a range is START:STOP:STEP, got {body!r}")
    try:  # a unit pint does not know is a misused option here, not bad data
        parsed = [split_number(t, where) for t in tokens]
    except UnitError as exc:
        raise OptionError(str(exc)) from None
    given = [u for _, u in parsed if u]
    default = given[-1] if given else unit
    for u in given:
        try:
            check_kind(u, kind, where=where)
        except UnitError as exc:
            raise OptionError(str(exc)) from None

    def absolute(value: float, u: str) -> float:
        return float(convert(value, u or default, unit, kind=kind))

    if not is_range:
        return np.array([absolute(v, u) for v, u in parsed], dtype=np.float64), None
    (start, u0), (stop, u1), (step, u2) = parsed
    lo, hi = absolute(start, u0), absolute(stop, u1)
    # a step is a difference: convert it without the offset of degC/degF scales
    step_unit = u2 or default
    step_abs = float(
        convert(start + step, step_unit, unit, kind=kind)
        - convert(start, step_unit, unit, kind=kind)
    )
    if not step_abs > 0:
        raise OptionError(f"{where}: the step must be positive, got {tokens[2].strip()!r}")
    if hi < lo:
        raise OptionError(
            f"{where}: stop {tokens[1].strip()!r} is below start {tokens[0].strip()!r}"
        )
    count = int(np.floor((hi - lo) / step_abs * (1 + 1e-12) + 1e-9)) + 1
    if count > MAX_POINTS:
        raise OptionError(f"{where}: {count} values is too many (at most {MAX_POINTS})")
    values = lo + step_abs * np.arange(count, dtype=np.float64)
    # 12 significant digits of the axis: 7.8 K, not 7.800000000000001 K, in the output tables
    scale = max(abs(lo), abs(float(values[-1])), step_abs)
    values = np.round(values, 12 - int(np.floor(np.log10(scale))))
    note = None
    if hi - values[-1] > ROUNDING * max(step_abs, abs(hi)):
        note = (
            f"grid {text.strip()} ends at {values[-1]:.6g} {unit}: {tokens[1].strip()} is not "
            f"on a {tokens[2].strip()} step from {tokens[0].strip()}"
        )
    return values, note


def parse_grid(
    spec: str | Sequence[str],
    features: Sequence[str],
    kinds: Mapping[str, str],
    units: Mapping[str, str],
    notes: list[str] | None = None,
) -> dict[str, FloatArray]:
    """Axis values of every feature from a grid spec (space-separated or a list of axes).

    ``START:STOP:STEP`` includes STOP when it lies on a step from START (to 1e-9 of a step);
    otherwise the axis ends at the last step below STOP, evenly spaced, and a note saying
    where is appended to ``notes`` (when given).

    Examples
    --------
    >>> notes = []
    >>> axes = parse_grid("T=10:60:0.5K H=0.01:5T:0.05T", ["T", "H"],
    ...                   {"T": "temperature", "H": "magnetic_field"}, {"T": "K", "H": "Oe"}, notes)
    >>> float(axes["T"][-1]), float(axes["H"][-1]), notes
    (60.0, 49600.0, ['grid H=0.01:5T:0.05T ends at 49600 Oe: 5T is not on a 0.05T step from 0.01'])

    A unit may stand apart from its number, as SI writes it:

    >>> axes = parse_grid("T=10:60:0.5 K H=1 T", ["T", "H"],
    ...                   {"T": "temperature", "H": "magnetic_field"}, {"T": "K", "H": "Oe"})
    >>> float(axes["T"][1]), axes["H"].tolist()
    (10.5, [10000.0])

    Raises
    ------
    OptionError
        An axis names no feature, a feature has no axis, an axis is given twice, or an axis
        is malformed (:func:`axis_values`).
    """
    words = spec.split() if isinstance(spec, str) else [p for s in spec for p in s.split()]
    parts: list[str] = []
    for word in words:  # a word without '=' continues the axis before it: "0.05 T" is 0.05T
        if "=" not in word and parts:
            parts[-1] += word
        else:
            parts.append(word)
    axes: dict[str, FloatArray] = {}
    for part in parts:
        name = part.partition("=")[0].strip()
        if name not in features:
            raise OptionError(
                f"grid axis {name!r} is not a feature of the twin (features: {', '.join(features)})"
            )
        if name in axes:
            raise OptionError(f"grid axis {name!r} is given twice")
        axes[name], note = _axis(part, kinds[name], units[name])
        if note is not None and notes is not None:
            notes.append(note)
    missing = [f for f in features if f not in axes]
    if missing:
        raise OptionError(
            f"grid: no axis for feature(s) {', '.join(missing)} "
            f"(give e.g. {missing[0]}=START:STOP:STEP with units)"
        )
    return axes


def grid_points(axes: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """The Cartesian product of ``axes`` (first axis slowest) as flat columns."""
    total = int(np.prod([len(v) for v in axes.values()]))
    if total > MAX_POINTS:
        raise OptionError(f"grid: {total} points is too many (at most {MAX_POINTS})")
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return {name: m.ravel() for name, m in zip(axes, mesh, strict=True)}


def points_from_table(
    table: UnitTable,
    features: Sequence[str],
    kinds: Mapping[str, str],
    units: Mapping[str, str],
) -> dict[str, FloatArray]:
    """The feature columns of a table of points, converted to the training units.

    Columns without units (``dimensionless``) are taken to be in the training units.

    Raises
    ------
    DataError
        A feature column is missing.
    UnitError
        A column has the wrong kind.
    """
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise DataError(
            f"{table.metadata.get('source', 'points file')}: no column for feature(s) "
            f"{', '.join(missing)} (columns: {', '.join(table.columns)})"
        )
    points = {}
    for name in features:
        kind = table.kind(name)
        if kind == "dimensionless":
            points[name] = table.values(name)
        elif kind != kinds[name]:
            raise UnitError(f"column {name!r} is {kind}, but the twin's {name} is {kinds[name]}")
        else:
            points[name] = table.values(name, units[name])
    return points


def clamp_to_ranges(
    axes: Mapping[str, FloatArray],
    ranges: Mapping[str, tuple[float, float]],
    units: Mapping[str, str],
) -> tuple[dict[str, FloatArray], list[str]]:
    """Grid axes (evenly spaced ranges) with their end values moved onto the training range
    when they miss it by less than :data:`CLAMP_FRACTION` of the step, and a note for each
    (none for a miss within :data:`ROUNDING`, e.g. from converting 5 T to Oe).

    Examples
    --------
    >>> axes, notes = clamp_to_ranges({"T": np.array([59.8, 60.0])}, {"T": (10.0, 59.9995)},
    ...                               {"T": "K"})
    >>> float(axes["T"][-1])
    59.9995
    >>> notes[0].endswith("(less than 1% of the 0.2 K step): clamped to 59.9995 K")
    True
    """
    clamped: dict[str, FloatArray] = {}
    notes: list[str] = []
    for name, values in axes.items():
        values = np.array(values, dtype=np.float64)
        lo, hi = ranges[name]
        unit = units.get(name, "")
        if values.size >= 2:
            for end, bound, step, side in (
                (0, lo, abs(values[1] - values[0]), "below"),
                (-1, hi, abs(values[-1] - values[-2]), "above"),
            ):
                miss = (bound - values[end]) if side == "below" else (values[end] - bound)
                if 0 < miss < CLAMP_FRACTION * step:
                    given, values[end] = values[end], bound
                    if miss <= ROUNDING * max(step, abs(bound)):
                        continue  # unit-conversion rounding (5 T = 50000.00000000001 Oe)
                    notes.append(
                        f"grid {name} {'starts' if end == 0 else 'ends'} at {given:.6g} "
                        f"{unit}, {miss:.3g} {unit} {side} the training range {lo:.6g}…{hi:.6g} "
                        f"{unit} (less than {CLAMP_FRACTION:.0%} of the {step:.6g} {unit} step): "
                        f"clamped to {bound:.6g} {unit}"
                    )
        clamped[name] = values
    return clamped, notes


def _range_axes(spec: str | Sequence[str]) -> set[str]:
    """The axes of a grid spec given as ``START:STOP:STEP`` ranges (not lists or values)."""
    parts = spec.split() if isinstance(spec, str) else [p for s in spec for p in s.split()]
    return {p.partition("=")[0].strip() for p in parts if ":" in p.partition("=")[2]}


def _outside(
    points: Mapping[str, FloatArray],
    ranges: Mapping[str, tuple[float, float]],
    units: Mapping[str, str],
) -> tuple[npt.NDArray[np.bool_], list[str]]:
    flags = np.zeros(len(next(iter(points.values()))), dtype=bool)
    messages = []
    for name, values in points.items():
        lo, hi = ranges[name]
        slack = 1e-9 * max(hi - lo, abs(hi), abs(lo), 1e-300)
        bad = (values < lo - slack) | (values > hi + slack) | ~np.isfinite(values)
        if bad.any():
            flags |= bad
            unit = f" {units[name]}" if units.get(name) else ""
            messages.append(
                f"{name} {np.nanmin(values):.6g}…{np.nanmax(values):.6g}{unit} leaves the "
                f"training range {lo:.6g}…{hi:.6g}{unit} ({int(bad.sum())} points)"
            )
    return flags, messages


def simulate(
    run: Any,
    grid: str | Sequence[str] | Mapping[str, npt.ArrayLike] | UnitTable,
    *,
    allow_extrapolation: bool = False,
    members: bool = True,
    batch_size: int = 65536,
) -> UnitTable:
    """Predict the measurement on a grid with a trained twin.

    Parameters
    ----------
    run
        A run folder (path) or a loaded :class:`~reanalyze.twin.bundle.ModelBundle`.
    grid
        A grid spec (``"T=10:60:0.5K H=0:5T:0.2T"`` or a list of axes), a table of points,
        or a mapping of feature arrays in the training units.
    allow_extrapolation
        Keep points outside the training ranges, flagged in an ``extrapolated`` column
        (1 outside, 0 inside); otherwise they are refused.
    members
        Include every ensemble member's prediction (needed for property uncertainties).
    batch_size
        Points per forward pass.

    Returns
    -------
    UnitTable
        Features, target (ensemble mean), ``<target>_std`` and member columns, in the
        training units, with the training sample and the ensemble layout in the metadata.

    Raises
    ------
    DataError
        Bad grid, or points outside the training range without ``allow_extrapolation``.
    """
    from reanalyze.twin.bundle import ModelBundle

    bundle = run if isinstance(run, ModelBundle) else ModelBundle.load(run)
    features, target = bundle.features, bundle.target
    clamp_notes: list[str] = []
    if isinstance(grid, UnitTable):
        points = points_from_table(grid, features, bundle.kinds, bundle.units)
    elif isinstance(grid, Mapping):
        points = {f: np.asarray(grid[f], dtype=np.float64).ravel() for f in features if f in grid}
        if len(points) != len(features):
            raise DataError(f"grid: give every feature ({', '.join(features)})")
    else:
        stop_notes: list[str] = []
        axes = parse_grid(grid, features, bundle.kinds, bundle.units, stop_notes)
        ranges = {name: values for name, values in axes.items() if name in _range_axes(grid)}
        clamped, clamp_notes = clamp_to_ranges(ranges, bundle.ranges, bundle.units)
        clamp_notes += stop_notes
        points = grid_points({**axes, **clamped})
    if len({len(v) for v in points.values()}) != 1:
        raise DataError("grid: the feature columns differ in length")
    if len(next(iter(points.values()))) == 0:
        raise DataError("grid: no points")
    flags, messages = _outside(points, bundle.ranges, bundle.units)
    if messages and not allow_extrapolation:
        raise DataError(
            "; ".join(messages) + ": the twin is an interpolator (narrow the grid, or "
            f"{option('allow_extrapolation', switch=True)} flags such points)"
        )
    predictions = bundle.predict_members(points, batch_size=batch_size)
    mean = predictions.mean(axis=0)
    columns: dict[str, Any] = {f: points[f] for f in features}
    specs: dict[str, tuple[str, str]] = {f: (bundle.kinds[f], bundle.units[f]) for f in features}
    target_spec = (bundle.kinds[target], bundle.units[target])
    columns[target] = mean
    specs[target] = target_spec
    n_members = len(predictions)
    ensemble: dict[str, Any] = {"target": target}
    if n_members > 1:
        std_name = f"{target}_std"
        columns[std_name] = predictions.std(axis=0, ddof=1)
        specs[std_name] = target_spec
        ensemble["std"] = std_name
        if members:
            names = [f"{target}_m{i}" for i in range(n_members)]
            for name, values in zip(names, predictions, strict=True):
                columns[name] = values
                specs[name] = target_spec
            ensemble["members"] = names
    if allow_extrapolation:
        columns["extrapolated"] = flags.astype(np.float64)
        specs["extrapolated"] = ("dimensionless", "")
    sample = Sample(**bundle.sample) if bundle.sample else None
    metadata = {
        "source": str(run) if not isinstance(run, ModelBundle) else "twin",
        "simulated_by": "reanalyze simulate",
        "twin_data_sha256": bundle.data_sha256,
        "features": list(features),
        "targets": [target],
        "ensemble": ensemble,
        "training_ranges": {k: list(v) for k, v in bundle.ranges.items()},
    }
    notes = clamp_notes + [f"extrapolated: {m}" for m in messages]
    if notes:
        metadata["notes"] = notes
    return UnitTable(pd.DataFrame(columns), specs, sample=sample, metadata=metadata)


def load_points(path: str | Path, **options: Any) -> UnitTable:
    """Read a points file (CSV/Parquet, any loader) for :func:`simulate`."""
    from reanalyze.load import load

    return load(str(path), **options)
