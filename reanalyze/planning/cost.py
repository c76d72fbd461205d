"""The instrument time of a measurement plan: the sequence of scan lines it implies.

A plan on a grid of scan axes is measured as *lines*: the **slow axis** is held fixed on a
line and the other axis is swept. :func:`scan_cost` writes the lines out as actions
(field ramps, settles, temperature moves, sweeps, overheads) timed with an instrument
profile (:mod:`reanalyze.instruments`) and sums them.

Magnetometer and transport profiles (slow axis H by default, T sweeps; or slow axis T, H
sweeps = isotherms). For every line, in order of increasing slow-axis value:

1. move the slow axis to the line's value — a field change costs ``|ΔH| / ramp rate +
   field settle``, a temperature change ``|ΔT| / cool-back rate + temperature settle``;
2. return the swept axis to the line's start, at the same costs (the cool-back of a
   temperature sweep);
3. measure the line: in ``sweep`` mode ``max(span / sweep rate, n × point_time_sweep)``
   (the sweep is as slow as the rate or the points demand); in ``settle`` mode
   ``span / rate + (n − 1) × settle + n × point_time_settle`` (the first point was settled
   by step 2);
4. the per-line overhead.

A move that changes nothing costs nothing: the magnet starts at zero field and the cryostat
at the plan's first temperature (cooling the sample after loading is setup, not counted).
Temperature sweeps run at the profile's ``sweep_rate_K_per_min``, field sweeps at its
``field_ramp_rate_Oe_per_s``.

ARPES profiles: ``n_cuts × time_per_cut + (n_cuts − 1) × angle_step_time + map_overhead``;
the slit angle θ1 is recorded at once by the analyser and costs nothing.

Examples
--------
>>> import numpy as np
>>> from reanalyze.instruments import get_instrument
>>> cost = scan_cost(get_instrument("mpms3"),
...                  {"T": np.arange(10.0, 60.5, 0.5), "H": np.array([1.0, 2.0])},
...                  {"T": "temperature", "H": "magnetic_field"}, {"T": "K", "H": "T"})
>>> cost.n_lines, cost.n_points, round(cost.hours, 3)
(2, 202, 2.022)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.errors import DataError
from reanalyze.instruments import (
    ArpesProfile,
    MagnetometerProfile,
    TransportProfile,
    get_instrument,
)
from reanalyze.units import KINDS, check_kind, convert

__all__ = ["ACTIONS", "Action", "ScanCost", "scan_cost"]

#: The action names, in the order a line performs them.
ACTIONS = (
    "field_ramp",
    "field_settle",
    "temperature_move",
    "temperature_settle",
    "sweep",
    "points",
    "overhead",
    "angle_step",
    "cut",
)

#: Units the motion model works in, by axis kind.
_MOTION_UNITS = {"temperature": "K", "magnetic_field": "Oe"}

Profile = MagnetometerProfile | TransportProfile | ArpesProfile


@dataclass(frozen=True)
class Action:
    """One timed step of a plan.

    Attributes
    ----------
    line
        Index of the scan line (0 = first), in the order measured.
    value
        The slow axis's value on that line, in the plan's unit of that axis (NaN when the
        plan has a single line without a slow axis).
    action
        One of :data:`ACTIONS`.
    seconds
        Duration, s.
    detail
        What happens, e.g. ``"cool back 200 → 10 K"``.
    """

    line: int
    value: float
    action: str
    seconds: float
    detail: str = ""


@dataclass(frozen=True)
class ScanCost:
    """The timed sequence of a plan and its totals.

    Attributes
    ----------
    instrument
        Name of the profile (None for an unnamed profile).
    kind
        The profile's kind: ``magnetometer``, ``transport`` or ``arpes``.
    mode
        ``sweep`` or ``settle`` (None for ARPES).
    slow_axis, slow_unit
        The axis held fixed per line and the unit of :attr:`Action.value`.
    fast_axis
        The swept axis (for ARPES the slit angle, which costs nothing).
    n_lines, n_points
        Number of scan lines and of grid points.
    actions
        Every action in the order performed.
    """

    instrument: str | None
    kind: str
    mode: str | None
    slow_axis: str | None
    slow_unit: str
    fast_axis: str | None
    n_lines: int
    n_points: int
    actions: tuple[Action, ...] = field(repr=False)

    @property
    def seconds(self) -> float:
        """Total time, s."""
        return math.fsum(a.seconds for a in self.actions)

    @property
    def hours(self) -> float:
        """Total time, h."""
        return self.seconds / 3600.0

    @property
    def days(self) -> float:
        """Total time, days of 24 h (the instrument runs around the clock)."""
        return self.seconds / 86400.0

    @property
    def totals(self) -> dict[str, float]:
        """Seconds per action name (only the actions that occur), in :data:`ACTIONS` order."""
        sums = {name: 0.0 for name in ACTIONS}
        for a in self.actions:
            sums[a.action] += a.seconds
        present = {a.action for a in self.actions}
        return {name: sums[name] for name in ACTIONS if name in present}

    def sequence(self) -> list[Action]:
        """The actions in the order the instrument performs them."""
        return list(self.actions)

    def breakdown(self) -> list[dict[str, Any]]:
        """One row per action: line, value, unit, action, seconds, detail."""
        return [
            {
                "line": a.line,
                "value": a.value,
                "unit": self.slow_unit,
                "action": a.action,
                "seconds": a.seconds,
                "detail": a.detail,
            }
            for a in self.actions
        ]

    def per_line(self) -> list[dict[str, Any]]:
        """One row per scan line: line, slow-axis value and unit, seconds of that line."""
        rows: dict[int, dict[str, Any]] = {}
        for a in self.actions:
            row = rows.setdefault(
                a.line, {"line": a.line, "value": a.value, "unit": self.slow_unit, "seconds": 0.0}
            )
            row["seconds"] += a.seconds
        return list(rows.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: totals in s, h and days, counts and seconds per action."""
        return {
            "instrument": self.instrument,
            "kind": self.kind,
            "mode": self.mode,
            "slow_axis": self.slow_axis,
            "slow_unit": self.slow_unit,
            "fast_axis": self.fast_axis,
            "lines": self.n_lines,
            "points": self.n_points,
            "seconds": self.seconds,
            "hours": self.hours,
            "days": self.days,
            "totals_s": self.totals,
        }


def _distinct(name: str, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64).ravel()
    if array.size == 0:
        raise DataError(f"scan axis {name!r} has no values")
    if not np.all(np.isfinite(array)):
        raise DataError(f"scan axis {name!r} has non-finite values")
    return np.unique(array)


def _check_axes(
    axes: Mapping[str, npt.ArrayLike], kinds: Mapping[str, str], units: Mapping[str, str]
) -> dict[str, npt.NDArray[np.float64]]:
    """Distinct sorted values per axis, after checking each axis has a known kind and unit."""
    if not axes:
        raise DataError("the plan has no scan axes")
    checked = {}
    for name, values in axes.items():
        if name not in kinds:
            raise DataError(f"scan axis {name!r} has no quantity kind")
        if name not in units:
            raise DataError(f"scan axis {name!r} has no unit")
        if kinds[name] not in KINDS:
            raise DataError(
                f"scan axis {name!r} has unknown kind {kinds[name]!r} (known: {', '.join(KINDS)})"
            )
        check_kind(units[name], kinds[name], where=f"scan axis {name!r}")
        checked[name] = _distinct(name, values)
    return checked


def _pick_slow(
    names: list[str], kinds: Mapping[str, str], slow_axis: str | None, default_kind: str
) -> str | None:
    if slow_axis is not None:
        if slow_axis not in names:
            raise DataError(
                f"slow axis {slow_axis!r} is not a scan axis (axes: {', '.join(names)})"
            )
        return slow_axis
    if len(names) == 1:
        return None
    return next(n for n in names if kinds[n] == default_kind)


class _Motion:
    """Times of the moves, settles and sweeps of a cryostat with a magnet."""

    def __init__(self, profile: MagnetometerProfile | TransportProfile, mode: str) -> None:
        self.p = profile
        self.mode = mode

    def move(self, kind: str, start: float, stop: float) -> list[tuple[str, float, str]]:
        """Unmeasured change of a temperature (K) or field (Oe) and its settle."""
        if start == stop:
            return []
        delta = abs(stop - start)
        if kind == "magnetic_field":
            return [
                (
                    "field_ramp",
                    delta / self.p.field_ramp_rate_Oe_per_s,
                    f"ramp field {start:g} → {stop:g} Oe",
                ),
                ("field_settle", self.p.field_settle_s, "field settle"),
            ]
        word = "cool back" if stop < start else "warm"
        if self.p.cool_back_time_s is not None:
            seconds = self.p.cool_back_time_s
        else:
            seconds = delta / (self.p.cool_back_rate_K_per_min / 60.0)
        return [
            ("temperature_move", seconds, f"{word} {start:g} → {stop:g} K"),
            ("temperature_settle", self.p.temperature_settle_s, "temperature settle"),
        ]

    def measure(self, kind: str, values: npt.NDArray[np.float64]) -> tuple[str, float, str]:
        """The measured line over ``values`` (K or Oe, increasing)."""
        n = values.size
        span = float(values[-1] - values[0])
        if kind == "magnetic_field":
            rate, settle, unit = self.p.field_ramp_rate_Oe_per_s, self.p.field_settle_s, "Oe"
        else:
            rate, settle, unit = (
                self.p.sweep_rate_K_per_min / 60.0,
                self.p.temperature_settle_s,
                "K",
            )
        where = f"{values[0]:g} → {values[-1]:g} {unit}, {n} points"
        if self.mode == "sweep":
            by_rate, by_points = span / rate, n * self.p.point_time_sweep_s
            limit = "rate" if by_rate >= by_points else "points"
            return ("sweep", max(by_rate, by_points), f"sweep {where} ({limit}-limited)")
        if self.p.step_settle_s is not None:
            settle = self.p.step_settle_s
        seconds = span / rate + (n - 1) * settle + n * self.p.point_time_settle_s
        return ("points", seconds, f"settle at each point, {where}")


def _motion_plan(
    profile: MagnetometerProfile | TransportProfile,
    axes: dict[str, npt.NDArray[np.float64]],
    kinds: Mapping[str, str],
    units: Mapping[str, str],
    slow_axis: str | None,
    mode: str,
) -> ScanCost:
    names = list(axes)
    for name in names:
        if kinds[name] not in _MOTION_UNITS:
            raise DataError(
                f"scan axis {name!r} has kind {kinds[name]!r}: a {profile.kind} plan scans "
                "temperature and magnetic_field"
            )
    if len(names) > 2 or len({kinds[n] for n in names}) < len(names):
        raise DataError(
            f"a {profile.kind} plan has at most one temperature and one magnetic_field axis "
            f"(got {', '.join(f'{n}: {kinds[n]}' for n in names)})"
        )
    slow = _pick_slow(names, kinds, slow_axis, "magnetic_field")
    rest = [n for n in names if n != slow]
    if not rest:
        raise DataError(f"slow axis {slow!r} leaves no axis to sweep")
    fast = rest[0]
    internal = {n: convert(axes[n], units[n], _MOTION_UNITS[kinds[n]]) for n in names}
    fast_kind, fast_values = kinds[fast], internal[fast]
    slow_values = internal[slow] if slow is not None else np.array([np.nan])
    shown = axes[slow] if slow is not None else np.array([np.nan])
    motion = _Motion(profile, mode)
    state = {"magnetic_field": 0.0, "temperature": float(fast_values[0])}
    if slow is not None and kinds[slow] == "temperature":
        state["temperature"] = float(slow_values[0])
    actions: list[Action] = []
    for line, (value, label) in enumerate(zip(slow_values, shown, strict=True)):
        steps: list[tuple[str, float, str]] = []
        if slow is not None:
            steps += motion.move(kinds[slow], state[kinds[slow]], float(value))
            state[kinds[slow]] = float(value)
        steps += motion.move(fast_kind, state[fast_kind], float(fast_values[0]))
        steps.append(motion.measure(fast_kind, fast_values))
        state[fast_kind] = float(fast_values[-1])
        steps.append(("overhead", profile.line_overhead_s, "per-line overhead"))
        actions += [Action(line, float(label), *step) for step in steps]
    return ScanCost(
        instrument=profile.name,
        kind=profile.kind,
        mode=mode,
        slow_axis=slow,
        slow_unit=units[slow] if slow is not None else "",
        fast_axis=fast,
        n_lines=len(slow_values),
        n_points=int(np.prod([v.size for v in axes.values()])),
        actions=tuple(actions),
    )


def _arpes_plan(
    profile: ArpesProfile,
    axes: dict[str, npt.NDArray[np.float64]],
    kinds: Mapping[str, str],
    units: Mapping[str, str],
    slow_axis: str | None,
) -> ScanCost:
    names = list(axes)
    for name in names:
        if kinds[name] != "angle":
            raise DataError(
                f"scan axis {name!r} has kind {kinds[name]!r}: an arpes plan scans angles"
            )
    if len(names) > 2:
        raise DataError(f"an arpes plan has at most two angle axes (got {', '.join(names)})")
    if slow_axis is None:
        if "theta2" not in names:
            raise DataError(
                f"give slow_axis, the manipulator angle (one of: {', '.join(names)}); "
                "the default 'theta2' is not a scan axis"
            )
        slow_axis = "theta2"
    slow = _pick_slow(names, kinds, slow_axis, "angle")
    assert slow is not None
    fast = next((n for n in names if n != slow), None)
    cuts = axes[slow]
    actions = [Action(0, float(cuts[0]), "overhead", profile.map_overhead_s, "per-map overhead")]
    for line, value in enumerate(cuts):
        if line > 0:
            actions.append(
                Action(
                    line,
                    float(value),
                    "angle_step",
                    profile.angle_step_time_s,
                    f"manipulator {cuts[line - 1]:g} → {value:g} {units[slow]}",
                )
            )
        actions.append(Action(line, float(value), "cut", profile.time_per_cut_s, "analyser cut"))
    return ScanCost(
        instrument=profile.name,
        kind=profile.kind,
        mode=None,
        slow_axis=slow,
        slow_unit=units[slow],
        fast_axis=fast,
        n_lines=int(cuts.size),
        n_points=int(np.prod([v.size for v in axes.values()])),
        actions=tuple(actions),
    )


def scan_cost(
    profile: Profile | str,
    axes: Mapping[str, npt.ArrayLike],
    kinds: Mapping[str, str],
    units: Mapping[str, str],
    slow_axis: str | None = None,
    mode: str | None = None,
) -> ScanCost:
    """Time on the instrument of measuring the grid ``axes`` line by line.

    Parameters
    ----------
    profile
        An instrument profile, or the name of one (:func:`reanalyze.instruments.get_instrument`).
    axes
        Scan axis name → its values in ``units[name]`` (duplicates are dropped, the values
        sorted: slow-axis lines are measured low → high and every line sweeps upwards).
    kinds
        Scan axis name → quantity kind (``temperature``, ``magnetic_field``; ``angle`` for
        ARPES).
    units
        Scan axis name → unit of its values, any pint unit of the kind (``K``, ``mK``, ``Oe``,
        ``T``, ``degree``); converted with :func:`reanalyze.units.convert`.
    slow_axis
        The axis held fixed per line. Default: the magnetic field (temperature sweeps at fixed
        fields); a temperature slow axis means isotherms with field sweeps. For ARPES the
        manipulator angle, default ``theta2``.
    mode
        ``"sweep"`` or ``"settle"``; default the profile's ``default_mode``. Ignored for ARPES.

    Returns
    -------
    ScanCost
        Total in s, h and days; per-line and per-action breakdowns.

    Raises
    ------
    DataError
        No axes, an axis without values, kind or unit, an unknown kind or one the instrument
        does not scan, a slow axis that is not an axis, an unknown mode.
    UnitError
        A unit of the wrong dimension for its axis.
    """
    if isinstance(profile, str):
        profile = get_instrument(profile)
    checked = _check_axes(axes, kinds, units)
    if isinstance(profile, ArpesProfile):
        return _arpes_plan(profile, checked, kinds, units, slow_axis)
    chosen = profile.default_mode if mode is None else mode
    if chosen not in ("sweep", "settle"):
        raise DataError(f"unknown mode {chosen!r} (known: sweep, settle)")
    return _motion_plan(profile, checked, kinds, units, slow_axis, chosen)
